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

  /**
   * A sync of {@code query} on {@code source} into {@code table} on {@code target}, its other parts
   * the config file's defaults: set the key (but in {@code append} mode) and whatever else differs,
   * then {@link Builder#build()}.
   */
  public static Builder builder(
      String name, String source, String query, String target, String table) {
    return new Builder(name, source, query, target, table);
  }

  /** A builder holding this sync, to build a copy with some parts changed. */
  public Builder toBuilder() {
    return new Builder(name, source, query, target, table)
        .key(key)
        .mode(mode)
        .createTable(createTable)
        .batchSize(batchSize)
        .lockTimeout(lockTimeout)
        .deleteGuard(deleteGuard)
        .throttle(throttle)
        .retries(retries)
        .diff(diff)
        .service(service)
        .queryAt(queryAt);
  }

  /**
   * Builds a {@link SyncConfig}. Its defaults are what the config file gives a sync that sets only
   * {@code source}, {@code query}, {@code target}, {@code table} and {@code key}, in a file without
   * top-level {@code throttle}, {@code retries} and {@code alerts}: {@link SyncReader} decides the
   * file's, and ConfigLoaderTest holds the two equal. Not thread-safe.
   */
  public static final class Builder {
    private String name;
    private String source;
    private String query;
    private String target;
    private String table;
    private List<String> key = List.of();
    private Mode mode = Mode.MIRROR;
    private boolean createTable = false;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
    private DeleteGuard deleteGuard = DeleteGuard.DEFAULT;
    private ThrottleConfig throttle = ThrottleConfig.DEFAULT;
    private RetryConfig retries = RetryConfig.DEFAULT;
    private Diff diff = Diff.TARGET;
    private SyncService service = SyncService.NONE;
    private String queryAt = "";

    private Builder(String name, String source, String query, String target, String table) {
      this.name = name;
      this.source = source;
      this.query = query;
      this.target = target;
      this.table = table;
    }

    public Builder name(String value) {
      this.name = value;
      return this;
    }

    public Builder source(String value) {
      this.source = value;
      return this;
    }

    public Builder query(String value) {
      this.query = value;
      return this;
    }

    public Builder target(String value) {
      this.target = value;
      return this;
    }

    public Builder table(String value) {
      this.table = value;
      return this;
    }

    public Builder key(List<String> value) {
      this.key = value;
      return this;
    }

    public Builder mode(Mode value) {
      this.mode = value;
      return this;
    }

    public Builder createTable(boolean value) {
      this.createTable = value;
      return this;
    }

    public Builder batchSize(int value) {
      this.batchSize = value;
      return this;
    }

    public Builder lockTimeout(Duration value) {
      this.lockTimeout = value;
      return this;
    }

    /** Another delete guard, e.g. {@link DeleteGuard#NONE} for {@code run --allow-deletes}. */
    public Builder deleteGuard(DeleteGuard value) {
      this.deleteGuard = value;
      return this;
    }

    public Builder throttle(ThrottleConfig value) {
      this.throttle = value;
      return this;
    }

    public Builder retries(RetryConfig value) {
      this.retries = value;
      return this;
    }

    public Builder diff(Diff value) {
      this.diff = value;
      return this;
    }

    public Builder service(SyncService value) {
      this.service = value;
      return this;
    }

    /** Where the config file sets the query ({@code qsync.yaml:13}); empty: not from a file. */
    public Builder queryAt(String value) {
      this.queryAt = value;
      return this;
    }

    public SyncConfig build() {
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
          queryAt);
    }
  }
}
