package io.qsync.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.resume.RunHistory;
import io.qsync.resume.Sessions;
import io.qsync.resume.TargetsData;
import io.qsync.resume.WriteCounter;
import io.qsync.state.RunStatus;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.util.List;
import java.util.Optional;

/**
 * What every fault scenario must end in, whether qsync rides out the fault itself (retries) or
 * fails the run and lets the next one resume: the next run finishes, the target equals the source
 * row for row, every changed key was written exactly once, the history tells the truth, and the
 * sync's lock is free.
 */
final class Recovery {
  private Recovery() {}

  /**
   * Runs the sync with a fault armed: it either succeeds (it rode the fault out) or fails as a run
   * that may pass does (exit 1: FAILED), never as needing action or as a bug. Returns the failure,
   * if any.
   */
  static Optional<QsyncException> runThroughFault(Qsync qsync, String sync) {
    try {
      qsync.run(sync);
      return Optional.empty();
    } catch (QsyncException e) {
      assertThat(e.kind())
          .as("a fault in the network or server is not the user's to fix: %s", e.getMessage())
          .isEqualTo(ErrorKind.FAILED);
      return Optional.of(e);
    }
  }

  /** The next run, with no fault: it must finish. */
  static RunReport nextRunFinishes(Qsync qsync, String sync) {
    RunReport report = qsync.run(sync);
    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    return report;
  }

  /**
   * Asserts the end state after a fault and the runs that followed it: target equals source, each
   * of {@code changedKeys} written once and no other key, the runs since {@code before} ending in
   * one success with every other run failed or abandoned (none left running, none other succeeded),
   * and the lock free.
   */
  static void assertRecovered(
      TestDatabase database,
      Warehouse warehouse,
      String sync,
      List<Long> changedKeys,
      List<RunHistory> before) {
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, changedKeys);
    List<RunHistory> runs =
        RunHistory.read(database).stream()
            .filter(run -> before.stream().noneMatch(old -> old.runId().equals(run.runId())))
            .toList();
    assertThat(runs).as("runs since the fault").isNotEmpty();
    RunHistory last = runs.get(runs.size() - 1);
    assertThat(last.status()).as("the last run, %s", runs).isEqualTo("succeeded");
    int finisher = runs.size() - 1;
    if (finisher > 0
        && runs.get(finisher - 1).status().equals("succeeded")
        && runs.get(finisher - 1).resumes() > 0) {
      // A resumed run, then the fresh run that compared the table with the result again.
      assertThat(last.changesTotal()).as("the catch-up after a resume, %s", runs).isZero();
      finisher--;
    }
    assertThat(runs.subList(0, finisher))
        .as("every other run since the fault says it did not finish")
        .allSatisfy(run -> assertThat(run.status()).isIn("failed", "abandoned"));
    Sessions.assertLockFree(database, sync);
  }

  static void assertRecovered(
      TestDatabase database, Warehouse warehouse, String sync, List<Long> changedKeys) {
    assertRecovered(database, warehouse, sync, changedKeys, List.of());
  }
}
