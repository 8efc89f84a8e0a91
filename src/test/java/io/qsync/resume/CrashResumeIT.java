package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qsync.config.Mode;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.FaultPoint.Point;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.state.RunStatus;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The signature test of qsync in {@code mirror} mode: a run fails wherever a {@link Strike} puts
 * the failure, the next run of the same {@code Qsync} continues after the last committed batch (or
 * starts over when the change set was never complete), and in the end the target equals the source
 * with every changed key written exactly once: nothing applied twice, nothing skipped.
 */
@ExtendWith(MariaDbExtension.class)
class CrashResumeIT {
  /** 2,700 source rows against 2,400 target rows: inserts, updates, deletes and unchanged rows. */
  private static final TargetsData DATA = new TargetsData(3000, 3200);

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(Strike.class)
  void mirrorResumesAfterFailure(Strike strike, TestDatabase database) {
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    SyncSetup setup = SyncSetup.targets(dir, database, warehouse, Mode.MIRROR);
    Faults faults = new Faults();
    Qsync qsync = new Qsync(setup.config(), Clock.systemUTC(), Progress.silent(), faults);

    ChangeCounts expected = DATA.mirrorCounts();
    assertThat(
            List.of(
                expected.inserts(), expected.updates(), expected.deletes(), expected.unchanged()))
        .as("the change set holds every kind of change, and some rows stay")
        .allMatch(count -> count > 0);
    long total = expected.changes();
    int batchSize = setup.sync().batchSize();
    long totalBatches = RunHistory.batchesFor(total, batchSize);
    assertThat(total % batchSize).as("the last batch is a short one").isNotZero();
    List<Long> changedKeys = DATA.mirrorChangedKeys();

    Faults.Once fault = strike.fault(database, total, batchSize);
    faults.arm(fault);
    if (strike == Strike.MID_EXTRACT) {
      TargetsData.failExtractAt(warehouse, DATA.lastSourceKey());
    }
    Throwable thrown = catchThrowable(() -> qsync.run(TargetsData.SYNC));

    strike.assertFailure(thrown);
    if (strike != Strike.MID_EXTRACT) {
      assertThat(fault.struck()).as("the fault struck").isTrue();
    }
    RunHistory crashed = RunHistory.only(database);
    long applied = strike.appliedAfterCrash(total, batchSize);
    assertThat(crashed.status()).isEqualTo(strike.statusAfterCrash());
    assertThat(crashed.phase()).isEqualTo(strike.phaseAfterCrash());
    assertThat(crashed.appliedThrough()).as("checkpoint left by the failed run").isEqualTo(applied);
    assertThat(crashed.batchesApplied()).isEqualTo(strike.committedBatches(totalBatches));
    assertThat(new ArrayList<>(WriteCounter.committed(database).keySet()))
        .as("rows committed by the failed run: exactly the changes up to its checkpoint")
        .isEqualTo(changedKeys.subList(0, (int) applied));
    assertThat(WriteCounter.attempted(database))
        .as("rows written by the failed run, including a rolled-back batch")
        .isEqualTo(applied + strike.rolledBackRows(total, batchSize));
    Sessions.assertLockFree(database, TargetsData.SYNC);
    if (!strike.startsOver()) {
      assertThat(setup.stageFile()).as("the stage outlives the failed run").exists();
    }

    faults.disarm();
    if (strike == Strike.MID_EXTRACT) {
      TargetsData.failExtractAt(warehouse, null);
    }
    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.counts()).isEqualTo(expected);
    assertThat(report.resumed()).isEqualTo(!strike.startsOver());
    assertThat(report.resumedAfter()).isEqualTo(applied);
    assertThat(report.batches() + crashed.batchesApplied())
        .as("batches of the resuming run plus those the failed run committed")
        .isEqualTo(totalBatches);
    if (strike.startsOver()) {
      assertThat(report.runId()).isNotEqualTo(crashed.runId());
      assertThat(report.notes())
          .anyMatch(note -> note.contains(crashed.runId()) && note.contains("starting over"));
    } else {
      assertThat(report.runId()).isEqualTo(crashed.runId());
      assertThat(report.notes()).anyMatch(note -> note.contains("resumed run " + crashed.runId()));
    }

    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, changedKeys);
    assertThat(WriteCounter.attempted(database))
        .as("rows written in all: each change once, plus the rolled-back batch")
        .isEqualTo(total + strike.rolledBackRows(total, batchSize));

    List<RunHistory> history = RunHistory.read(database);
    RunHistory finished;
    if (strike.startsOver()) {
      finished = history.get(history.size() - 1);
      assertThat(history).hasSize(2);
      assertThat(history.get(0).runId()).isEqualTo(crashed.runId());
      assertThat(history.get(0)).as("the failed run keeps its status and error").isEqualTo(crashed);
      assertThat(finished.resumes()).isZero();
      assertThat(report.caughtUp()).isEmpty();
    } else {
      // The resumed run, then a fresh one that compared the table with the query's result again.
      finished = RunHistory.resumedThenCaughtUp(database);
      assertThat(finished.resumes()).isEqualTo(1);
      assertThat(report.caughtUp().orElseThrow().counts().changes()).isZero();
    }
    assertThat(finished.status()).isEqualTo("succeeded");
    assertThat(finished.phase()).isEqualTo("done");
    assertThat(finished.changesTotal()).isEqualTo(total);
    assertThat(finished.appliedThrough()).isEqualTo(total);
    assertThat(finished.batchesApplied()).isEqualTo(totalBatches);
    assertThat(finished.error()).isNull();
    Sessions.assertLockFree(database, TargetsData.SYNC);
    assertThat(setup.stageFile()).as("a finished run drops its stage").doesNotExist();
  }

  /** The checkpoint counts changes, not batches, so the resuming run may use another batch size. */
  @Test
  void resumesWithAnotherBatchSize(TestDatabase database) {
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    SyncSetup setup = SyncSetup.targets(dir, database, warehouse, Mode.MIRROR);
    long total = DATA.mirrorCounts().changes();
    long crashAt = Strike.batchEnd(Strike.K, total, setup.sync().batchSize());
    Qsync failing =
        new Qsync(
            setup.config(),
            Clock.systemUTC(),
            Progress.silent(),
            Faults.at(Point.AFTER_BATCH, crashAt, () -> Faults.crash(Point.AFTER_BATCH, crashAt)));
    assertThat(catchThrowable(() -> failing.run(TargetsData.SYNC)))
        .isInstanceOf(Faults.SimulatedCrash.class);
    SyncSetup resized = setup.withBatchSize(250);
    Qsync resuming =
        new Qsync(resized.config(), Clock.systemUTC(), Progress.silent(), FaultPoint.NONE);

    RunReport report = resuming.run(TargetsData.SYNC);

    assertThat(report.resumed()).isTrue();
    assertThat(report.resumedAfter()).isEqualTo(crashAt);
    long resumedBatches = RunHistory.batchesFor(total - crashAt, 250);
    assertThat(report.batches()).isEqualTo(resumedBatches);
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
    RunHistory finished = RunHistory.resumedThenCaughtUp(database);
    assertThat(finished.status()).isEqualTo("succeeded");
    assertThat(finished.appliedThrough()).isEqualTo(total);
    assertThat(finished.batchesApplied()).isEqualTo(Strike.K + resumedBatches);
    assertThat(finished.resumes()).isEqualTo(1);
  }

  /** A resumed run that fails in turn is resumed again, still from its last committed batch. */
  @Test
  void resumesARunThatFailedAgainAfterResuming(TestDatabase database) {
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    SyncSetup setup = SyncSetup.targets(dir, database, warehouse, Mode.MIRROR);
    Faults faults = new Faults();
    Qsync qsync = new Qsync(setup.config(), Clock.systemUTC(), Progress.silent(), faults);
    long total = DATA.mirrorCounts().changes();
    int batchSize = setup.sync().batchSize();
    long firstCrash = Strike.batchEnd(Strike.K, total, batchSize);
    long secondCrash = Strike.batchEnd(3L * Strike.K, total, batchSize);

    faults.arm(
        Faults.at(
            Point.AFTER_BATCH, firstCrash, () -> Faults.crash(Point.AFTER_BATCH, firstCrash)));
    assertThat(catchThrowable(() -> qsync.run(TargetsData.SYNC)))
        .isInstanceOf(Faults.SimulatedCrash.class);
    faults.arm(
        Faults.at(
            Point.BEFORE_BATCH, secondCrash, () -> Faults.crash(Point.BEFORE_BATCH, secondCrash)));
    assertThat(catchThrowable(() -> qsync.run(TargetsData.SYNC)))
        .isInstanceOf(Faults.SimulatedCrash.class);
    RunHistory twiceFailed = RunHistory.only(database);
    assertThat(twiceFailed.status()).isEqualTo("failed");
    assertThat(twiceFailed.resumes()).isEqualTo(1);
    assertThat(twiceFailed.appliedThrough())
        .isEqualTo(Strike.batchEnd(3L * Strike.K - 1, total, batchSize));
    faults.disarm();

    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(report.resumed()).isTrue();
    assertThat(report.resumedAfter()).isEqualTo(twiceFailed.appliedThrough());
    assertThat(report.batches() + twiceFailed.batchesApplied())
        .isEqualTo(RunHistory.batchesFor(total, batchSize));
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
    RunHistory finished = RunHistory.resumedThenCaughtUp(database);
    assertThat(finished.status()).isEqualTo("succeeded");
    assertThat(finished.resumes()).isEqualTo(2);
    assertThat(finished.appliedThrough()).isEqualTo(total);
    assertThat(finished.batchesApplied()).isEqualTo(RunHistory.batchesFor(total, batchSize));
  }
}
