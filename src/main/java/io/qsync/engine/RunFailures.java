package io.qsync.engine;

import static io.qsync.Messages.firstLine;
import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a failed run records and reports: a pure classification of the error, the step the run was
 * in and the attempt before it. Thread-safe: no state.
 */
public final class RunFailures {
  private RunFailures() {}

  /**
   * What happened.
   *
   * @param run the run as this process last knew it
   * @param step the step the run was in, finer than its phase while it made its change set
   * @param previousAttempt the failed or killed attempt this run resumed, if it resumed one
   * @param interrupted the thread was asked to stop (Ctrl-C, SIGTERM) by the time it failed
   * @param resumesQueries the source can read a query's result again by its job
   * @param recorded the run as the history holds it now (how far it committed); asked only when a
   *     message needs it
   */
  record Failure(
      RuntimeException error,
      String sync,
      Mode mode,
      RunRecord run,
      RunPhase step,
      Optional<RunRecord> previousAttempt,
      boolean interrupted,
      boolean resumesQueries,
      Supplier<RunRecord> recorded) {
    Failure {
      requireNonNull(error, "error is null");
      requireNonNull(sync, "sync is null");
      requireNonNull(mode, "mode is null");
      requireNonNull(run, "run is null");
      requireNonNull(step, "step is null");
      requireNonNull(previousAttempt, "previousAttempt is null");
      requireNonNull(recorded, "recorded is null");
    }
  }

  /**
   * What to record and throw.
   *
   * @param status the status the run history records
   * @param phase the phase it records: one that {@link RunPhase#startsOver()} when the stage is
   *     dropped, so that status and plan do not promise a resume
   * @param error what the run throws; its kind is the exit code
   * @param discardStage the change set is stale once a person fixes what the error names
   */
  record Outcome(RunStatus status, RunPhase phase, RuntimeException error, boolean discardStage) {
    Outcome {
      requireNonNull(status, "status is null");
      requireNonNull(phase, "phase is null");
      requireNonNull(error, "error is null");
    }

    ErrorKind kind() {
      return error instanceof QsyncException known ? known.kind() : ErrorKind.INTERNAL;
    }
  }

  /**
   * What a run that stopped needing action while applying its change set (a row the database
   * rejected) says of the next one, as the last line of its error. {@code status} and {@code
   * history} say it in their own words, by the step the run stopped in.
   */
  public static final String FRESH_CHANGE_SET = "The next run computes a fresh change set.";

  static Outcome classify(Failure failure) {
    RuntimeException e = failure.error();
    RunRecord run = failure.run();
    RunPhase phase = run.phase();
    // Whatever broke once the process was asked to stop (a query cancelled, a connection closed
    // under it) broke because it was asked to stop: the run was interrupted, nothing else.
    if (failure.interrupted() || kindOf(e) == ErrorKind.INTERRUPTED) {
      return new Outcome(RunStatus.INTERRUPTED, phase, interrupted(failure), false);
    }
    if (e instanceof QsyncException error && error.kind() == ErrorKind.NEEDS_ACTION) {
      if (failure.mode() != Mode.APPEND && (phase == RunPhase.EXTRACT || phase == RunPhase.APPLY)) {
        // The change set is stale once a person fixes the data: the next run diffs afresh.
        // (Writes are idempotent, so whatever this run committed is simply compared again.)
        // Only a run that was applying it, whose committed batches promise a resume, says so; one
        // that stopped while making it (a query refused, a check failed) wrote nothing to resume.
        return phase == RunPhase.APPLY
            ? new Outcome(
                RunStatus.FAILED, RunPhase.REJECTED, amended(error, FRESH_CHANGE_SET), true)
            : new Outcome(RunStatus.FAILED, failure.step(), error, true);
      }
      if (phase == RunPhase.APPLY) {
        return new Outcome(
            RunStatus.FAILED, phase, amended(error, appendCommitted(failure)), false);
      }
      return new Outcome(RunStatus.FAILED, phase, error, false);
    }
    if (e instanceof QsyncException error
        && error.kind() == ErrorKind.FAILED
        && failure.previousAttempt().isPresent()
        && sameFailure(failure.previousAttempt().get(), error)) {
      return new Outcome(
          RunStatus.FAILED, phase, failedTwice(failure.previousAttempt().get(), error), false);
    }
    return new Outcome(RunStatus.FAILED, phase, e, false);
  }

  private static ErrorKind kindOf(RuntimeException e) {
    return e instanceof QsyncException known ? known.kind() : null;
  }

  /** What an interrupted run says: how far it got, and that the next run resumes it. */
  private static QsyncException interrupted(Failure failure) {
    RunRecord run = failure.run();
    String sync = failure.sync();
    RunRecord recorded = failure.recorded().get();
    String where =
        recorded.phase().resumable() || run.phase().resumable()
            ? String.format(
                Locale.ROOT,
                "after change %,d of %,d (the batches before it are"
                    + " committed); the next `qsync run %s` resumes it",
                recorded.appliedThrough(),
                run.changesTotal(),
                sync)
            : run.sourceJob().isPresent() && failure.resumesQueries()
                ? "while making its change set; the next `qsync run "
                    + sync
                    + "` reads the"
                    + " result of its job again"
                : "while making its change set, before writing anything; the next `qsync run "
                    + sync
                    + "` starts over";
    return new QsyncException(
        ErrorKind.INTERRUPTED,
        "interrupted: run " + run.runId() + " of sync '" + sync + "' stopped " + where,
        failure.error());
  }

  /**
   * Whether a resumed run failed as the attempt before it did: the same message, but for numbers
   * (times, counts, connection ids).
   */
  private static boolean sameFailure(RunRecord previous, QsyncException error) {
    return previous.status() == RunStatus.FAILED
        && previous.error().isPresent()
        && withoutNumbers(firstLine(previous.error().get()))
            .equals(withoutNumbers(firstLine(error.getMessage())));
  }

  private static String withoutNumbers(String text) {
    return text.replaceAll("\\(tried \\d+ times\\)", "").replaceAll("\\d+", "#").strip();
  }

  /**
   * A failure that came back on the resume the same way it ended the attempt before is not passing
   * by itself: say so, and what {@code --restart} would do instead of resuming once more.
   */
  private static QsyncException failedTwice(RunRecord previous, QsyncException error) {
    return new QsyncException(
        ErrorKind.NEEDS_ACTION,
        error.getMessage()
            + "\nRun "
            + previous.runId()
            + " failed this way before it was resumed,"
            + " and again now: this does not look like it will pass by itself. Fix what the error"
            + " names; or run with --restart, which abandons run "
            + previous.runId()
            + " (the batches it committed stay in the table) and starts a new run from a fresh"
            + " query.",
        error);
  }

  /**
   * What an append that stopped on a row the table refused had committed, and what a resumed or
   * restarted run then does: the refusal itself says what to fix.
   */
  private static String appendCommitted(Failure failure) {
    RunRecord run = failure.run();
    long committed = failure.recorded().get().appliedThrough();
    if (committed == 0) {
      return "This append committed none of its "
          + run.changesTotal()
          + " rows (run "
          + run.runId()
          + "); once fixed, the next run appends them.";
    }
    return "This append committed "
        + committed
        + " of its "
        + run.changesTotal()
        + " rows (run "
        + run.runId()
        + "); once fixed, the next run appends the rest after them (with --restart"
        + " it would append all "
        + run.changesTotal()
        + " again).";
  }

  private static QsyncException amended(QsyncException error, String remedy) {
    return new QsyncException(error.kind(), error.getMessage() + "\n" + remedy, error);
  }
}
