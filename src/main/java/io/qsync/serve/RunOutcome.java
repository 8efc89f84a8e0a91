package io.qsync.serve;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.engine.RunReport;
import java.time.Instant;
import java.util.Optional;

/**
 * How one run that {@code qsync serve} started ended: its report, or the error that stopped it.
 * Exactly one of {@code report} and {@code error} is present. Immutable.
 *
 * @param trigger what started the run: {@code schedule} or {@code run now}
 * @param runId the run's id in the history; absent when it failed before it was recorded (a target
 *     that cannot be reached, a lock held by another run)
 * @param error the error as shown to a person (never a secret), in full
 * @param errorKind the error's kind, which gives the exit code a {@code qsync run} would have had
 */
public record RunOutcome(
    String sync,
    String trigger,
    Instant startedAt,
    Instant finishedAt,
    Optional<String> runId,
    Optional<RunReport> report,
    Optional<String> error,
    Optional<ErrorKind> errorKind) {
  public RunOutcome {
    requireNonNull(sync, "sync is null");
    requireNonNull(trigger, "trigger is null");
    requireNonNull(startedAt, "startedAt is null");
    requireNonNull(finishedAt, "finishedAt is null");
    requireNonNull(runId, "runId is null");
    requireNonNull(report, "report is null");
    requireNonNull(error, "error is null");
    requireNonNull(errorKind, "errorKind is null");
    if (report.isPresent() == error.isPresent() || error.isPresent() != errorKind.isPresent()) {
      throw new IllegalArgumentException("a run outcome has either a report or an error and kind");
    }
  }

  public boolean succeeded() {
    return report.isPresent();
  }

  /** The exit code {@code qsync run} would have ended with: 0, or the error kind's. */
  public int exitCode() {
    return errorKind.map(ErrorKind::exitCode).orElse(0);
  }
}
