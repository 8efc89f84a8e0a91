package io.qsync.tools.bench;

import io.qsync.testing.bigquery.BigQueryEmulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The emulator's figures for a first load read with {@code tabledata.list} ({@code read_api: rest})
 * and with the Storage Read API ({@code read_api: storage}, 4 streams): each a {@code qsync run} of
 * the packaged jar in a process of its own ({@code java -jar}, {@link ChildRun}), from the BigQuery
 * emulator in this process into the real MariaDB. Prints wall seconds, qsync's own CPU seconds,
 * rows/s, the ratios between the two paths, the load average, and whether the two tables are equal
 * ({@code CHECKSUM TABLE}). A tool, not a test: {@code scripts/bench-bigquery-read} runs it (see
 * docs/benchmarks.md). The emulator serves from memory on the same cores as qsync, so the wall
 * times are the emulator's as much as qsync's; the CPU seconds are qsync's alone.
 *
 * <p>With {@code --before-jar}, it compares two builds instead: the Storage Read API's load by that
 * jar and by {@code --jar}, alternated {@code --pairs} times (before, after, before, after, ...),
 * each figure printed with the load average.
 *
 * <pre>
 * BigQueryReadBench --jar target/qsync.jar [--rows 1000000] [--streams 4] [--batch-rows 10000]
 *     [--url jdbc:mariadb://127.0.0.1:3306/] [--user root] [--dir /tmp/qsync-bigquery-bench]
 *     [--heap 1g] [--before-jar other/qsync.jar [--pairs 2]]
 * </pre>
 */
public final class BigQueryReadBench {
  private static final String SYNC = "bench";
  private static final String PROJECT = "qsync-bench";

  /**
   * A result of a realistic shape: a BIGINT key, STRINGs with non-ASCII text, FLOAT64, BOOL,
   * TIMESTAMP, NUMERIC and a JSON that is NULL on every fourth row.
   */
  private static final String TABLE =
      "CREATE TABLE bench.orders AS SELECT range AS id,"
          + " 'Kundin Zoë Ærøskøbing №' || range AS customer,"
          + " (['Łódź', 'São Paulo', '東京', 'Zürich', 'İstanbul', 'Reykjavík'])[1 + range % 6]"
          + " AS city,"
          + " repeat('ü', (range % 17)::INTEGER) || ' Notiz ' || range AS note,"
          + " (range * 0.125 + 1.0 / 3)::DOUBLE AS score,"
          + " range % 3 = 0 AS active,"
          + " TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_microseconds(range * 1234567) AS updated_at,"
          + " (range * 1.234567891)::DECIMAL(38, 9) AS amount,"
          + " CASE WHEN range % 4 = 0 THEN NULL"
          + " ELSE json_object('k', range, 'tag', 'ß' || (range % 10)) END AS attrs"
          + " FROM range(";

  private final long rows;
  private final int streams;
  private final int batchRows;
  private final Path jar;
  private final String serverUrl;
  private final String user;
  private final Path dir;
  private final String heap;
  private final Path beforeJar;
  private final int pairs;
  private final String database = "qsync_bqbench_" + UUID.randomUUID().toString().substring(0, 8);

  private BigQueryReadBench(Map<String, String> options) {
    this.rows = Long.parseLong(options.getOrDefault("rows", "1000000"));
    this.streams = Integer.parseInt(options.getOrDefault("streams", "4"));
    this.batchRows = Integer.parseInt(options.getOrDefault("batch-rows", "10000"));
    this.jar = Path.of(required(options, "jar")).toAbsolutePath();
    this.serverUrl = options.getOrDefault("url", "jdbc:mariadb://127.0.0.1:3306/");
    this.user = options.getOrDefault("user", "root");
    this.dir = Path.of(options.getOrDefault("dir", "/tmp/qsync-bigquery-bench")).toAbsolutePath();
    this.heap = options.getOrDefault("heap", "1g");
    this.beforeJar =
        options.containsKey("before-jar")
            ? Path.of(options.get("before-jar")).toAbsolutePath()
            : null;
    this.pairs = Integer.parseInt(options.getOrDefault("pairs", "2"));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    new BigQueryReadBench(options).run();
  }

  /** What one path took. */
  private record Figure(String path, ChildRun.Result run) {
    double rowsPerSecond(long rows) {
      return rows / run.seconds();
    }

    double cpu() {
      return run.cpuSeconds().orElse(Double.NaN);
    }
  }

  private void run() throws Exception {
    Bench.deleteTree(dir);
    Files.createDirectories(dir);
    String loadBefore = loadAverage();
    try (BigQueryEmulator emulator = BigQueryEmulator.start(PROJECT)) {
      // The emulator answers each Arrow batch, as each tabledata.list page, with a query of its
      // own over the table (ORDER BY rowid with an OFFSET): batches of qsync's page_size (10,000)
      // make both paths ask it as often.
      emulator.storageBatchRows(batchRows);
      log(String.format(Locale.ROOT, "generating %,d rows in the emulator", rows));
      emulator.execute("CREATE SCHEMA bench", TABLE + rows + ")");
      emulator.execute("CREATE TABLE bench.warmup AS SELECT * FROM bench.orders LIMIT 20000");
      execute(serverUrl, "CREATE DATABASE " + database + " CHARACTER SET utf8mb4");
      try {
        if (beforeJar != null) {
          compareJars(emulator, loadBefore);
          return;
        }
        // Both paths once over 20,000 rows first: the emulator's code is compiled, for both.
        for (String path : List.of("rest", "storage")) {
          load(emulator, path, "warmup", "warmup_" + path);
        }
        List<Figure> figures = new ArrayList<>();
        for (String path : List.of("rest", "storage")) {
          figures.add(new Figure(path, load(emulator, path, "orders", "orders_" + path)));
        }
        String loadAfter = loadAverage();
        print(figures, checksum("orders_rest"), checksum("orders_storage"), loadBefore, loadAfter);
      } finally {
        execute(serverUrl, "DROP DATABASE IF EXISTS " + database);
      }
    }
  }

  /**
   * The Storage Read API's first load by {@link #beforeJar} and by {@link #jar}, alternated {@link
   * #pairs} times after a warm-up of each, every figure printed as it comes and all tables checked
   * equal.
   */
  private void compareJars(BigQueryEmulator emulator, String loadBefore) throws Exception {
    for (String build : List.of("before", "after")) {
      load(
          emulator,
          "storage",
          "warmup",
          "warmup_" + build,
          build.equals("before") ? beforeJar : jar);
    }
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "%nStorage Read API (%d streams, Arrow batches of %,d rows), first load of %,d rows,"
                + " -Xmx%s: %s (before) against %s (after)%n%-8s %-6s %9s %9s %12s %s%n",
            streams,
            batchRows,
            rows,
            heap,
            beforeJar,
            jar,
            "build",
            "pair",
            "wall s",
            "CPU s",
            "rows/s",
            "load average after"));
    String checksum = null;
    for (int pair = 1; pair <= pairs; pair++) {
      for (String build : List.of("before", "after")) {
        String table = "orders_" + build + "_" + pair;
        ChildRun.Result result =
            load(emulator, "storage", "orders", table, build.equals("before") ? beforeJar : jar);
        String sum = checksum(table);
        if (checksum != null && !checksum.equals(sum)) {
          throw new IllegalStateException(table + " differs from the first table");
        }
        checksum = sum;
        text.append(
            String.format(
                Locale.ROOT,
                "%-8s %-6d %9.1f %9s %,12.0f %s%n",
                build,
                pair,
                result.seconds(),
                cpu(result),
                rows / result.seconds(),
                loadAverage()));
      }
    }
    text.append("tables equal (CHECKSUM TABLE ").append(checksum).append(")\n");
    text.append("load average before: ").append(loadBefore);
    System.out.println(text);
  }

  /** One first load of {@code bench.<source>} into {@code table}, read as {@code readApi} says. */
  private ChildRun.Result load(
      BigQueryEmulator emulator, String readApi, String source, String table) throws IOException {
    return load(emulator, readApi, source, table, jar);
  }

  /** One first load by {@code qsyncJar}. */
  private ChildRun.Result load(
      BigQueryEmulator emulator, String readApi, String source, String table, Path qsyncJar)
      throws IOException {
    Path config = dir.resolve(table + ".yaml");
    Files.writeString(
        config,
        """
        # Written by BigQueryReadBench.
        stage_dir: "%s"
        connections:
          bq: {type: bigquery, project: %s, host: "%s", credentials_file: none,
               read_api: %s, read_streams: %d, storage_host: "%s"}
          app: {type: mysql, url: "%s%s", user: "%s"}
        syncs:
          %s:
            source: bq
            query: "SELECT * FROM bench.%s"
            target: app
            table: %s
            key: [id]
            create_table: true
        """
            .formatted(
                dir.resolve("stage-" + table),
                PROJECT,
                emulator.host(),
                readApi,
                streams,
                emulator.storageHost(),
                serverUrl,
                database,
                user,
                SYNC,
                source,
                table),
        StandardCharsets.UTF_8);
    log("qsync run, read_api: " + readApi + ", into " + table);
    ChildRun.Result result =
        ChildRun.run(
            dir,
            table,
            config,
            List.of("run", SYNC),
            Set.of(0),
            heap,
            Map.of(),
            List.of("-jar", qsyncJar.toString()));
    log(String.format(Locale.ROOT, "  %.1f s wall, %s s CPU", result.seconds(), cpu(result)));
    return result;
  }

  private void print(
      List<Figure> figures,
      String restChecksum,
      String storageChecksum,
      String loadBefore,
      String loadAfter) {
    Figure rest = figures.get(0);
    Figure storage = figures.get(1);
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "%nBigQuery emulator -> MariaDB, first load of %,d rows (java -jar %s, -Xmx%s;"
                + " Arrow batches of %,d rows)%n",
            rows,
            jar.getFileName(),
            heap,
            batchRows));
    text.append(
        String.format(
            Locale.ROOT,
            "%-34s %9s %9s %12s %14s%n",
            "path",
            "wall s",
            "CPU s",
            "rows/s",
            "CPU s/M rows"));
    for (Figure figure : figures) {
      text.append(
          String.format(
              Locale.ROOT,
              "%-34s %9.1f %9.1f %,12.0f %14.1f%n",
              figure.path().equals("rest")
                  ? "tabledata.list (read_api: rest)"
                  : "Storage Read API (" + streams + " streams)",
              figure.run().seconds(),
              figure.cpu(),
              figure.rowsPerSecond(rows),
              figure.cpu() / (rows / 1e6)));
    }
    text.append(
        String.format(
            Locale.ROOT,
            "Storage Read API / tabledata.list: wall %.2fx, CPU %.2fx, rows/s %.2fx%n",
            storage.run().seconds() / rest.run().seconds(),
            storage.cpu() / rest.cpu(),
            storage.rowsPerSecond(rows) / rest.rowsPerSecond(rows)));
    text.append(
        String.format(
            Locale.ROOT,
            "tables equal (CHECKSUM TABLE): %s (%s, %s)%n",
            restChecksum.equals(storageChecksum) ? "yes" : "NO",
            restChecksum,
            storageChecksum));
    text.append("load average before: ").append(loadBefore).append(", after: ").append(loadAfter);
    System.out.println(text);
    if (!restChecksum.equals(storageChecksum)) {
      throw new IllegalStateException("the two tables differ");
    }
  }

  private String checksum(String table) throws SQLException {
    try (Connection connection = DriverManager.getConnection(serverUrl + database, user, "");
        Statement statement = connection.createStatement();
        ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
      count.next();
      if (count.getLong(1) != rows) {
        throw new IllegalStateException(
            table + " holds " + count.getLong(1) + " rows, not " + rows);
      }
      try (ResultSet checksum = statement.executeQuery("CHECKSUM TABLE " + table)) {
        checksum.next();
        return String.valueOf(checksum.getObject(2));
      }
    }
  }

  private void execute(String url, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, user, "");
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static String cpu(ChildRun.Result result) {
    return result.cpuSeconds().isPresent()
        ? String.format(Locale.ROOT, "%.1f", result.cpuSeconds().getAsDouble())
        : "?";
  }

  /** The 1, 5 and 15 minute load averages, as /proc/loadavg says them. */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }

  private static void log(String line) {
    System.err.println(line);
  }
}
