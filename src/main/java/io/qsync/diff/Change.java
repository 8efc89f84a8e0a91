package io.qsync.diff;

import static java.util.Objects.requireNonNull;

/**
 * One row of a change set.
 *
 * @param seq its place in the change set, from 1, in key order; the checkpoint counts in these
 * @param kind what it does
 * @param row the row's values in the sync's column order; for a delete, the target's own values
 *     (its key columns identify the row to delete); null for a new row read as {@code text} only
 * @param text a new row read for a bulk load, when the writer asked for it: the row as one line of
 *     LOAD DATA's default text format, made by the stage (fields in column order, each ended by a
 *     tab but the last, which ends with a newline; {@code \N} for NULL; backslash, tab, newline,
 *     carriage return and NUL escaped with a backslash; BOOLEAN as 1 or 0, a FLOAT as the text of
 *     the DOUBLE it is, binary as upper-case hex, DATETIME as {@code YYYY-MM-DD HH:MM:SS.ffffff});
 *     null otherwise. The writer decodes it to values where it needs them.
 */
public record Change(long seq, ChangeKind kind, Object[] row, byte[] text) {
  public Change {
    requireNonNull(kind, "kind is null");
    if (row == null && text == null) {
      throw new NullPointerException("row is null");
    }
    if (text != null && kind != ChangeKind.INSERT) {
      throw new IllegalArgumentException("only a new row comes as text: " + kind);
    }
  }

  /** A change with its values. */
  public Change(long seq, ChangeKind kind, Object[] row) {
    this(seq, kind, requireNonNull(row, "row is null"), null);
  }
}
