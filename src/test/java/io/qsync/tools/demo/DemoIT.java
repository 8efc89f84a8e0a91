package io.qsync.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.cli.Main;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code qsync demo} end to end, against a database of its own on the test MariaDB. */
@ExtendWith(MariaDbExtension.class)
class DemoIT {
  private static final Pattern RUN_COUNTS =
      Pattern.compile(
          "([\\d,]+) inserted, ([\\d,]+) updated, ([\\d,]+) deleted, ([\\d,]+) unchanged"
              + " \\(([\\d,]+) source rows\\)");
  private static final String ROWS = "5000";

  /** A sample of the rows, every column as text, in the same form on both sides. */
  private static final String WAREHOUSE_SAMPLE =
      "SELECT user_id, nickname, country, city, segment, previous_variant, CAST(score AS VARCHAR),"
          + " CAST(marketing_opt_in::INT AS VARCHAR), strftime(signed_up_at, '%Y-%m-%d"
          + " %H:%M:%S.%f'), strftime(last_seen_at, '%Y-%m-%d %H:%M:%S.%f') FROM ("
          + DemoWarehouse.TARGETING_QUERY
          + ") WHERE user_id % 37 = 0 ORDER BY user_id";

  private static final String TABLE_SAMPLE =
      "SELECT user_id, nickname, country, city, segment, previous_variant, CAST(score AS CHAR),"
          + " CAST(marketing_opt_in AS CHAR), DATE_FORMAT(signed_up_at, '%Y-%m-%d %H:%i:%s.%f'),"
          + " DATE_FORMAT(last_seen_at, '%Y-%m-%d %H:%i:%s.%f') FROM experiment_targets WHERE"
          + " user_id % 37 = 0 ORDER BY user_id";

  @TempDir Path dir;

  private record Result(int exitCode, String out, String err) {
    /**
     * The counts of each run the demo printed: inserted, updated, deleted, unchanged, source rows.
     */
    List<long[]> runs() {
      List<long[]> runs = new ArrayList<>();
      Matcher matcher = RUN_COUNTS.matcher(out);
      while (matcher.find()) {
        long[] counts = new long[5];
        for (int i = 0; i < counts.length; i++) {
          counts[i] = Long.parseLong(matcher.group(i + 1).replace(",", ""));
        }
        runs.add(counts);
      }
      return runs;
    }
  }

  private Result demo(String... options) {
    List<String> args = new ArrayList<>(List.of("demo", "--rows", ROWS, "--dir", dir.toString()));
    args.addAll(List.of(options));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        Main.execute(
            args.toArray(String[]::new),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false,
            Clock.systemUTC());
    return new Result(exitCode, out.toString(), err.toString());
  }

  @Test
  void loadsTheTableThenWritesOnlyTheWarehouseChanges(TestDatabase database) {
    Result result = demo("--url", database.url());

    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    List<long[]> runs = result.runs();
    assertThat(runs).hasSize(2);
    long[] first = runs.get(0);
    assertThat(first[0]).as("first load inserts every row").isEqualTo(first[4]).isPositive();
    assertThat(first[1] + first[2] + first[3]).isZero();
    long[] second = runs.get(1);
    assertThat(second[0]).as("inserted").isPositive();
    assertThat(second[1]).as("updated").isPositive();
    assertThat(second[2]).as("deleted").isPositive();
    assertThat(second[3]).as("unchanged").isGreaterThan(second[0] + second[1] + second[2]);
    assertThat(result.out())
        .contains(
            "first load: ",
            "re-sync: the warehouse compared ",
            "with the last run's state; only the ",
            "rows/s");

    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    long queryRows =
        Long.parseLong(
            warehouse
                .rows("SELECT count(*) FROM (" + DemoWarehouse.TARGETING_QUERY + ")")
                .get(0)
                .get(0));
    assertThat(database.count("experiment_targets")).isEqualTo(queryRows).isEqualTo(second[4]);
    assertThat(database.rows(TABLE_SAMPLE))
        .isEqualTo(warehouse.rows(WAREHOUSE_SAMPLE))
        .isNotEmpty();
  }

  @Test
  void usesTheServerInItsConfigAndSuggestsCommandsThatWork(TestDatabase database)
      throws IOException {
    Files.writeString(
        dir.resolve(DemoConfig.FILE_NAME),
        DemoConfig.defaultText()
            .replace(
                "${QSYNC_DEMO_URL:-jdbc:mariadb://127.0.0.1:3306/qsync_demo}", database.url()));

    Result result = demo();

    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    assertThat(result.out())
        .contains(
            "using the server at "
                + database.host()
                + ":"
                + database.port()
                + "/"
                + database.name());
    List<String> commands =
        result
            .out()
            .lines()
            .map(String::strip)
            .filter(line -> line.startsWith("./qsync "))
            .toList();
    assertThat(commands).hasSize(4);
    assertThat(result.out())
        .contains("As a service, with its status page at")
        .contains(" serve -c ");
    StringBuilder outputs = new StringBuilder();
    for (String command : commands) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exitCode =
          Main.execute(
              command.substring("./qsync ".length()).split(" "),
              new PrintWriter(out, true),
              new PrintWriter(err, true),
              false,
              Clock.systemUTC());
      assertThat(exitCode).as(command + "\n" + out + err).isZero();
      outputs.append(out);
    }
    assertThat(outputs.toString())
        .containsPattern("experiment_targets +experiment_targets +succeeded")
        .contains("0 to insert, 0 to update, 0 to delete")
        .contains("equal: table experiment_targets holds exactly the query's");
  }

  @Test
  void repeatsFromAFreshWarehouseAndTable(TestDatabase database) {
    Result earlier = demo("--url", database.url());
    Result again = demo("--url", database.url());

    assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
    assertThat(again.out()).contains("dropped table experiment_targets left by an earlier demo");
    assertThat(again.runs()).usingRecursiveComparison().isEqualTo(earlier.runs());
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    assertThat(database.rows(TABLE_SAMPLE)).isEqualTo(warehouse.rows(WAREHOUSE_SAMPLE));
    assertThat(
            database.rows(
                "SELECT COUNT(*) FROM _qsync_runs WHERE sync_name = 'experiment_targets'"))
        .containsExactly(List.of("4"));
  }

  @Test
  void refusesToTouchATableQsyncDidNotMake(TestDatabase database) {
    database.execute(
        "CREATE TABLE experiment_targets (user_id BIGINT PRIMARY KEY)",
        "INSERT INTO experiment_targets VALUES (42)");

    Result result = demo("--url", database.url());

    assertThat(result.exitCode()).isEqualTo(5);
    assertThat(result.err())
        .contains("was not made by qsync", "Drop it, or point the demo at another");
    assertThat(database.rows("SELECT user_id FROM experiment_targets"))
        .containsExactly(List.of("42"));
  }

  @Test
  void failsWithRemedyWhenTheNamedServerDoesNotAnswer() {
    Result result = demo("--url", "jdbc:mariadb://127.0.0.1:1/qsync_demo");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("cannot use database qsync_demo on 127.0.0.1:1", "--url");
  }

  @Test
  void runsOnAnEmbeddedMariaDbWhenAsked() {
    Result result = demo("--embedded");

    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    assertThat(result.out()).contains("embedded MariaDB", "has stopped with the demo");
    assertThat(result.runs()).hasSize(2);
    assertThat(result.out())
        .containsPattern("the table holds ([\\d,]+) rows, the query returns \\1\n");
  }
}
