package io.qsync.engine;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.time.Duration;

/** Waits; injected so that throttle and retry tests run instantly with a manual clock. */
@FunctionalInterface
public interface Sleeper {
  void sleep(Duration duration);

  /** {@link Thread#sleep}; an interrupt ends the run as interrupted (it resumes next time). */
  static Sleeper system() {
    return duration -> {
      try {
        Thread.sleep(duration.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QsyncException(
            ErrorKind.INTERRUPTED,
            "interrupted while waiting\nRun again: the run resumes after its last committed batch.",
            e);
      }
    };
  }
}
