package io.qsync.engine;

import java.time.Duration;

/**
 * Sizes batches so that each transaction takes about a target time, like pt-online-schema-change's
 * chunk time: the rate of recent batches (a moving average, so one slow batch does not halve the
 * next) times the target, at most doubling or halving per batch, within the bounds. A zero target
 * keeps every batch at its start size. Batches end at change sequence numbers, so a size change
 * never moves the checkpoint arithmetic. Pure; not thread-safe.
 */
final class BatchSizer {
  /** Weight of the newest batch in the moving average of rows per second. */
  private static final double WEIGHT = 0.3;

  private final int min;
  private final int max;
  private Duration target;
  private int size;
  private double rowsPerSecond = -1;
  private int smallest;
  private int largest;

  BatchSizer(int start, int min, int max, Duration target) {
    if (min < 1 || min > start || start > max) {
      throw new IllegalArgumentException(
          "batch sizes must be 1 <= min <= start <= max: " + min + ", " + start + ", " + max);
    }
    this.min = min;
    this.max = max;
    this.target = target;
    this.size = start;
    this.smallest = start;
    this.largest = start;
  }

  /**
   * Aims later batches at {@code time} instead: the self-throttle shortens them while it holds the
   * sync back. A zero start target stays zero (fixed batches).
   */
  void aimAt(Duration time) {
    if (!target.isZero()) {
      target = time;
    }
  }

  /** The size of the next batch. */
  int next() {
    return size;
  }

  /** A batch of {@code rows} took {@code took}, commit included. */
  void record(int rows, Duration took) {
    if (target.isZero() || rows <= 0) {
      return;
    }
    double seconds = Math.max(took.toNanos(), 1_000) / 1e9;
    double rate = rows / seconds;
    rowsPerSecond = rowsPerSecond < 0 ? rate : WEIGHT * rate + (1 - WEIGHT) * rowsPerSecond;
    long wanted = Math.round(rowsPerSecond * target.toNanos() / 1e9);
    long bounded = Math.max(size / 2, Math.min(2L * size, wanted));
    size = (int) Math.max(min, Math.min(max, bounded));
    smallest = Math.min(smallest, size);
    largest = Math.max(largest, size);
  }

  int smallest() {
    return smallest;
  }

  int largest() {
    return largest;
  }
}
