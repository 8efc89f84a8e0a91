package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.QsyncException;
import io.qsync.state.RunPhase;

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

  /** {@code failure}'s message, kind, cause and stack, with the run it ended. */
  public RunFailedException(
      QsyncException failure,
      String runId,
      RunPhase phase,
      long appliedThrough,
      long changesTotal) {
    super(failure.kind(), failure.getMessage(), failure.getCause());
    this.runId = requireNonNull(runId, "runId is null");
    this.phase = requireNonNull(phase, "phase is null");
    this.appliedThrough = appliedThrough;
    this.changesTotal = changesTotal;
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
      long changesTotal) {
    return failure instanceof QsyncException known
        ? new RunFailedException(known, runId, phase, appliedThrough, changesTotal)
        : failure;
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
