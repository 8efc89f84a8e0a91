package io.qsync.tools.soak;

import java.util.Arrays;

/** Operation latencies in nanoseconds, recorded by one thread, summarised after it stops. */
final class Latencies {
  private long[] nanos = new long[1 << 14];
  private int count;

  void record(long latencyNanos) {
    if (count == nanos.length) {
      nanos = Arrays.copyOf(nanos, count * 2);
    }
    nanos[count++] = latencyNanos;
  }

  /** Moves every latency recorded so far to {@code into}, leaving this one empty. */
  void drainTo(Latencies into) {
    for (int i = 0; i < count; i++) {
      into.record(nanos[i]);
    }
    count = 0;
  }

  int count() {
    return count;
  }

  /** All recorded latencies of several threads, sorted. */
  static long[] merged(Iterable<Latencies> parts) {
    int total = 0;
    for (Latencies part : parts) {
      total += part.count;
    }
    long[] all = new long[total];
    int at = 0;
    for (Latencies part : parts) {
      System.arraycopy(part.nanos, 0, all, at, part.count);
      at += part.count;
    }
    Arrays.sort(all);
    return all;
  }

  /** The {@code quantile} (0..1) of sorted latencies, nearest-rank; 0 when there are none. */
  static long quantile(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(quantile * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** The share (0..1) of sorted latencies above {@code limit}; 0 when there are none. */
  static double shareAbove(long[] sorted, long limit) {
    if (sorted.length == 0) {
      return 0;
    }
    int at = Arrays.binarySearch(sorted, limit + 1);
    int first = at >= 0 ? at : -at - 1;
    while (first > 0 && sorted[first - 1] > limit) {
      first--;
    }
    return (double) (sorted.length - first) / sorted.length;
  }
}
