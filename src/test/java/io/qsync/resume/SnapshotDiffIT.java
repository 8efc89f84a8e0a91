package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.QsyncException;
import io.qsync.config.ConfigLoader;
import io.qsync.config.Diff;
import io.qsync.config.Mode;
import io.qsync.config.QsyncConfig;
import io.qsync.config.SyncConfig;
import io.qsync.engine.PlanReport;
import io.qsync.engine.Progress;
import io.qsync.engine.PruneReport;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunOptions;
import io.qsync.engine.RunReport;
import io.qsync.state.RunStatus;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code diff: snapshot} from the DuckDB warehouse into MariaDB: the first run compares in full and
 * leaves a state in the warehouse; later runs let the warehouse compute the change set, and only
 * changed rows reach the stage. Crashes at every point end, after the next run, with the target
 * equal to the query; a state that no longer matches the target is not trusted.
 */
@ExtendWith(MariaDbExtension.class)
class SnapshotDiffIT {
  private static final TargetsData DATA = new TargetsData(300, 320);
  private static final String STATE = "qsync_state";

  @TempDir Path dir;

  private Warehouse warehouse;
  private Faults faults;
  private Qsync qsync;

  private Qsync prepare(TestDatabase database, Mode mode) {
    warehouse = DATA.prepareCounted(dir, database);
    SyncSetup setup = SyncSetup.targets(dir, database, warehouse, mode).withBatchSize(7);
    faults = new Faults();
    qsync = new Qsync(snapshot(setup.config()), Clock.systemUTC(), Progress.silent(), faults);
    return qsync;
  }

  static QsyncConfig snapshot(QsyncConfig config) {
    return snapshot(config, TargetsData.SYNC);
  }

  private static QsyncConfig snapshot(QsyncConfig config, String syncName) {
    SyncConfig sync =
        config.sync(syncName).orElseThrow().toBuilder().diff(Diff.snapshot(STATE)).build();
    return new QsyncConfig(
        config.file(), config.stageDir(), config.connections(), Map.of(syncName, sync));
  }

  /** Inserts, updates (a value, NULL to a value, a value to NULL), deletes and a key change. */
  private void changeWarehouse() {
    warehouse.execute(
        "INSERT INTO targets VALUES (5001, 'new', 1.5, TIMESTAMP '2026-02-01 00:00:00', true)",
        "UPDATE targets SET variant = 'changed' WHERE user_id = 10",
        "UPDATE targets SET score = 7.5 WHERE user_id = 11", // was NULL
        "UPDATE targets SET eligible = NULL WHERE user_id = 12",
        "DELETE FROM targets WHERE user_id IN (20, 21)",
        "UPDATE targets SET user_id = 6000 WHERE user_id = 30");
  }

  private long stateTables() {
    return warehouse
        .rows(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                + STATE
                + "' AND table_name LIKE '%state%'")
        .stream()
        .mapToLong(row -> Long.parseLong(row.get(0)))
        .sum();
  }

  @Test
  void firstRunComparesInFullThenOnlyChangesLeaveTheWarehouse(TestDatabase database) {
    prepare(database, Mode.MIRROR);

    RunReport first = qsync.run(TargetsData.SYNC);
    assertThat(first.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(first.notes())
        .anyMatch(
            note ->
                note.contains(
                    "compared the whole result with the"
                        + " table (no run of this sync has succeeded yet)"));
    TargetsData.assertTargetEqualsSource(database, warehouse);
    assertThat(stateTables()).as("one state table").isEqualTo(1);

    changeWarehouse();
    RunReport second = qsync.run(TargetsData.SYNC);
    assertThat(second.counts().inserts()).as("5001 and 6000").isEqualTo(2);
    assertThat(second.counts().updates()).as("10, 11, 12").isEqualTo(3);
    assertThat(second.counts().deletes()).as("20, 21 and 30 (now 6000)").isEqualTo(3);
    assertThat(second.notes())
        .anyMatch(
            note ->
                note.contains(
                    "compared in the warehouse with the"
                        + " state of run "
                        + first.runId()
                        + ": 8 changed rows of "));
    TargetsData.assertTargetEqualsSource(database, warehouse);
    assertThat(stateTables()).as("the old state was dropped").isEqualTo(1);

    RunReport third = qsync.run(TargetsData.SYNC);
    assertThat(third.counts().changes()).isZero();
    assertThat(third.notes()).anyMatch(note -> note.contains(": 0 changed rows of "));
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  @Test
  void theCommandLineRunsPlansHealsAndPrunes(TestDatabase database) throws Exception {
    warehouse = DATA.prepareCounted(dir, database);
    Path config = SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).writeYaml();
    java.nio.file.Files.writeString(
        config,
        java.nio.file.Files.readString(config)
            + "    diff: snapshot\n    state_dataset: "
            + STATE
            + "\n");

    assertThat(cli(config, "validate").out())
        .contains(
            "diff: snapshot keeps the state in DuckDB connection 'warehouse', schema " + STATE);
    assertThat(cli(config, "run", TargetsData.SYNC).out()).contains("compared the whole result");
    changeWarehouse();
    assertThat(cli(config, "plan", TargetsData.SYNC).out())
        .contains("2 to insert, 3 to update, 3 to delete")
        .contains("compared in the warehouse");
    database.execute("UPDATE experiment_targets SET variant = 'hand edit' WHERE user_id = 40");
    Cli run = cli(config, "run", TargetsData.SYNC);
    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("8 changed rows of");
    Cli full = cli(config, "run", "--full", TargetsData.SYNC);
    assertThat(full.out()).contains("(--full was given)").contains("1 updated");
    TargetsData.assertTargetEqualsSource(database, warehouse);

    warehouse.execute("CREATE TABLE " + STATE + ".qsync_old_12345678_state_x AS SELECT 1 AS id");
    assertThat(cli(config, "prune", "--dry-run").out())
        .contains(
            "would drop qsync_old_12345678_state_x in DuckDB connection 'warehouse', schema "
                + STATE
                + " (no sync of "
                + config
                + " owns it)");
    assertThat(cli(config, "prune").out()).contains("dropped qsync_old_12345678_state_x");
    assertThat(cli(config, "prune").out()).isEqualTo("nothing to prune\n");
  }

  /**
   * A hand update, delete and insert in the table keep its row count, so the next run trusts the
   * state: it reads none of the table's rows, and says so instead of calling them unchanged without
   * a word.
   */
  @Test
  void aRunThatTrustsTheStateSaysItDidNotReadTheTableAndPointsToFull(TestDatabase database)
      throws Exception {
    warehouse = DATA.prepareCounted(dir, database);
    Path config = SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).writeYaml();
    java.nio.file.Files.writeString(
        config,
        java.nio.file.Files.readString(config)
            + "    diff: snapshot\n    state_dataset: "
            + STATE
            + "\n");
    RunReport first =
        new Qsync(
                ConfigLoader.load(config, Map.of()),
                Clock.systemUTC(),
                Progress.silent(),
                new Faults())
            .run(TargetsData.SYNC);
    database.execute(
        "UPDATE experiment_targets SET variant = 'hand edit' WHERE user_id = 10",
        "DELETE FROM experiment_targets WHERE user_id = 11",
        "INSERT INTO experiment_targets (user_id, variant) VALUES (99999, 'hand insert')");
    long rows = first.counts().sourceRows();
    String notRead =
        "the table was not read: its "
            + String.format(Locale.ROOT, "%,d", rows)
            + " unchanged rows are what the state of run "
            + first.runId()
            + " says it holds (the row"
            + " count matches); edits made in the table since, by hand or by another writer, are not"
            + " seen: qsync run --full compares with the table and heals them";

    Cli plan = cli(config, "plan", TargetsData.SYNC);
    Cli run = cli(config, "-o", "json", "run", TargetsData.SYNC);

    assertThat(plan.out())
        .contains("0 to insert, 0 to update, 0 to delete,")
        .contains("note: " + notRead);
    JsonNode report = new ObjectMapper().readTree(run.out()).path("runs").get(0);
    assertThat(report.path("counts").path("unchanged").asLong())
        .as("the field stays")
        .isEqualTo(rows);
    assertThat(report.path("notes").toString()).contains(notRead);
    assertThat(cli(config, "run", "--full", TargetsData.SYNC).out())
        .contains("1 inserted, 1 updated, 1 deleted");
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  private record Cli(int code, String out, String err) {}

  private static Cli cli(Path config, String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    List<String> all = new java.util.ArrayList<>(List.of("-c", config.toString()));
    all.addAll(List.of(args));
    int code;
    try (java.io.PrintWriter outWriter = new java.io.PrintWriter(out);
        java.io.PrintWriter errWriter = new java.io.PrintWriter(err)) {
      code =
          io.qsync.cli.Main.execute(
              all.toArray(String[]::new), outWriter, errWriter, false, Clock.systemUTC());
    }
    assertThat(code).as(out + "\n" + err).isZero();
    return new Cli(code, out.toString(), err.toString());
  }

  @Test
  void upsertKeepsRowsThatLeftTheResult(TestDatabase database) {
    prepare(database, Mode.UPSERT);
    qsync.run(TargetsData.SYNC);
    long before = database.count(TargetsData.TABLE);
    warehouse.execute(
        "DELETE FROM targets WHERE user_id IN (20, 21)",
        "UPDATE targets SET variant = 'changed' WHERE user_id = 10");

    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(report.counts().deletes()).isZero();
    assertThat(report.counts().updates()).isEqualTo(1);
    assertThat(database.count(TargetsData.TABLE)).isEqualTo(before);
    assertThat(database.rows("SELECT variant FROM experiment_targets WHERE user_id = 10"))
        .containsExactly(List.of("changed"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(SnapshotCrash.class)
  void aCrashAnywhereEndsWithTheTargetEqualToTheQuery(SnapshotCrash crash, TestDatabase database) {
    prepare(database, Mode.MIRROR);
    qsync.run(TargetsData.SYNC);
    changeWarehouse();
    faults.arm(crash.fault(7));

    Throwable thrown = catchThrowable(() -> qsync.run(TargetsData.SYNC));

    assertThat(thrown).isInstanceOf(Faults.SimulatedCrash.class);
    faults.disarm();
    RunReport resumed = qsync.run(TargetsData.SYNC);
    assertThat(resumed.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(resumed.resumed()).isTrue();
    TargetsData.assertTargetEqualsSource(database, warehouse);

    RunReport after = qsync.run(TargetsData.SYNC);
    assertThat(after.counts().changes()).as("the state matches the target").isZero();
    assertThat(after.notes()).anyMatch(note -> note.contains("compared in the warehouse"));
    assertThat(
            warehouse.rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema"
                    + " = '"
                    + STATE
                    + "'"))
        .as("only the current state is left")
        .hasSize(1);
  }

  private List<String> stateTableNames() {
    return warehouse
        .rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                + STATE
                + "' AND table_name LIKE '%state%' ORDER BY table_name")
        .stream()
        .map(row -> row.get(0))
        .toList();
  }

  /**
   * A run that changed nothing keeps the state it compared with instead of writing an equal one,
   * and records it as its own; a crash before or after it records it leaves that state in force and
   * in the warehouse (the clean-up after success drops every table of the sync but the recorded
   * state), and the next runs compare with it in the warehouse.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = SnapshotCrash.class,
      names = {"AFTER_APPLY_BEFORE_STATE", "AFTER_STATE_BEFORE_SUCCESS"})
  void aCrashWhileARunKeepsTheStateLeavesThatStateInForce(
      SnapshotCrash crash, TestDatabase database) {
    prepare(database, Mode.MIRROR);
    qsync.run(TargetsData.SYNC);
    List<String> state = stateTableNames();
    RunReport unchanged = qsync.run(TargetsData.SYNC);
    assertThat(unchanged.counts().changes()).isZero();
    assertThat(unchanged.notes())
        .contains(
            "nothing changed, so the state this run compared with ("
                + state.get(0)
                + ") stays in force: no new state was written");
    assertThat(stateTableNames()).isEqualTo(state);
    faults.arm(crash.fault(0));

    Throwable thrown = catchThrowable(() -> qsync.run(TargetsData.SYNC));

    assertThat(thrown).isInstanceOf(Faults.SimulatedCrash.class);
    assertThat(stateTableNames()).isEqualTo(state);
    faults.disarm();
    RunReport resumed = qsync.run(TargetsData.SYNC);
    assertThat(resumed.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(resumed.resumed()).isTrue();
    assertThat(stateTableNames()).as("the state in force, kept").isEqualTo(state);
    TargetsData.assertTargetEqualsSource(database, warehouse);

    RunReport after = qsync.run(TargetsData.SYNC);
    assertThat(after.counts().changes()).isZero();
    assertThat(after.notes())
        .anyMatch(note -> note.contains("compared in the warehouse with the state of run"))
        .anyMatch(note -> note.startsWith("compared keys and fingerprints only"));
    changeWarehouse();
    RunReport changed = qsync.run(TargetsData.SYNC);
    assertThat(changed.counts().changes()).isEqualTo(8);
    assertThat(changed.notes())
        .anyMatch(note -> note.startsWith("compared keys and fingerprints first"));
    TargetsData.assertTargetEqualsSource(database, warehouse);
    assertThat(stateTableNames())
        .as("a new state, the old one dropped")
        .hasSize(1)
        .isNotEqualTo(state);
    assertThat(
            warehouse.rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                    + STATE
                    + "'"))
        .as("only the current state is left")
        .hasSize(1);
  }

  @Test
  void aRunStartedOverAfterLosingItsStageComparesWithTheTable(TestDatabase database) {
    prepare(database, Mode.MIRROR);
    qsync.run(TargetsData.SYNC);
    changeWarehouse();
    faults.arm(SnapshotCrash.MID_APPLY.fault(7));
    catchThrowable(() -> qsync.run(TargetsData.SYNC));
    faults.disarm();
    String partApplied =
        database.rows("SELECT run_id FROM _qsync_runs WHERE status <> 'succeeded'").get(0).get(0);

    RunReport restarted = qsync.run(TargetsData.SYNC, RunOptions.restarting());
    assertThat(
            warehouse.rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema"
                    + " = '"
                    + STATE
                    + "'"))
        .as("the abandoned run's tables are dropped too")
        .hasSize(1);

    assertThat(restarted.resumed()).isFalse();
    assertThat(restarted.notes())
        .anyMatch(
            note ->
                note.contains(
                    "compared the whole result with the table (run "
                        + partApplied
                        + " stopped part-way after writing 7 changes and was not resumed"));
    TargetsData.assertTargetEqualsSource(database, warehouse);
    RunReport next = qsync.run(TargetsData.SYNC);
    assertThat(next.counts().changes()).isZero();
    assertThat(next.notes()).anyMatch(note -> note.contains("compared in the warehouse"));
  }

  @Test
  void aTableEmptiedByHandIsComparedInFull(TestDatabase database) {
    prepare(database, Mode.MIRROR);
    RunReport first = qsync.run(TargetsData.SYNC);
    database.execute("DELETE FROM experiment_targets");

    RunReport report =
        qsync.run(
            TargetsData.SYNC, RunOptions.restarting() /* the guard would refuse nothing here */);

    assertThat(report.notes())
        .anyMatch(
            note ->
                note.contains(
                    "the table holds 0 rows, but run "
                        + first.runId()
                        + " left "
                        + first.counts().sourceRows()));
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  @Test
  void fullHealsAHandEditTheStateCannotSee(TestDatabase database) {
    prepare(database, Mode.MIRROR);
    qsync.run(TargetsData.SYNC);
    database.execute("UPDATE experiment_targets SET variant = 'hand edit' WHERE user_id = 10");
    assertThat(qsync.run(TargetsData.SYNC).counts().changes())
        .as("the warehouse state does not see edits in the target")
        .isZero();

    RunReport full = qsync.run(TargetsData.SYNC, RunOptions.fullCompare());

    assertThat(full.counts().updates()).isEqualTo(1);
    assertThat(full.notes()).anyMatch(note -> note.contains("(--full was given)"));
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  @Test
  void aChangedQueryShapeOrALostStateIsComparedInFull(TestDatabase database) {
    prepare(database, Mode.MIRROR);
    qsync.run(TargetsData.SYNC);
    warehouse.execute("DROP TABLE " + STATE + "." + warehouseTable("state"));

    RunReport lost = qsync.run(TargetsData.SYNC);

    assertThat(lost.notes())
        .anyMatch(note -> note.contains(") is gone: it was dropped, or expired"));
    TargetsData.assertTargetEqualsSource(database, warehouse);

    warehouse.execute("ALTER TABLE targets ALTER score TYPE DECIMAL(12,3)");
    RunReport reshaped = qsync.run(TargetsData.SYNC);
    assertThat(reshaped.notes())
        .anyMatch(note -> note.contains("the query's columns, the key or the fingerprint changed"));
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  /**
   * A run that changed nothing keeps the state it compared with and records it as its own; when
   * that state is lost, the note names the run that made it (whose id its table carries), the run
   * that kept it last, and what to do.
   */
  @Test
  void aLostStateKeptByARunThatChangedNothingNamesTheRunThatMadeIt(TestDatabase database) {
    prepare(database, Mode.MIRROR);
    RunReport maker = qsync.run(TargetsData.SYNC);
    RunReport keeper = qsync.run(TargetsData.SYNC);
    assertThat(keeper.counts().changes()).isZero();
    assertThat(keeper.notes())
        .anyMatch(
            note ->
                note.startsWith(
                    "compared in the warehouse with the state of run " + maker.runId() + ":"))
        .anyMatch(note -> note.contains("are what the state of run " + maker.runId() + " says"));
    RunReport afterTheKeeper = qsync.run(TargetsData.SYNC);
    assertThat(afterTheKeeper.notes())
        .as("the state the keeper recorded as its own is still the maker's")
        .anyMatch(
            note ->
                note.startsWith(
                    "compared in the warehouse with the state of run " + maker.runId() + ":"))
        .anyMatch(note -> note.contains("are what the state of run " + maker.runId() + " says"));
    warehouse.execute("DROP TABLE " + STATE + "." + warehouseTable("state"));

    RunReport lost = qsync.run(TargetsData.SYNC);

    assertThat(lost.notes().stream().filter(note -> note.contains(" is gone")))
        .singleElement()
        .asString()
        .contains("the state of run " + maker.runId() + " (")
        .contains(
            "kept in force by the runs since, which changed nothing, up to run "
                + afterTheKeeper.runId()
                + ")")
        .contains(
            "Nothing to do for this run; if states keep vanishing, stop what drops tables in");
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  private String warehouseTable(String kind) {
    return warehouse
        .rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                + STATE
                + "' AND table_name LIKE '%\\_"
                + kind
                + "\\_%' ESCAPE '\\'")
        .get(0)
        .get(0);
  }

  /**
   * A query column named q, which was the fingerprint's row alias: DuckDB bound {@code to_json(q)}
   * to the column, every update was missed and the table kept v1.
   */
  @Test
  void aColumnNamedLikeTheFingerprintsRowAliasMissesNoUpdate(TestDatabase database) {
    warehouse = new Warehouse(dir.resolve("aliased.duckdb"));
    warehouse.execute("CREATE TABLE t AS SELECT range AS id, 'q' AS q, 'v1' AS b FROM range(5)");
    SyncSetup setup =
        new SyncSetup(
            dir,
            database,
            warehouse,
            SyncSetup.sync("aliased", "SELECT id, q, b FROM t", "aliased")
                .key(List.of("id"))
                .batchSize(100)
                .build(),
            List.of());
    Qsync aliased =
        new Qsync(
            snapshot(setup.config(), "aliased"),
            Clock.systemUTC(),
            Progress.silent(),
            new Faults());
    aliased.run("aliased");
    warehouse.execute("UPDATE t SET b = 'v2' WHERE id < 3");

    RunReport second = aliased.run("aliased");

    assertThat(second.notes()).anyMatch(note -> note.contains("compared in the warehouse"));
    assertThat(second.counts().updates()).isEqualTo(3);
    assertThat(database.rows("SELECT id, q, b FROM aliased ORDER BY id"))
        .containsExactly(
            List.of("0", "q", "v2"),
            List.of("1", "q", "v2"),
            List.of("2", "q", "v2"),
            List.of("3", "q", "v1"),
            List.of("4", "q", "v1"));
  }

  @Test
  void duplicateKeysStopTheRunBeforeItWrites(TestDatabase database) {
    prepare(database, Mode.MIRROR);
    qsync.run(TargetsData.SYNC);
    warehouse.execute("INSERT INTO targets SELECT * FROM targets WHERE user_id = 10");
    long before = database.count(TargetsData.TABLE);

    Throwable thrown = catchThrowable(() -> qsync.run(TargetsData.SYNC));

    assertThat(thrown)
        .isInstanceOf(QsyncException.class)
        .hasMessageContaining("1 key(s) on more than one row -> (10)");
    assertThat(database.count(TargetsData.TABLE)).isEqualTo(before);
  }

  @Test
  void planShowsTheWarehouseCountsAndLeavesNoTables(TestDatabase database) {
    prepare(database, Mode.MIRROR);
    qsync.run(TargetsData.SYNC);
    changeWarehouse();
    long tables =
        warehouse
            .rows(
                "SELECT count(*) FROM information_schema.tables WHERE"
                    + " table_schema = '"
                    + STATE
                    + "'")
            .stream()
            .mapToLong(row -> Long.parseLong(row.get(0)))
            .sum();

    PlanReport plan = qsync.plan(TargetsData.SYNC);

    assertThat(plan.counts().inserts()).isEqualTo(2);
    assertThat(plan.counts().deletes()).isEqualTo(3);
    assertThat(plan.notes()).anyMatch(note -> note.contains("compared in the warehouse"));
    assertThat(
            warehouse.rows(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                    + STATE
                    + "'"))
        .containsExactly(List.of(String.valueOf(tables)));
  }

  @Test
  void pruneDropsTheTablesOfARemovedSyncAndKeepsTheCurrentState(TestDatabase database) {
    prepare(database, Mode.MIRROR);
    qsync.run(TargetsData.SYNC);
    warehouse.execute("CREATE TABLE " + STATE + ".qsync_gone_0badf00d_state_x AS SELECT 1 AS id");
    warehouse.execute("CREATE TABLE " + STATE + ".not_qsyncs AS SELECT 1 AS id");

    List<PruneReport> dry = qsync.prune(true);
    assertThat(dry).extracting(PruneReport::table).containsExactly("qsync_gone_0badf00d_state_x");
    assertThat(dry).allMatch(report -> !report.dropped());

    List<PruneReport> pruned = qsync.prune(false);

    assertThat(pruned)
        .extracting(PruneReport::reason)
        .containsExactly("no sync of " + qsync.config().file() + " owns it");
    assertThat(
            warehouse.rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema"
                    + " = '"
                    + STATE
                    + "' ORDER BY table_name"))
        .containsExactly(List.of("not_qsyncs"), List.of(warehouseTable("state")));
    assertThat(qsync.run(TargetsData.SYNC).notes())
        .anyMatch(note -> note.contains("compared in the warehouse"));
  }
}
