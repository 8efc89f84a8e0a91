package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.Diff;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.engine.PlanReport;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.engine.ValidationReport;
import io.qsync.state.RunStatus;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code diff: snapshot} from BigQuery (the emulator) into MariaDB: the first run compares in full
 * and leaves its state in the state dataset; later runs let BigQuery compute the change set, and
 * the emulator's count of rows served shows that only changed rows cross the network. A crash at
 * any point ends, after the next run, with the table equal to the query.
 */
@ExtendWith(MariaDbExtension.class)
class BigQuerySnapshotIT {
  private static final int ROWS = 2500;
  private static final String STATE = "qsync_state";
  private static final String QUERY = "SELECT user_id, name, score FROM `qsync-test.shop.users`";

  @TempDir Path dir;
  private BigQueryEmulator emulator;
  private final Faults faults = new Faults();

  @BeforeEach
  void start() {
    emulator = BigQueryEmulator.start("qsync-test");
    emulator.execute(
        "CREATE SCHEMA shop",
        "CREATE TABLE shop.users AS SELECT range AS user_id, 'user ' || range AS name,"
            + " CASE WHEN range % 10 = 0 THEN NULL ELSE (range * 37) % 1000 END AS score"
            + " FROM range("
            + ROWS
            + ")");
    emulator.createDataset(STATE);
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  /** Batches of 2 changes, so that a crash can strike between batches. */
  private Qsync qsync(TestDatabase database, String query, List<String> key) {
    SyncConfig sync =
        BigQuerySyncs.sync(query, "users", key, Mode.MIRROR).toBuilder()
            .batchSize(2)
            .diff(Diff.snapshot(STATE))
            .build();
    return BigQuerySyncs.qsync(
        dir, database, BigQuerySyncs.connection(emulator, 500, Optional.empty()), sync, faults);
  }

  private Qsync qsync(TestDatabase database) {
    return qsync(database, QUERY, List.of("user_id"));
  }

  private void assertTableEqualsQuery(TestDatabase database) {
    SameRows.assertSame(
        emulator.rows("SELECT user_id, name, score FROM shop.users ORDER BY user_id"),
        database.rows("SELECT user_id, name, score FROM users ORDER BY user_id"),
        "the query's result",
        "the table");
  }

  private List<List<String>> stateDataset() {
    return emulator.rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
            + STATE
            + "' ORDER BY table_name");
  }

  @Test
  void firstRunComparesInFullThenOneChangedRowIsOneRowServed(TestDatabase database) {
    Qsync qsync = qsync(database);

    RunReport first = qsync.run(BigQuerySyncs.SYNC);

    assertThat(first.counts().inserts()).isEqualTo(ROWS);
    assertThat(first.notes())
        .anyMatch(note -> note.contains("compared the whole result with the table"));
    assertThat(emulator.rowsServed()).as("the first run reads the whole result").isEqualTo(ROWS);
    assertThat(stateDataset()).singleElement().asString().contains("_state_");
    assertTableEqualsQuery(database);

    emulator.execute("UPDATE shop.users SET score = 1 WHERE user_id = 20"); // NULL to a value
    long served = emulator.rowsServed();
    RunReport second = qsync.run(BigQuerySyncs.SYNC);

    assertThat(second.counts().updates()).isEqualTo(1);
    assertThat(second.counts().changes()).isEqualTo(1);
    assertThat(emulator.rowsServed() - served).as("rows served by the second run").isEqualTo(1);
    assertThat(second.notes())
        .anyMatch(
            note ->
                note.contains(
                    "compared in the warehouse with the"
                        + " state of run "
                        + first.runId()
                        + ": 1 changed row of 2,500 left qsync-test."
                        + STATE));
    assertTableEqualsQuery(database);

    emulator.execute(
        "INSERT INTO shop.users VALUES (9000, 'new', 5)",
        "DELETE FROM shop.users WHERE user_id = 3",
        "UPDATE shop.users SET user_id = 9001 WHERE user_id = 4",
        "UPDATE shop.users SET name = 'renamed' WHERE user_id = 5");
    served = emulator.rowsServed();
    RunReport third = qsync.run(BigQuerySyncs.SYNC);

    assertThat(third.counts().inserts()).as("9000 and 9001").isEqualTo(2);
    assertThat(third.counts().deletes()).as("3 and 4").isEqualTo(2);
    assertThat(third.counts().updates()).isEqualTo(1);
    assertThat(emulator.rowsServed() - served).isEqualTo(5);
    assertTableEqualsQuery(database);

    served = emulator.rowsServed();
    RunReport unchanged = qsync.run(BigQuerySyncs.SYNC);

    assertThat(unchanged.counts().changes()).isZero();
    assertThat(emulator.rowsServed() - served).as("rows served when nothing changed").isZero();
    assertThat(stateDataset())
        .as("only the current state is left")
        .singleElement()
        .asString()
        .contains("_state_");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(SnapshotCrash.class)
  void aCrashAnywhereEndsWithTheTableEqualToTheQuery(SnapshotCrash crash, TestDatabase database) {
    Qsync qsync = qsync(database);
    qsync.run(BigQuerySyncs.SYNC);
    emulator.execute(
        "INSERT INTO shop.users VALUES (9000, 'new', 5)",
        "DELETE FROM shop.users WHERE user_id IN (3, 7)",
        "UPDATE shop.users SET score = 2 WHERE user_id = 30",
        "UPDATE shop.users SET user_id = 9001 WHERE user_id = 4");
    faults.arm(crash.fault(2));

    Throwable thrown = catchThrowable(() -> qsync.run(BigQuerySyncs.SYNC));

    assertThat(thrown).isInstanceOf(Faults.SimulatedCrash.class);
    faults.disarm();
    long queries = emulator.queriesRun();
    RunReport resumed = qsync.run(BigQuerySyncs.SYNC);
    assertThat(resumed.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(resumed.resumed()).isTrue();
    long resumeQueries = emulator.queriesRun() - queries;
    assertTableEqualsQuery(database);
    assertThat(resumed.caughtUp().orElseThrow().counts().changes()).isZero();

    long served = emulator.rowsServed();
    long beforeUnchanged = emulator.queriesRun();
    RunReport after = qsync.run(BigQuerySyncs.SYNC);
    assertThat(after.counts().changes()).as("the state matches the table").isZero();
    assertThat(emulator.rowsServed()).isEqualTo(served);
    assertThat(resumeQueries)
        .as(
            "the resumed run finds its jobs, the only new one writing the state unless it was"
                + " written; then a fresh run compares with the query's current result, as any run")
        .isEqualTo(
            (crash == SnapshotCrash.AFTER_STATE_BEFORE_SUCCESS ? 0 : 1)
                + emulator.queriesRun()
                - beforeUnchanged);
    assertThat(stateDataset()).as("only the current state is left").hasSize(1);
  }

  @Test
  void planShowsBigQuerysCountsAndTheBytesTheDiffScansAndLeavesNoTables(TestDatabase database) {
    Qsync qsync = qsync(database);
    qsync.run(BigQuerySyncs.SYNC);
    emulator.execute("DELETE FROM shop.users WHERE user_id = 3");
    List<List<String>> tables = stateDataset();

    PlanReport plan = qsync.plan(BigQuerySyncs.SYNC);

    assertThat(plan.counts().deletes()).isEqualTo(1);
    assertThat(plan.counts().changes()).isEqualTo(1);
    assertThat(plan.notes())
        .anyMatch(
            note ->
                note.matches(
                    "the diff query scans [1-9][0-9,]* bytes in qsync-test\\."
                        + STATE
                        + " \\(dry run\\)"));
    assertThat(stateDataset()).isEqualTo(tables);
    assertThat(database.rows("SELECT user_id FROM users WHERE user_id = 3"))
        .as("nothing written")
        .hasSize(1);
  }

  @Test
  void keysThatCollideInTheTargetStopTheRunBeforeItWrites(TestDatabase database) {
    database.execute(
        "CREATE TABLE users (name VARCHAR(64) COLLATE utf8mb4_general_ci PRIMARY KEY,"
            + " score BIGINT NULL)");
    Qsync qsync =
        qsync(database, "SELECT name, score FROM `qsync-test.shop.users`", List.of("name"));
    qsync.run(BigQuerySyncs.SYNC);
    long rows = database.count("users");
    emulator.execute("UPDATE shop.users SET name = 'USER 7' WHERE user_id = 8");

    Throwable thrown = catchThrowable(() -> qsync.run(BigQuerySyncs.SYNC));

    assertThat(thrown)
        .isInstanceOf(QsyncException.class)
        .hasMessageContaining("'USER 7' and 'user 7'");
    assertThat(database.count("users")).isEqualTo(rows);
    assertThat(database.rows("SELECT name FROM users WHERE name = 'user 8'")).hasSize(1);
  }

  @Test
  void aMissingStateDatasetStopsTheRunBeforeItWritesAndNamesTheRole(TestDatabase database) {
    SyncConfig sync =
        BigQuerySyncs.sync(QUERY, "users", List.of("user_id"), Mode.MIRROR).toBuilder()
            .diff(Diff.snapshot("missing_state"))
            .build();
    Qsync qsync =
        BigQuerySyncs.qsync(
            dir, database, BigQuerySyncs.connection(emulator, 500, Optional.empty()), sync, faults);

    Throwable thrown = catchThrowable(() -> qsync.run(BigQuerySyncs.SYNC));

    assertThat(thrown)
        .isInstanceOf(QsyncException.class)
        .hasMessageContaining("state_dataset 'missing_state' does not exist in project qsync-test")
        .hasMessageContaining("roles/bigquery.dataEditor");
    assertThat(database.hasTable("users")).isFalse();
    assertThat(emulator.queriesRun()).isZero();
  }

  @Test
  void aQueryEndingInASemicolonAndAHashCommentRunsAsItDoesWithDiffTarget(TestDatabase database) {
    String query =
        "SELECT user_id, name, score FROM `qsync-test.shop.users`"
            + " WHERE name <> 'it\\'s; # not a comment'; # nightly";
    Qsync qsync = qsync(database, query, List.of("user_id"));

    RunReport first = qsync.run(BigQuerySyncs.SYNC);
    emulator.execute("UPDATE shop.users SET name = 'renamed' WHERE user_id = 7");
    RunReport second = qsync.run(BigQuerySyncs.SYNC);

    assertThat(first.counts().inserts()).isEqualTo(ROWS);
    assertThat(second.counts().updates()).isEqualTo(1);
    assertThat(second.notes()).anyMatch(note -> note.contains("compared in the warehouse"));
    assertTableEqualsQuery(database);
  }

  @Test
  void keysBigQueryCannotCompareAndQsyncsOwnColumnNamesAreRefusedBeforeAnyJob(
      TestDatabase database) {
    emulator.declareType("geo", "GEOGRAPHY");
    Qsync qsync =
        qsync(
            database,
            "SELECT 'POINT(' || user_id || ' 0)' AS geo, name,"
                + " score AS _qsync_op FROM `qsync-test.shop.users`",
            List.of("geo"));

    ValidationReport validation = qsync.validate();
    Throwable run = catchThrowable(() -> qsync.run(BigQuerySyncs.SYNC));
    Throwable plan = catchThrowable(() -> qsync.plan(BigQuerySyncs.SYNC));

    assertThat(validation.syncs().get(0).problems())
        .containsExactly(
            "the query returns a column named _qsync_op, but diff: snapshot names columns and aliases"
                + " of its own _qsync_...; rename it with AS (e.g. qsync_op)",
            "key column geo is GEOGRAPHY, which BigQuery cannot group or compare, so diff: snapshot"
                + " cannot check or match its keys there; key on its text instead: ST_ASTEXT(geo) AS geo"
                + " in the query");
    for (Throwable refused : List.of(run, plan)) {
      assertThat(refused)
          .isInstanceOf(QsyncException.class)
          .hasMessageContaining(
              "sync '"
                  + BigQuerySyncs.SYNC
                  + "': diff: snapshot cannot compare"
                  + " the query's rows in qsync-test."
                  + STATE)
          .hasMessageContaining("ST_ASTEXT(geo) AS geo")
          .hasMessageContaining("_qsync_op");
      assertThat(((QsyncException) refused).kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    }
    assertThat(emulator.jobIds()).as("no job ran, none was billed").isEmpty();
    assertThat(database.hasTable("users")).isFalse();
  }
}
