package io.qsync.verify;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Ranges of bucket values as the buckets of one width they join: a value {@code v} is within the
 * ranges exactly when {@code v >= origin} and {@code (v - origin) / width} (whole-number division)
 * is one of {@code buckets}. A pass's ranges are previous buckets, all of one width from one
 * origin, so a side can keep its rows by a set lookup on the bucket number instead of comparing
 * each row with every range or sorting the rows against them. Immutable.
 *
 * @param origin where bucket 0 starts
 * @param width the narrowest range's width
 * @param buckets the bucket numbers, ascending
 */
public record BucketList(BigInteger origin, BigInteger width, List<BigInteger> buckets) {
  public BucketList {
    requireNonNull(origin, "origin is null");
    requireNonNull(width, "width is null");
    buckets = List.copyOf(requireNonNull(buckets, "buckets is null"));
  }

  /**
   * The ranges (sorted, disjoint) as buckets of their narrowest width from the first range's low
   * end, or empty when some range is not whole buckets of it, or they hold more than {@code max}
   * buckets.
   */
  public static Optional<BucketList> of(List<KeyRange> ranges, int max) {
    return ranges.isEmpty() ? Optional.empty() : of(ranges, ranges.get(0).low(), max);
  }

  /** As {@link #of(List, int)}, the buckets counted from {@code origin} (at most the first low). */
  public static Optional<BucketList> of(List<KeyRange> ranges, BigInteger origin, int max) {
    if (ranges.isEmpty() || ranges.get(0).low().compareTo(origin) < 0) {
      return Optional.empty();
    }
    BigInteger width =
        ranges.stream().map(KeyRange::width).min(BigInteger::compareTo).orElseThrow();
    List<BigInteger> buckets = new ArrayList<>();
    for (KeyRange range : ranges) {
      BigInteger offset = range.low().subtract(origin);
      if (offset.mod(width).signum() != 0 || range.width().mod(width).signum() != 0) {
        return Optional.empty();
      }
      BigInteger first = offset.divide(width);
      BigInteger count = range.width().divide(width);
      if (BigInteger.valueOf(max - buckets.size()).compareTo(count) < 0) {
        return Optional.empty();
      }
      for (long i = 0; i < count.longValueExact(); i++) {
        buckets.add(first.add(BigInteger.valueOf(i)));
      }
    }
    return Optional.of(new BucketList(origin, width, buckets));
  }
}
