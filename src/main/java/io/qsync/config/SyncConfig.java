package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * One named sync: "this query, keyed by these columns, into that table". Immutable.
 *
 * @param source name of the connection the query runs on
 * @param query the query whose result the table must equal
 * @param target name of the MySQL connection holding the table
 * @param table the target table, unquoted (may contain any character; qsync quotes it)
 * @param key the columns that identify a row; empty only in {@code append} mode
 * @param mode what the table ends as
 * @param createTable whether to create the table when it is absent
 * @param batchSize rows per transaction when applying
 * @param lockTimeout how long a run waits for another run of the same sync before giving up
 * @param deleteGuard how much of the table one run may delete before it refuses
 * @param throttle how the run spares the target while writing
 * @param retries how often a batch that failed for a passing reason is tried again
 * @param diff how the run finds its change set
 * @param service how {@code qsync serve} schedules, judges and alerts on the sync
 * @param queryAt where the config file sets the query ({@code qsync.yaml:13}), for the messages of
 *     a query the warehouse rejects; empty for a sync not read from a file
 */
public record SyncConfig(
    String name,
    String source,
    String query,
    String target,
    String table,
    List<String> key,
    Mode mode,
    boolean createTable,
    int batchSize,
    Duration lockTimeout,
    DeleteGuard deleteGuard,
    ThrottleConfig throttle,
    RetryConfig retries,
    Diff diff,
    SyncService service,
    String queryAt) {

  public static final int DEFAULT_BATCH_SIZE = 1000;
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);

  public SyncConfig {
    requireNonNull(name, "name is null");
    requireNonNull(source, "source is null");
    requireNonNull(query, "query is null");
    requireNonNull(target, "target is null");
    requireNonNull(table, "table is null");
    key = List.copyOf(requireNonNull(key, "key is null"));
    requireNonNull(mode, "mode is null");
    requireNonNull(lockTimeout, "lockTimeout is null");
    requireNonNull(deleteGuard, "deleteGuard is null");
    requireNonNull(throttle, "throttle is null");
    requireNonNull(retries, "retries is null");
    requireNonNull(diff, "diff is null");
    requireNonNull(service, "service is null");
    requireNonNull(queryAt, "queryAt is null");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
    }
  }

  /** A sync not read from a file. */
  public SyncConfig(
      String name,
      String source,
      String query,
      String target,
      String table,
      List<String> key,
      Mode mode,
      boolean createTable,
      int batchSize,
      Duration lockTimeout,
      DeleteGuard deleteGuard,
      ThrottleConfig throttle,
      RetryConfig retries,
      Diff diff,
      SyncService service) {
    this(
        name,
        source,
        query,
        target,
        table,
        key,
        mode,
        createTable,
        batchSize,
        lockTimeout,
        deleteGuard,
        throttle,
        retries,
        diff,
        service,
        "");
  }

  /** A sync that {@code qsync serve} runs only when asked. */
  public SyncConfig(
      String name,
      String source,
      String query,
      String target,
      String table,
      List<String> key,
      Mode mode,
      boolean createTable,
      int batchSize,
      Duration lockTimeout,
      DeleteGuard deleteGuard,
      ThrottleConfig throttle,
      RetryConfig retries,
      Diff diff) {
    this(
        name,
        source,
        query,
        target,
        table,
        key,
        mode,
        createTable,
        batchSize,
        lockTimeout,
        deleteGuard,
        throttle,
        retries,
        diff,
        SyncService.NONE);
  }

  /** A sync with the default delete guard, throttle and retries. */
  public SyncConfig(
      String name,
      String source,
      String query,
      String target,
      String table,
      List<String> key,
      Mode mode,
      boolean createTable,
      int batchSize,
      Duration lockTimeout) {
    this(
        name,
        source,
        query,
        target,
        table,
        key,
        mode,
        createTable,
        batchSize,
        lockTimeout,
        DeleteGuard.DEFAULT,
        ThrottleConfig.DEFAULT,
        RetryConfig.DEFAULT,
        Diff.TARGET);
  }

  /** A sync that compares with the target ({@code diff: target}). */
  public SyncConfig(
      String name,
      String source,
      String query,
      String target,
      String table,
      List<String> key,
      Mode mode,
      boolean createTable,
      int batchSize,
      Duration lockTimeout,
      DeleteGuard deleteGuard,
      ThrottleConfig throttle,
      RetryConfig retries) {
    this(
        name,
        source,
        query,
        target,
        table,
        key,
        mode,
        createTable,
        batchSize,
        lockTimeout,
        deleteGuard,
        throttle,
        retries,
        Diff.TARGET);
  }

  /** The same sync with another delete guard (e.g. none, for {@code run --allow-deletes}). */
  public SyncConfig withDeleteGuard(DeleteGuard guard) {
    return new SyncConfig(
        name,
        source,
        query,
        target,
        table,
        key,
        mode,
        createTable,
        batchSize,
        lockTimeout,
        guard,
        throttle,
        retries,
        diff,
        service,
        queryAt);
  }

  public SyncConfig withThrottle(ThrottleConfig newThrottle) {
    return new SyncConfig(
        name,
        source,
        query,
        target,
        table,
        key,
        mode,
        createTable,
        batchSize,
        lockTimeout,
        deleteGuard,
        newThrottle,
        retries,
        diff,
        service,
        queryAt);
  }

  public SyncConfig withRetries(RetryConfig newRetries) {
    return new SyncConfig(
        name,
        source,
        query,
        target,
        table,
        key,
        mode,
        createTable,
        batchSize,
        lockTimeout,
        deleteGuard,
        throttle,
        newRetries,
        diff,
        service,
        queryAt);
  }

  public SyncConfig withDiff(Diff newDiff) {
    return new SyncConfig(
        name,
        source,
        query,
        target,
        table,
        key,
        mode,
        createTable,
        batchSize,
        lockTimeout,
        deleteGuard,
        throttle,
        retries,
        newDiff,
        service,
        queryAt);
  }

  /** The same sync, its query set at {@code where} in the config file. */
  public SyncConfig withQueryAt(String where) {
    return new SyncConfig(
        name,
        source,
        query,
        target,
        table,
        key,
        mode,
        createTable,
        batchSize,
        lockTimeout,
        deleteGuard,
        throttle,
        retries,
        diff,
        service,
        where);
  }

  public SyncConfig withService(SyncService newService) {
    return new SyncConfig(
        name,
        source,
        query,
        target,
        table,
        key,
        mode,
        createTable,
        batchSize,
        lockTimeout,
        deleteGuard,
        throttle,
        retries,
        diff,
        newService,
        queryAt);
  }
}
