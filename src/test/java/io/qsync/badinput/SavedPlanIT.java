package io.qsync.badinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.badinput.Catalogue.Outcome;
import io.qsync.config.ConfigLoader;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunFailedException;
import io.qsync.engine.RunOptions;
import io.qsync.resume.WriteCounter;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A saved plan, applied exactly: {@code qsync plan s --out FILE} keeps the change set and what it
 * was computed against; {@code qsync run s --plan FILE} applies exactly it, or refuses (exit 5,
 * every table as it was) when it is not this sync's plan, is too old, or when the query's result or
 * the table moved since. The scene is the catalogue's: source ids 1-3 ('a', 'b', 'c'), table t
 * holding (1, 'old') and (4, 'gone'), so the plan updates 1, inserts 2 and 3 and deletes 4.
 */
@ExtendWith(MariaDbExtension.class)
class SavedPlanIT {
  private static final List<List<String>> RESULT =
      List.of(List.of("1", "a"), List.of("2", "b"), List.of("3", "c"));

  @TempDir Path dir;

  private Catalogue scene;
  private TestDatabase database;
  private Path plan;

  @BeforeEach
  void scene(TestDatabase testDatabase) {
    database = testDatabase;
    scene = new Catalogue(dir, database);
    plan = dir.resolve("plans").resolve("plan.qsp");
  }

  private List<List<String>> table() {
    return database.rows("SELECT id, name FROM t ORDER BY id");
  }

  private Outcome savePlan() {
    Outcome saved = scene.run("plan", "s", "--out", plan.toString());
    assertThat(saved.exitCode()).as(saved.all()).isZero();
    assertThat(plan).exists();
    return saved;
  }

  /**
   * Applies the saved plan through the engine, failing once right after the batch that ends at
   * change {@code seq} committed (a passing failure: the run stops in phase apply).
   */
  private RunFailedException applyFailingAfter(long seq, AtomicBoolean struck) {
    FaultPoint fault =
        (point, value) -> {
          if (point == FaultPoint.Point.AFTER_BATCH && value == seq && !struck.getAndSet(true)) {
            throw new QsyncException(ErrorKind.FAILED, "injected failure after change " + seq);
          }
        };
    Qsync qsync =
        new Qsync(
            ConfigLoader.loadForRuns(dir.resolve("qsync.yaml"), Map.of()),
            Clock.systemUTC(),
            Progress.silent(),
            fault);
    return catchThrowableOfType(
        RunFailedException.class, () -> qsync.run("s", RunOptions.applying(plan)));
  }

  @Test
  void aSavedPlanIsAppliedExactlyOnceAndTheRunIsNamedAfterIt() throws Exception {
    Map<String, List<List<String>>> before = scene.snapshot();
    Outcome saved = scene.run("-o", "json", "plan", "s", "--out", plan.toString());
    assertThat(saved.exitCode()).as(saved.all()).isZero();
    JsonNode json = new ObjectMapper().readTree(saved.out());
    assertThat(json.get("plan_file").asText()).isEqualTo(plan.toString());
    String planId = json.get("plan_id").asText();
    assertThat(planId).startsWith("plan-");
    assertThat(json.get("counts").get("deleted").asLong()).isEqualTo(1);
    assertThat(scene.snapshot()).as("a plan writes nothing to the database").isEqualTo(before);

    Outcome text = scene.run("plan", "s", "--out", dir.resolve("again.qsp").toString());
    assertThat(text.out())
        .contains("saved to " + dir.resolve("again.qsp"))
        .contains("apply exactly this change with: qsync run s --plan " + dir.resolve("again.qsp"));

    Outcome applied = scene.run("run", "s", "--plan", plan.toString());

    assertThat(applied.exitCode()).as(applied.all()).isZero();
    assertThat(applied.out()).contains("applied plan " + plan);
    assertThat(table()).isEqualTo(RESULT);
    assertThat(database.rows("SELECT run_id, status, inserted, updated, deleted FROM _qsync_runs"))
        .containsExactly(List.of(planId, "succeeded", "2", "1", "1"));

    database.execute("UPDATE t SET name = 'by hand' WHERE id = 3");
    Outcome twice = scene.run("run", "s", "--plan", plan.toString());
    assertThat(twice.exitCode()).as(twice.all()).isEqualTo(5);
    assertThat(twice.err())
        .contains(
            "plan " + plan + " was already used by run " + planId + " (succeeded)",
            "a plan is applied once, and nothing was written");
    assertThat(database.rows("SELECT name FROM t WHERE id = 3"))
        .containsExactly(List.of("by hand"));
  }

  @Test
  void aPlanIsRefusedOnceTheTableChanged() {
    savePlan();
    database.execute("UPDATE t SET name = 'by hand' WHERE id = 4");
    Map<String, List<List<String>>> before = scene.snapshot();

    Outcome refused = scene.run("run", "s", "--plan", plan.toString());

    scene.assertRefused(
        refused,
        before,
        5,
        "sync 's': table t in the database changed since the plan was made (2 rows then and"
            + " now, with different values); nothing was written",
        "qsync plan s --out " + plan);

    database.execute("INSERT INTO t VALUES (9, 'new')");
    scene.assertRefused(
        scene.run("run", "s", "--plan", plan.toString()),
        scene.snapshot(),
        5,
        "table t in the database changed since the plan was made (2 rows then, 3 now)");
  }

  @Test
  void aPlanIsRefusedOnceTheQueryResultChanged() {
    savePlan();
    scene.warehouse().execute("INSERT INTO src VALUES (5, 'e')");
    Map<String, List<List<String>>> before = scene.snapshot();

    Outcome refused = scene.run("run", "s", "--plan", plan.toString());

    scene.assertRefused(
        refused,
        before,
        5,
        "sync 's': the query's result in the warehouse changed since the plan was made (3 rows"
            + " then, 4 now); nothing was written",
        "qsync plan s --out " + plan + ", then qsync run s --plan " + plan);
  }

  @Test
  void aPlanOlderThanTheBoundIsRefusedUnlessTheBoundIsRaised() {
    savePlan();
    Map<String, List<List<String>>> before = scene.snapshot();
    Clock dayLater = Clock.offset(Clock.systemUTC(), Duration.ofHours(25));

    Outcome refused = scene.runAt(dayLater, scene.yaml(), "run", "s", "--plan", plan.toString());

    scene.assertRefused(
        refused,
        before,
        5,
        "sync 's': plan " + plan + " was made 25h ago",
        "more than --max-plan-age 24h allows; nothing was written");
    Outcome shorter = scene.run("run", "s", "--plan", plan.toString(), "--max-plan-age", "0s");
    scene.assertRefused(shorter, before, 5, "more than --max-plan-age 0s allows");

    Outcome raised =
        scene.runAt(
            dayLater, scene.yaml(), "run", "s", "--plan", plan.toString(), "--max-plan-age", "2d");
    assertThat(raised.exitCode()).as(raised.all()).isZero();
    assertThat(table()).isEqualTo(RESULT);
  }

  @Test
  void aPlanIsRefusedForAnotherSyncAChangedDefinitionOrAFileThatIsNoPlan() throws Exception {
    savePlan();
    Map<String, List<List<String>>> before = scene.snapshot();

    Outcome otherSync =
        scene.runWith(
            scene.yaml().replace("  s:\n", "  other:\n"),
            "run",
            "other",
            "--plan",
            plan.toString());
    scene.assertRefused(
        otherSync,
        before,
        5,
        "plan " + plan + " is a plan for sync 's' (table t), not for sync 'other' (table t)",
        "qsync plan other --out FILE");

    Outcome changed =
        scene
            .with("query", "\"SELECT * FROM src WHERE id < 3\"")
            .run("run", "s", "--plan", plan.toString());
    scene.assertRefused(
        changed,
        before,
        5,
        "sync 's': its definition (query, key, table, mode, source, target or the query's columns)"
            + " changed since plan "
            + plan
            + " was made",
        "Make a new plan: qsync plan s --out " + plan);
    scene.with("query", "\"SELECT * FROM src\"");

    Path warehouse = dir.resolve("warehouse.duckdb");
    scene.assertRefused(
        scene.run("run", "s", "--plan", warehouse.toString()),
        before,
        5,
        warehouse + " is not a qsync plan");
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "not a plan\n");
    scene.assertRefused(
        scene.run("run", "s", "--plan", text.toString()),
        before,
        5,
        text + " is not a qsync plan (DuckDB cannot open it");
    scene.assertRefused(
        scene.run("run", "s", "--plan", dir.resolve("absent.qsp").toString()),
        before,
        2,
        "there is no plan file " + dir.resolve("absent.qsp"));
    assertThat(Files.exists(dir.resolve("absent.qsp.tmp"))).isFalse();
  }

  @Test
  void aRunStoppedPartWayThroughAPlanResumesItAndWritesEachChangeOnce() {
    WriteCounter.install(database, "t", "id");
    // one change a batch, every batch (no batch_time to grow them): the strike lands on change 2
    scene.with("batch_size", "1").with("throttle", "{ batch_time: 0 }");
    savePlan();
    AtomicBoolean struck = new AtomicBoolean();

    RunFailedException failed = applyFailingAfter(2, struck);

    assertThat(struck).isTrue();
    assertThat(failed.appliedThrough()).isEqualTo(2);
    assertThat(table())
        .as("the update of 1 and the insert of 2 committed")
        .containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("4", "gone"));
    Outcome status = scene.run("status");
    assertThat(status.out())
        .as(status.all())
        .contains("2 of 4 changes of the saved plan applied; `qsync run s --plan FILE`");
    // The changes the plan's run committed moved the table: its own resumption is not refused.
    Outcome resumed = scene.run("run", "s", "--plan", plan.toString());

    assertThat(resumed.exitCode()).as(resumed.all()).isZero();
    assertThat(table()).isEqualTo(RESULT);
    WriteCounter.assertEachWrittenOnce(database, List.of(1L, 2L, 3L, 4L));
    assertThat(database.rows("SELECT status, resumes, applied_through FROM _qsync_runs"))
        .containsExactly(List.of("succeeded", "1", "4"));
  }

  @Test
  void aPlainRunFinishesAStoppedPlanThenComparesWithTheQueryAsItIsNow() {
    scene.with("batch_size", "1").with("throttle", "{ batch_time: 0 }");
    savePlan();
    applyFailingAfter(1, new AtomicBoolean());
    scene.warehouse().execute("INSERT INTO src VALUES (5, 'e')");

    Outcome plain = scene.run("run", "s");

    assertThat(plain.exitCode()).as(plain.all()).isZero();
    assertThat(table())
        .containsExactly(
            List.of("1", "a"), List.of("2", "b"), List.of("3", "c"), List.of("5", "e"));
    assertThat(
            database.rows(
                "SELECT run_id LIKE 'plan-%', status, resumes FROM _qsync_runs"
                    + " ORDER BY started_at"))
        .as("the plan's run, resumed, then a fresh run that brought the new row")
        .containsExactly(List.of("1", "succeeded", "1"), List.of("0", "succeeded", "0"));
  }

  @Test
  void aLargeDeleteTheGuardStopsGoesThroughAsAReviewedPlan() {
    // ten rows in the table, of which the source (ids 1-3) keeps three
    database.execute("INSERT INTO t SELECT seq, 'x' FROM seq_5_to_12");
    Map<String, List<List<String>>> before = scene.snapshot();

    Outcome guarded = scene.run("run", "s");
    scene.assertRefused(
        guarded,
        before,
        5,
        "this run would delete 9 rows of the 10 rows in table t (90%)",
        "Review the deletes and apply exactly what you reviewed: qsync plan s --out plan.qsp",
        "then qsync run s --plan plan.qsp");

    Outcome reviewed = savePlan();
    assertThat(reviewed.out())
        .contains("a run would stop here, before writing:")
        .contains("applying this reviewed plan goes through the delete guard");

    Outcome applied = scene.run("run", "s", "--plan", plan.toString());
    assertThat(applied.exitCode()).as(applied.all()).isZero();
    assertThat(table()).isEqualTo(RESULT);
  }
}
