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
    String sync,
    String query,
    String table,
    List<String> key,
    Mode mode,
    boolean createTable,
    int batchSize,
    Duration lockTimeout,
    List<String> sourceSetup) {

  public static SyncSetup targets(
      Path folder, TestDatabase database, Warehouse warehouse, Mode mode) {
    return new SyncSetup(
        folder,
        database,
        warehouse,
        TargetsData.SYNC,
        TargetsData.QUERY,
        TargetsData.TABLE,
        List.of("user_id"),
        mode,
        true,
        97,
        Duration.ofSeconds(10),
        List.of());
  }

  public SyncSetup withBatchSize(int newBatchSize) {
    return new SyncSetup(
        folder,
        database,
        warehouse,
        sync,
        query,
        table,
        key,
        mode,
        createTable,
        newBatchSize,
        lockTimeout,
        sourceSetup);
  }

  SyncSetup withLockTimeout(Duration newLockTimeout) {
    return new SyncSetup(
        folder,
        database,
        warehouse,
        sync,
        query,
        table,
        key,
        mode,
        createTable,
        batchSize,
        newLockTimeout,
        sourceSetup);
  }

  /** Statements the DuckDB source runs after opening the warehouse (its {@code setup} key). */
  SyncSetup withSourceSetup(String... statements) {
    return new SyncSetup(
        folder,
        database,
        warehouse,
        sync,
        query,
        table,
        key,
        mode,
        createTable,
        batchSize,
        lockTimeout,
        List.of(statements));
  }

  SyncSetup withQuery(String newQuery) {
    return new SyncSetup(
        folder,
        database,
        warehouse,
        sync,
        newQuery,
        table,
        key,
        mode,
        createTable,
        batchSize,
        lockTimeout,
        sourceSetup);
  }

  Path stageDir() {
    return folder.resolve("stage");
  }

  /** The stage file a run of the sync keeps between a failure and its resumption. */
  public Path stageFile() {
    return io.qsync.engine.SyncRunner.stageFile(stageDir(), sync, database.url(), table);
  }

  public QsyncConfig config() {
    // Strikes are failures that must stop the run, so a killed work session is not retried here
    // (RetryIT covers retries).
    SyncConfig definition =
        TestSyncs.sync(sync, query, table)
            .key(key)
            .mode(mode)
            .createTable(createTable)
            .batchSize(batchSize)
            .lockTimeout(lockTimeout)
            .throttle(TestSyncs.fixedBatches())
            .retries(RetryConfig.NONE)
            .build();
    Map<String, ConnectionConfig> connections =
        Map.of(
            "warehouse",
            new DuckDbConnectionConfig("warehouse", Optional.of(warehouse.file()), sourceSetup),
            "app",
            new MySqlConnectionConfig("app", database.url(), "root", new Secret(""), Map.of()));
    return new QsyncConfig(
        folder.resolve("qsync.yaml"), stageDir(), connections, Map.of(sync, definition));
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
            + sync
            + ":\n"
            + "    source: warehouse\n"
            + "    query: "
            + quoted(query)
            + "\n"
            + "    target: app\n"
            + "    table: "
            + quoted(table)
            + "\n"
            + (key.isEmpty()
                ? ""
                : "    key: ["
                    + key.stream().map(SyncSetup::quoted).collect(Collectors.joining(", "))
                    + "]\n")
            + "    mode: "
            + mode.configName()
            + "\n"
            + "    create_table: "
            + createTable
            + "\n"
            + "    batch_size: "
            + batchSize
            + "\n"
            + "    lock_timeout: "
            + lockTimeout.toMillis()
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
        ConfigLoader.load(file, Map.of()).sync(sync).orElseThrow().toBuilder().queryAt("").build();
    if (!loaded.equals(config().sync(sync).orElseThrow().toBuilder().queryAt("").build())) {
      throw new IllegalStateException("qsync.yaml does not say what the test means: " + loaded);
    }
    return file;
  }

  private static String quoted(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
