package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.QsyncException;
import io.qsync.state.RunPhase;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run that failed, with the part of its result a person needs to pick it up: which run, in which
 * phase, after which change (as Flyway's error result carries its partial result). Its message and
 * kind are the failure's own.
 */
public final class RunFailedException extends QsyncException {
  private static final long serialVersionUID = 1L;

  private final String runId;
  private final RunPhase phase;
  private final long appliedThrough;
  private final long changesTotal;
  private final Map<String, Duration> throttledBy;

  /** {@code failure}'s message, kind, cause and stack, with the run it ended. */
  public RunFailedException(
      QsyncException failure,
      String runId,
      RunPhase phase,
      long appliedThrough,
      long changesTotal) {
    this(failure, runId, phase, appliedThrough, changesTotal, Map.of());
  }

  /**
   * {@code failure}'s message, kind, cause and stack, with the run it ended and the time its
   * batches waited for the throttle, per rule, before it did.
   */
  public RunFailedException(
      QsyncException failure,
      String runId,
      RunPhase phase,
      long appliedThrough,
      long changesTotal,
      Map<String, Duration> throttledBy) {
    super(failure.kind(), failure.getMessage(), failure.getCause());
    this.runId = requireNonNull(runId, "runId is null");
    this.phase = requireNonNull(phase, "phase is null");
    this.appliedThrough = appliedThrough;
    this.changesTotal = changesTotal;
    this.throttledBy = Collections.unmodifiableMap(new LinkedHashMap<>(throttledBy));
    setStackTrace(failure.getStackTrace());
    for (Throwable suppressed : failure.getSuppressed()) {
      addSuppressed(suppressed);
    }
  }

  /**
   * {@code failure} with its run: the same message, kind, cause and stack; an error that is not a
   * {@link QsyncException} (a bug) is returned as it is.
   */
  static RuntimeException of(
      RuntimeException failure,
      String runId,
      RunPhase phase,
      long appliedThrough,
      long changesTotal,
      Map<String, Duration> throttledBy) {
    return failure instanceof QsyncException known
        ? new RunFailedException(known, runId, phase, appliedThrough, changesTotal, throttledBy)
        : failure;
  }

  /** How long the run's batches waited for the throttle before it failed, per rule. */
  public Map<String, Duration> throttledBy() {
    return throttledBy;
  }

  public String runId() {
    return runId;
  }

  /** The phase the run history records for it. */
  public RunPhase phase() {
    return phase;
  }

  /** Its checkpoint: the changes committed, in order, before it stopped. */
  public long appliedThrough() {
    return appliedThrough;
  }

  public long changesTotal() {
    return changesTotal;
  }
}
