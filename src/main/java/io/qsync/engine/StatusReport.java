package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.state.RunRecord;
import java.time.Duration;
import java.util.Optional;

/**
 * One sync's standing for {@code qsync status}: its newest run, if any, and how long ago it
 * started.
 *
 * @param lockHeld whether a run of the sync holds its lock now; a last run recorded as running
 *     while the lock is free was interrupted (killed, disconnected) and resumes on the next run
 * @param error why the sync's target could not be asked, if it could not
 */
public record StatusReport(
    String sync,
    String table,
    Optional<RunRecord> lastRun,
    Optional<Duration> age,
    boolean lockHeld,
    Optional<String> error) {
  public StatusReport {
    requireNonNull(sync, "sync is null");
    requireNonNull(table, "table is null");
    requireNonNull(lastRun, "lastRun is null");
    requireNonNull(age, "age is null");
    requireNonNull(error, "error is null");
  }

  /** The last run's status as a person should read it: {@code interrupted} for a dead run. */
  public String lastStatus() {
    if (error.isPresent()) {
      return "unknown";
    }
    return lastRun
        .map(run -> run.seenWith(lockHeld).status().name().toLowerCase(java.util.Locale.ROOT))
        .orElse("never");
  }
}
