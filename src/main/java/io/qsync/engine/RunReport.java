package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.diff.ChangeCounts;
import io.qsync.state.RunStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * @param verified the verify that followed the run ({@code verify_every}), and why it was due
 * @param bytesBilled the bytes the warehouse billed for the jobs this run ran, per kind of job
 *     ({@link io.qsync.source.Source#bytesBilled}); empty for a warehouse that bills none
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
    Optional<RunReport> caughtUp,
    Optional<Verified> verified,
    Map<String, Long> bytesBilled) {
  /**
   * A verify of the table that followed the run, as the sync's {@code verify_every} asks.
   *
   * @param why why it was due ({@code the last verify was 7d02h ago (verify_every: 7d)})
   */
  public record Verified(String why, VerifyReport report) {
    public Verified {
      requireNonNull(why, "why is null");
      requireNonNull(report, "report is null");
    }
  }

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
    requireNonNull(verified, "verified is null");
    bytesBilled = Collections.unmodifiableMap(new LinkedHashMap<>(bytesBilled));
  }

  /** A report without bytes billed. */
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
      ThrottleReport throttle,
      Optional<RunReport> caughtUp,
      Optional<Verified> verified) {
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
        caughtUp,
        verified,
        Map.of());
  }

  /** The same report, with the bytes its warehouse jobs billed. */
  public RunReport withBytesBilled(Map<String, Long> billed) {
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
        notes,
        throttle,
        caughtUp,
        verified,
        billed);
  }

  /**
   * The bytes billed by this run and the fresh run that followed it ({@link #caughtUp}), per kind
   * of job: what the whole command billed (a verify that followed bills its own, in its report).
   */
  public Map<String, Long> commandBytesBilled() {
    Map<String, Long> all = new LinkedHashMap<>(bytesBilled);
    caughtUp.ifPresent(
        fresh -> fresh.bytesBilled().forEach((kind, bytes) -> all.merge(kind, bytes, Long::sum)));
    return all;
  }

  /** A report of a run that no scheduled verify followed. */
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
      ThrottleReport throttle,
      Optional<RunReport> caughtUp) {
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
        caughtUp,
        Optional.empty());
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
        caughtUp,
        verified,
        bytesBilled);
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
        Optional.of(fresh),
        verified,
        bytesBilled);
  }

  /** The same report, followed by a verify of the table ({@code verify_every}). */
  public RunReport withVerified(Verified verify) {
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
        duration.plus(verify.report().took()),
        notes,
        throttle,
        caughtUp,
        Optional.of(verify),
        bytesBilled);
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
