package io.qsync.diff;

/**
 * What a change set does, counted from the change set itself (exact, unlike affected-row counts).
 *
 * @param sourceRows rows in the query result
 * @param unchanged result rows the target already holds with the same values
 */
public record ChangeCounts(
    long sourceRows, long inserts, long updates, long deletes, long unchanged) {
  public ChangeCounts {
    if (sourceRows < 0 || inserts < 0 || updates < 0 || deletes < 0 || unchanged < 0) {
      throw new IllegalArgumentException("counts cannot be negative");
    }
  }

  public static final ChangeCounts NONE = new ChangeCounts(0, 0, 0, 0, 0);

  /** {@code 3 inserted, 1 updated, 0 deleted, 96 unchanged}: the counts as a person reads them. */
  public String describe() {
    return String.format(
        java.util.Locale.ROOT,
        "%,d inserted, %,d updated, %,d deleted, %,d unchanged",
        inserts,
        updates,
        deletes,
        unchanged);
  }

  /** Rows the change set writes: its length. */
  public long changes() {
    return inserts + updates + deletes;
  }
}
