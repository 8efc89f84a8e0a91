package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.ErrorKind;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.RunReport;
import io.qsync.serve.RunOutcome;
import io.qsync.state.RunStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunLogTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
  private final StringWriter text = new StringWriter();
  private final RunLog log = new RunLog(new PrintWriter(text, true));

  @Test
  void aStartIsOneLineWithTheSyncAndWhatStartedIt() {
    log.runStarted("orders", "schedule", START);

    assertThat(text.toString())
        .isEqualTo(
            "2026-03-01T10:00:00Z run started: sync orders (schedule)" + System.lineSeparator());
  }

  @Test
  void aSuccessIsOneLineWithTheRunIdCountsDurationAndExitCode() {
    RunReport report =
        RunReport.builder(
                "orders",
                "r-1",
                RunStatus.SUCCEEDED,
                "mirror",
                "orders",
                new ChangeCounts(100, 3, 1, 2, 94))
            .batches(1)
            .duration(Duration.ofMillis(2500))
            .build();
    log.runFinished(
        new RunOutcome(
            "orders",
            "schedule",
            START,
            START.plusMillis(2500),
            Optional.of("r-1"),
            Optional.of(report),
            Optional.empty(),
            Optional.empty()));

    assertThat(text.toString())
        .isEqualTo(
            "2026-03-01T10:00:02.500Z run succeeded: sync orders, run r-1: 3 inserted, 1 updated,"
                + " 2 deleted, 94 unchanged in 2.5 s (exit 0)"
                + System.lineSeparator());
  }

  @Test
  void aRunThatFoundTheLockHeldDidNotStartItDidNotFail() {
    log.runFinished(
        new RunOutcome(
            "orders",
            "run now",
            START,
            START.plusSeconds(10),
            Optional.empty(),
            Optional.empty(),
            Optional.of(
                "sync 'orders' is locked by another run\nWait for it, or stop it: qsync status"),
            Optional.of(ErrorKind.LOCK_HELD)));

    assertThat(text.toString())
        .isEqualTo(
            "2026-03-01T10:00:10Z run not started: sync orders after 10.0 s: sync 'orders' is locked by"
                + " another run (exit 4)"
                + System.lineSeparator());
  }

  @Test
  void aFailureIsOneLineWithTheErrorsFirstLineAndExitCode() {
    log.runFinished(
        new RunOutcome(
            "orders",
            "schedule",
            START,
            START.plusSeconds(4),
            Optional.of("r-2"),
            Optional.empty(),
            Optional.of("the database refused ...\nTo fix: ..."),
            Optional.of(ErrorKind.NEEDS_ACTION)));

    assertThat(text.toString())
        .isEqualTo(
            "2026-03-01T10:00:04Z run failed: sync orders, run r-2 after 4.0 s: the database"
                + " refused ... (exit 5)"
                + System.lineSeparator());
  }

  @Test
  void anInterruptedRunSaysSoWithItsExitCode() {
    log.runFinished(
        new RunOutcome(
            "orders",
            "schedule",
            START,
            START.plusSeconds(1),
            Optional.of("r-3"),
            Optional.empty(),
            Optional.of("interrupted: run r-3 of sync 'orders' stopped after batch 2"),
            Optional.of(ErrorKind.INTERRUPTED)));

    assertThat(text.toString())
        .startsWith("2026-03-01T10:00:01Z run interrupted: sync orders, run r-3 after 1.0 s:")
        .endsWith("(exit 130)" + System.lineSeparator());
  }

  @Test
  void aResumedRunSaysAfterWhichChange() {
    RunReport resumed =
        RunReport.builder(
                "orders",
                "r-7",
                RunStatus.SUCCEEDED,
                "mirror",
                "orders",
                new ChangeCounts(3, 1, 2, 0, 94))
            .resumed(true)
            .resumedAfter(94_488)
            .batches(2)
            .duration(Duration.ofMillis(2500))
            .build();
    log.runFinished(
        new RunOutcome(
            "orders",
            "schedule",
            START,
            START.plusMillis(2500),
            Optional.of("r-7"),
            Optional.of(resumed),
            Optional.empty(),
            Optional.empty()));

    assertThat(text.toString())
        .startsWith(
            "2026-03-01T10:00:02.500Z run succeeded: sync orders, run r-7 (resumed after change"
                + " 94,488): ");
  }
}
