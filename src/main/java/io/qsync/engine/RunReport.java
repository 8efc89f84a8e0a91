package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.diff.ChangeCounts;
import io.qsync.source.ResultRead;
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
 * @param reads how this run read the warehouse's results: the API, its streams, the rows and why
 *     ({@link io.qsync.source.Source#reads}), as the run history keeps them; empty when it read
 *     none through a choice of API
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
    Map<String, Long> bytesBilled,
    List<ResultRead> reads) {
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
    reads = List.copyOf(reads);
  }

  /**
   * A report of a run that did not resume, committed no batch, took no time, has no notes, was
   * neither throttled nor followed by a fresh run or a verify, billed nothing and read no result:
   * set what differs before {@link Builder#build()}.
   */
  public static Builder builder(
      String sync, String runId, RunStatus status, String mode, String table, ChangeCounts counts) {
    return new Builder(sync, runId, status, mode, table, counts);
  }

  /** A builder holding this report, to build a copy with some parts changed. */
  public Builder toBuilder() {
    return new Builder(sync, runId, status, mode, table, counts)
        .resumed(resumed)
        .resumedAfter(resumedAfter)
        .batches(batches)
        .duration(duration)
        .notes(notes)
        .throttle(throttle)
        .caughtUp(caughtUp)
        .verified(verified)
        .bytesBilled(bytesBilled)
        .reads(reads);
  }

  /** The same report, with the bytes its warehouse jobs billed. */
  public RunReport withBytesBilled(Map<String, Long> billed) {
    return toBuilder().bytesBilled(billed).build();
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

  /** The same report with one more note. */
  public RunReport withNote(String note) {
    List<String> more = new ArrayList<>(notes);
    more.add(note);
    return toBuilder().notes(more).build();
  }

  /** The same report, followed by a fresh run in the same command. */
  public RunReport withCaughtUp(RunReport fresh) {
    return toBuilder()
        .duration(duration.plus(fresh.duration()))
        .caughtUp(Optional.of(fresh))
        .build();
  }

  /** The same report, followed by a verify of the table ({@code verify_every}). */
  public RunReport withVerified(Verified verify) {
    return toBuilder()
        .duration(duration.plus(verify.report().took()))
        .verified(Optional.of(verify))
        .build();
  }

  /**
   * Builds a {@link RunReport}; see {@link RunReport#builder} for its defaults. Not thread-safe.
   */
  public static final class Builder {
    private final String sync;
    private final String runId;
    private final RunStatus status;
    private final String mode;
    private final String table;
    private final ChangeCounts counts;
    private boolean resumed;
    private long resumedAfter;
    private int batches;
    private Duration duration = Duration.ZERO;
    private List<String> notes = List.of();
    private ThrottleReport throttle = ThrottleReport.NONE;
    private Optional<RunReport> caughtUp = Optional.empty();
    private Optional<Verified> verified = Optional.empty();
    private Map<String, Long> bytesBilled = Map.of();
    private List<ResultRead> reads = List.of();

    private Builder(
        String sync,
        String runId,
        RunStatus status,
        String mode,
        String table,
        ChangeCounts counts) {
      this.sync = sync;
      this.runId = runId;
      this.status = status;
      this.mode = mode;
      this.table = table;
      this.counts = counts;
    }

    public Builder resumed(boolean value) {
      resumed = value;
      return this;
    }

    public Builder resumedAfter(long checkpoint) {
      resumedAfter = checkpoint;
      return this;
    }

    public Builder batches(int value) {
      batches = value;
      return this;
    }

    public Builder duration(Duration value) {
      duration = value;
      return this;
    }

    public Builder notes(List<String> value) {
      notes = value;
      return this;
    }

    public Builder throttle(ThrottleReport value) {
      throttle = value;
      return this;
    }

    public Builder caughtUp(Optional<RunReport> value) {
      caughtUp = value;
      return this;
    }

    public Builder verified(Optional<Verified> value) {
      verified = value;
      return this;
    }

    public Builder bytesBilled(Map<String, Long> value) {
      bytesBilled = value;
      return this;
    }

    public Builder reads(List<ResultRead> value) {
      reads = value;
      return this;
    }

    public RunReport build() {
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
          bytesBilled,
          reads);
    }
  }

  /** Rows written per second of the whole run. */
  public double changesPerSecond() {
    double seconds = Math.max(duration.toNanos() / 1e9, 1e-9);
    return counts.changes() / seconds;
  }
}
