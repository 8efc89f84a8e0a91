package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.diff.ChangeCounts;
import io.qsync.state.RunStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one {@code qsync run} of one sync did. Immutable; the CLI renders it as text or JSON.
 *
 * @param resumedAfter the checkpoint the run resumed after (0 when it did not resume)
 * @param batches batches committed by this process
 * @param notes things a person should know (a resumed run, an abandoned one, a created table)
 * @param throttle how long the run waited to spare the target, and why; batches retried
 * @param caughtUp for a resumed run: the fresh run that then compared the table with the query's
 *     current result, in the same command
 */
public record RunReport(
    String sync,
    String runId,
    RunStatus status,
    String mode,
    String table,
    ChangeCounts counts,
    boolean resumed,
    long resumedAfter,
    int batches,
    Duration duration,
    List<String> notes,
    ThrottleReport throttle,
    Optional<RunReport> caughtUp) {
  public RunReport {
    requireNonNull(sync, "sync is null");
    requireNonNull(runId, "runId is null");
    requireNonNull(status, "status is null");
    requireNonNull(mode, "mode is null");
    requireNonNull(table, "table is null");
    requireNonNull(counts, "counts is null");
    requireNonNull(duration, "duration is null");
    notes = List.copyOf(notes);
    requireNonNull(throttle, "throttle is null");
    requireNonNull(caughtUp, "caughtUp is null");
  }

  /** A report of a run that no fresh run followed. */
  public RunReport(
      String sync,
      String runId,
      RunStatus status,
      String mode,
      String table,
      ChangeCounts counts,
      boolean resumed,
      long resumedAfter,
      int batches,
      Duration duration,
      List<String> notes,
      ThrottleReport throttle) {
    this(
        sync,
        runId,
        status,
        mode,
        table,
        counts,
        resumed,
        resumedAfter,
        batches,
        duration,
        notes,
        throttle,
        Optional.empty());
  }

  /** The same report with one more note. */
  public RunReport withNote(String note) {
    List<String> more = new ArrayList<>(notes);
    more.add(note);
    return new RunReport(
        sync,
        runId,
        status,
        mode,
        table,
        counts,
        resumed,
        resumedAfter,
        batches,
        duration,
        more,
        throttle,
        caughtUp);
  }

  /** The same report, followed by a fresh run in the same command. */
  public RunReport withCaughtUp(RunReport fresh) {
    return new RunReport(
        sync,
        runId,
        status,
        mode,
        table,
        counts,
        resumed,
        resumedAfter,
        batches,
        duration.plus(fresh.duration()),
        notes,
        throttle,
        Optional.of(fresh));
  }

  /** A report of a run that was never throttled nor retried. */
  public RunReport(
      String sync,
      String runId,
      RunStatus status,
      String mode,
      String table,
      ChangeCounts counts,
      boolean resumed,
      long resumedAfter,
      int batches,
      Duration duration,
      List<String> notes) {
    this(
        sync,
        runId,
        status,
        mode,
        table,
        counts,
        resumed,
        resumedAfter,
        batches,
        duration,
        notes,
        ThrottleReport.NONE);
  }

  /** Rows written per second of the whole run. */
  public double changesPerSecond() {
    double seconds = Math.max(duration.toNanos() / 1e9, 1e-9);
    return counts.changes() / seconds;
  }
}
