package io.qsync.testing.bigquery;

import io.qsync.config.BigQueryConnectionConfig;
import io.qsync.config.BigQueryTimeouts;
import io.qsync.config.ConnectionConfig;
import io.qsync.config.Mode;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.QsyncConfig;
import io.qsync.config.Secret;
import io.qsync.config.SyncConfig;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A config of one sync from the emulator (connection {@code bq}, no credentials, retries after 1 ms
 * for at most a second) into a test database (connection {@code app}), with the stage in {@code
 * dir/stage}.
 */
public final class BigQuerySyncs {
  public static final String SYNC = "bq_sync";

  /**
   * The client's own timeouts, and a retry budget that covers the failures tests inject (a few in a
   * row, 1 ms apart) but gives up on a fault armed for every attempt within a second.
   */
  public static final BigQueryTimeouts TIMEOUTS =
      new BigQueryTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ofSeconds(1));

  private BigQuerySyncs() {}

  /** The emulator's connection with a page size and optional staging dataset. */
  public static BigQueryConnectionConfig connection(
      BigQueryEmulator emulator, int pageSize, Optional<String> stagingDataset) {
    return BigQueryConnectionConfig.builder("bq", emulator.project())
        .credentials(BigQueryConnectionConfig.Credentials.NONE)
        .host(Optional.of(emulator.host()))
        .labels(Map.of("team", "tests"))
        .stagingDataset(stagingDataset)
        .stagingExpiration(Duration.ofHours(1))
        .pageSize(pageSize)
        .retryDelay(Duration.ofMillis(1))
        .timeouts(TIMEOUTS)
        .build();
  }

  public static SyncConfig sync(String query, String table, List<String> key, Mode mode) {
    return SyncConfig.builder(SYNC, "bq", query, "app", table)
        .key(key)
        .mode(mode)
        .createTable(true)
        .batchSize(500)
        .lockTimeout(Duration.ofSeconds(5))
        .build();
  }

  public static QsyncConfig config(
      Path dir, TestDatabase database, BigQueryConnectionConfig connection, SyncConfig sync) {
    Map<String, ConnectionConfig> connections =
        Map.of(
            "bq",
            connection,
            "app",
            new MySqlConnectionConfig("app", database.url(), "root", new Secret(""), Map.of()));
    return new QsyncConfig(
        dir.resolve("qsync.yaml"), dir.resolve("stage"), connections, Map.of(sync.name(), sync));
  }

  public static Qsync qsync(
      Path dir,
      TestDatabase database,
      BigQueryConnectionConfig connection,
      SyncConfig sync,
      FaultPoint faults) {
    return new Qsync(
        config(dir, database, connection, sync), Clock.systemUTC(), Progress.silent(), faults);
  }
}
