package io.qsync.engine;

import static io.qsync.Messages.firstLine;
import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.Sleeper;
import io.qsync.TransientException;
import io.qsync.config.RetryConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Tries a step again after a passing error ({@link TransientException}): a batch, taking the lock,
 * recording the run. It waits between tries with capped exponential backoff and jitter, {@code
 * min(max_backoff, 200ms * 2^(n-1))}, of which a random half, and keeps trying until {@code
 * max_time} has passed since the first failure or {@code max_attempts} tries are spent, whichever
 * comes first; the last wait is cut short so that the last try falls on the time limit. Safe for a
 * batch because it commits together with its checkpoint, and the writer checks the checkpoint
 * before trying again; the other steps are repeatable as they are. Other errors pass through at
 * once. Time is the clock's or the waits' sum, whichever is more, so a test's clock that stands
 * still cannot retry forever. Not thread-safe.
 */
final class BatchRetry {
  private final RetryConfig config;
  private final Sleeper sleeper;
  private final Clock clock;
  private final DoubleSupplier random;
  private final Progress progress;
  private int retries;

  /**
   * @param random uniform in [0, 1), for the jitter
   */
  BatchRetry(
      RetryConfig config, Sleeper sleeper, Clock clock, DoubleSupplier random, Progress progress) {
    this.config = requireNonNull(config, "config is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.random = requireNonNull(random, "random is null");
    this.progress = requireNonNull(progress, "progress is null");
  }

  void run(String what, Runnable attempt) {
    call(
        what,
        () -> {
          attempt.run();
          return null;
        });
  }

  <T> T call(String what, Supplier<T> attempt) {
    Instant firstFailure = null;
    Duration waited = Duration.ZERO;
    for (int tries = 1; ; tries++) {
      try {
        return attempt.get();
      } catch (TransientException e) {
        if (firstFailure == null) {
          firstFailure = clock.instant();
        }
        Duration elapsed = max(Duration.between(firstFailure, clock.instant()), waited);
        Duration left = config.maxTime().minus(elapsed);
        if (tries >= config.maxAttempts() || left.isNegative() || left.isZero()) {
          throw givenUp(e, tries, elapsed);
        }
        Duration wait = min(backoff(tries), left);
        progress.retrying(what, tries, wait, firstLine(e));
        retries++;
        sleeper.pause(wait);
        waited = waited.plus(wait);
      }
    }
  }

  /**
   * The error that ends the retries: the last one, saying how often and how long it was tried; of
   * the kind the error has when it lasts (a server still read-only after a failover's time needs a
   * person).
   */
  private static QsyncException givenUp(TransientException e, int tries, Duration elapsed) {
    if (tries == 1) {
      return e;
    }
    String message = String.valueOf(e.getMessage());
    int lineEnd = message.indexOf('\n');
    String first = lineEnd < 0 ? message : message.substring(0, lineEnd);
    String rest = lineEnd < 0 ? "" : message.substring(lineEnd);
    String tried =
        first
            + " (tried "
            + tries
            + " times over "
            + String.format(Locale.ROOT, "%.1fs", elapsed.toMillis() / 1000.0)
            + ")"
            + rest;
    return e.ifItLasts() == ErrorKind.FAILED
        ? new TransientException(tried, e)
        : new QsyncException(e.ifItLasts(), tried, e);
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

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
