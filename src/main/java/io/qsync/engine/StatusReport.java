package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.state.RunRecord;
import java.time.Duration;
import java.util.Optional;

/**
 * One sync's standing for {@code qsync status}: its newest run, if any, and how long ago it
 * started.
 *
 * @param error why the sync's target could not be asked, if it could not
 */
public record StatusReport(
    String sync, String table, Optional<RunRecord> lastRun, Optional<Duration> age, Optional<String> error) {
  public StatusReport {
    requireNonNull(sync, "sync is null");
    requireNonNull(table, "table is null");
    requireNonNull(lastRun, "lastRun is null");
    requireNonNull(age, "age is null");
    requireNonNull(error, "error is null");
  }
}
