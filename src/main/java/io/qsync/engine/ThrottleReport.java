package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a run spared the target: how long it waited and under which rule, how often a batch was tried
 * again, and the batch sizes it used. Immutable.
 *
 * @param throttled time spent waiting before batches (pauses and the row rate)
 * @param throttledBy that time per rule ({@code "Threads_running >= 50"}), in order of first use
 * @param retries batches tried again after a passing error
 * @param smallestBatch the smallest batch size the run chose (0 when it wrote no batch)
 * @param largestBatch the largest batch size the run chose
 */
public record ThrottleReport(
    Duration throttled,
    Map<String, Duration> throttledBy,
    int retries,
    int smallestBatch,
    int largestBatch) {
  public static final ThrottleReport NONE = new ThrottleReport(Duration.ZERO, Map.of(), 0, 0, 0);

  public ThrottleReport {
    requireNonNull(throttled, "throttled is null");
    throttledBy = Collections.unmodifiableMap(new LinkedHashMap<>(throttledBy));
  }
}
