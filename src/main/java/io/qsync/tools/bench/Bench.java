package io.qsync.tools.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.DuckDbConnectionConfig;
import io.qsync.destination.mysql.MySqlDialect;
import io.qsync.row.Column;
import io.qsync.source.duckdb.DuckDbSource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One benchmark invocation against a real MariaDB or MySQL: generates a warehouse, measures the
 * server's own bulk path ({@code LOAD DATA LOCAL INFILE} of the same rows into an empty table of
 * the same schema), then qsync's first load, re-syncs with nothing, 1 % and 10 % changed (each a
 * real {@code qsync run} in a process of its own), and the original script's approach. Creates its
 * scratch database and drops it at the end. Not thread-safe.
 */
public final class Bench {
  private static final String SYNC = "bench";
  private static final String PASSWORD_VARIABLE = "QSYNC_BENCH_PASSWORD";
  private static final int SCRIPT_BATCH = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BenchOptions options;
  private final Consumer<String> log;

  /** The database server's process, when it runs on this machine: its CPU time is read. */
  private OptionalLong serverPid = OptionalLong.empty();

  /**
   * @param log receives a line per step, for a person watching
   */
  public Bench(BenchOptions options, Consumer<String> log) {
    this.options = requireNonNull(options, "options is null");
    this.log = requireNonNull(log, "log is null");
  }

  public BenchReport run() {
    Path dir = options.dir();
    Path warehouse = dir.resolve("warehouse.duckdb");
    Path text = dir.resolve("rows.tsv");
    Path config = dir.resolve("qsync.yaml");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw failed("create " + dir, e);
    }
    createDatabase();
    serverPid = serverProcess();
    try {
      log.accept(
          String.format(Locale.ROOT, "generating %,d rows in %s", options.rows(), warehouse));
      BenchData.generate(warehouse, options.rows());
      BenchData.exportText(warehouse, text);
      writeConfig(config, warehouse);
      List<Column> columns;
      try (DuckDbSource source =
          new DuckDbSource(
              new DuckDbConnectionConfig("warehouse", Optional.of(warehouse), List.of()))) {
        columns = source.describe(BenchData.QUERY);
      }
      String server = serverVersion();

      List<BenchReport.Figure> figures = new ArrayList<>();
      figures.add(ceiling(columns, text));
      figures.add(
          qsync(
              BenchReport.FIRST_LOAD, "qsync first load, empty table", config, warehouse, 0, true));
      boolean checksumsMatch = checksum(BenchData.TABLE).equals(checksum("ceiling_rows"));
      execute("DROP TABLE IF EXISTS ceiling_rows");
      // --only: the ceiling and the first load always, since every other figure is a ratio to them.
      if (options.measures(BenchReport.NO_CHANGE)) {
        figures.add(
            qsync(
                BenchReport.NO_CHANGE,
                "qsync re-sync, nothing changed",
                config,
                warehouse,
                0,
                false));
      }
      // The same, reading each row's key and row hash instead of the row (compare: hashes).
      Path hashesConfig = dir.resolve("qsync-hashes.yaml");
      writeConfig(hashesConfig, warehouse, "    compare: hashes\n");
      if (options.measures(BenchReport.NO_CHANGE_HASHES)) {
        figures.add(
            qsync(
                BenchReport.NO_CHANGE_HASHES,
                "qsync re-sync, nothing changed, compare: hashes",
                hashesConfig,
                warehouse,
                0,
                false));
      }
      if (options.measures(BenchReport.ONE_PERCENT)) {
        figures.add(
            qsync(
                BenchReport.ONE_PERCENT,
                "qsync re-sync, 1 % changed",
                config,
                warehouse,
                0.01,
                false));
      }
      if (options.measures(BenchReport.TEN_PERCENT)) {
        figures.add(
            qsync(
                BenchReport.TEN_PERCENT,
                "qsync re-sync, 10 % changed",
                config,
                warehouse,
                0.10,
                false));
      }
      // qsync verify of the table just synced: equal, then with 0.1 % of its rows planted different
      // (a third changed, a third deleted, a third extra), which the snapshot's first run heals.
      if (options.measures(BenchReport.VERIFY_EQUAL)) {
        figures.add(
            qsync(
                BenchReport.VERIFY_EQUAL,
                "qsync verify, table equal",
                config,
                warehouse,
                List.of("verify", SYNC),
                Set.of(0),
                options.repeat()));
      }
      if (options.measures(BenchReport.VERIFY_DIFFERS)
          || options.measures(BenchReport.SNAPSHOT_FIRST)
          || options.measures(BenchReport.SNAPSHOT_ONE_PERCENT)) {
        execute(
            "UPDATE " + BenchData.TABLE + " SET balance = balance + 1 WHERE MOD(id, 3000) = 1",
            "DELETE FROM " + BenchData.TABLE + " WHERE MOD(id, 3000) = 2",
            "INSERT INTO "
                + BenchData.TABLE
                + " SELECT id + 1000000000000, name, city, email, score, active, updated_at, balance,"
                + " attrs FROM "
                + BenchData.TABLE
                + " WHERE MOD(id, 3000) = 3");
      }
      if (options.measures(BenchReport.VERIFY_DIFFERS)) {
        figures.add(
            qsync(
                BenchReport.VERIFY_DIFFERS,
                "qsync verify, 0.1 % of rows differ",
                config,
                warehouse,
                List.of("verify", SYNC),
                Set.of(6),
                options.repeat()));
      }
      // The same table with diff: snapshot: its first run compares in full and builds the state
      // in the warehouse (once, whatever --repeat says); then 1 % changes, diffed there.
      Path snapshotConfig = dir.resolve("qsync-snapshot.yaml");
      writeConfig(
          snapshotConfig, warehouse, "    diff: snapshot\n    state_dataset: qsync_bench_state\n");
      if (options.measures(BenchReport.SNAPSHOT_FIRST)
          || options.measures(BenchReport.SNAPSHOT_ONE_PERCENT)) {
        figures.add(
            qsync(
                BenchReport.SNAPSHOT_FIRST,
                "snapshot: first run (full, builds state)",
                snapshotConfig,
                warehouse,
                0,
                false,
                1));
      }
      if (options.measures(BenchReport.SNAPSHOT_ONE_PERCENT)) {
        figures.add(
            qsync(
                BenchReport.SNAPSHOT_ONE_PERCENT,
                "snapshot: re-sync, 1 % changed",
                snapshotConfig,
                warehouse,
                0.01,
                false,
                options.repeat()));
      }
      if (options.measures(BenchReport.SCRIPT)) {
        figures.add(script(columns, warehouse));
      }
      return new BenchReport(
          machine(server),
          options.rows(),
          options.repeat(),
          options.batchSize(),
          options.childHeap(),
          figures,
          checksumsMatch);
    } finally {
      dropDatabase();
      deleteQuietly(text);
    }
  }

  private BenchReport.Figure ceiling(List<Column> columns, Path text) {
    List<Double> seconds = new ArrayList<>();
    Cpu cpu = new Cpu();
    String create = MySqlDialect.MARIADB.createTable("ceiling_rows", columns, List.of("id"));
    String load =
        "LOAD DATA LOCAL INFILE '"
            + text.toAbsolutePath().toString().replace("\\", "\\\\").replace("'", "\\'")
            + "' INTO TABLE ceiling_rows CHARACTER SET utf8mb4";
    for (int i = 1; i <= options.repeat(); i++) {
      execute("DROP TABLE IF EXISTS ceiling_rows", create);
      try (Connection connection = connect();
          Statement statement = connection.createStatement()) {
        long started = System.nanoTime();
        cpu.start(CpuTime.ofThisProcess());
        long loaded = statement.executeLargeUpdate(load);
        seconds.add((System.nanoTime() - started) / 1e9);
        cpu.stop(CpuTime.ofThisProcess());
        if (loaded != options.rows() || statement.getWarnings() != null) {
          throw new QsyncException(
              ErrorKind.FAILED,
              "bench: LOAD DATA loaded "
                  + loaded
                  + " of "
                  + options.rows()
                  + " rows"
                  + (statement.getWarnings() == null
                      ? ""
                      : ", warning: " + statement.getWarnings().getMessage()));
        }
      } catch (SQLException e) {
        throw failed("LOAD DATA LOCAL INFILE " + text, e);
      }
      log.accept(
          String.format(
              Locale.ROOT,
              "ceiling (LOAD DATA LOCAL INFILE) %d/%d: %.2f s",
              i,
              options.repeat(),
              seconds.get(i - 1)));
    }
    return new BenchReport.Figure(
        BenchReport.CEILING,
        "LOAD DATA LOCAL INFILE, same rows (ceiling)",
        options.rows(),
        seconds,
        options.rows(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        1,
        cpu.process,
        cpu.server);
  }

  /**
   * Repeats a qsync run in a child process; before each, drops the table ({@code fresh}) or changes
   * {@code fraction} of the warehouse's rows.
   */
  private BenchReport.Figure qsync(
      String name,
      String description,
      Path config,
      Path warehouse,
      double fraction,
      boolean fresh) {
    return qsync(name, description, config, warehouse, fraction, fresh, options.repeat());
  }

  private BenchReport.Figure qsync(
      String name,
      String description,
      Path config,
      Path warehouse,
      double fraction,
      boolean fresh,
      int repeat) {
    return qsync(
        name,
        description,
        config,
        warehouse,
        fraction,
        fresh,
        List.of("run", SYNC),
        Set.of(0),
        repeat);
  }

  /** Repeats a qsync verify in a child process, the table and the warehouse unchanged. */
  private BenchReport.Figure qsync(
      String name,
      String description,
      Path config,
      Path warehouse,
      List<String> command,
      Set<Integer> exitCodes,
      int repeat) {
    return qsync(name, description, config, warehouse, 0, false, command, exitCodes, repeat);
  }

  private BenchReport.Figure qsync(
      String name,
      String description,
      Path config,
      Path warehouse,
      double fraction,
      boolean fresh,
      List<String> command,
      Set<Integer> exitCodes,
      int repeat) {
    List<Double> seconds = new ArrayList<>();
    long peakHeap = -1;
    long liveHeap = -1;
    long peakRss = -1;
    long changes = -1;
    long rows = options.rows();
    Cpu cpu = new Cpu();
    for (int i = 1; i <= repeat; i++) {
      if (fresh) {
        execute("DROP TABLE IF EXISTS " + BenchData.TABLE);
      }
      if (fraction > 0) {
        BenchData.change(warehouse, fraction, 1000 * (int) Math.round(fraction * 100) + i);
      }
      rows = BenchData.count(warehouse);
      cpu.start(OptionalDouble.of(0));
      ChildRun.Result result =
          ChildRun.run(
              options.dir(),
              name + "-" + i,
              config,
              command,
              exitCodes,
              options.childHeap(),
              Map.of(PASSWORD_VARIABLE, options.password()));
      seconds.add(result.seconds());
      cpu.stop(result.cpuSeconds());
      peakHeap = Math.max(peakHeap, result.peakHeapBytes().orElse(-1));
      liveHeap = Math.max(liveHeap, result.liveHeapBytes().orElse(-1));
      peakRss = Math.max(peakRss, result.peakRssBytes().orElse(-1));
      changes = changes(result.stdout());
      log.accept(
          String.format(
              Locale.ROOT,
              "%s %d/%d: %.2f s, %,d changes, CPU %s s (server %s s), peak heap %s, peak RSS %s",
              description,
              i,
              repeat,
              result.seconds(),
              changes,
              seconds(cpu.lastProcess()),
              seconds(cpu.lastServer()),
              megabytes(result.peakHeapBytes()),
              megabytes(result.peakRssBytes())));
    }
    return new BenchReport.Figure(
        name,
        description,
        rows,
        seconds,
        changes,
        positive(peakHeap),
        positive(liveHeap),
        positive(peakRss),
        -1,
        cpu.process,
        cpu.server);
  }

  /** What the original script does: page through the result, INSERT IGNORE 1000 rows at a time. */
  private BenchReport.Figure script(List<Column> columns, Path warehouse) {
    List<Double> seconds = new ArrayList<>();
    Cpu cpu = new Cpu();
    long batches = 0;
    long rows = BenchData.count(warehouse);
    String create = MySqlDialect.MARIADB.createTable("script_rows", columns, List.of("id"));
    String row = "(" + "?, ".repeat(BenchData.COLUMNS - 1) + "?)";
    for (int i = 1; i <= options.repeat(); i++) {
      execute("DROP TABLE IF EXISTS script_rows", create);
      batches = 0;
      long started = System.nanoTime();
      cpu.start(CpuTime.ofThisProcess());
      try (Connection source = BenchData.open(warehouse);
          Statement query = source.createStatement();
          Connection target = connect()) {
        query.setFetchSize(SCRIPT_BATCH);
        List<String[]> page = new ArrayList<>(SCRIPT_BATCH);
        try (ResultSet result = query.executeQuery(BenchData.TEXT_QUERY)) {
          boolean more = true;
          while (more) {
            more = result.next();
            if (more) {
              String[] values = new String[BenchData.COLUMNS];
              for (int c = 0; c < values.length; c++) {
                values[c] = result.getString(c + 1);
              }
              page.add(values);
            }
            if (page.size() == SCRIPT_BATCH || !more && !page.isEmpty()) {
              String sql =
                  "INSERT IGNORE INTO script_rows VALUES "
                      + String.join(", ", java.util.Collections.nCopies(page.size(), row));
              try (PreparedStatement insert = target.prepareStatement(sql)) {
                int index = 1;
                for (String[] values : page) {
                  for (String value : values) {
                    insert.setString(index++, value);
                  }
                }
                insert.executeUpdate();
              }
              batches++;
              page.clear();
            }
          }
        }
      } catch (SQLException e) {
        throw failed("run the original script's inserts", e);
      }
      seconds.add((System.nanoTime() - started) / 1e9);
      cpu.stop(CpuTime.ofThisProcess());
      log.accept(
          String.format(
              Locale.ROOT,
              "original script (INSERT IGNORE x %d, no sleep) %d/%d: %.2f s",
              SCRIPT_BATCH,
              i,
              options.repeat(),
              seconds.get(i - 1)));
    }
    execute("DROP TABLE IF EXISTS script_rows");
    return new BenchReport.Figure(
        BenchReport.SCRIPT,
        "script: INSERT IGNORE x 1000, no sleep",
        rows,
        seconds,
        rows,
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        batches,
        cpu.process,
        cpu.server);
  }

  /** A run's changes written, or a verify's keys that differ. */
  private static long changes(String json) {
    try {
      JsonNode verify = JSON.readTree(json).path("verifies").path(0);
      if (!verify.isMissingNode()) {
        return verify.path("missing").asLong()
            + verify.path("extra").asLong()
            + verify.path("different").asLong();
      }
      JsonNode counts = JSON.readTree(json).path("runs").path(0).path("counts");
      return counts.path("inserted").asLong()
          + counts.path("updated").asLong()
          + counts.path("deleted").asLong();
    } catch (IOException e) {
      return -1;
    }
  }

  private void writeConfig(Path config, Path warehouse) {
    writeConfig(config, warehouse, "");
  }

  /**
   * @param extra more lines for the sync, indented
   */
  private void writeConfig(Path config, Path warehouse, String extra) {
    String yaml =
        "# Written by qsync bench.\n"
            + "stage_dir: stage\n"
            + "connections:\n"
            + "  warehouse: { type: duckdb, path: \""
            + warehouse.toAbsolutePath()
            + "\" }\n"
            + "  target:\n"
            + "    type: mysql\n"
            + "    url: \""
            + options.databaseUrl()
            + "\"\n"
            + "    user: \""
            + options.user()
            + "\"\n"
            + (options.password().isEmpty()
                ? ""
                : "    password: \"${" + PASSWORD_VARIABLE + "}\"\n")
            + "syncs:\n"
            + "  "
            + SYNC
            + ":\n"
            + "    source: warehouse\n"
            + "    query: \""
            + BenchData.QUERY
            + "\"\n"
            + "    target: target\n"
            + "    table: "
            + BenchData.TABLE
            + "\n"
            + "    key: [id]\n"
            + "    mode: mirror\n"
            + "    create_table: true\n"
            + "    batch_size: "
            + options.batchSize()
            + "\n"
            + extra;
    try {
      Files.writeString(config, yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw failed("write " + config, e);
    }
  }

  private String checksum(String table) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("CHECKSUM TABLE " + MySqlDialect.quote(table))) {
      rows.next();
      return String.valueOf(rows.getObject(2));
    } catch (SQLException e) {
      throw failed("checksum " + table, e);
    }
  }

  /**
   * The CPU seconds of one figure's repetitions: the process that moved the rows (measured by the
   * caller, as a difference or whole) and the server's, as a difference of its running total. A
   * repetition whose figure cannot be read leaves the list short; a list with a gap is dropped, so
   * that a median never mixes measured and missing repetitions. Not thread-safe.
   */
  private final class Cpu {
    final List<Double> process = new ArrayList<>();
    final List<Double> server = new ArrayList<>();
    private OptionalDouble processAtStart = OptionalDouble.empty();
    private OptionalDouble serverAtStart = OptionalDouble.empty();
    private int repetitions;

    void start(OptionalDouble processNow) {
      processAtStart = processNow;
      serverAtStart = serverCpu();
    }

    void stop(OptionalDouble processNow) {
      OptionalDouble serverNow = serverCpu();
      repetitions++;
      add(process, processAtStart, processNow);
      add(server, serverAtStart, serverNow);
    }

    OptionalDouble lastProcess() {
      return last(process);
    }

    OptionalDouble lastServer() {
      return last(server);
    }

    private void add(List<Double> list, OptionalDouble start, OptionalDouble end) {
      if (list.size() == repetitions - 1 && start.isPresent() && end.isPresent()) {
        list.add(end.getAsDouble() - start.getAsDouble());
      } else {
        list.clear();
      }
    }

    private OptionalDouble last(List<Double> list) {
      return list.size() == repetitions && !list.isEmpty()
          ? OptionalDouble.of(list.get(list.size() - 1))
          : OptionalDouble.empty();
    }
  }

  private OptionalDouble serverCpu() {
    return serverPid.isPresent()
        ? CpuTime.ofProcess(serverPid.getAsLong())
        : OptionalDouble.empty();
  }

  /** The server's process when it runs on this machine (see {@link CpuTime#serverPid}). */
  private OptionalLong serverProcess() {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT @@pid_file, @@datadir")) {
      rows.next();
      return rows.getString(1) == null || rows.getString(2) == null
          ? OptionalLong.empty()
          : CpuTime.serverPid(rows.getString(1), rows.getString(2));
    } catch (SQLException e) {
      return OptionalLong.empty(); // the figures go without the server's CPU
    }
  }

  static String seconds(OptionalDouble value) {
    return value.isPresent() ? String.format(Locale.ROOT, "%.2f", value.getAsDouble()) : "-";
  }

  private String serverVersion() {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT VERSION()")) {
      rows.next();
      return rows.getString(1);
    } catch (SQLException e) {
      throw failed("read the server version", e);
    }
  }

  private static BenchReport.Machine machine(String server) {
    long memory = -1;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      memory = os.getTotalMemorySize();
    }
    return new BenchReport.Machine(
        Runtime.getRuntime().availableProcessors(),
        memory,
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        server,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private void createDatabase() {
    try (Connection connection = connectServer();
        Statement statement = connection.createStatement()) {
      try (ResultSet exists =
          statement.executeQuery("SHOW DATABASES LIKE '" + options.database() + "'")) {
        if (exists.next()) {
          throw new QsyncException(
              ErrorKind.USAGE,
              "bench: database "
                  + options.database()
                  + " exists on "
                  + options.host()
                  + ":"
                  + options.port()
                  + "; the benchmark creates and drops a scratch database of its own\n"
                  + "Name another with --database, or drop it if it is a leftover of a benchmark.");
        }
      }
      statement.execute(
          "CREATE DATABASE " + MySqlDialect.quote(options.database()) + " CHARACTER SET utf8mb4");
    } catch (SQLException e) {
      throw failed("create database " + options.database(), e);
    }
  }

  private void dropDatabase() {
    try (Connection connection = connectServer();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + MySqlDialect.quote(options.database()));
    } catch (SQLException e) {
      log.accept("could not drop database " + options.database() + ": " + e.getMessage());
    }
  }

  private void execute(String... statements) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw failed("run " + statements[0], e);
    }
  }

  private Connection connectServer() throws SQLException {
    return DriverManager.getConnection(options.serverUrl(), properties());
  }

  private Connection connect() throws SQLException {
    Connection connection = DriverManager.getConnection(options.databaseUrl(), properties());
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES', time_zone = '+00:00'");
    }
    return connection;
  }

  private Properties properties() {
    Properties properties = new Properties();
    properties.setProperty("user", options.user());
    if (!options.password().isEmpty()) {
      properties.setProperty("password", options.password());
    }
    properties.setProperty("allowLocalInfile", "true");
    return properties;
  }

  private static OptionalLong positive(long value) {
    return value > 0 ? OptionalLong.of(value) : OptionalLong.empty();
  }

  static String megabytes(OptionalLong bytes) {
    return bytes.isPresent()
        ? String.format(Locale.ROOT, "%.0f MB", bytes.getAsLong() / 1048576.0)
        : "-";
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A leftover file in the benchmark's folder harms nothing.
    }
  }

  private static QsyncException failed(String what, Exception e) {
    return new QsyncException(ErrorKind.FAILED, "bench: cannot " + what + ": " + e.getMessage(), e);
  }

  /** Deletes a folder tree; for the benchmark's temporary folder. */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(Bench::deleteQuietly);
    } catch (IOException e) {
      // Best effort: a temporary folder.
    }
  }
}
