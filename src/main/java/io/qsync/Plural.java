package io.qsync;

import java.util.Locale;

/**
 * Counted nouns for output: {@code 1 batch}, {@code 2 batches}, {@code 0 rows}. English plurals of
 * the nouns qsync prints (regular ones only). Stateless; thread-safe.
 */
public final class Plural {
  private Plural() {}

  /** {@code 1 row}, {@code 1,250 rows}: the count with thousands separators, and its noun. */
  public static String of(long count, String singular) {
    return String.format(Locale.ROOT, "%,d %s", count, noun(count, singular));
  }

  /** The noun alone, singular for exactly one: for counts already formatted. */
  public static String noun(long count, String singular) {
    if (count == 1 || count == -1) {
      return singular;
    }
    if (singular.endsWith("s")
        || singular.endsWith("x")
        || singular.endsWith("ch")
        || singular.endsWith("sh")) {
      return singular + "es";
    }
    if (singular.endsWith("y")
        && singular.length() > 1
        && "aeiou".indexOf(singular.charAt(singular.length() - 2)) < 0) {
      return singular.substring(0, singular.length() - 1) + "ies";
    }
    return singular + "s";
  }
}
