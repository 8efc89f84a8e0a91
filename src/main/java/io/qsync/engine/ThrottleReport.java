package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param decisions the self-throttle's decisions whose rule changed, each with its time into the
 *     apply step and its reason ({@code +3.2s probe 0.61ms > 1.3 x baseline 0.30ms: writing 25% of
 *     the time}); at most {@value #DECISIONS_KEPT}
 */
public record ThrottleReport(
    Duration throttled,
    Map<String, Duration> throttledBy,
    int retries,
    int smallestBatch,
    int largestBatch,
    List<String> decisions) {
  public static final int DECISIONS_KEPT = Throttle.DECISIONS_KEPT;
  public static final ThrottleReport NONE = new ThrottleReport(Duration.ZERO, Map.of(), 0, 0, 0);

  public ThrottleReport {
    requireNonNull(throttled, "throttled is null");
    throttledBy = Collections.unmodifiableMap(new LinkedHashMap<>(throttledBy));
    decisions = List.copyOf(decisions);
  }

  /** A report without self-throttle decisions. */
  public ThrottleReport(
      Duration throttled,
      Map<String, Duration> throttledBy,
      int retries,
      int smallestBatch,
      int largestBatch) {
    this(throttled, throttledBy, retries, smallestBatch, largestBatch, List.of());
  }
}
