package io.qsync.destination;

import io.qsync.diff.Change;
import io.qsync.row.Column;
import io.qsync.source.QueryDialect;
import io.qsync.row.RowSink;
import io.qsync.state.RunStore;
import io.qsync.state.SyncLock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The database that holds synced tables, their run history and their locks. Lifecycle: construct
 * (no I/O), use, {@link #close()} (closes every connection it opened). Not thread-safe.
 */
public interface Destination extends AutoCloseable {
  /** The table as it exists now, or empty when there is no such table. */
  Optional<DestinationTable> describe(String table);

  /**
   * Every reason the existing table cannot hold the result, each with its remedy; empty when it
   * can.
   */
  List<String> schemaProblems(DestinationTable table, List<Column> columns, List<String> key, boolean keyRequired);

  /**
   * Every value rule of the table's columns: which values each column the result is written to
   * would not store as sent (see {@link ValueRule}), with the remedy phrased for the source's
   * dialect. For a table qsync has yet to create, the rules of the one {@link #createTable}
   * makes.
   *
   * @param existing the table as it exists, or empty when the run creates it
   */
  List<ValueRule> valueRules(
      String table, Optional<DestinationTable> existing, List<Column> columns, List<String> key,
      QueryDialect dialect);

  /** The CREATE TABLE statement {@link #createTable} runs, for plans and messages. */
  String createTableStatement(String table, List<Column> columns, List<String> key);

  /**
   * The collation {@link #createTable} gives a string key column: one under which every two
   * distinct strings are distinct keys (case, accents and trailing spaces count).
   */
  String createdKeyCollation();

  /**
   * The statement that makes an existing string key column compare exactly, as {@link
   * #createdKeyCollation} does: the remedy a message about colliding keys names.
   */
  String exactKeyStatement(DestinationTable table, String column);

  /** Creates a table for the result, with the key as its primary key. DDL: outside batches. */
  void createTable(String table, List<Column> columns, List<String> key);

  /** Creates {@code table} with the columns and indexes of {@code model}. DDL: outside batches. */
  void createTableLike(String table, String model);

  void dropTable(String table);

  long countRows(String table);

  /** Streams the table's current values of the given columns, in no particular order. */
  void readRows(String table, List<Column> columns, RowSink sink);

  /**
   * The table's row whose key columns hold {@code keyValues} (in key order), as {@code columns}
   * in their order, matched as the table compares keys; empty when it holds none. For the few
   * rows a plan shows.
   */
  Optional<Object[]> findRow(
      String table, List<Column> columns, List<String> key, List<Object> keyValues);

  /**
   * A writer of change batches into {@code table}. Each {@link ChangeWriter#apply} is one
   * transaction that also advances the run's checkpoint, and commits only while {@code lock} is
   * held.
   *
   * @param writes what the change set's inserts and updates may assume about the table
   */
  ChangeWriter writer(
      String table, List<Column> columns, List<String> key, Writes writes, String runId, SyncLock lock);

  /** What a change set's inserts and updates may assume about the table. */
  enum Writes {
    /** Inserts only, into a table that holds none of their keys ({@code append}, {@code replace}). */
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

  /**
   * Why {@code replace} mode cannot swap a new copy in for the existing {@code table} (triggers,
   * foreign keys into or out of it), each with its remedy; empty when it can.
   */
  List<String> replaceProblems(String table);

  /**
   * Swaps {@code shadow} in as {@code table} in one atomic RENAME and drops the old table. Safe to
   * call again after a failure or a crash part-way: a shadow already swapped in is not swapped
   * again, and an old table left behind is dropped. Returns only when neither the shadow nor the
   * old table is left and {@code table} exists.
   */
  void swap(String table, String shadow);

  /** The table {@code replace} mode builds a new copy of {@code table} in. */
  String shadowName(String table);

  RunStore runs();

  /**
   * Takes the sync's lock, waiting at most {@code timeout}.
   *
   * @throws io.qsync.QsyncException of kind LOCK_HELD naming the run that holds it
   */
  SyncLock lock(String sync, Duration timeout);

  /**
   * Whether some session holds the sync's lock now. A run recorded as running whose lock is free
   * was killed or lost its connection: the next run resumes it.
   */
  boolean lockHeld(String sync);

  /**
   * The server's {@code Threads_running} now: statements executing at this moment, a measure of
   * how busy it is.
   *
   * @throws io.qsync.TransientException when the server cannot be reached just now
   */
  long threadsRunning();

  /**
   * How far this server, as a replica, lags its primary ({@code Seconds_Behind_Master}); empty
   * when it does not replicate (no replication configured, or its threads are stopped).
   */
  Optional<java.time.Duration> replicationLag();

  /** Where the target is, for messages: host, port and database, never a password. */
  String describeLocation();

  @Override
  void close();

  /** Applies batches of a change set. Not thread-safe. */
  interface ChangeWriter {
    /**
     * Applies one batch and moves the checkpoint from {@code afterSeq} to the batch's last
     * sequence number, in one transaction: both happen or neither does.
     *
     * @throws io.qsync.QsyncException when the target rejects a row (naming its key and column),
     *     or the checkpoint was moved by someone else (the batch is rolled back)
     */
    void apply(List<Change> batch, long afterSeq);

    /**
     * Writes what the batches set aside, in one transaction, after the last batch: rows whose
     * value of another unique key of the table was still held by a row a later batch changed (a
     * value that moves between rows). Returns a note for the run's report when there were any.
     *
     * @throws io.qsync.QsyncException when such a row still collides at the end: the query's
     *     result itself holds the value twice
     */
    Optional<String> finish();
  }
}
