package io.qsync.verify;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Ranges of bucket values as the buckets of one width they join: a value {@code v} is within the
 * ranges exactly when {@code v >= origin} and {@code (v - origin) / width} (whole-number division)
 * is one of {@code buckets}. A pass's ranges are whole buckets of one width from one origin, so a
 * side can keep its rows by a set lookup on the bucket number instead of comparing each row with
 * every range or sorting the rows against them. Immutable.
 *
 * @param origin where bucket 0 starts
 * @param width the buckets' width: every range is whole buckets of it
 * @param buckets the bucket numbers, ascending
 */
public record BucketList(BigInteger origin, BigInteger width, List<BigInteger> buckets) {
  public BucketList {
    requireNonNull(origin, "origin is null");
    requireNonNull(width, "width is null");
    buckets = List.copyOf(requireNonNull(buckets, "buckets is null"));
  }

  /**
   * The ranges (sorted, disjoint) as buckets of their {@link #commonWidth} from the first range's
   * low end, or empty when they hold more than {@code max} buckets.
   */
  public static Optional<BucketList> of(List<KeyRange> ranges, int max) {
    return ranges.isEmpty() ? Optional.empty() : of(ranges, ranges.get(0).low(), max);
  }

  /** As {@link #of(List, int)}, the buckets counted from {@code origin} (at most the first low). */
  public static Optional<BucketList> of(List<KeyRange> ranges, BigInteger origin, int max) {
    if (ranges.isEmpty() || ranges.get(0).low().compareTo(origin) < 0) {
      return Optional.empty();
    }
    BigInteger width = commonWidth(ranges, origin);
    List<BigInteger> buckets = new ArrayList<>();
    for (KeyRange range : ranges) {
      BigInteger offset = range.low().subtract(origin);
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

  /**
   * The widest width of which every range is whole buckets counted from {@code origin}: the
   * greatest common divisor of their widths and their distances from it. The narrowest range's
   * width, as before, whenever that one fits; a pass's ranges, widened to whole buckets of the
   * pass's width over the spans their rows occupy, are of uneven widths.
   */
  public static BigInteger commonWidth(List<KeyRange> ranges, BigInteger origin) {
    BigInteger width = BigInteger.ZERO;
    for (KeyRange range : ranges) {
      width = width.gcd(range.width()).gcd(range.low().subtract(origin));
    }
    return width;
  }
}
