package io.qsync.stage;

/**
 * Which columns a read of the change set carries after the number and the kind: what the stage's
 * statement selects ({@link StageSql#changesAfter}) and what {@link ChangeCursor} reads from it.
 */
enum ChangeRead {
  /** Every change with its values. */
  VALUES,
  /**
   * Updates and deletes with their values; a new row with NULL values and its LOAD DATA text in a
   * last column.
   */
  INSERTS_AS_TEXT,
  /**
   * A change set of new rows only (a first load): each as its LOAD DATA text alone, with no value
   * columns, which the driver would otherwise hand over as NULLs, a vector of each per chunk.
   */
  TEXT_ONLY;

  /** The result's column (from 1) holding a new row's text, for a sync of {@code columns}. */
  int textColumn(int columns) {
    return switch (this) {
      case VALUES -> throw new IllegalStateException("a read of values carries no text");
      case INSERTS_AS_TEXT -> columns + 3;
      case TEXT_ONLY -> 3;
    };
  }
}
