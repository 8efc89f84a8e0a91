package io.qsync.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.cli.Main;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One bad input's scene: a DuckDB warehouse table {@code src} (ids 1-3), a target table {@code t}
 * holding rows a run would change (so "untouched" means something), and a {@code qsync.yaml} of one
 * mirror sync {@code s} whose keys a case overrides. {@link #run} goes through the CLI, as a person
 * would; {@link #snapshot} and {@link #assertRefused} check that nothing changed and no run claims
 * success. Not thread-safe.
 */
final class Catalogue {
  private final Path dir;
  private final TestDatabase database;
  private final Warehouse warehouse;
  private final Map<String, String> sync = new LinkedHashMap<>();
  private String url;
  private String user = "root";
  private String password = "";

  /** What one command line did. */
  record Outcome(int exitCode, String out, String err) {
    String all() {
      return out + err;
    }
  }

  Catalogue(Path dir, TestDatabase database) {
    this.dir = dir;
    this.database = database;
    this.warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    this.url = database.url();
    warehouse.execute(
        "CREATE TABLE src (id INTEGER, name VARCHAR)",
        "INSERT INTO src VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    database.execute(
        "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, name VARCHAR(20))",
        "INSERT INTO t VALUES (1, 'old'), (4, 'gone')");
    sync.put("source", "warehouse");
    sync.put("query", "\"SELECT * FROM src\"");
    sync.put("target", "app");
    sync.put("table", "t");
    sync.put("key", "[id]");
    sync.put("mode", "mirror");
    sync.put("batch_size", "1000");
  }

  TestDatabase database() {
    return database;
  }

  Warehouse warehouse() {
    return warehouse;
  }

  /** Sets (or, with null, removes) one key of the sync; the value is YAML as written. */
  Catalogue with(String key, String yaml) {
    if (yaml == null) {
      sync.remove(key);
    } else {
      sync.put(key, yaml);
    }
    return this;
  }

  Catalogue connectAs(String newUrl, String newUser, String newPassword) {
    this.url = newUrl;
    this.user = newUser;
    this.password = newPassword;
    return this;
  }

  String yaml() {
    StringBuilder text =
        new StringBuilder(
            "stage_dir: stage\n"
                + "connections:\n"
                + "  warehouse: { type: duckdb, path: warehouse.duckdb }\n"
                + "  app: { type: mysql, url: \""
                + url
                + "\", user: \""
                + user
                + "\", password: \""
                + password
                + "\" }\n"
                + "syncs:\n"
                + "  s:\n");
    sync.forEach(
        (key, value) -> text.append("    ").append(key).append(": ").append(value).append('\n'));
    return text.toString();
  }

  /**
   * Writes the config (or {@code text} instead, when given) and runs {@code qsync ARGS -c FILE}.
   */
  Outcome run(String... args) {
    return runWith(yaml(), args);
  }

  Outcome runWith(String configText, String... args) {
    return runAt(Clock.systemUTC(), configText, args);
  }

  /** As {@link #runWith}, with qsync's clock at {@code clock} (a clock shifted ahead, say). */
  Outcome runAt(Clock clock, String configText, String... args) {
    Path file = dir.resolve("qsync.yaml");
    try {
      Files.writeString(file, configText);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>(List.of(args));
    command.add("-c");
    command.add(file.toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter outWriter = new PrintWriter(out);
        PrintWriter errWriter = new PrintWriter(err)) {
      code = Main.execute(command.toArray(String[]::new), outWriter, errWriter, false, clock);
    }
    return new Outcome(code, out.toString(), err.toString());
  }

  /** Every table of the test database but qsync's history, with every row, sorted. */
  Map<String, List<List<String>>> snapshot() {
    Map<String, List<List<String>>> tables = new LinkedHashMap<>();
    for (List<String> row :
        database.rows(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                + " AND TABLE_NAME <> '_qsync_runs' ORDER BY TABLE_NAME")) {
      String table = row.get(0);
      tables.put(
          table, database.rows("SELECT * FROM `" + table.replace("`", "``") + "` ORDER BY 1"));
    }
    return tables;
  }

  /**
   * Asserts the refusal a person needs: the exit code, every fragment of the message (what, where,
   * the fix) on stderr without a stack trace, every table as it was, and no run recorded as
   * succeeded.
   */
  void assertRefused(
      Outcome outcome, Map<String, List<List<String>>> before, int exitCode, String... fragments) {
    // For the catalogue's table in the issue: each refusal's exit code and message.
    System.out.println("catalogue exit " + outcome.exitCode() + ": " + outcome.err().strip());
    assertThat(outcome.exitCode()).as("exit code; output:\n%s", outcome.all()).isEqualTo(exitCode);
    assertThat(outcome.err()).as("the message").contains(fragments).doesNotContain("\tat ");
    assertThat(snapshot()).as("every table after the refused run").isEqualTo(before);
    assertThat(succeededRuns()).as("runs recorded as succeeded").isZero();
  }

  long succeededRuns() {
    return database.hasTable("_qsync_runs")
        ? Long.parseLong(
            database
                .rows("SELECT COUNT(*) FROM `_qsync_runs` WHERE status = 'succeeded'")
                .get(0)
                .get(0))
        : 0;
  }
}
