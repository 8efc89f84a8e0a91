package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long a step that failed for a passing reason (deadlock, lock wait timeout, lost connection, a
 * server restarting or read-only during a failover, too many connections) is tried again: a batch,
 * taking the sync's lock, recording the run. Retrying stops at whichever limit comes first; with
 * the defaults that is {@code maxTime}, long enough to ride out a routine restart or failover.
 * Immutable.
 *
 * @param maxAttempts tries per step, the first included; 1: no retries
 * @param maxBackoff the longest wait between two tries (waits double from {@link #FIRST_BACKOFF},
 *     with random jitter, up to this)
 * @param maxTime how long a step is retried, from its first failure; zero: not retried
 */
public record RetryConfig(int maxAttempts, Duration maxBackoff, Duration maxTime) {
  public static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  /**
   * A minute of retries: a MariaDB or MySQL restart takes seconds, a managed failover (RDS, Cloud
   * SQL, a Galera or Orchestrator switch-over) typically well under a minute.
   */
  public static final Duration DEFAULT_MAX_TIME = Duration.ofSeconds(60);

  /** With the defaults the time limit ends retrying: 100 tries never fit in a minute. */
  public static final int DEFAULT_MAX_ATTEMPTS = 100;

  public static final RetryConfig DEFAULT =
      new RetryConfig(DEFAULT_MAX_ATTEMPTS, Duration.ofSeconds(30), DEFAULT_MAX_TIME);

  /** One try per step: a passing error fails the run (which the next run resumes). */
  public static final RetryConfig NONE = new RetryConfig(1, DEFAULT.maxBackoff());

  public RetryConfig {
    requireNonNull(maxBackoff, "maxBackoff is null");
    requireNonNull(maxTime, "maxTime is null");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    if (maxTime.isNegative()) {
      throw new IllegalArgumentException("maxTime must not be negative: " + maxTime);
    }
  }

  /** At most {@code maxAttempts} tries, within the default time limit. */
  public RetryConfig(int maxAttempts, Duration maxBackoff) {
    this(maxAttempts, maxBackoff, DEFAULT_MAX_TIME);
  }
}
