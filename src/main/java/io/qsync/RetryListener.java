package io.qsync;

import java.time.Duration;

/** Hears each retry of a call that failed for a passing reason, to show it to a person. */
@FunctionalInterface
public interface RetryListener {
  /** Hears nothing. */
  RetryListener NONE = (what, failedTries, wait, error) -> {};

  /**
   * A call failed for a passing reason; it is tried again after {@code wait}.
   *
   * @param what the call, as messages name it
   * @param failedTries how many tries failed so far
   * @param error the failure, one line
   */
  void retrying(String what, int failedTries, Duration wait, String error);
}
