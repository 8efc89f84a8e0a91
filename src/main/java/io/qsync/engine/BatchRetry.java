package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.TransientException;
import io.qsync.config.RetryConfig;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Tries a batch again after a passing error ({@link TransientException}), waiting between tries
 * with capped exponential backoff and jitter: {@code min(max_backoff, 200ms * 2^(n-1))}, of which
 * a random half. Safe because a batch commits together with its checkpoint, and the writer checks
 * the checkpoint before trying again. Other errors pass through at once. Not thread-safe.
 */
final class BatchRetry {
  private final RetryConfig config;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private final Progress progress;
  private int retries;

  /** @param random uniform in [0, 1), for the jitter */
  BatchRetry(RetryConfig config, Sleeper sleeper, DoubleSupplier random, Progress progress) {
    this.config = requireNonNull(config, "config is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.random = requireNonNull(random, "random is null");
    this.progress = requireNonNull(progress, "progress is null");
  }

  void run(String what, Runnable attempt) {
    for (int tries = 1; ; tries++) {
      try {
        attempt.run();
        return;
      } catch (TransientException e) {
        if (tries >= config.maxAttempts()) {
          if (tries == 1) {
            throw e;
          }
          String message = String.valueOf(e.getMessage());
          int lineEnd = message.indexOf('\n');
          String first = lineEnd < 0 ? message : message.substring(0, lineEnd);
          String rest = lineEnd < 0 ? "" : message.substring(lineEnd);
          throw new TransientException(first + " (tried " + tries + " times)" + rest, e);
        }
        Duration wait = backoff(tries);
        progress.retrying(what, tries, wait, firstLine(e));
        retries++;
        sleeper.sleep(wait);
      }
    }
  }

  /** The wait after the {@code tries}-th failed try. */
  Duration backoff(int tries) {
    long capMillis = config.maxBackoff().toMillis();
    long exponential = RetryConfig.FIRST_BACKOFF.toMillis() << Math.min(tries - 1, 20);
    long ceiling = Math.min(capMillis, exponential);
    return Duration.ofMillis(Math.round(ceiling * (0.5 + 0.5 * random.getAsDouble())));
  }

  int retries() {
    return retries;
  }

  private static String firstLine(Throwable error) {
    String message = String.valueOf(error.getMessage());
    int lineEnd = message.indexOf('\n');
    return lineEnd < 0 ? message : message.substring(0, lineEnd);
  }
}
