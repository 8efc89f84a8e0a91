package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.RunFailures.Failure;
import io.qsync.engine.RunFailures.Outcome;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RunFailuresTest {
  private static final Instant STARTED = Instant.parse("2026-03-01T10:00:00Z");

  private static RunRecord run(Mode mode, RunPhase phase) {
    return RunRecord.started("r1", "s", "t", mode.configName(), STARTED, "host", 1, 7)
        .withChangeSet(new ChangeCounts(100, 100, 0, 0, 0), 100)
        .withCheckpoint(40, 2)
        .withPhase(phase);
  }

  private static Outcome classify(RuntimeException error, Mode mode, RunRecord run) {
    return classify(error, mode, run, RunPhase.CHECK, Optional.empty(), false, () -> run);
  }

  private static Outcome classify(
      RuntimeException error,
      Mode mode,
      RunRecord run,
      RunPhase step,
      Optional<RunRecord> previousAttempt,
      boolean interrupted,
      Supplier<RunRecord> recorded) {
    return RunFailures.classify(
        new Failure(error, "s", mode, run, step, previousAttempt, interrupted, true, recorded));
  }

  private static Supplier<RunRecord> notAsked() {
    return () -> {
      throw new AssertionError("the history was read though no message needs it");
    };
  }

  @Test
  void anInterruptedApplySaysWhereTheNextRunResumes() {
    RunRecord run = run(Mode.MIRROR, RunPhase.APPLY);
    QsyncException interrupted = new QsyncException(ErrorKind.INTERRUPTED, "interrupted");

    Outcome outcome =
        classify(
            interrupted,
            Mode.MIRROR,
            run,
            RunPhase.APPLY,
            Optional.empty(),
            true,
            () -> run.withCheckpoint(60, 3));

    assertThat(outcome.status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(outcome.phase()).isEqualTo(RunPhase.APPLY);
    assertThat(outcome.kind()).isEqualTo(ErrorKind.INTERRUPTED);
    assertThat(outcome.discardStage()).isFalse();
    assertThat(outcome.error())
        .hasMessage(
            "interrupted: run r1 of sync 's' stopped after change 60"
                + " of 100 (the batches before it are committed); the next `qsync run s` resumes it")
        .hasCause(interrupted);
  }

  @Test
  void anInterruptedExtractWithAJobIsReadAgain() {
    RunRecord run = run(Mode.MIRROR, RunPhase.EXTRACT).withSourceJob(Optional.of("job_1"));

    Outcome outcome =
        classify(
            new QsyncException(ErrorKind.INTERRUPTED, "interrupted"),
            Mode.MIRROR,
            run,
            RunPhase.QUERY,
            Optional.empty(),
            true,
            () -> run);

    assertThat(outcome.error())
        .hasMessage(
            "interrupted: run r1 of sync 's' stopped while making"
                + " its change set; the next `qsync run s` reads the result of its job again");
  }

  @Test
  void anInterruptedExtractWithoutAJobStartsOver() {
    RunRecord run = run(Mode.MIRROR, RunPhase.EXTRACT);

    Outcome outcome =
        classify(
            new QsyncException(ErrorKind.INTERRUPTED, "interrupted"),
            Mode.MIRROR,
            run,
            RunPhase.QUERY,
            Optional.empty(),
            false,
            () -> run);

    assertThat(outcome.status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(outcome.error())
        .hasMessage(
            "interrupted: run r1 of sync 's' stopped while making"
                + " its change set, before writing anything; the next `qsync run s` starts over");
  }

  @Test
  void anyFailureWhileAskedToStopIsAnInterruption() {
    // A SIGTERM in the first second cancels the warehouse's query: the error it then reports is
    // the interruption's, not a warehouse failure.
    RunRecord run = run(Mode.MIRROR, RunPhase.EXTRACT);
    QsyncException cancelled =
        new QsyncException(ErrorKind.FAILED, "warehouse: the query job failed: job cancelled");

    Outcome outcome =
        classify(cancelled, Mode.MIRROR, run, RunPhase.QUERY, Optional.empty(), true, () -> run);

    assertThat(outcome.status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(outcome.kind()).isEqualTo(ErrorKind.INTERRUPTED);
    assertThat(outcome.error())
        .hasMessageStartingWith("interrupted: run r1 of sync 's' stopped")
        .hasCause(cancelled);
  }

  @Test
  void anyErrorWhileAskedToStopIsAnInterruptionEvenABug() {
    RunRecord run = run(Mode.MIRROR, RunPhase.APPLY);

    Outcome outcome =
        classify(
            new IllegalStateException("closed"),
            Mode.MIRROR,
            run,
            RunPhase.APPLY,
            Optional.empty(),
            true,
            () -> run);

    assertThat(outcome.status()).isEqualTo(RunStatus.INTERRUPTED);
  }

  @Test
  void aCheckThatNeedsActionWhileMakingTheChangeSetRecordsItsStepAndDropsTheStage() {
    QsyncException refused = new QsyncException(ErrorKind.NEEDS_ACTION, "keys collide");

    Outcome outcome =
        classify(
            refused,
            Mode.MIRROR,
            run(Mode.MIRROR, RunPhase.EXTRACT),
            RunPhase.CHECK,
            Optional.empty(),
            false,
            notAsked());

    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.phase()).isEqualTo(RunPhase.CHECK);
    assertThat(outcome.discardStage()).isTrue();
    assertThat(outcome.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    // Nothing was written, so there is nothing the user could expect to resume: no word on it.
    assertThat(outcome.error()).hasMessage("keys collide");
  }

  @Test
  void aRowTheTableRejectsWhileApplyingIsRecordedAsRejected() {
    Outcome outcome =
        classify(
            new QsyncException(ErrorKind.NEEDS_ACTION, "row refused"),
            Mode.UPSERT,
            run(Mode.UPSERT, RunPhase.APPLY),
            RunPhase.APPLY,
            Optional.empty(),
            false,
            notAsked());

    assertThat(outcome.phase()).isEqualTo(RunPhase.REJECTED);
    assertThat(outcome.discardStage()).isTrue();
    assertThat(outcome.error())
        .hasMessage("row refused\nThe next run computes a fresh change set.");
  }

  @Test
  void anAppendThatStoppedOnARejectedRowSaysWhatItCommitted() {
    RunRecord run = run(Mode.APPEND, RunPhase.APPLY);

    Outcome outcome =
        classify(
            new QsyncException(ErrorKind.NEEDS_ACTION, "row refused"),
            Mode.APPEND,
            run,
            RunPhase.APPLY,
            Optional.empty(),
            false,
            () -> run.withCheckpoint(60, 3));

    assertThat(outcome.phase()).isEqualTo(RunPhase.APPLY);
    assertThat(outcome.discardStage()).isFalse();
    assertThat(outcome.error())
        .hasMessage(
            "row refused\nThis append committed 60 of its 100 rows"
                + " (run r1); once fixed, the next run appends the rest after them (with --restart it"
                + " would append all 100 again).");
  }

  @Test
  void anAppendThatCommittedNothingSaysSo() {
    RunRecord run = run(Mode.APPEND, RunPhase.APPLY).withCheckpoint(0, 0);

    Outcome outcome =
        classify(
            new QsyncException(ErrorKind.NEEDS_ACTION, "row refused"),
            Mode.APPEND,
            run,
            RunPhase.APPLY,
            Optional.empty(),
            false,
            () -> run);

    assertThat(outcome.error())
        .hasMessage(
            "row refused\nThis append committed none of its 100"
                + " rows (run r1); once fixed, the next run appends them.");
  }

  @Test
  void anAppendThatNeedsActionBeforeApplyingKeepsItsError() {
    QsyncException refused = new QsyncException(ErrorKind.NEEDS_ACTION, "keys collide");

    Outcome outcome =
        classify(
            refused,
            Mode.APPEND,
            run(Mode.APPEND, RunPhase.EXTRACT),
            RunPhase.CHECK,
            Optional.empty(),
            false,
            notAsked());

    assertThat(outcome.error()).isSameAs(refused);
    assertThat(outcome.phase()).isEqualTo(RunPhase.EXTRACT);
    assertThat(outcome.discardStage()).isFalse();
  }

  @Test
  void aFailureThatCameBackOnTheResumeNeedsAction() {
    RunRecord previous =
        run(Mode.MIRROR, RunPhase.APPLY)
            .finished(
                RunStatus.FAILED,
                STARTED.plusSeconds(3),
                Optional.of("batch ending at change 60 failed (tried 5 times)\nmore"));
    QsyncException again =
        new QsyncException(ErrorKind.FAILED, "batch ending at change 80 failed (tried 3 times)");

    Outcome outcome =
        classify(
            again,
            Mode.MIRROR,
            run(Mode.MIRROR, RunPhase.APPLY),
            RunPhase.APPLY,
            Optional.of(previous),
            false,
            notAsked());

    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(outcome.error())
        .hasMessageStartingWith(
            again.getMessage() + "\nRun r1 failed this way before it was resumed, and again now")
        .hasCause(again);
  }

  @Test
  void aDifferentFailureOnTheResumeIsReportedAsItIs() {
    RunRecord previous =
        run(Mode.MIRROR, RunPhase.APPLY)
            .finished(RunStatus.FAILED, STARTED.plusSeconds(3), Optional.of("connection refused"));
    QsyncException other = new QsyncException(ErrorKind.FAILED, "lock wait timeout");

    Outcome outcome =
        classify(
            other,
            Mode.MIRROR,
            run(Mode.MIRROR, RunPhase.APPLY),
            RunPhase.APPLY,
            Optional.of(previous),
            false,
            notAsked());

    assertThat(outcome.error()).isSameAs(other);
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
  }

  @Test
  void aFailureOfAFreshRunIsReportedAsItIs() {
    QsyncException failed = new QsyncException(ErrorKind.FAILED, "warehouse unreachable");

    Outcome outcome =
        classify(
            failed,
            Mode.MIRROR,
            run(Mode.MIRROR, RunPhase.EXTRACT),
            RunPhase.QUERY,
            Optional.empty(),
            false,
            notAsked());

    assertThat(outcome.error()).isSameAs(failed);
    assertThat(outcome.phase()).isEqualTo(RunPhase.EXTRACT);
    assertThat(outcome.discardStage()).isFalse();
  }

  @Test
  void aBugIsRecordedAsAFailureAndPassesThrough() {
    IllegalStateException bug = new IllegalStateException("bug");

    Outcome outcome = classify(bug, Mode.MIRROR, run(Mode.MIRROR, RunPhase.APPLY));

    assertThat(outcome.error()).isSameAs(bug);
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.kind()).isEqualTo(ErrorKind.INTERNAL);
  }
}
