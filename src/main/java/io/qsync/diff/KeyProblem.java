package io.qsync.diff;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Source keys the target cannot take: found in the stage before anything is written.
 *
 * @param kind what is wrong
 * @param count how many keys (or rows, for NULLs) are affected
 * @param samples a few of them, rendered for a person
 */
public record KeyProblem(Kind kind, long count, List<String> samples) {
  public enum Kind {
    /** A key column is NULL. */
    NULL_KEY,
    /** The same key appears on more than one row. */
    DUPLICATE_KEY,
    /** Keys distinct in the source are one key under the target column's collation. */
    COLLATION_COLLISION
  }

  public KeyProblem {
    requireNonNull(kind, "kind is null");
    samples = List.copyOf(requireNonNull(samples, "samples is null"));
  }

  /** A key value as a sample shows it: strings quoted, NULL spelled out. */
  public static String render(Object value) {
    return value == null
        ? "NULL"
        : value instanceof String text ? "'" + text + "'" : value.toString();
  }
}
