package io.qsync.diff;

import static java.util.Objects.requireNonNull;

/**
 * One row of a change set.
 *
 * @param seq its place in the change set, from 1, in key order; the checkpoint counts in these
 * @param kind what it does
 * @param row the row's values in the sync's column order; for a delete, the target's own values
 *     (its key columns identify the row to delete)
 */
public record Change(long seq, ChangeKind kind, Object[] row) {
  public Change {
    requireNonNull(kind, "kind is null");
    requireNonNull(row, "row is null");
  }
}
