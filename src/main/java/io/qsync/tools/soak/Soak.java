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
  static final String SYNC = "soak";

  /**
   * What to run.
   *
   * @param serverUrl the server, without a database: {@code jdbc:mariadb://host:port/}
   * @param throttle the fixed-rate phase's {@code throttle:} settings, YAML lines; empty skips it
   * @param loadChange whether to add a phase, three times as long, in which the application is
   *     idle, then busy, then idle again while qsync re-syncs with its default settings
   * @param rates a phase for each, held to that many rows a second by the fixed-rate phase's other
   *     settings: how the application's p99 follows the sync's rate
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
      long seed,
      boolean loadChange,
      List<Long> rates) {
    public Options {
      requireNonNull(serverUrl, "serverUrl is null");
      requireNonNull(database, "database is null");
      throttle = List.copyOf(throttle);
      rates = List.copyOf(rates);
      requireNonNull(workDir, "workDir is null");
    }
  }

  /**
   * One phase's figures.
   *
   * @param trace a line a second: the application, qsync's rows and the signals
   * @param loadChanging whether the application's load changed during the phase
   * @param secondsDoing the phase's time by what qsync was doing (a run's step, ...)
   */
  public record Phase(
      String name,
      AppLoad.Measured app,
      int runs,
      long rowsWritten,
      double syncSeconds,
      Map<String, Double> throttledSeconds,
      int retries,
      List<Trace.Line> trace,
      boolean loadChanging,
      Map<String, Double> secondsDoing) {}

  /** The unthrottled phase: today's hard limits without the self-throttle. */
  static final List<String> UNTHROTTLED = List.of("max_latency_increase: 0");

  /**
   * The fixed-rate phase's throttle: the hand-set limits alone, without the self-throttle, unless
   * they set its budget themselves.
   */
  static List<String> fixedRate(List<String> throttle) {
    boolean budget =
        throttle.stream()
            .anyMatch(
                line ->
                    line.startsWith("max_latency_increase:")
                        || line.startsWith("max_probe_latency_ms:"));
    List<String> lines = new ArrayList<>(throttle);
    if (!budget) {
      lines.addAll(UNTHROTTLED);
    }
    return lines;
  }

  /**
   * A phase of the rate sweep: the fixed-rate phase's settings with {@code max_rows_per_second} set
   * to {@code rate}.
   */
  static List<String> atRate(List<String> throttle, long rate) {
    List<String> lines = new ArrayList<>();
    throttle.stream().filter(line -> !line.startsWith("max_rows_per_second:")).forEach(lines::add);
    lines.add("max_rows_per_second: " + rate);
    return fixedRate(lines);
  }

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
      refuseExisting(login);
      execute(
          options.serverUrl(),
          login,
          "CREATE DATABASE `" + options.database() + "` CHARACTER SET utf8mb4");
      try {
        buildWarehouse(warehouse, options.rows());
        Path defaults = writeConfig(warehouse, databaseUrl, List.of(), "soak.yaml");
        Qsync qsync = qsync(defaults, Progress.silent());
        log.accept(
            String.format(
                Locale.ROOT,
                "loading %,d rows into %s.%s",
                options.rows(),
                options.database(),
                TABLE));
        RunReport load = qsync.run(SYNC);
        log.accept(
            String.format(
                Locale.ROOT,
                "loaded in %.1f s, the server idle (default settings)",
                load.duration().toNanos() / 1e9));
        // the same sync with other throttles: two syncs of one table are refused by the config
        Path unthrottled =
            writeConfig(warehouse, databaseUrl, UNTHROTTLED, "soak-unthrottled.yaml");
        List<Phase> phases = new ArrayList<>();
        phases.add(phase("application alone", null, warehouse, databaseUrl, login, false));
        phases.add(phase("qsync, unthrottled", unthrottled, warehouse, databaseUrl, login, false));
        phases.add(phase("qsync, default", defaults, warehouse, databaseUrl, login, false));
        if (!options.throttle().isEmpty()) {
          Path fixed =
              writeConfig(
                  warehouse, databaseUrl, fixedRate(options.throttle()), "soak-fixed-rate.yaml");
          phases.add(phase("qsync, fixed rate", fixed, warehouse, databaseUrl, login, false));
        }
        for (long rate : options.rates()) {
          Path held =
              writeConfig(
                  warehouse,
                  databaseUrl,
                  atRate(options.throttle(), rate),
                  "soak-rate-" + rate + ".yaml");
          phases.add(
              phase(
                  String.format(Locale.ROOT, "qsync, %,d rows/s", rate),
                  held,
                  warehouse,
                  databaseUrl,
                  login,
                  false));
        }
        if (options.loadChange()) {
          phases.add(phase("qsync, default, load", defaults, warehouse, databaseUrl, login, true));
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

  /**
   * @param config qsync's config for the phase; null: the application alone
   * @param loadChange whether the application is idle, busy and idle in thirds of a phase three
   *     times as long
   */
  private Phase phase(
      String name, Path config, Path warehouse, String url, Properties login, boolean loadChange)
      throws SQLException, InterruptedException {
    int seconds = options.phaseSeconds() * (loadChange ? 3 : 1);
    log.accept(
        "phase '"
            + name
            + "': "
            + seconds
            + " s, "
            + options.clients()
            + " application clients"
            + (loadChange ? " (idle, busy, idle in thirds)" : ""));
    SyncMeter meter = new SyncMeter();
    Qsync qsync = config == null ? null : qsync(config, meter);
    String sync = SYNC;
    AppLoad app =
        new AppLoad(
            url,
            login,
            TABLE,
            options.rows(),
            options.clients(),
            options.writeShare(),
            meter::doing,
            SyncMeter.WAREHOUSE_CHANGE);
    long begin = System.nanoTime();
    long deadline = begin + seconds * 1_000_000_000L;
    if (loadChange) {
      app.activeClients(0);
    }
    app.start(options.seed());
    Trace trace = new Trace(url, login, TABLE, app, meter);
    trace.start();
    int runs = 0;
    long written = 0;
    double syncSeconds = 0;
    Map<String, Double> throttled = new LinkedHashMap<>();
    int retries = 0;
    Thread changer = null;
    if (loadChange) {
      changer =
          new Thread(
              () -> {
                try {
                  Thread.sleep(options.phaseSeconds() * 1000L);
                  app.activeClients(options.clients());
                  Thread.sleep(options.phaseSeconds() * 1000L);
                  app.activeClients(0);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "soak-load-change");
      changer.setDaemon(true);
      changer.start();
    }
    if (qsync == null) {
      Thread.sleep(seconds * 1000L);
    } else {
      while (System.nanoTime() < deadline) {
        meter.doing(SyncMeter.WAREHOUSE_CHANGE);
        changeWarehouse(warehouse, runs);
        meter.doing(SyncMeter.OUTSIDE_STEPS);
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
    meter.doing(SyncMeter.NO_RUN);
    AppLoad.Measured measured = app.stop();
    List<Trace.Line> lines = trace.stop();
    if (changer != null) {
      changer.join();
    }
    return new Phase(
        name,
        measured,
        runs,
        written,
        syncSeconds,
        throttled,
        retries,
        lines,
        loadChange,
        meter.secondsDoing());
  }

  /** The warehouse's table of {@code rows} items, the soak's table's source. */
  static void buildWarehouse(Path file, long rows) throws SQLException {
    DuckDbLibrary.load();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement statement = duck.createStatement()) {
      statement.execute("SELECT setseed(0.42)");
      statement.execute(
          "CREATE TABLE items AS SELECT range AS id, 'item ' || range || ' 상품' AS name,"
              + " random() * 1000 AS score, TIMESTAMP '2026-01-01' + to_microseconds(range) AS updated_at,"
              + " repeat('x', 40 + (range % 60)::INT) AS payload FROM range("
              + rows
              + ")");
    }
  }

  private void changeWarehouse(Path file, int run) throws SQLException {
    changeWarehouse(file, run, options.changedPerRun());
  }

  /** Changes about {@code share} of the rows, a different set each run. */
  static void changeWarehouse(Path file, int run, double share) throws SQLException {
    long every = Math.max(1, Math.round(1 / share));
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

  private Path writeConfig(Path warehouse, String databaseUrl, List<String> throttle, String name)
      throws IOException {
    return writeConfig(
        options.workDir().resolve(name), warehouse, databaseUrl, options.user(), throttle);
  }

  /**
   * Writes the soak's config to {@code file}: the sync {@value #SYNC} of the warehouse's items into
   * {@value #TABLE}, its password from {@code QSYNC_SOAK_PASSWORD}.
   *
   * @param throttle the sync's {@code throttle:} lines; none: the defaults
   */
  static Path writeConfig(
      Path file, Path warehouse, String databaseUrl, String user, List<String> throttle)
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
        .append(quoted(user))
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
    if (!throttle.isEmpty()) {
      yaml.append("    throttle:\n");
      throttle.forEach(line -> yaml.append("      ").append(line).append('\n'));
    }
    Files.writeString(file, yaml);
    return file;
  }

  private Qsync qsync(Path configFile, Progress progress) {
    return new Qsync(
        ConfigLoader.load(configFile, Map.of("QSYNC_SOAK_PASSWORD", options.password())),
        Clock.systemUTC(),
        progress,
        FaultPoint.NONE);
  }

  private static String quoted(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  /**
   * The soak drops its database at the end: one that exists already is someone's, never dropped.
   */
  private void refuseExisting(Properties login) throws SQLException {
    try (Connection connection = DriverManager.getConnection(options.serverUrl(), login);
        java.sql.PreparedStatement statement =
            connection.prepareStatement(
                "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")) {
      statement.setString(1, options.database());
      try (java.sql.ResultSet exists = statement.executeQuery()) {
        if (exists.next()) {
          throw new QsyncException(
              ErrorKind.USAGE,
              "soak: database "
                  + options.database()
                  + " exists on "
                  + options.serverUrl()
                  + "; the soak creates and drops a scratch database of its own\n"
                  + "Name another with --database, or drop it if it is a leftover of a soak.");
        }
      }
    }
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
