package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How often a batch that failed for a passing reason (deadlock, lock wait timeout, lost connection,
 * a read-only server during failover, too many connections) is tried again. Immutable.
 *
 * @param maxAttempts tries per batch, the first included; 1: no retries
 * @param maxBackoff the longest wait between two tries (waits double from {@link #FIRST_BACKOFF},
 *     with random jitter, up to this)
 */
public record RetryConfig(int maxAttempts, Duration maxBackoff) {
  public static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  public static final RetryConfig DEFAULT = new RetryConfig(5, Duration.ofSeconds(30));
  /** One try per batch: a passing error fails the run (which the next run resumes). */
  public static final RetryConfig NONE = new RetryConfig(1, DEFAULT.maxBackoff());

  public RetryConfig {
    requireNonNull(maxBackoff, "maxBackoff is null");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
  }
}
