package io.qsync.destination;

import io.qsync.diff.Change;
import io.qsync.row.Column;
import io.qsync.state.SyncLock;
import java.util.List;
import java.util.Optional;

/**
 * Opens the writers that apply a run's change set to a table, each batch in one transaction with
 * the run's checkpoint.
 */
public interface ChangeWriters {
  /**
   * A writer of change batches into {@code table}. Each {@link ChangeWriter#apply} is one
   * transaction that also advances the run's checkpoint, and commits only while {@code lock} is
   * held.
   *
   * @param writes what the change set's inserts and updates may assume about the table
   */
  ChangeWriter writer(
      String table,
      List<Column> columns,
      List<String> key,
      Writes writes,
      String runId,
      SyncLock lock);

  /** What a change set's inserts and updates may assume about the table. */
  enum Writes {
    /**
     * Inserts only, into a table that holds none of their keys ({@code append}, {@code replace}).
     */
    INSERTS,
    /**
     * A change set diffed against the table just now: inserts are new keys, updates find their
     * rows. An update that finds none means the target compares keys differently from qsync's
     * reading of them (a collation), and stops the batch.
     */
    DIFFED,
    /**
     * A change set diffed against an earlier state of the table ({@code diff: snapshot}, or a run
     * resumed by a later process): a key may or may not be in the table now (a run that stopped
     * part-way wrote some; a row was deleted or added by hand since). The writer looks up which
     * keys the table holds, and writes those as updates and the others as new rows, so applying a
     * change twice changes nothing.
     */
    RECONCILED
  }

  /** Applies batches of a change set. Not thread-safe. */
  interface ChangeWriter {
    /**
     * Applies one batch and moves the checkpoint from {@code afterSeq} to the batch's last sequence
     * number, in one transaction: both happen or neither does.
     *
     * @throws io.qsync.QsyncException when the target rejects a row (naming its key and column), or
     *     the checkpoint was moved by someone else (the batch is rolled back)
     */
    void apply(List<Change> batch, long afterSeq);

    /**
     * Whether this writer takes new rows as LOAD DATA text without their values ({@link
     * Change#text}), which spares decoding each value from the stage and encoding it again. Asked
     * once, before the first batch.
     */
    default boolean takesInsertText() {
      return false;
    }

    /**
     * Writes what the batches set aside, in one transaction, after the last batch: rows whose value
     * of another unique key of the table was still held by a row a later batch changed (a value
     * that moves between rows). Returns a note for the run's report when there were any.
     *
     * @throws io.qsync.QsyncException when such a row still collides at the end: the query's result
     *     itself holds the value twice
     */
    Optional<String> finish();
  }
}
