package io.qsync.tools.soak;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.ConfigLoader;
import io.qsync.duckdb.DuckDbLibrary;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Measures what a sync costs the application that shares its table: the application's read and
 * write latencies with the application alone, while qsync re-syncs the table over and over, and
 * while it does so throttled. The table lives in a scratch database that the soak creates and
 * drops; the warehouse is a DuckDB file in a work folder. Not thread-safe; one use only.
 */
public final class Soak {
  static final String TABLE = "soak_items";
  private static final String SYNC = "soak";

  /**
   * What to run.
   *
   * @param serverUrl the server, without a database: {@code jdbc:mariadb://host:port/}
   * @param throttle the throttled phase's {@code throttle:} settings, YAML lines; empty skips it
   */
  public record Options(
      String serverUrl,
      String user,
      String password,
      String database,
      long rows,
      int clients,
      double writeShare,
      double changedPerRun,
      int phaseSeconds,
      List<String> throttle,
      Path workDir,
      long seed) {
    public Options {
      requireNonNull(serverUrl, "serverUrl is null");
      requireNonNull(database, "database is null");
      throttle = List.copyOf(throttle);
      requireNonNull(workDir, "workDir is null");
    }
  }

  /** One phase's figures. */
  public record Phase(
      String name,
      AppLoad.Measured app,
      int runs,
      long rowsWritten,
      double syncSeconds,
      Map<String, Double> throttledSeconds,
      int retries) {}

  private final Options options;
  private final Consumer<String> log;

  public Soak(Options options, Consumer<String> log) {
    this.options = requireNonNull(options, "options is null");
    this.log = requireNonNull(log, "log is null");
  }

  public List<Phase> run() {
    Properties login = new Properties();
    login.setProperty("user", options.user());
    login.setProperty("password", options.password());
    String databaseUrl = options.serverUrl() + options.database();
    try {
      Files.createDirectories(options.workDir());
      Path warehouse = options.workDir().resolve("soak-warehouse.duckdb");
      Files.deleteIfExists(warehouse);
      execute(
          options.serverUrl(),
          login,
          "DROP DATABASE IF EXISTS `" + options.database() + "`",
          "CREATE DATABASE `" + options.database() + "` CHARACTER SET utf8mb4");
      try {
        buildWarehouse(warehouse);
        Qsync qsync = qsync(writeConfig(warehouse, databaseUrl, false));
        log.accept(
            String.format(
                Locale.ROOT,
                "loading %,d rows into %s.%s",
                options.rows(),
                options.database(),
                TABLE));
        qsync.run(SYNC);
        List<Phase> phases = new ArrayList<>();
        phases.add(phase("application alone", null, null, warehouse, databaseUrl, login));
        phases.add(phase("with qsync", qsync, SYNC, warehouse, databaseUrl, login));
        if (!options.throttle().isEmpty()) {
          // the same sync with a throttle: two syncs of one table are refused by the config
          Qsync throttled = qsync(writeConfig(warehouse, databaseUrl, true));
          phases.add(
              phase("with qsync, throttled", throttled, SYNC, warehouse, databaseUrl, login));
        }
        return phases;
      } finally {
        execute(options.serverUrl(), login, "DROP DATABASE IF EXISTS `" + options.database() + "`");
      }
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "soak: cannot write its work folder " + options.workDir() + ": " + e.getMessage(),
          e);
    } catch (SQLException e) {
      throw new QsyncException(ErrorKind.FAILED, "soak: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QsyncException(ErrorKind.INTERRUPTED, "soak interrupted", e);
    }
  }

  private Phase phase(
      String name, Qsync qsync, String sync, Path warehouse, String url, Properties login)
      throws SQLException, InterruptedException {
    log.accept(
        "phase '"
            + name
            + "': "
            + options.phaseSeconds()
            + " s, "
            + options.clients()
            + " application clients");
    AppLoad app =
        new AppLoad(url, login, TABLE, options.rows(), options.clients(), options.writeShare());
    long deadline = System.nanoTime() + options.phaseSeconds() * 1_000_000_000L;
    app.start(options.seed());
    int runs = 0;
    long written = 0;
    double syncSeconds = 0;
    Map<String, Double> throttled = new LinkedHashMap<>();
    int retries = 0;
    if (qsync == null) {
      Thread.sleep(options.phaseSeconds() * 1000L);
    } else {
      while (System.nanoTime() < deadline) {
        changeWarehouse(warehouse, runs);
        RunReport report = qsync.run(sync);
        runs++;
        written +=
            report.counts().inserts() + report.counts().updates() + report.counts().deletes();
        syncSeconds += report.duration().toNanos() / 1e9;
        report
            .throttle()
            .throttledBy()
            .forEach((rule, time) -> throttled.merge(rule, time.toNanos() / 1e9, Double::sum));
        retries += report.throttle().retries();
      }
    }
    AppLoad.Measured measured = app.stop();
    return new Phase(name, measured, runs, written, syncSeconds, throttled, retries);
  }

  private void buildWarehouse(Path file) throws SQLException {
    DuckDbLibrary.load();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement statement = duck.createStatement()) {
      statement.execute("SELECT setseed(0.42)");
      statement.execute(
          "CREATE TABLE items AS SELECT range AS id, 'item ' || range || ' 상품' AS name,"
              + " random() * 1000 AS score, TIMESTAMP '2026-01-01' + to_microseconds(range) AS updated_at,"
              + " repeat('x', 40 + (range % 60)::INT) AS payload FROM range("
              + options.rows()
              + ")");
    }
  }

  /** Changes about {@code changedPerRun} of the rows, a different set each run. */
  private void changeWarehouse(Path file, int run) throws SQLException {
    long every = Math.max(1, Math.round(1 / options.changedPerRun()));
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement statement = duck.createStatement()) {
      statement.execute(
          "UPDATE items SET score = score + 1, updated_at = updated_at + INTERVAL 1 SECOND"
              + " WHERE (id * 7919 + "
              + run
              + ") % "
              + every
              + " = 0");
    }
  }

  /**
   * @param throttled whether the sync carries the throttled phase's throttle
   */
  private Path writeConfig(Path warehouse, String databaseUrl, boolean throttled)
      throws IOException {
    StringBuilder yaml = new StringBuilder();
    yaml.append("connections:\n")
        .append("  warehouse:\n    type: duckdb\n    path: ")
        .append(quoted(warehouse.toAbsolutePath().toString()))
        .append('\n')
        .append("  app:\n    type: mysql\n    url: ")
        .append(quoted(databaseUrl))
        .append('\n')
        .append("    user: ")
        .append(quoted(options.user()))
        .append('\n')
        .append("    password: ${QSYNC_SOAK_PASSWORD:-}\n")
        .append("syncs:\n");
    yaml.append("  ")
        .append(SYNC)
        .append(":\n")
        .append("    source: warehouse\n    query: SELECT * FROM items\n    target: app\n")
        .append("    table: ")
        .append(TABLE)
        .append("\n    key: [id]\n    mode: mirror\n    create_table: true\n");
    if (throttled && !options.throttle().isEmpty()) {
      yaml.append("    throttle:\n");
      options.throttle().forEach(line -> yaml.append("      ").append(line).append('\n'));
    }
    Path file = options.workDir().resolve(throttled ? "soak-throttled.yaml" : "soak.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private Qsync qsync(Path configFile) {
    return new Qsync(
        ConfigLoader.load(configFile, Map.of("QSYNC_SOAK_PASSWORD", options.password())),
        Clock.systemUTC(),
        Progress.silent(),
        FaultPoint.NONE);
  }

  private static String quoted(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  private static void execute(String url, Properties login, String... statements)
      throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, login);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }
}
