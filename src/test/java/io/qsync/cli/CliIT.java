package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(MariaDbExtension.class)
class CliIT {
  private static final String SECRET = "s3cret-Pa55word-never-printed";

  @TempDir Path dir;
  private Warehouse warehouse;

  /** What one command line did. */
  @BeforeEach
  void warehouse() {
    warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(
        "CREATE TABLE targets (user_id BIGINT, variant VARCHAR, score DECIMAL(6,2))",
        "INSERT INTO targets VALUES (1, 'control', 1.50), (2, 'treatment', NULL), (3, 'control', 2)");
  }

  private static CliRun qsync(String... args) {
    return CliRun.of(args);
  }

  private Path config(String url, String user, String password, String key) throws IOException {
    Path file = dir.resolve("qsync.yaml");
    Files.writeString(
        file,
        "stage_dir: stage\n"
            + "connections:\n"
            + "  warehouse: { type: duckdb, path: warehouse.duckdb }\n"
            + "  app:\n"
            + "    type: mysql\n"
            + "    url: \""
            + url
            + "\"\n"
            + "    user: "
            + user
            + "\n"
            + "    password: \""
            + password
            + "\"\n"
            + "syncs:\n"
            + "  targets:\n"
            + "    source: warehouse\n"
            + "    query: SELECT * FROM targets\n"
            + "    target: app\n"
            + "    table: experiment_targets\n"
            + "    key: ["
            + key
            + "]\n"
            + "    create_table: true\n"
            + "    batch_size: 2\n");
    return file;
  }

  private Path config(TestDatabase database) throws IOException {
    return config(database.url(), "root", "", "user_id");
  }

  @Test
  void runPrintsCountsAndExitsZero(TestDatabase database) throws IOException {
    Path config = config(database);

    CliRun result = qsync("run", "targets", "-c", config.toString());

    assertThat(result.exitCode()).as(result.all()).isZero();
    assertThat(result.out())
        .contains("note: created table experiment_targets")
        .contains(
            "targets: succeeded -> table experiment_targets (mirror): 3 inserted, 0 updated,"
                + " 0 deleted, 0 unchanged (3 source rows)")
        .contains("2 batches");
    assertThat(database.count("experiment_targets")).isEqualTo(3);

    CliRun again = qsync("run", "--all", "--config", config.toString());
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).contains("0 inserted, 0 updated, 0 deleted, 3 unchanged");
  }

  @Test
  void runWithJsonOutputPrintsOneDocumentWithCounts(TestDatabase database) throws IOException {
    Path config = config(database);

    CliRun result = qsync("run", "targets", "-c", config.toString(), "--output", "json");

    assertThat(result.exitCode()).as(result.all()).isZero();
    JsonNode json = new ObjectMapper().readTree(result.out());
    JsonNode run = json.get("runs").get(0);
    assertThat(run.get("sync").asText()).isEqualTo("targets");
    assertThat(run.get("status").asText()).isEqualTo("succeeded");
    assertThat(run.get("table").asText()).isEqualTo("experiment_targets");
    assertThat(run.get("counts").get("source_rows").asLong()).isEqualTo(3);
    assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(3);
    assertThat(run.get("counts").get("unchanged").asLong()).isZero();
    assertThat(run.get("run_id").asText()).isNotBlank();
  }

  @Test
  void runFailureInJsonOutputIsStillOneDocument(TestDatabase database) throws IOException {
    Path config = config(database.url(), "root", "", "no_such_column");

    CliRun result = qsync("run", "targets", "-c", config.toString(), "-o", "json");

    assertThat(result.exitCode()).isEqualTo(5);
    JsonNode run = new ObjectMapper().readTree(result.out()).get("runs").get(0);
    assertThat(run.get("status").asText()).isEqualTo("error");
    assertThat(run.get("error_kind").asText()).isEqualTo("needs_action");
    assertThat(run.get("exit_code").asInt()).isEqualTo(5);
  }

  @Test
  void aFailedRunSaysWhichRunStoppedWhereInJsonOutput(TestDatabase database) throws IOException {
    Path config = config(database.url(), "root", "", "no_such_column");

    CliRun result = qsync("run", "targets", "-c", config.toString(), "-o", "json");

    JsonNode run = new ObjectMapper().readTree(result.out()).get("runs").get(0);
    assertThat(run.get("run_id").asText()).as(result.all()).isNotBlank();
    assertThat(run.get("phase").asText()).isEqualTo("check");
    assertThat(run.get("applied_through").asLong()).isZero();
    CliRun history = qsync("history", "targets", "-c", config.toString(), "-o", "json");
    assertThat(history.out()).contains(run.get("run_id").asText());
  }

  @Test
  void planShowsSamplesAndWritesNothing(TestDatabase database) throws IOException {
    Path config = config(database);

    CliRun first = qsync("plan", "targets", "-c", config.toString());

    assertThat(first.exitCode()).as(first.all()).isZero();
    assertThat(first.out())
        .contains(
            "plan for targets -> table experiment_targets (mirror): 3 to insert, 0 to update,"
                + " 0 to delete, 0 unchanged (3 source rows); nothing was written")
        .contains("the table does not exist; a run creates it:")
        .contains("CREATE TABLE `experiment_targets`")
        .contains("sample of insert:")
        .contains("user_id=1, variant='control', score=1.50");
    assertThat(database.hasTable("experiment_targets")).isFalse();
    assertThat(database.rows("SHOW TABLES")).isEmpty();

    assertThat(qsync("run", "targets", "-c", config.toString()).exitCode()).isZero();
    warehouse.execute(
        "UPDATE targets SET variant = 'changed' WHERE user_id = 2",
        "DELETE FROM targets WHERE user_id = 3");
    List<List<String>> before = database.rows("SELECT * FROM experiment_targets ORDER BY user_id");

    CliRun plan = qsync("plan", "targets", "-c", config.toString(), "-o", "json");

    assertThat(plan.exitCode()).as(plan.all()).isZero();
    JsonNode json = new ObjectMapper().readTree(plan.out());
    assertThat(json.get("counts").get("updated").asLong()).isEqualTo(1);
    assertThat(json.get("counts").get("deleted").asLong()).isEqualTo(1);
    assertThat(json.get("samples").get("update").get(0).get("variant").asText())
        .isEqualTo("changed");
    assertThat(json.get("samples").get("delete").get(0).get("user_id").asLong()).isEqualTo(3);
    JsonNode update = json.get("updates").get(0);
    assertThat(update.get("key").get("user_id").asLong()).isEqualTo(2);
    assertThat(update.get("changed").get("variant").get("old").asText()).isEqualTo("treatment");
    assertThat(update.get("changed").get("variant").get("new").asText()).isEqualTo("changed");
    assertThat(update.get("changed").has("score")).as("unchanged columns are left out").isFalse();
    assertThat(json.get("samples").fieldNames())
        .toIterable()
        .containsExactly("insert", "update", "delete");

    CliRun text = qsync("plan", "targets", "-c", config.toString());
    assertThat(text.out())
        .contains("(2 source rows)")
        .contains("sample of update:\n  user_id=2: variant 'treatment' -> 'changed'\n")
        .contains("sample of delete:\n  user_id=3, variant='control', score=2.00\n");
    assertThat(json.get("create_table").isNull()).isTrue();
    assertThat(database.rows("SELECT * FROM experiment_targets ORDER BY user_id"))
        .isEqualTo(before);
    assertThat(database.rows("SELECT COUNT(*) FROM _qsync_runs")).containsExactly(List.of("1"));
    try (var files = Files.list(dir.resolve("stage"))) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .noneMatch(name -> name.contains("plan"));
    }
  }

  @Test
  void planOfASnapshotDiffShowsWhatIsKnownOfADeleteNeverAFakeNull(TestDatabase database)
      throws IOException {
    Path config = config(database);
    Files.writeString(
        config, Files.readString(config) + "    diff: snapshot\n    state_dataset: qsync_state\n");
    assertThat(qsync("run", "targets", "-c", config.toString()).exitCode()).isZero();
    warehouse.execute("DELETE FROM targets WHERE user_id IN (2, 3)");

    CliRun plan = qsync("plan", "targets", "-c", config.toString());

    assertThat(plan.exitCode()).as(plan.all()).isZero();
    assertThat(plan.out())
        .contains("(1 source row)")
        .contains("2 to delete")
        .contains(
            "sample of delete:\n  user_id=2, variant='treatment', score=NULL\n"
                + "  user_id=3, variant='control', score=2.00")
        .doesNotContain("variant=NULL")
        .doesNotContain("compared the whole result with the table");
  }

  @Test
  void countsOfOneAreSingular(TestDatabase database) throws IOException {
    warehouse.execute("DELETE FROM targets WHERE user_id > 1");
    Path config = config(database);

    CliRun run = qsync("run", "targets", "-c", config.toString());
    assertThat(run.out()).contains("(1 source row)").contains(", 1 batch, run ");
    CliRun validate = qsync("validate", "-c", config.toString());
    assertThat(validate.out()).contains("query returns 3 columns");
    CliRun offline = qsync("validate", "--offline", "-c", config.toString());
    assertThat(offline.out()).contains("(1 sync, 2 connections)");
  }

  @Test
  void statusAndHistoryListTheRun(TestDatabase database) throws IOException {
    Path config = config(database);
    CliRun never = qsync("status", "-c", config.toString());
    assertThat(never.exitCode()).as(never.all()).isZero();
    assertThat(never.out()).contains("targets").contains("never");

    CliRun run = qsync("run", "targets", "-c", config.toString(), "-o", "json");
    String runId = new ObjectMapper().readTree(run.out()).get("runs").get(0).get("run_id").asText();

    CliRun status = qsync("status", "-c", config.toString());
    assertThat(status.exitCode()).as(status.all()).isZero();
    assertThat(status.out())
        .contains("targets")
        .contains("experiment_targets")
        .contains("succeeded")
        .contains("+3 ~0 -0 =0");

    CliRun history = qsync("history", "targets", "-c", config.toString());
    assertThat(history.exitCode()).as(history.all()).isZero();
    assertThat(history.out()).contains(runId).contains("succeeded").contains("3/3");

    JsonNode json =
        new ObjectMapper()
            .readTree(qsync("history", "targets", "-c", config.toString(), "-o", "json").out());
    assertThat(json.get("runs")).hasSize(1);
    assertThat(json.get("runs").get(0).get("run_id").asText()).isEqualTo(runId);
    assertThat(json.get("runs").get(0).get("counts").get("inserted").asLong()).isEqualTo(3);

    JsonNode statusJson =
        new ObjectMapper().readTree(qsync("status", "-c", config.toString(), "-o", "json").out());
    assertThat(statusJson.get("syncs").get(0).get("last_run").get("run_id").asText())
        .isEqualTo(runId);
  }

  @Test
  void anInvalidConfigExitsThreeNamingFileAndLine() throws IOException {
    Path config = dir.resolve("qsync.yaml");
    Files.writeString(
        config,
        "connections:\n"
            + "  warehouse: { type: duckdb }\n"
            + "  app: { type: mysql, url: \"jdbc:mariadb://127.0.0.1:1/x\", user: u }\n"
            + "syncs:\n"
            + "  targets:\n"
            + "    source: warehouse\n"
            + "    query: SELECT 1 AS id\n"
            + "    target: app\n"
            + "    table: t\n"
            + "    key: [id]\n"
            + "    batch_size: lots\n");

    CliRun result = qsync("run", "targets", "-c", config.toString());

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err())
        .contains(config + ":11:17: syncs.targets.batch_size")
        .contains("\"lots\"")
        .doesNotContain("\tat ");
    assertThat(qsync("validate", "--offline", "-c", config.toString()).exitCode()).isEqualTo(3);
  }

  @Test
  void anUnusableStageDirFailsValidateAndRunBeforeAnythingIsWritten(TestDatabase database)
      throws IOException {
    Path config = config(database);
    Files.writeString(
        config,
        Files.readString(config).replace("stage_dir: stage", "stage_dir: /proc/qsync-stage"));

    for (String[] args :
        List.of(
            new String[] {"validate"},
            new String[] {"validate", "--offline"},
            new String[] {"run", "targets"},
            new String[] {"plan", "targets"})) {
      CliRun result = qsync(withConfig(args, config));
      assertThat(result.exitCode()).as(String.join(" ", args) + ": " + result.all()).isEqualTo(3);
      assertThat(result.err())
          .as(String.join(" ", args))
          .contains(config + ":1:12: stage_dir: cannot use /proc/qsync-stage")
          .contains("point stage_dir at a folder qsync's user may write");
    }
    assertThat(database.rows("SHOW TABLES")).isEmpty();
  }

  @Test
  void aMissingConfigFileExitsThree() {
    CliRun result = qsync("status", "-c", dir.resolve("absent.yaml").toString());
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err()).contains("absent.yaml").contains("no such file");
  }

  @Test
  void anUnknownSyncExitsTwo(TestDatabase database) throws IOException {
    Path config = config(database);

    CliRun run = qsync("run", "nope", "-c", config.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("no sync named 'nope'").contains("Known syncs: targets");

    assertThat(qsync("plan", "nope", "-c", config.toString()).exitCode()).isEqualTo(2);
    assertThat(qsync("history", "nope", "-c", config.toString()).exitCode()).isEqualTo(2);
    assertThat(qsync("run", "-c", config.toString()).exitCode()).isEqualTo(2);
    assertThat(qsync("frobnicate").exitCode()).isEqualTo(2);
  }

  @Test
  void aMissingKeyColumnExitsFive(TestDatabase database) throws IOException {
    Path config = config(database.url(), "root", "", "account_id");

    CliRun result = qsync("run", "targets", "-c", config.toString());

    assertThat(result.exitCode()).isEqualTo(5);
    assertThat(result.err())
        .contains("key column account_id not in the query result")
        .contains("user_id, variant, score");
    assertThat(database.hasTable("experiment_targets")).isFalse();
  }

  @Test
  void runOfSeveralSyncsNamesEachFailureAndEndsWithWhichFailed(TestDatabase database)
      throws IOException {
    Path config = config(database);
    Files.writeString(
        config,
        Files.readString(config)
            + "  broken:\n"
            + "    source: warehouse\n"
            + "    query: SELECT user_id FROM no_such_table\n"
            + "    target: app\n"
            + "    table: other\n"
            + "    key: [user_id]\n"
            + "    create_table: true\n");

    CliRun result = qsync("run", "--all", "-c", config.toString());

    assertThat(result.exitCode()).as(result.all()).isEqualTo(5);
    assertThat(result.out()).contains("targets: succeeded");
    assertThat(result.err())
        .contains("sync broken failed (exit 5):\nerror: ")
        .contains("no_such_table")
        .endsWith("1 sync of 2 failed: broken (exit 5)" + System.lineSeparator());
    assertThat(database.count("experiment_targets")).isEqualTo(3);

    CliRun alone = qsync("run", "broken", "-c", config.toString());
    assertThat(alone.err())
        .as("one sync's failure needs no heading")
        .startsWith("error: ")
        .doesNotContain("failed (exit");
  }

  @Test
  void validateOfAGoodConfigExitsZero(TestDatabase database) throws IOException {
    Path config = config(database);

    CliRun result = qsync("validate", "-c", config.toString());

    assertThat(result.exitCode()).as(result.all()).isZero();
    assertThat(result.out())
        .contains("targets: ok")
        .contains("query returns 3 columns: user_id BIGINT, variant VARCHAR, score DECIMAL(6,2)")
        .contains("does not exist yet; the first run creates it");
    assertThat(database.hasTable("experiment_targets")).isFalse();
  }

  @Test
  void validateOfATableThatCannotHoldTheResultExitsFive(TestDatabase database) throws IOException {
    database.execute("CREATE TABLE experiment_targets (user_id BIGINT PRIMARY KEY, variant TEXT)");
    Path config = config(database);

    CliRun result = qsync("validate", "-c", config.toString());

    assertThat(result.exitCode()).isEqualTo(5);
    assertThat(result.out())
        .contains("targets: NOT READY")
        .contains("column score (DECIMAL(6,2)) is missing");
  }

  @Test
  void aWrongPasswordExitsFiveWithAccessDeniedAndNeverPrintsIt(TestDatabase database)
      throws IOException {
    Path config = config(database.url(), "root", SECRET, "user_id");

    CliRun result = qsync("run", "targets", "-c", config.toString());

    assertThat(result.exitCode()).isEqualTo(5);
    assertThat(result.err())
        .contains("access denied for user 'root'")
        .contains(
            "Check the user and password (the password used: the password written in the"
                + " config (password:))");
    assertThat(result.all()).doesNotContain(SECRET);
  }

  @Test
  void theSecretIsNeverPrintedByAnyCommand(TestDatabase database) throws IOException {
    Path config = config(database.url(), "qsync_no_such_user", SECRET, "user_id");

    for (String[] args :
        List.of(
            new String[] {"run", "targets", "--verbose"},
            new String[] {"run", "targets", "-o", "json"},
            new String[] {"plan", "targets", "--verbose"},
            new String[] {"validate"},
            new String[] {"validate", "-o", "json"},
            new String[] {"status"},
            new String[] {"status", "-o", "json"},
            new String[] {"history", "targets", "--verbose"})) {
      String[] withConfig = new String[args.length + 2];
      System.arraycopy(args, 0, withConfig, 0, args.length);
      withConfig[args.length] = "-c";
      withConfig[args.length + 1] = config.toString();
      CliRun result = qsync(withConfig);
      assertThat(result.all())
          .as(String.join(" ", args))
          .doesNotContain(SECRET)
          .doesNotContain("Pa55word");
      assertThat(result.all()).as(String.join(" ", args)).containsIgnoringCase("access denied");
    }
  }

  @Test
  void aPasswordInTheUrlIsRefusedByEveryCommandAndNeverPrinted(TestDatabase database)
      throws IOException {
    Path config =
        config(database.url().replace("//", "//root:" + SECRET + "@"), "root", "", "user_id");

    for (String[] args :
        List.of(
            new String[] {"validate"},
            new String[] {"validate", "--offline", "-o", "json"},
            new String[] {"run", "targets"},
            new String[] {"run", "targets", "-o", "json", "--verbose"},
            new String[] {"plan", "targets"},
            new String[] {"status"},
            new String[] {"history", "targets", "-o", "json"})) {
      CliRun result = qsync(withConfig(args, config));
      assertThat(result.exitCode()).as(String.join(" ", args) + ": " + result.all()).isEqualTo(3);
      assertThat(result.all())
          .as(String.join(" ", args))
          .contains("connections.app.url: a password in the url would be printed")
          .doesNotContain(SECRET)
          .doesNotContain("Pa55word");
    }
    assertThat(database.rows("SHOW TABLES")).isEmpty();
  }

  /**
   * A password read from password_file reaches the server and nothing else: not verbose output,
   * JSON, status, history, the run history table, or a failed run's recorded error.
   */
  @Test
  void aPasswordFromAFileIsUsedAndNeverShownOrStored(TestDatabase database) throws IOException {
    String user = "qsync_" + database.name().substring(database.name().length() - 8);
    database.execute(
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + SECRET + "'",
        "GRANT ALL ON `" + database.name() + "`.* TO '" + user + "'@'%'");
    try {
      Files.writeString(dir.resolve("app.password"), SECRET + "\n");
      List<String> outputs = new java.util.ArrayList<>();
      for (String[] args :
          List.of(
              new String[] {"run", "targets", "--verbose"},
              new String[] {"run", "targets", "-o", "json"},
              new String[] {"status", "-o", "json"},
              new String[] {"history", "targets", "-o", "json"},
              new String[] {"validate", "--verbose"})) {
        CliRun result =
            qsync(withConfig(args, passwordFromFile(config(database.url(), user, "", "user_id"))));
        assertThat(result.exitCode()).as(String.join(" ", args) + ": " + result.err()).isZero();
        outputs.add(result.all());
      }
      CliRun failed =
          qsync(
              withConfig(
                  new String[] {"run", "targets", "-v"},
                  passwordFromFile(config(database.url(), user, "", "no_such_column"))));
      assertThat(failed.exitCode()).isEqualTo(5);
      outputs.add(failed.all());

      assertThat(database.count("experiment_targets")).as("the password worked").isEqualTo(3);
      assertThat(outputs)
          .allSatisfy(
              output -> assertThat(output).doesNotContain(SECRET).doesNotContain("Pa55word"));
      assertThat(database.rows("SELECT * FROM _qsync_runs").toString())
          .contains("succeeded")
          .contains("failed")
          .doesNotContain(SECRET)
          .doesNotContain("Pa55word");
    } finally {
      database.execute("DROP USER '" + user + "'@'%'");
    }
  }

  /** The config with {@code password: ""} replaced by {@code password_file: app.password}. */
  private static Path passwordFromFile(Path config) throws IOException {
    Files.writeString(
        config,
        Files.readString(config)
            .replace("    password: \"\"\n", "    password_file: app.password\n"));
    return config;
  }

  private static String[] withConfig(String[] args, Path config) {
    String[] line = java.util.Arrays.copyOf(args, args.length + 2);
    line[args.length] = "-c";
    line[args.length + 1] = config.toString();
    return line;
  }

  @Test
  void aFailureOfEveryCommandIsOneJsonDocument() throws IOException {
    Path config = config("jdbc:mariadb://127.0.0.1:1/app", "root", "", "user_id");

    for (String[] args :
        List.of(new String[] {"plan", "targets"}, new String[] {"history", "targets"})) {
      CliRun result =
          qsync(
              withConfig(
                  java.util.stream.Stream.concat(
                          java.util.Arrays.stream(args), java.util.stream.Stream.of("-o", "json"))
                      .toArray(String[]::new),
                  config));
      String what = String.join(" ", args);
      assertThat(result.exitCode()).as(what + ": " + result.all()).isEqualTo(1);
      JsonNode json = new ObjectMapper().readTree(result.out());
      assertThat(json.get("command").asText()).as(what).isEqualTo(args[0]);
      assertThat(json.get("status").asText()).as(what).isEqualTo("error");
      assertThat(json.get("error_kind").asText()).as(what).isEqualTo("failed");
      assertThat(json.get("exit_code").asInt()).as(what).isEqualTo(1);
      assertThat(json.get("message").asText())
          .as(what)
          .contains("connection 'app': cannot connect to jdbc:mariadb://127.0.0.1:1/app");
    }
    CliRun run = qsync("run", "targets", "-o", "json", "-c", config.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(new ObjectMapper().readTree(run.out()).get("runs").get(0).get("error_kind").asText())
        .isEqualTo("failed");
  }

  @Test
  void anUnreachableHostExitsOneWithAClearMessage() throws IOException {
    Path config = config("jdbc:mariadb://127.0.0.1:1/app", "root", "", "user_id");

    CliRun result = qsync("run", "targets", "-c", config.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains("connection 'app': cannot connect to jdbc:mariadb://127.0.0.1:1/app")
        .contains("Check that the server runs and the url's host and port.")
        .doesNotContain("\tat ");

    CliRun status = qsync("status", "-c", config.toString());
    assertThat(status.exitCode()).isZero();
    assertThat(status.out()).contains("unknown").contains("cannot read history");
  }
}
