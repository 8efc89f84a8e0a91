package io.qsync.state;

import io.qsync.source.ResultRead;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Run history, kept in the target database beside the tables it describes. The checkpoint itself is
 * advanced by the target's writer, inside each batch's transaction; this store reads it and records
 * everything else. Implementations are not thread-safe.
 */
public interface RunStore {
  /** Creates the history table when absent. DDL: call before any batch transaction. */
  void prepare();

  void insert(RunRecord run);

  /** Writes a run's status, phase, counts and error (not its checkpoint). */
  void update(RunRecord run);

  Optional<RunRecord> find(String runId);

  /*
   * A sync is its name and its table: two configs may each have a sync 'orders', writing
   * different tables of one database, and each keeps its own history, resume and state.
   */

  /** The sync's newest run if it did not finish: the one the next run resumes. */
  Optional<RunRecord> unfinished(String sync, String table);

  /**
   * The newest unfinished run of any sync of this name, whatever its table: a sync's lock is named
   * by the sync alone, so this is the run that may hold it.
   */
  Optional<RunRecord> unfinishedOfAnyTable(String sync);

  /** The sync's newest run that succeeded. */
  Optional<RunRecord> lastSucceeded(String sync, String table);

  /** The sync's newest runs that succeeded, newest first, at most {@code limit}. */
  List<RunRecord> succeeded(String sync, String table, int limit);

  /**
   * The sync's newest {@code qsync verify} record ({@link RunRecord#VERIFY}), whatever it found.
   */
  Optional<RunRecord> lastVerify(String sync, String table);

  /** Whether the store can record a snapshot run's state (its table may lack the column). */
  boolean recordsDiffState();

  /**
   * Records the warehouse state a {@code diff: snapshot} run leaves behind, before the run is
   * marked succeeded; ignored where the store cannot record it.
   */
  void recordDiffState(String runId, String state);

  /** The warehouse state a run recorded, if any. */
  Optional<String> diffState(String runId);

  /**
   * Adds {@code throttledBy} (time waited per throttle rule, {@code "Threads_running >= 50"}) to
   * what the run has recorded, so that a run resumed by another process sums both attempts; ignored
   * where the store cannot record it.
   */
  void addThrottled(String runId, Map<String, Duration> throttledBy);

  /**
   * The throttled time per rule each of these runs recorded; a run that never waited, or that the
   * store could not record, is absent. Rules keep the order they were first recorded in.
   */
  Map<String, Map<String, Duration>> throttledBy(Collection<String> runIds);

  /**
   * Adds {@code bytesBilled} (bytes the warehouse billed per kind of job, {@code "changes"}) to
   * what the run has recorded, so that a run resumed by another process sums both attempts; ignored
   * where the store cannot record it.
   */
  default void addBytesBilled(String runId, Map<String, Long> bytesBilled) {}

  /**
   * The bytes billed per kind of job each of these runs recorded; a run that billed none, or that
   * the store could not record, is absent.
   */
  default Map<String, Map<String, Long>> bytesBilled(Collection<String> runIds) {
    return Map.of();
  }

  /**
   * Adds {@code reads} (how the run read the warehouse's results, and why) after those the run has
   * recorded, so that a run resumed by another process keeps both attempts'; ignored where the
   * store cannot record it.
   */
  default void addReads(String runId, List<ResultRead> reads) {}

  /**
   * How each of these runs read the warehouse's results, in order; a run that read none (a DuckDB
   * source), or that the store could not record, is absent.
   */
  default Map<String, List<ResultRead>> reads(Collection<String> runIds) {
    return Map.of();
  }

  /**
   * The sync's runs and its {@code qsync verify} records ({@link RunRecord#VERIFY}) together,
   * newest first, for {@code qsync history}. {@link #history} and the other methods leave verify
   * records out.
   */
  default List<RunRecord> historyWithVerifies(String sync, String table, int limit) {
    return history(sync, table, limit);
  }

  /** The sync's runs, newest first (not its verify records). */
  List<RunRecord> history(String sync, String table, int limit);

  /**
   * The sync's newest run started at or after {@code since} that did not succeed but wrote changes
   * to the table (its checkpoint is past 0), however many runs started since.
   */
  Optional<RunRecord> stoppedPartWaySince(String sync, String table, Instant since);

  /** Each sync's newest run. */
  List<RunRecord> latestPerSync();
}
