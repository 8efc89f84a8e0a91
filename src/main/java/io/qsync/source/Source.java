package io.qsync.source;

import io.qsync.row.Column;

/**
 * A warehouse that runs queries. Lifecycle: open (constructor, no I/O), {@link #query} once per
 * run, then {@link #close}. Implementations need not be thread-safe.
 */
public interface Source extends AutoCloseable {
  /**
   * Starts the query of a run, or finds it again when the run resumes, and describes its result
   * before any row is read.
   *
   * @param runId the run's id; a source whose queries are jobs names the job after it, so a resumed
   *     run finds its job instead of paying for a second one
   */
  SourceResult query(String sql, String runId);

  /**
   * Whether {@link #query} with a run id it has seen finds that run's query again (a job and its
   * result) instead of running it anew; then a run stopped while extracting resumes by reading
   * again, without paying for a second query.
   */
  default boolean resumesQueries() {
    return false;
  }

  /**
   * Where a sync with {@code diff: snapshot} keeps its state in this warehouse: the given dataset
   * (a schema, for DuckDB). Empty when this source cannot keep one.
   */
  default java.util.Optional<WarehouseState> state(String dataset) {
    return java.util.Optional.empty();
  }

  /**
   * The warehouse's side of a verify over the query's result (see {@code io.qsync.verify}): its
   * server renders, hashes and sums the rows, so only checksums cross the network. Empty when this
   * source cannot verify yet.
   */
  default java.util.Optional<io.qsync.verify.RowChecksums> checksums(
      String sql, io.qsync.verify.RowShape shape) {
    return java.util.Optional.empty();
  }

  /**
   * The bytes the warehouse billed for the jobs this source ran so far (not those it found again
   * for a resumed run: an earlier attempt paid for them), per kind of job: {@value #QUERY_JOB},
   * {@value #KEY_CHECK_JOB}, {@value #COMPARE_JOB}, {@value #CHANGES_JOB}, {@value #STATE_JOB},
   * {@value #VERIFY_JOB}, in the order each kind first ran. Empty for a warehouse that bills no
   * bytes (DuckDB).
   */
  default java.util.Map<String, Long> bytesBilled() {
    return java.util.Map.of();
  }

  /**
   * The results of {@link #QUERY_JOB} and {@link #CHANGES_JOB} this source read so far, in order,
   * each with the API that read it and why: what a run's history says about its reads. Empty for a
   * source with one way to read (DuckDB).
   */
  default java.util.List<ResultRead> reads() {
    return java.util.List.of();
  }

  /** The sync's query (for {@code diff: snapshot}, into its result table). */
  String QUERY_JOB = "query";

  /** {@code diff: snapshot}'s checks of the result's keys. */
  String KEY_CHECK_JOB = "key checks";

  /**
   * {@code diff: snapshot}'s comparison of the result's keys and fingerprints with the state's,
   * when it runs before the change set is fetched.
   */
  String COMPARE_JOB = "compare";

  /** {@code diff: snapshot}'s change set: compared and fetched in one job, or fetched. */
  String CHANGES_JOB = "changes";

  /** {@code diff: snapshot}'s new state. */
  String STATE_JOB = "state";

  /** {@code qsync verify}'s checksums. */
  String VERIFY_JOB = "verify";

  /** How this warehouse's SQL spells the expressions a message suggests for the query. */
  QueryDialect dialect();

  /** The columns the query would return, without running it (for {@code qsync validate}). */
  java.util.List<Column> describe(String sql);

  @Override
  void close();
}
