package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.diff.ChangeCounts;
import io.qsync.state.RunStatus;
import java.time.Duration;
import java.util.List;

/**
 * What one {@code qsync run} of one sync did. Immutable; the CLI renders it as text or JSON.
 *
 * @param resumedAfter the checkpoint the run resumed after (0 when it did not resume)
 * @param batches batches committed by this process
 * @param notes things a person should know (a resumed run, an abandoned one, a created table)
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
    List<String> notes) {
  public RunReport {
    requireNonNull(sync, "sync is null");
    requireNonNull(runId, "runId is null");
    requireNonNull(status, "status is null");
    requireNonNull(mode, "mode is null");
    requireNonNull(table, "table is null");
    requireNonNull(counts, "counts is null");
    requireNonNull(duration, "duration is null");
    notes = List.copyOf(notes);
  }

  /** Rows written per second of the whole run. */
  public double changesPerSecond() {
    double seconds = Math.max(duration.toNanos() / 1e9, 1e-9);
    return counts.changes() / seconds;
  }
}
