package io.qsync.serve;

import static java.util.Objects.requireNonNull;

import io.qsync.state.RunRecord;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of a sync's history as the status page charts it. Immutable.
 *
 * @param throttledBy the time the run waited to spare the target, per rule ({@code "Threads_running
 *     >= 50"}); empty when it never waited or the history does not say
 */
public record RunView(RunRecord run, Map<String, Duration> throttledBy) {
  public RunView {
    requireNonNull(run, "run is null");
    throttledBy = Collections.unmodifiableMap(new LinkedHashMap<>(throttledBy));
  }

  /** The run's whole throttled time. */
  public Duration throttled() {
    return throttledBy.values().stream().reduce(Duration.ZERO, Duration::plus);
  }
}
