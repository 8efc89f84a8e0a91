package io.qsync;

import java.time.Duration;

/**
 * Who waits for a connection's calls, which decides how long a passing failure is retried and what
 * its message tells the user to do.
 */
public enum Caller {
  /**
   * A run (or plan, verify): retried for the connection's own limit ({@code retry_timeout}); a run
   * that still fails resumes next time, so its message says to run again later.
   */
  RUN,
  /**
   * {@code qsync validate}: a person at a terminal waits for the answer, so retries stop after at
   * most {@link #VALIDATE_RETRY_LIMIT}, and the message says what to check before validating again.
   */
  VALIDATE;

  /** The longest a validate retries one call, whatever the connection's retry limit. */
  public static final Duration VALIDATE_RETRY_LIMIT = Duration.ofSeconds(30);

  /** How long this caller retries one call when the connection allows {@code configured}. */
  public Duration retryLimit(Duration configured) {
    return this == VALIDATE && configured.compareTo(VALIDATE_RETRY_LIMIT) > 0
        ? VALIDATE_RETRY_LIMIT
        : configured;
  }
}
