package io.qsync.testing;

import io.qsync.config.ConnectionConfig;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.QsyncConfig;
import io.qsync.config.Secret;
import io.qsync.config.SyncConfig;
import io.qsync.config.ThrottleConfig;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A config of one sync from a test's DuckDB warehouse (connection {@code warehouse}) into its test
 * database (connection {@code app}, as root), with the stage in {@code dir/stage}.
 */
public final class TestSyncs {
  private TestSyncs() {}

  /**
   * A sync of {@code query} on the warehouse into {@code table} of the test database, which it
   * creates when absent, waiting 2 s for another run's lock; the rest as the builder's defaults.
   */
  public static SyncConfig.Builder sync(String name, String query, String table) {
    return SyncConfig.builder(name, "warehouse", query, "app", table)
        .createTable(true)
        .lockTimeout(Duration.ofSeconds(2));
  }

  /**
   * The default throttle with {@code batch_time: 0} and no self-throttle: every batch holds exactly
   * {@code batch_size} changes, for tests that strike between known batches.
   */
  public static ThrottleConfig fixedBatches() {
    return ThrottleConfig.builder().batchTime(Duration.ZERO).withoutSelfThrottle().build();
  }

  /**
   * A throttle that only holds the row rate to {@code rowsPerSecond} (no batch time, no load or
   * replica rules), so a run waits a known time per batch: on a test's clock when its {@link
   * io.qsync.Sleeper} advances one.
   */
  public static ThrottleConfig rowRate(int rowsPerSecond) {
    return ThrottleConfig.builder()
        .maxRowsPerSecond(rowsPerSecond)
        .batchTime(Duration.ZERO)
        .withoutSelfThrottle()
        .build();
  }

  public static QsyncConfig config(
      Path dir, TestDatabase database, Warehouse warehouse, SyncConfig sync) {
    return config(dir, database, warehouse, List.of(sync));
  }

  /** A config of several syncs from the warehouse into the database. */
  public static QsyncConfig config(
      Path dir, TestDatabase database, Warehouse warehouse, List<SyncConfig> syncs) {
    Map<String, ConnectionConfig> connections =
        Map.of(
            "warehouse",
            warehouse.connection("warehouse"),
            "app",
            new MySqlConnectionConfig("app", database.url(), "root", new Secret(""), Map.of()));
    return new QsyncConfig(
        dir.resolve("qsync.yaml"),
        dir.resolve("stage"),
        connections,
        syncs.stream().collect(java.util.stream.Collectors.toMap(SyncConfig::name, sync -> sync)));
  }

  public static Qsync qsync(
      Path dir, TestDatabase database, Warehouse warehouse, SyncConfig sync, FaultPoint faults) {
    return new Qsync(
        config(dir, database, warehouse, sync), Clock.systemUTC(), Progress.silent(), faults);
  }

  public static Qsync qsync(Path dir, TestDatabase database, Warehouse warehouse, SyncConfig sync) {
    return qsync(dir, database, warehouse, sync, FaultPoint.NONE);
  }
}
