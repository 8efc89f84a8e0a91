package io.qsync.target;

import io.qsync.diff.Change;
import io.qsync.source.Column;
import io.qsync.source.RowSink;
import io.qsync.state.RunStore;
import io.qsync.state.SyncLock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The database that holds synced tables, their run history and their locks. Lifecycle: construct
 * (no I/O), use, {@link #close()} (closes every connection it opened). Not thread-safe.
 */
public interface Target extends AutoCloseable {
  /** The table as it exists now, or empty when there is no such table. */
  Optional<TargetTable> describe(String table);

  /**
   * Every reason the existing table cannot hold the result, each with its remedy; empty when it
   * can.
   */
  List<String> schemaProblems(TargetTable table, List<Column> columns, List<String> key, boolean keyRequired);

  /** The CREATE TABLE statement {@link #createTable} runs, for plans and messages. */
  String createTableStatement(String table, List<Column> columns, List<String> key);

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
    /** A change set diffed against the table: inserts are new keys, updates find their rows. */
    DIFFED,
    /**
     * A change set diffed against an earlier state ({@code diff: snapshot}): a key may or may not
     * be in the table (a run that stopped part-way wrote some), so inserts and updates both write
     * {@code INSERT ... ON DUPLICATE KEY UPDATE}, and applying one twice changes nothing.
     */
    IDEMPOTENT
  }

  /**
   * Swaps {@code shadow} in as {@code table} in one atomic RENAME and drops the old table, if any.
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
  }
}
