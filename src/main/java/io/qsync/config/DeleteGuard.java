package io.qsync.config;

/**
 * How much of its table a sync's run may delete before it refuses and asks a person: the guard
 * against a broken upstream (an empty or cut-short query result) emptying an application's table.
 * Checked once per change set, before anything is written. Immutable.
 *
 * @param allowEmpty whether a result of no rows may empty a table that holds rows
 * @param maxDeleteFraction the largest share of the table's rows (0 to 1) one run may delete; 1
 *     lets any run through
 */
public record DeleteGuard(boolean allowEmpty, double maxDeleteFraction) {
  /**
   * Half the table: a routine refresh rarely drops more than half of an entity table's rows in one
   * run, while a broken upstream (a lost partition, a filter on the wrong day) usually drops most.
   */
  public static final double DEFAULT_MAX_DELETE_FRACTION = 0.5;

  public static final DeleteGuard DEFAULT = new DeleteGuard(false, DEFAULT_MAX_DELETE_FRACTION);

  /** What {@code qsync run --allow-deletes} runs with: no guard. */
  public static final DeleteGuard NONE = new DeleteGuard(true, 1.0);

  public DeleteGuard {
    if (!(maxDeleteFraction >= 0 && maxDeleteFraction <= 1)) {
      throw new IllegalArgumentException(
          "maxDeleteFraction must be from 0 to 1: " + maxDeleteFraction);
    }
  }
}
