package io.qsync.resume;

import io.qsync.config.ConfigLoader;
import io.qsync.config.ConnectionConfig;
import io.qsync.config.DuckDbConnectionConfig;
import io.qsync.config.Mode;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.QsyncConfig;
import io.qsync.config.RetryConfig;
import io.qsync.config.Secret;
import io.qsync.config.SyncConfig;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One sync from a DuckDB warehouse into a test database, as a config object or as a {@code
 * qsync.yaml} for the command line. Its batches hold exactly {@code batch_size} changes ({@code
 * batch_time: 0}), so the suites know where each batch ends: a strike lands between known batches
 * and a run's batch count follows from its changes. The stage folder is {@code <folder>/stage}.
 */
public record SyncSetup(
    Path folder,
    TestDatabase database,
    Warehouse warehouse,
    SyncConfig sync,
    List<String> sourceSetup) {

  public static SyncSetup targets(
      Path folder, TestDatabase database, Warehouse warehouse, Mode mode) {
    return new SyncSetup(
        folder,
        database,
        warehouse,
        sync(TargetsData.SYNC, TargetsData.QUERY, TargetsData.TABLE)
            .key(List.of("user_id"))
            .mode(mode)
            .batchSize(97)
            .build(),
        List.of());
  }

  /**
   * A sync of {@code query} on the warehouse into {@code table} of the test database, which it
   * creates, waiting 10 s for another run's lock; its batches hold exactly {@code batch_size}
   * changes, and a run that fails is not retried: strikes are failures that must stop the run
   * (RetryIT covers retries).
   */
  static SyncConfig.Builder sync(String name, String query, String table) {
    return TestSyncs.sync(name, query, table)
        .lockTimeout(Duration.ofSeconds(10))
        .throttle(TestSyncs.fixedBatches())
        .retries(RetryConfig.NONE);
  }

  public SyncSetup withBatchSize(int batchSize) {
    return withSync(sync.toBuilder().batchSize(batchSize).build());
  }

  SyncSetup withLockTimeout(Duration lockTimeout) {
    return withSync(sync.toBuilder().lockTimeout(lockTimeout).build());
  }

  SyncSetup withQuery(String query) {
    return withSync(sync.toBuilder().query(query).build());
  }

  /** Statements the DuckDB source runs after opening the warehouse (its {@code setup} key). */
  SyncSetup withSourceSetup(String... statements) {
    return new SyncSetup(folder, database, warehouse, sync, List.of(statements));
  }

  private SyncSetup withSync(SyncConfig changed) {
    return new SyncSetup(folder, database, warehouse, changed, sourceSetup);
  }

  Path stageDir() {
    return folder.resolve("stage");
  }

  /** The stage file a run of the sync keeps between a failure and its resumption. */
  public Path stageFile() {
    return io.qsync.engine.SyncRunner.stageFile(
        stageDir(), sync.name(), database.url(), sync.table());
  }

  public QsyncConfig config() {
    Map<String, ConnectionConfig> connections =
        Map.of(
            "warehouse",
            new DuckDbConnectionConfig("warehouse", Optional.of(warehouse.file()), sourceSetup),
            "app",
            new MySqlConnectionConfig("app", database.url(), "root", new Secret(""), Map.of()));
    return new QsyncConfig(
        folder.resolve("qsync.yaml"), stageDir(), connections, Map.of(sync.name(), sync));
  }

  /** Writes {@code qsync.yaml} into the folder and returns it; it loads to {@link #config()}. */
  public Path writeYaml() {
    String yaml =
        "stage_dir: stage\n"
            + "connections:\n"
            + "  warehouse: { type: duckdb, path: "
            + quoted(warehouse.file().toString())
            + (sourceSetup.isEmpty()
                ? ""
                : ", setup: ["
                    + sourceSetup.stream().map(SyncSetup::quoted).collect(Collectors.joining(", "))
                    + "]")
            + " }\n"
            + "  app: { type: mysql, url: "
            + quoted(database.url())
            + ", user: root }\n"
            + "syncs:\n"
            + "  "
            + sync.name()
            + ":\n"
            + "    source: warehouse\n"
            + "    query: "
            + quoted(sync.query())
            + "\n"
            + "    target: app\n"
            + "    table: "
            + quoted(sync.table())
            + "\n"
            + (sync.key().isEmpty()
                ? ""
                : "    key: ["
                    + sync.key().stream().map(SyncSetup::quoted).collect(Collectors.joining(", "))
                    + "]\n")
            + "    mode: "
            + sync.mode().configName()
            + "\n"
            + "    create_table: "
            + sync.createTable()
            + "\n"
            + "    batch_size: "
            + sync.batchSize()
            + "\n"
            + "    lock_timeout: "
            + sync.lockTimeout().toMillis()
            + "ms\n"
            + "    throttle: { batch_time: 0, max_latency_increase: 0, idle_below: 0 }\n"
            + "    retries: { max_attempts: 1 }\n";
    Path file = folder.resolve("qsync.yaml");
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Where the file sets the query is the file's alone: the same sync otherwise.
    SyncConfig loaded =
        ConfigLoader.load(file, Map.of()).sync(sync.name()).orElseThrow().toBuilder()
            .queryAt("")
            .build();
    if (!loaded.equals(sync.toBuilder().queryAt("").build())) {
      throw new IllegalStateException("qsync.yaml does not say what the test means: " + loaded);
    }
    return file;
  }

  private static String quoted(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
