package io.qsync;

import java.time.Duration;

/**
 * Waits; injected so that throttle, retry and polling tests run instantly with a manual clock. The
 * engine waits with {@link #pause}, which turns an interrupt into the end of the run; code that
 * says what it was waiting for in its own message calls {@link #sleep} and catches the interrupt.
 */
@FunctionalInterface
public interface Sleeper {
  /** Waits for the duration, or until the thread is interrupted. */
  void sleep(Duration duration) throws InterruptedException;

  /** As {@link #sleep}; an interrupt ends the run as interrupted (it resumes next time). */
  default void pause(Duration duration) {
    try {
      sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QsyncException(
          ErrorKind.INTERRUPTED,
          "interrupted while waiting\nRun again: the run resumes after its last committed batch.",
          e);
    }
  }

  /** {@link Thread#sleep}. */
  static Sleeper system() {
    return duration -> Thread.sleep(duration.toMillis());
  }
}
