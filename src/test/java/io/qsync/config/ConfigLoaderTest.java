package io.qsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import io.qsync.ErrorKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  private static final String PASSWORD = "hunter2-do-not-print";
  private static final Map<String, String> ENVIRONMENT = Map.of("APP_DB_PASSWORD", PASSWORD);

  /** Lines 1-3 of every config below: the connections of the documented example. */
  private static final String CONNECTIONS =
      """
      connections:
        warehouse: { type: duckdb, path: demo/warehouse.duckdb }
        app_db:    { type: mysql, url: "jdbc:mariadb://127.0.0.1:3306/app", user: qsync, password: "${APP_DB_PASSWORD}" }
      """;

  /** Lines 4-10: a valid sync 's', its keys at column 5; {@link #syncWith} adds keys on line 11. */
  private static final String SYNC =
      """
      syncs:
        s:
          source: warehouse
          query: SELECT 1 AS id
          target: app_db
          table: t
          key: [id]
      """;

  @TempDir Path folder;

  @Test
  void parsesTheDocumentedShapeIntoRecords() {
    String text =
        CONNECTIONS
            + """
        syncs:
          experiment_targets:
            source: warehouse
            query: "SELECT user_id, variant, eligible, last_viewed_at FROM targets"
            target: app_db
            table: experiment_targets
            key: [user_id]
            mode: mirror          # mirror (default) | upsert | replace | append
            create_table: true
            batch_size: 1000
        """;
    QsyncConfig config = parse(text);

    assertThat(config.file()).isEqualTo(configFile()).isAbsolute();
    assertThat(config.stageDir()).isEqualTo(folder.resolve(".qsync/stage"));
    assertThat(config.connections())
        .containsExactly(
            Map.entry(
                "warehouse",
                new DuckDbConnectionConfig(
                    "warehouse", Optional.of(folder.resolve("demo/warehouse.duckdb")), List.of())),
            Map.entry(
                "app_db",
                new MySqlConnectionConfig(
                    "app_db",
                    "jdbc:mariadb://127.0.0.1:3306/app",
                    "qsync",
                    new Secret(PASSWORD),
                    Map.of())));
    assertThat(config.sync("experiment_targets"))
        .contains(
            SyncConfig.builder(
                    "experiment_targets",
                    "warehouse",
                    "SELECT user_id, variant, eligible, last_viewed_at FROM targets",
                    "app_db",
                    "experiment_targets")
                .key(List.of("user_id"))
                .createTable(true)
                .batchSize(1000)
                .lockTimeout(Duration.ofSeconds(10))
                .queryAt(
                    configFile()
                        + ":"
                        + text.substring(0, text.indexOf("query: \"SELECT user_id"))
                            .lines()
                            .count())
                .build());
  }

  /** A sync built from the parts the file requires has the file's defaults for all the rest. */
  @Test
  void aSyncBuiltWithTheRequiredPartsEqualsAMinimalSyncOfTheFile() {
    SyncConfig read = parse(CONNECTIONS + SYNC).sync("s").orElseThrow();

    assertThat(read)
        .isEqualTo(
            SyncConfig.builder("s", "warehouse", "SELECT 1 AS id", "app_db", "t")
                .key(List.of("id"))
                .queryAt(configFile() + ":7")
                .build());
  }

  @Test
  void fillsDefaultsForOptionalKeys() {
    QsyncConfig config =
        parse(
            """
        connections:
          memory: { type: duckdb }
          app_db: { type: mysql, url: "jdbc:mysql://db/app", user: qsync }
        syncs:
          orders: { source: memory, query: SELECT 1 AS id, target: app_db, table: t, key: id }
        """);

    assertThat(config.connection("memory"))
        .isEqualTo(new DuckDbConnectionConfig("memory", Optional.empty(), List.of()));
    MySqlConnectionConfig appDb = (MySqlConnectionConfig) config.connection("app_db");
    assertThat(appDb.password().isEmpty()).isTrue();
    assertThat(appDb.properties()).isEmpty();
    SyncConfig orders = config.sync("orders").orElseThrow();
    assertThat(orders.key()).containsExactly("id");
    assertThat(orders.mode()).isEqualTo(Mode.MIRROR);
    assertThat(orders.createTable()).isFalse();
    assertThat(orders.batchSize()).isEqualTo(SyncConfig.DEFAULT_BATCH_SIZE);
    assertThat(orders.lockTimeout()).isEqualTo(SyncConfig.DEFAULT_LOCK_TIMEOUT);
  }

  @Test
  void readsEveryOptionalKeyInEachAllowedForm() {
    QsyncConfig config =
        parse(
            """
        stage_dir: /var/tmp/qsync-stage
        connections:
          scratch:
            type: duckdb
            setup: CREATE TABLE t AS SELECT 1 AS id
          seeded:
            type: duckdb
            path: ":memory:"
            setup: [CREATE TABLE a (id INT), INSERT INTO a VALUES (1)]
          app_db:
            type: mysql
            url: jdbc:mariadb://db:3306/app
            user: qsync
            password: plain
            properties: { useSsl: true, connectTimeout: 5000, sessionVariables: "sql_mode=ANSI" }
        syncs:
          events.daily-v2:
            source: scratch
            query: SELECT * FROM t
            target: app_db
            table: events
            mode: append
            lock_timeout: 2m
          nightly:
            source: scratch
            query: SELECT * FROM t
            target: app_db
            table: nightly
            key: id
            allow_empty: true
            max_delete_fraction: .25
        """);

    assertThat(config.stageDir()).isEqualTo(Path.of("/var/tmp/qsync-stage"));
    assertThat(((DuckDbConnectionConfig) config.connection("scratch")).setup())
        .containsExactly("CREATE TABLE t AS SELECT 1 AS id");
    assertThat(config.connection("seeded"))
        .isEqualTo(
            new DuckDbConnectionConfig(
                "seeded",
                Optional.empty(),
                List.of("CREATE TABLE a (id INT)", "INSERT INTO a VALUES (1)")));
    assertThat(((MySqlConnectionConfig) config.connection("app_db")).properties())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "useSsl", "true", "connectTimeout", "5000", "sessionVariables", "sql_mode=ANSI"));
    SyncConfig events = config.sync("events.daily-v2").orElseThrow();
    assertThat(events.mode()).isEqualTo(Mode.APPEND);
    assertThat(events.key()).isEmpty();
    assertThat(events.lockTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(events.deleteGuard()).isEqualTo(DeleteGuard.DEFAULT);
    assertThat(config.sync("nightly").orElseThrow().deleteGuard())
        .isEqualTo(new DeleteGuard(true, 0.25));
  }

  @ParameterizedTest
  @CsvSource({"30, PT30S", "30s, PT30S", "2m, PT2M", "500ms, PT0.5S", "1h, PT1H", "0, PT0S"})
  void readsLockTimeoutDurations(String written, Duration expected) {
    SyncConfig sync = parse(syncWith("lock_timeout: " + written)).sync("s").orElseThrow();

    assertThat(sync.lockTimeout()).isEqualTo(expected);
  }

  @Test
  void resolvesStageDirAgainstTheConfigFolder() {
    assertThat(parse("stage_dir: ../stage\n" + syncWith("mode: upsert")).stageDir())
        .isEqualTo(folder.getParent().resolve("stage"));
  }

  @Test
  void aStageDirThatCannotBeUsedIsAProblemOnlyForCommandsThatStage() throws Exception {
    Files.writeString(folder.resolve(".qsync"), "a file where the default stage_dir's folder goes");

    ConfigException exception =
        catchThrowableOfType(
            ConfigException.class,
            () -> ConfigLoader.parse(configFile(), syncWith("mode: upsert"), ENVIRONMENT, true));

    assertThat(exception.problems())
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem.line()).isEqualTo(1);
              assertThat(problem.keyPath()).isEqualTo("stage_dir");
              assertThat(problem.message())
                  .startsWith(
                      "cannot use "
                          + folder.resolve(".qsync/stage")
                          + " (the default stage_dir, .qsync/stage beside the config): ")
                  .endsWith(
                      "; point stage_dir at a folder qsync's user may write, with room for a run's"
                          + " result and the table's rows");
            });
    assertThat(parse(syncWith("mode: upsert")).stageDir())
        .isEqualTo(folder.resolve(".qsync/stage"));
    assertThat(
            ConfigLoader.parse(
                    configFile(),
                    "stage_dir: stage\n" + syncWith("mode: upsert"),
                    ENVIRONMENT,
                    true)
                .stageDir())
        .isDirectory();
  }

  @Test
  void readsTheSnapshotDiffAndItsStateDataset() {
    SyncConfig sync =
        parse(syncWith("diff: snapshot", "state_dataset: qsync_state")).sync("s").orElseThrow();

    assertThat(sync.diff()).isEqualTo(Diff.snapshot("qsync_state"));
    assertThat(parse(syncWith("mode: upsert")).sync("s").orElseThrow().diff())
        .isEqualTo(Diff.TARGET);
  }

  @Test
  void readsHowTheTableIsCompared() {
    assertThat(parse(syncWith("compare: hashes")).sync("s").orElseThrow().diff())
        .isEqualTo(Diff.TARGET.withCompare(Diff.Compare.HASHES));
    assertThat(parse(syncWith("mode: upsert")).sync("s").orElseThrow().diff().compare())
        .isEqualTo(Diff.Compare.ROWS);
    ConfigProblem problem = onlyProblem(syncWith("compare: hash"));
    assertThat(problem.keyPath()).isEqualTo("syncs.s.compare");
    assertThat(problem.message()).contains("rows or hashes");
  }

  @Test
  void aSnapshotWithoutAStateDatasetSaysWhatToAdd() {
    ConfigProblem problem = onlyProblem(syncWith("diff: snapshot"));

    assertThat(problem.keyPath()).isEqualTo("syncs.s.state_dataset");
    assertThat(problem.message())
        .contains("diff: snapshot needs state_dataset")
        .contains("state_dataset: qsync_state");
  }

  @Test
  void aSnapshotRefusesModesThatWriteTheWholeResult() {
    ConfigProblem problem =
        onlyProblem(syncWith("mode: replace", "diff: snapshot", "state_dataset: qsync_state"));

    assertThat(problem.keyPath()).isEqualTo("syncs.s.diff");
    assertThat(problem.message()).contains("works with mode mirror or upsert, not replace");
  }

  @Test
  void aStateDatasetWithoutSnapshotOrWithABadNameIsRefused() {
    assertThat(onlyProblem(syncWith("state_dataset: qsync_state")).message())
        .contains("state_dataset is used only with diff: snapshot");
    assertThat(onlyProblem(syncWith("diff: snapshot", "state_dataset: my-state")).message())
        .contains("a dataset name of letters, digits and '_'");
    assertThat(onlyProblem(syncWith("diff: snapshots")).message()).contains("snapshot");
  }

  @Test
  void unknownKeySuggestsTheNearestValidKey() {
    ConfigProblem problem = onlyProblem(syncWith("batchsize: 500"));

    assertThat(problem.line()).isEqualTo(11);
    assertThat(problem.column()).isEqualTo(5);
    assertThat(problem.keyPath()).isEqualTo("syncs.s.batchsize");
    assertThat(problem.message())
        .isEqualTo(
            "unknown key 'batchsize' (did you mean 'batch_size'?);"
                + " valid keys: source, query, target, table, key, mode, create_table, batch_size,"
                + " lock_timeout, allow_empty, max_delete_fraction, throttle, retries, diff, state_dataset,"
                + " verify_every, compare, schedule, every, jitter, max_staleness, alerts");
  }

  @Test
  void unknownKeyFarFromEveryValidKeyGetsNoSuggestion() {
    ConfigProblem problem = onlyProblem("colour: blue\n" + CONNECTIONS + SYNC);

    assertThat(problem.line()).isEqualTo(1);
    assertThat(problem.keyPath()).isEqualTo("colour");
    assertThat(problem.message())
        .isEqualTo(
            "unknown key 'colour'; valid keys: connections, syncs, stage_dir, throttle, retries, serve, alerts");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "create_table: yes please | expected true or false, got \"yes please\"",
        "create_table: yes        | expected true or false, got \"yes\"",
        "create_table: [true]     | expected true or false, got a list",
        "batch_size: lots         | expected a positive whole number, got \"lots\"",
        "batch_size: 1.5          | expected a positive whole number, got \"1.5\"",
        "batch_size: 0            | expected a whole number from 1 to 100000, got \"0\"",
        "batch_size: 100001       | expected a whole number from 1 to 100000, got \"100001\"",
        "lock_timeout: soon       | expected a duration like 30s, 2m or 500ms"
            + " (a bare number means seconds), got \"soon\"",
        "lock_timeout: -5s        | expected a duration of 0s or more, got \"-5s\"",
        "max_delete_fraction: 2   | expected a fraction from 0 to 1, like 0.5, got \"2\"",
        "max_delete_fraction: 50% | expected a fraction from 0 to 1, like 0.5, got \"50%\"",
        "allow_empty: maybe       | expected true or false, got \"maybe\"",
        "mode: mirorr             | expected mirror, upsert, replace or append, got \"mirorr\""
            + " (did you mean 'mirror'?)",
        "query: '  '              | expected a non-blank SQL query, got \"  \"",
        "table:                   | expected a non-blank table name, got nothing",
        "key: { a: b }            | expected a column name or a list of them, got a map",
      })
  void wrongValueSaysWhatWasExpectedAndWhatItGot(String line, String message) {
    ConfigProblem problem = onlyProblem(syncWith(line));

    assertThat(problem.keyPath()).isEqualTo("syncs.s." + line.substring(0, line.indexOf(':')));
    assertThat(problem.message()).isEqualTo(message);
  }

  @Test
  void missingRequiredKeysAreReportedAtTheEnclosingMap() {
    List<ConfigProblem> problems =
        problems(
            CONNECTIONS
                + """
        syncs:
          orders:
            source: warehouse
            target: app_db
        """);

    assertThat(problems)
        .extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::keyPath)
        .containsExactly(
            tuple(6, 5, "syncs.orders.query"),
            tuple(6, 5, "syncs.orders.table"),
            tuple(6, 5, "syncs.orders.key"));
    assertThat(problems.get(0).message())
        .isEqualTo("missing required key 'query'; expected a non-blank SQL query");
    assertThat(problems.get(2).message()).startsWith("missing required key 'key'");
  }

  @Test
  void missingTopLevelSectionsAreReportedAtTheFirstLine() {
    assertThat(problems("stage_dir: stage\n"))
        .extracting(ConfigProblem::line, ConfigProblem::keyPath)
        .containsExactly(tuple(1, "connections"), tuple(1, "syncs"));
  }

  @Test
  void unknownConnectionNamesTheValidOnes() {
    ConfigProblem problem = onlyProblem(syncWith("source: warehose"));

    assertThat(problem.line()).isEqualTo(6);
    assertThat(problem.keyPath()).isEqualTo("syncs.s.source");
    assertThat(problem.message())
        .isEqualTo(
            "unknown connection 'warehose'"
                + " (did you mean 'warehouse'?); valid connections: warehouse, app_db");
  }

  @Test
  void sourceMustRunQueriesAndTargetMustBeMySql() {
    List<ConfigProblem> problems = problems(syncWith("source: app_db", "target: warehouse"));

    assertThat(problems)
        .extracting(ConfigProblem::message)
        .containsExactly(
            "connection 'app_db' has type mysql, but a source must be a duckdb or bigquery connection;"
                + " valid sources: warehouse",
            "connection 'warehouse' has type duckdb, but a target must be a mysql connection;"
                + " valid targets: app_db");
  }

  @Test
  void aWrongRoleBesideAConnectionOfUnknownTypeListsBothProblems() {
    List<ConfigProblem> problems =
        problems(
            CONNECTIONS.replace("connections:\n", "connections:\n  lake: { type: postgres }\n")
                + SYNC.replace("source: warehouse", "source: app_db"));

    assertThat(problems)
        .extracting(ConfigProblem::toString)
        .containsExactly(
            configFile()
                + ":2:17: connections.lake.type: expected duckdb, mysql or bigquery,"
                + " got \"postgres\"",
            configFile()
                + ":7:13: syncs.s.source: connection 'app_db' has type mysql, but a source"
                + " must be a duckdb or bigquery connection; valid sources: warehouse");
  }

  @Test
  void syncNameMustBeUsableInLockAndFileNames() {
    ConfigProblem problem = onlyProblem(CONNECTIONS + SYNC.replace("  s:", "  my sync/v2:"));

    assertThat(problem.line()).isEqualTo(5);
    assertThat(problem.keyPath()).isEqualTo("syncs.my sync/v2");
    assertThat(problem.message())
        .contains("only letters, digits, '_', '.' and '-'")
        .endsWith("rename it, e.g. 'my_sync_v2'");
  }

  @Test
  void keyIsRequiredUnlessModeIsAppend() {
    String withoutKey = CONNECTIONS + SYNC.replace("    key: [id]\n", "");

    assertThat(onlyProblem(withoutKey + "    mode: upsert\n").message())
        .isEqualTo(
            "missing required key 'key'; expected the column(s) that identify a row,"
                + " like key: [user_id] (only mode: append may go without)");
    assertThat(parse(withoutKey + "    mode: append\n").sync("s").orElseThrow().key()).isEmpty();
  }

  @Test
  void keyColumnsMustBeDistinct() {
    ConfigProblem problem = onlyProblem(syncWith("key: [id, day, ID]"));

    assertThat(problem.keyPath()).isEqualTo("syncs.s.key[2]");
    assertThat(problem.line()).isEqualTo(10);
    assertThat(problem.column()).isEqualTo(20);
    assertThat(problem.message())
        .isEqualTo(
            "duplicate key column 'ID'" + " (column names ignore case); list each column once");
  }

  @Test
  void connectionProblems() {
    List<ConfigProblem> problems =
        problems(
            """
        connections:
          lake: { type: postgres }
          blank: { path: x.duckdb }
          app_db: { type: mysql, url: "postgresql://secret@db/app", usr: qsync }
          leaky: { type: mysql, url: "jdbc:mysql://db/app?password=x", user: u, properties: { Password: x } }
        syncs: {}
        """);

    String moveIt =
        " would be printed;"
            + " move it to the connection's password key, like password: ${DB_PASSWORD}";
    assertThat(problems)
        .extracting(ConfigProblem::toString)
        .containsExactly(
            configFile()
                + ":2:17: connections.lake.type: expected duckdb, mysql or bigquery, got \"postgres\"",
            configFile()
                + ":3:10: connections.blank.type: missing required key 'type';"
                + " expected duckdb, mysql or bigquery",
            configFile()
                + ":4:11: connections.app_db.user: missing required key 'user';"
                + " expected a non-blank user name",
            configFile()
                + ":4:31: connections.app_db.url: expected a URL starting with"
                + " jdbc:mariadb:// or jdbc:mysql://, got one starting with \"postgresql://\"",
            configFile()
                + ":4:61: connections.app_db.usr: unknown key 'usr' (did you mean 'user'?);"
                + " valid keys: type, url, user, password, properties, password_file, tls, ca_file,"
                + " connect_timeout, statement_timeout, lock_wait_timeout",
            configFile() + ":5:30: connections.leaky.url: a password in the url" + moveIt,
            configFile()
                + ":5:87: connections.leaky.properties.Password: a password among properties"
                + moveIt);
  }

  @Test
  void aPasswordInTheUrlsUserInfoIsRefusedWithoutQuotingIt() {
    ConfigException exception =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                parse(
                    CONNECTIONS.replace(
                            "jdbc:mariadb://127.0.0.1:3306/app",
                            "jdbc:mariadb://root:" + PASSWORD + "@127.0.0.1:3306/app")
                        + SYNC));

    assertThat(exception.problems())
        .singleElement()
        .hasToString(
            configFile()
                + ":3:34: connections.app_db.url: a password in the url would be printed; move it to the"
                + " connection's password key, like password: ${DB_PASSWORD}");
    assertThat(exception.getMessage()).doesNotContain(PASSWORD).doesNotContain("hunter2");
    assertThat(
            parse(CONNECTIONS.replace("//127.0.0.1", "//qsync@127.0.0.1") + SYNC)
                .connection("app_db"))
        .isNotNull();
  }

  @Test
  void twoSyncsOfOneTableInOneDatabaseAreRefusedNamingBoth() {
    String yaml =
        CONNECTIONS
            + "  same_db: { type: mysql, url: \"jdbc:mysql://qsync@127.0.0.1/app?useSsl=false\", user: u }\n"
            + "  other_db: { type: mysql, url: \"jdbc:mariadb://127.0.0.1:3306/reports\", user: u }\n"
            + SYNC
            + """
          again:
            source: warehouse
            query: SELECT 2 AS id
            target: same_db
            table: t
            key: [id]
          elsewhere:
            source: warehouse
            query: SELECT 2 AS id
            target: other_db
            table: t
            key: [id]
        """;

    ConfigProblem problem = onlyProblem(yaml);

    assertThat(problem)
        .hasToString(
            configFile()
                + ":17:12: syncs.again.table: syncs 's' ("
                + configFile()
                + ":11:12) and 'again' both write table t in 127.0.0.1:3306/app, and each"
                + " run would undo the other's rows; give each sync its own table, or join the queries"
                + " into one sync");
  }

  /**
   * A target's url that names no database passed validate ("ok") and failed every run with exit 1
   * "It may pass. Run again" (error 1046, no database selected), which no later run gets past.
   */
  @ParameterizedTest
  @CsvSource({
    "jdbc:mariadb://127.0.0.1:3306/, jdbc:mariadb://127.0.0.1:3306/app",
    "jdbc:mysql://127.0.0.1, jdbc:mysql://127.0.0.1/app",
    "jdbc:mysql://127.0.0.1:3306/?useSsl=false, jdbc:mysql://127.0.0.1:3306/app"
  })
  void aTargetWhoseUrlNamesNoDatabaseIsRefusedAtTheTableNamingItInItsOwnScheme(
      String url, String withApp) {
    String yaml =
        CONNECTIONS.replace("jdbc:mariadb://127.0.0.1:3306/app", url)
            + SYNC
            + "  second: { source: warehouse, query: SELECT 1 AS id, target: app_db,"
            + " table: u, key: [id] }\n";

    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> parse(yaml));

    assertThat(failure.problems())
        .extracting(ConfigProblem::toString)
        .containsExactly(
            configFile()
                + ":9:12: syncs.s.table: table t would be in no database: the url of connection"
                + " 'app_db' ("
                + url.replace("?useSsl=false", "")
                + ") names none; add the database to it, like "
                + withApp,
            configFile()
                + ":11:78: syncs.second.table: table u would be in no database: the url of"
                + " connection 'app_db' ("
                + url.replace("?useSsl=false", "")
                + ") names none; add the database to it, like "
                + withApp);
  }

  @Test
  void duplicateKeysAreProblems() {
    ConfigProblem problem = onlyProblem(syncWith("batch_size: 10\n    batch_size: 20"));

    assertThat(problem.line()).isEqualTo(12);
    assertThat(problem.keyPath()).isEqualTo("syncs.s.batch_size");
    assertThat(problem.message())
        .isEqualTo("duplicate key 'batch_size' (first at line 11); keep only one");
  }

  @Test
  void malformedYamlIsOneProblemAtTheParserPosition() {
    ConfigProblem problem = onlyProblem("connections:\n  warehouse: { type: duckdb\nsyncs: {}\n");

    assertThat(problem.line()).isEqualTo(3);
    assertThat(problem.keyPath()).isEmpty();
    assertThat(problem.message())
        .startsWith("invalid YAML: ")
        .endsWith("; check the indentation, colons and quotes here");
  }

  @Test
  void emptyFileAndWrongShapesSayWhatIsExpected() {
    assertThat(onlyProblem("# nothing yet\n").message())
        .isEqualTo(
            "the file holds no YAML; expected a map with the keys connections, syncs, stage_dir, throttle, retries, serve, alerts");
    assertThat(onlyProblem("- a\n- b\n").message())
        .isEqualTo(
            "expected a map with the keys connections, syncs, stage_dir, throttle, retries, serve,"
                + " alerts, got a list");
    assertThat(onlyProblem("connections: {}\nsyncs:\n"))
        .hasToString(
            configFile()
                + ":2:7: syncs: expected a map of named syncs, like orders: {source: ..., query: ...},"
                + " got nothing");
  }

  @Test
  void reportsEveryProblemAtOnceInFileOrder() {
    ConfigException exception =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                parse(
                    """
        syncs:
          bad name:
            source: nowhere
            query: SELECT 1
            table: t
            create_table: maybe
        conections: {}
        """));

    assertThat(exception.kind()).isEqualTo(ErrorKind.CONFIG_INVALID);
    assertThat(exception.problems())
        .extracting(ConfigProblem::line, ConfigProblem::keyPath)
        .containsExactly(
            tuple(1, "connections"),
            tuple(2, "syncs.bad name"),
            tuple(3, "syncs.bad name.target"),
            tuple(3, "syncs.bad name.key"),
            tuple(6, "syncs.bad name.create_table"),
            tuple(7, "conections"));
    assertThat(exception.getMessage())
        .startsWith("6 problems in " + configFile() + ":\n  " + exception.problems().get(0))
        .contains("unknown key 'conections' (did you mean 'connections'?)")
        .endsWith("\nFix the config and run `qsync validate`.");
  }

  @Test
  void interpolatesTheEnvironmentWithDefaultsAndEscapes() {
    QsyncConfig config =
        parse(
            CONNECTIONS
                + """
            syncs:
              s:
                source: warehouse
                query: "SELECT '$${NOT_A_VAR}' AS literal, ${COLUMN} FROM ${SCHEMA:-main}.t"
                target: app_db
                table: ${TABLE:-fallback}
                key: ${COLUMN}
                batch_size: ${BATCH}
            """,
            Map.of("APP_DB_PASSWORD", PASSWORD, "COLUMN", "id", "BATCH", "250", "TABLE", ""));

    SyncConfig sync = config.sync("s").orElseThrow();
    assertThat(sync.query()).isEqualTo("SELECT '${NOT_A_VAR}' AS literal, id FROM main.t");
    assertThat(sync.table()).isEqualTo("fallback");
    assertThat(sync.key()).containsExactly("id");
    assertThat(sync.batchSize()).isEqualTo(250);
  }

  @Test
  void missingVariableNamesTheVariableAndTheKey() {
    List<ConfigProblem> problems = problems(CONNECTIONS + SYNC, Map.of());

    assertThat(problems).hasSize(1);
    ConfigProblem problem = problems.get(0);
    assertThat(problem.line()).isEqualTo(3);
    assertThat(problem.keyPath()).isEqualTo("connections.app_db.password");
    assertThat(problem.message())
        .isEqualTo(
            "environment variable APP_DB_PASSWORD is not set;"
                + " set APP_DB_PASSWORD in the environment (or give a default: ${APP_DB_PASSWORD:-value})");
  }

  @Test
  void unclosedPlaceholderSuggestsTheEscape() {
    assertThat(onlyProblem(syncWith("table: ${TABLE")).message())
        .isEqualTo(
            "a '${' here starts no ${NAME} or ${NAME:-default} reference; write $${ for a literal ${");
  }

  @Test
  void secretNeverReachesMessagesOrToString() {
    QsyncConfig config = parse(CONNECTIONS + SYNC);
    assertThat(config.toString()).doesNotContain(PASSWORD).contains("****");

    String listed = CONNECTIONS.replace("\"${APP_DB_PASSWORD}\"", "[\"" + PASSWORD + "\"]");
    ConfigException wrongType =
        catchThrowableOfType(
            ConfigException.class, () -> parse(listed + SYNC + "    batch_size: lots\n"));
    assertThat(wrongType.problems()).hasSize(2);
    assertThat(wrongType.getMessage()).doesNotContain(PASSWORD);

    String broken = CONNECTIONS.replace("${APP_DB_PASSWORD}", "${" + PASSWORD + " $${x}");
    ConfigException badPlaceholder =
        catchThrowableOfType(ConfigException.class, () -> parse(broken + SYNC));
    assertThat(badPlaceholder.getMessage()).doesNotContain("hunter2");
  }

  @Test
  void loadReadsTheFile() throws Exception {
    Files.writeString(configFile(), syncWith("mode: replace"));

    assertThat(ConfigLoader.load(configFile(), ENVIRONMENT).sync("s").orElseThrow().mode())
        .isEqualTo(Mode.REPLACE);
  }

  @Test
  void missingFileIsNamedAndPointsToTheConfigOption() {
    Path missing = folder.resolve("absent.yaml");

    ConfigException exception =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(missing, ENVIRONMENT));

    assertThat(exception.kind()).isEqualTo(ErrorKind.CONFIG_INVALID);
    assertThat(exception.getMessage())
        .isEqualTo(
            "cannot read config file "
                + missing
                + ": no such file\nCreate it, or point qsync at the right file with --config PATH.");
    assertThat(exception.problems())
        .singleElement()
        .hasToString(
            missing + ": cannot read the config file: no such file; pass its path with --config");
  }

  @Test
  void problemAndExceptionRenderForAPerson() {
    ConfigProblem problem =
        new ConfigProblem(
            Path.of("qsync.yaml"),
            12,
            5,
            "syncs.experiment_targets.batch_size",
            "expected a positive whole number, got \"lots\"");

    assertThat(problem)
        .hasToString(
            "qsync.yaml:12:5: syncs.experiment_targets.batch_size:"
                + " expected a positive whole number, got \"lots\"");
    assertThat(new ConfigException(Path.of("qsync.yaml"), List.of(problem)).getMessage())
        .isEqualTo(
            "1 problem in qsync.yaml:\n  "
                + problem
                + "\nFix the config and run `qsync validate`.");
  }

  // ---- helpers ----

  private Path configFile() {
    return folder.resolve("qsync.yaml");
  }

  /**
   * A password the server refused is reported with where it came from, so that the user looks in
   * the right place: the variable's name (never a default written beside it), the file, the
   * config's own text, or no password at all.
   */
  @Test
  void aPasswordKnowsWhereItCameFromWithoutShowingIt() throws IOException {
    Path file = folder.resolve("db-password");
    Files.writeString(file, "from-file\n");
    Map<String, String> origins = new LinkedHashMap<>();
    for (String password :
        List.of(
            "password: \"${APP_DB_PASSWORD}\"",
            "password: \"${MISSING:-literal-default}\"",
            "password: plain-text",
            "password_file: db-password",
            "")) {
      String yaml =
          CONNECTIONS.replace("password: \"${APP_DB_PASSWORD}\"", password)
              + SYNC.replace("app_db", "app_db");
      MySqlConnectionConfig app = (MySqlConnectionConfig) parse(yaml).connections().get("app_db");
      origins.put(password, app.password().origin());
    }

    assertThat(origins.values())
        .containsExactly(
            "the password from the environment variable APP_DB_PASSWORD (password:)",
            "the password from the environment variable MISSING (password:)",
            "the password written in the config (password:)",
            "the file db-password (password_file)",
            "no password: the connection sets neither password nor password_file");
    assertThat(String.join("\n", origins.values()))
        .doesNotContain(PASSWORD)
        .doesNotContain("literal-default")
        .doesNotContain("plain-text")
        .doesNotContain("from-file");
  }

  /**
   * The example connections and sync 's', each of {@code lines} ({@code key: value}) replacing the
   * sync's line for that key, or else added after it from line 11 on.
   */
  private static String syncWith(String... lines) {
    String sync = SYNC;
    for (String line : lines) {
      String key = line.substring(0, line.indexOf(':'));
      String replaced =
          sync.replaceFirst("(?m)^    " + key + ":.*$", "    " + line.replace("$", "\\$"));
      sync = replaced.equals(sync) ? sync + "    " + line + "\n" : replaced;
    }
    return CONNECTIONS + sync;
  }

  private QsyncConfig parse(String yaml) {
    return parse(yaml, ENVIRONMENT);
  }

  private QsyncConfig parse(String yaml, Map<String, String> environment) {
    return ConfigLoader.parse(configFile(), yaml, environment);
  }

  private List<ConfigProblem> problems(String yaml) {
    return problems(yaml, ENVIRONMENT);
  }

  private List<ConfigProblem> problems(String yaml, Map<String, String> environment) {
    ConfigException exception =
        catchThrowableOfType(ConfigException.class, () -> parse(yaml, environment));
    assertThat(exception).as("the config should have been rejected").isNotNull();
    return exception.problems();
  }

  private ConfigProblem onlyProblem(String yaml) {
    List<ConfigProblem> problems = problems(yaml);
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }
}
