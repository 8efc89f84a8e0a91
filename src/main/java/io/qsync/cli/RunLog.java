package io.qsync.cli;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.Messages;
import io.qsync.engine.RunReport;
import io.qsync.serve.RunListener;
import io.qsync.serve.RunOutcome;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * {@code qsync serve}'s log: one line when a run starts and one when it ends (sync, run id, counts
 * or the error's first line, and the exit code {@code qsync run} would have had: 143 for a run
 * SIGTERM interrupted), on stderr, each stamped with the time in UTC. Thread-safe: a line is
 * written whole.
 */
final class RunLog implements RunListener {
  private final PrintWriter err;

  RunLog(PrintWriter err) {
    this.err = requireNonNull(err, "err is null");
  }

  @Override
  public void runStarted(String sync, String trigger, Instant at) {
    line(at, "run started: sync " + sync + " (" + trigger + ")");
  }

  @Override
  public void runFinished(RunOutcome outcome) {
    String run = outcome.runId().map(id -> ", run " + id).orElse("");
    String took = seconds(Duration.between(outcome.startedAt(), outcome.finishedAt()));
    if (outcome.succeeded()) {
      RunReport report = outcome.report().orElseThrow();
      line(
          outcome.finishedAt(),
          "run succeeded: sync "
              + outcome.sync()
              + run
              + (report.resumed()
                  ? String.format(Locale.ROOT, " (resumed after change %,d)", report.resumedAfter())
                  : "")
              + ": "
              + report.counts().describe()
              + " in "
              + took
              + report
                  .verified()
                  .map(
                      verified ->
                          "; verify: "
                              + Messages.firstLine(VerifyCommand.text(verified.report(), true))
                                  .replaceFirst("^[^:]*: ", ""))
                  .orElse("")
              + " (exit 0)");
    } else {
      // an interrupted run resumes and a held lock is another run's: neither failed
      String ended =
          switch (outcome.errorKind().orElse(ErrorKind.FAILED)) {
            case INTERRUPTED -> "run interrupted";
            case LOCK_HELD -> "run not started";
            default -> "run failed";
          };
      line(
          outcome.finishedAt(),
          ended
              + ": sync "
              + outcome.sync()
              + run
              + " after "
              + took
              + ": "
              + Messages.firstLine(outcome.error().orElse(""))
              + " (exit "
              + outcome.errorKind().map(Signals::exitCode).orElse(0)
              + ")");
    }
  }

  /** Any other line of the service's log. */
  void line(Instant at, String text) {
    synchronized (err) {
      err.println(at.truncatedTo(ChronoUnit.MILLIS) + " " + text);
      err.flush();
    }
  }

  private static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
  }
}
