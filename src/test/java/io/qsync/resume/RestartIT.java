package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qsync.cli.Main;
import io.qsync.config.Mode;
import io.qsync.destination.mysql.MySqlShadow;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.FaultPoint.Point;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunOptions;
import io.qsync.engine.RunReport;
import io.qsync.state.RunStatus;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * When an unfinished run is not continued: {@code --restart} discards it (history says 'abandoned')
 * with its stage and shadow table, and the new run builds its change set against the table as the
 * old run left it; so does a run that finds the stage gone or the sync's definition changed. Either
 * way the target ends equal to the source with no change written twice.
 */
@ExtendWith(MariaDbExtension.class)
class RestartIT {
  private static final TargetsData DATA = new TargetsData(3000, 3200);
  private static final int K = Strike.K;

  @TempDir Path dir;

  @Test
  void restartDiscardsTheUnfinishedRunAndItsStage(TestDatabase database) {
    Warehouse warehouse = scenario(database);
    SyncSetup setup = SyncSetup.targets(dir, database, warehouse, Mode.MIRROR);
    Faults faults = new Faults();
    Qsync qsync = new Qsync(setup.config(), Clock.systemUTC(), Progress.silent(), faults);
    RunHistory failed = failAfterBatch(qsync, faults, database, setup.sync().batchSize());
    long applied = failed.appliedThrough();

    RunReport report = qsync.run(TargetsData.SYNC, RunOptions.restarting());

    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.resumed()).isFalse();
    assertThat(report.runId()).isNotEqualTo(failed.runId());
    assertThat(report.notes())
        .anyMatch(note -> note.contains(failed.runId()) && note.contains("--restart"));
    ChangeCounts remaining = DATA.mirrorCountsAfter(applied);
    assertThat(report.counts())
        .as("the new change set: what the failed run had not applied")
        .isEqualTo(remaining);
    assertThat(report.batches())
        .isEqualTo(RunHistory.batchesFor(remaining.changes(), setup.sync().batchSize()));
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());

    List<RunHistory> history = RunHistory.read(database);
    assertThat(history).hasSize(2);
    assertThat(history.get(0).runId()).isEqualTo(failed.runId());
    assertThat(history.get(0).status()).isEqualTo("abandoned");
    assertThat(history.get(0).error())
        .startsWith("abandoned: --restart was given")
        .contains("simulated crash");
    assertThat(history.get(0).appliedThrough())
        .as("its checkpoint stays as it was")
        .isEqualTo(applied);
    RunHistory restarted = history.get(1);
    assertThat(restarted.runId()).isEqualTo(report.runId());
    assertThat(restarted.status()).isEqualTo("succeeded");
    assertThat(restarted.resumes()).isZero();
    assertThat(restarted.changesTotal()).isEqualTo(remaining.changes());
    assertThat(restarted.appliedThrough()).isEqualTo(remaining.changes());
    Sessions.assertLockFree(database, TargetsData.SYNC);
    assertThat(setup.stageFile()).doesNotExist();
  }

  /** {@code qsync run --restart} of a replace: the half-built shadow is dropped and built anew. */
  @Test
  void restartFromTheCommandLineRebuildsTheShadowTable(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    DATA.createWarehouse(warehouse);
    SyncSetup setup = SyncSetup.targets(dir, database, warehouse, Mode.REPLACE);
    Path config = setup.writeYaml();
    Faults faults = new Faults();
    Qsync qsync = new Qsync(setup.config(), Clock.systemUTC(), Progress.silent(), faults);
    RunHistory failed = failAfterBatch(qsync, faults, database, setup.sync().batchSize());
    String shadow = MySqlShadow.shadowName(TargetsData.TABLE);
    assertThat(database.count(shadow)).isEqualTo(failed.appliedThrough());
    assertThat(database.count(TargetsData.TABLE))
        .as("the table qsync created stays empty")
        .isZero();

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        Main.execute(
            new String[] {"run", TargetsData.SYNC, "--restart", "--config", config.toString()},
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false,
            Clock.systemUTC());

    assertThat(exitCode).as("stderr:\n%s", err).isZero();
    TargetsData.assertTargetEqualsSource(database, warehouse);
    assertThat(database.hasTable(shadow)).isFalse();
    List<RunHistory> history = RunHistory.read(database);
    assertThat(history).extracting(RunHistory::status).containsExactly("abandoned", "succeeded");
    long total = DATA.sourceKeys().size();
    assertThat(history.get(1).changesTotal()).isEqualTo(total);
    assertThat(history.get(1).batchesApplied())
        .as("the shadow is filled from the first batch again")
        .isEqualTo(RunHistory.batchesFor(total, setup.sync().batchSize()));
    Sessions.assertLockFree(database, TargetsData.SYNC);
  }

  /**
   * A run killed on one machine leaves no stage on the next: the next run cannot continue it,
   * closes it as 'abandoned' (it still said 'running') and starts over against the table as the
   * killed run left it.
   */
  @Test
  void startsOverWhenTheStageIsGone(TestDatabase database) throws IOException {
    Warehouse warehouse = scenario(database);
    SyncSetup setup = SyncSetup.targets(dir, database, warehouse, Mode.MIRROR);
    Faults faults = new Faults();
    Qsync qsync = new Qsync(setup.config(), Clock.systemUTC(), Progress.silent(), faults);
    faults.arm(
        Strike.WORK_SESSION_KILLED.fault(
            database, DATA.mirrorCounts().changes(), setup.sync().batchSize()));
    assertThat(catchThrowable(() -> qsync.run(TargetsData.SYNC))).isNotNull();
    faults.disarm();
    // The run recorded its failure; a killed process would have left it 'running'.
    database.execute("UPDATE `_qsync_runs` SET status = 'running', error = NULL");
    RunHistory killed = RunHistory.only(database);
    deleteRecursively(setup.stageDir());

    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(report.resumed()).isFalse();
    assertThat(report.notes())
        .anyMatch(
            note ->
                note.contains(killed.runId())
                    && note.contains("is gone")
                    && note.contains("starting over"));
    assertThat(report.counts()).isEqualTo(DATA.mirrorCountsAfter(killed.appliedThrough()));
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
    List<RunHistory> history = RunHistory.read(database);
    assertThat(history).extracting(RunHistory::status).containsExactly("abandoned", "succeeded");
    assertThat(history.get(0).error()).contains("is gone");
    Sessions.assertLockFree(database, TargetsData.SYNC);
  }

  /**
   * A changed query makes the staged change set worthless: the failed run is not continued (it
   * keeps its status and error), and the new run makes the table equal to the new query.
   */
  @Test
  void startsOverWhenTheDefinitionChanged(TestDatabase database) {
    Warehouse warehouse = scenario(database);
    SyncSetup setup = SyncSetup.targets(dir, database, warehouse, Mode.MIRROR);
    Faults faults = new Faults();
    Qsync qsync = new Qsync(setup.config(), Clock.systemUTC(), Progress.silent(), faults);
    RunHistory failed = failAfterBatch(qsync, faults, database, setup.sync().batchSize());
    SyncSetup changed = setup.withQuery(TargetsData.QUERY + " AND user_id <= 2500");
    Qsync changedQsync =
        new Qsync(changed.config(), Clock.systemUTC(), Progress.silent(), FaultPoint.NONE);

    RunReport report = changedQsync.run(TargetsData.SYNC);

    assertThat(report.resumed()).isFalse();
    assertThat(report.notes())
        .anyMatch(note -> note.contains(failed.runId()) && note.contains("definition changed"));
    SameRows.assertSame(
        TargetsData.sourceRows(warehouse, changed.sync().query()),
        TargetsData.tableRows(database, TargetsData.TABLE),
        "the changed query",
        TargetsData.TABLE);
    List<RunHistory> history = RunHistory.read(database);
    assertThat(history).hasSize(2);
    assertThat(history.get(0)).as("the failed run keeps its status and error").isEqualTo(failed);
    assertThat(history.get(1).status()).isEqualTo("succeeded");
    Sessions.assertLockFree(database, TargetsData.SYNC);
  }

  private Warehouse scenario(TestDatabase database) {
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    return warehouse;
  }

  /** Runs the sync until batch K has committed, then crashes it; returns the failed run. */
  private static RunHistory failAfterBatch(
      Qsync qsync, Faults faults, TestDatabase database, int batchSize) {
    long end = (long) K * batchSize;
    faults.arm(Faults.at(Point.AFTER_BATCH, end, () -> Faults.crash(Point.AFTER_BATCH, end)));
    assertThat(catchThrowable(() -> qsync.run(TargetsData.SYNC)))
        .isInstanceOf(Faults.SimulatedCrash.class);
    faults.disarm();
    RunHistory failed = RunHistory.only(database);
    assertThat(failed.status()).isEqualTo("failed");
    assertThat(failed.appliedThrough()).isEqualTo(end);
    return failed;
  }

  private static void deleteRecursively(Path folder) throws IOException {
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
