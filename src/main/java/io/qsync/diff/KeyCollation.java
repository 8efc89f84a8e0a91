package io.qsync.diff;

import java.util.Locale;

/**
 * How the target compares values of one key column, written as a DuckDB expression so the stage can
 * find keys that are distinct in the source but one key in the target, and match source rows to
 * target rows the way the target's unique index will.
 *
 * <p>An approximation of MySQL's collations, erring towards "equal": case-insensitive collations
 * ({@code _ci}) compare lower-cased; accent-insensitive ones (MariaDB's {@code _ci}, MySQL's {@code
 * _ai_ci}) also strip accents; PAD SPACE collations (all but MySQL's {@code _0900_} and MariaDB's
 * {@code _nopad_} ones) ignore trailing spaces. Pure; thread-safe.
 */
public record KeyCollation(boolean ignoreCase, boolean ignoreAccents, boolean ignoreTrailingSpace) {

  /** Exact comparison: numbers, dates, binary strings. */
  public static final KeyCollation EXACT = new KeyCollation(false, false, false);

  /**
   * The comparison of a column with the given collation, or {@link #EXACT} when it has none (not a
   * character column).
   */
  public static KeyCollation of(String collation) {
    if (collation == null || collation.isBlank() || collation.equalsIgnoreCase("binary")) {
      return EXACT;
    }
    String name = collation.toLowerCase(Locale.ROOT);
    boolean padSpace = !name.contains("_0900_") && !name.contains("nopad");
    boolean ignoreCase = name.endsWith("_ci");
    boolean accentSensitive = name.contains("_as_");
    boolean ignoreAccents = ignoreCase && !accentSensitive;
    return new KeyCollation(ignoreCase, ignoreAccents, padSpace);
  }

  /** The DuckDB expression that maps a value to its comparison form. */
  public String normalise(String expression) {
    String result = expression;
    if (ignoreTrailingSpace) {
      result = "rtrim(" + result + ", ' ')";
    }
    if (ignoreCase) {
      result = "lower(" + result + ")";
    }
    if (ignoreAccents) {
      result = "strip_accents(" + result + ")";
    }
    return result;
  }

  public boolean isExact() {
    return !ignoreCase && !ignoreAccents && !ignoreTrailingSpace;
  }
}
