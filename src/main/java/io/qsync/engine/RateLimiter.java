package io.qsync.engine;

import java.time.Duration;
import java.time.Instant;

/**
 * Holds writes to at most {@code maxRowsPerSecond}: each batch books {@code rows / rate} seconds of
 * a timeline, and waits until its turn. Idle time is not saved up for later bursts. Pure; not
 * thread-safe.
 */
final class RateLimiter {
  private final long maxRowsPerSecond;
  private Instant nextFree;

  /**
   * @param maxRowsPerSecond 0 for no limit
   */
  RateLimiter(long maxRowsPerSecond) {
    this.maxRowsPerSecond = maxRowsPerSecond;
  }

  /** Books a batch of {@code rows} at {@code now}; how long to wait before writing it. */
  Duration reserve(int rows, Instant now) {
    if (maxRowsPerSecond <= 0) {
      return Duration.ZERO;
    }
    Instant start = nextFree == null || nextFree.isBefore(now) ? now : nextFree;
    nextFree = start.plusNanos(Math.round(rows * 1e9 / maxRowsPerSecond));
    return Duration.between(now, start);
  }
}
