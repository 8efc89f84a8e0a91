package io.qsync.serve;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.engine.RunReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * @param throttledBy how long the run waited for the throttle, per rule: a failed run's too
 */
public record RunOutcome(
    String sync,
    String trigger,
    Instant startedAt,
    Instant finishedAt,
    Optional<String> runId,
    Optional<RunReport> report,
    Optional<String> error,
    Optional<ErrorKind> errorKind,
    Map<String, Duration> throttledBy) {
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
    throttledBy = Collections.unmodifiableMap(new LinkedHashMap<>(throttledBy));
  }

  /** An outcome whose throttled time is its report's (none for a failure). */
  public RunOutcome(
      String sync,
      String trigger,
      Instant startedAt,
      Instant finishedAt,
      Optional<String> runId,
      Optional<RunReport> report,
      Optional<String> error,
      Optional<ErrorKind> errorKind) {
    this(
        sync,
        trigger,
        startedAt,
        finishedAt,
        runId,
        report,
        error,
        errorKind,
        report.map(RunOutcome::throttledBy).orElse(Map.of()));
  }

  /**
   * What a report's runs waited, per rule: a resumed run's and the fresh run's that caught up after
   * it, added.
   */
  private static Map<String, Duration> throttledBy(RunReport report) {
    Map<String, Duration> total = new LinkedHashMap<>();
    for (Optional<RunReport> one = Optional.of(report);
        one.isPresent();
        one = one.get().caughtUp()) {
      one.get()
          .throttle()
          .throttledBy()
          .forEach((rule, waited) -> total.merge(rule, waited, Duration::plus));
    }
    return total;
  }

  public boolean succeeded() {
    return report.isPresent();
  }

  /** The exit code {@code qsync run} would have ended with: 0, or the error kind's. */
  public int exitCode() {
    return errorKind.map(ErrorKind::exitCode).orElse(0);
  }
}
