package io.qsync.verify;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The bisection of a verify, as a pure decision over checksums: the key space starts as one range;
 * the first pass splits it into at least {@value #FAN_OUT} buckets, or as many as leave about
 * {@value #ROWS_PER_BUCKET} rows each when the table's size is known (at most {@value
 * #MAX_FAN_OUT}), both sides compute each bucket's {@link BucketSum}, and only buckets whose sums
 * differ stay in question: differences scattered over a large table are then found by one aggregate
 * pass and one fetch of the few rows around them. A differing bucket of at most {@code leafRows}
 * rows (on the larger side), or one that holds a single bucket value, is not split again: its rows
 * are fetched and compared one by one. The others are split in the next pass into as many buckets
 * as make the largest hold about {@value #ROWS_PER_BUCKET} rows (a power of two, at most {@value
 * #MAX_FAN_OUT}), so that differences scattered over the whole table are found in a pass or two
 * instead of one pass per factor of 64. Widths stay powers of two, so every split is exact. Not
 * thread-safe.
 */
public final class BucketSearch {
  /** How many buckets each range is split into per pass. */
  public static final int FAN_OUT = 64;

  /** The key hash's values: 0 to 2^60 − 1 (= 64^10, so every split is exact). */
  public static final BigInteger HASH_SPACE = BigInteger.ONE.shiftLeft(60);

  private static final BigInteger FAN = BigInteger.valueOf(FAN_OUT);

  /** How many rows a split aims to leave in each bucket. */
  public static final int ROWS_PER_BUCKET = 16;

  /**
   * The most rows (on the larger side) one pass fetches in buckets larger than {@value
   * #ROWS_PER_BUCKET} rows; beyond it they are split again, so that a verify's memory stays
   * bounded.
   */
  public static final long MAX_FETCH_ROWS = 50_000;

  /** The most buckets one range is split into in one pass. */
  public static final int MAX_FAN_OUT = 1 << 16;

  /** How many buckets the next pass splits each range into. */
  private int fanOut = FAN_OUT;

  private final BucketValue value;
  private final BigInteger origin;
  private final int leafRows;
  private BigInteger width;
  private List<KeyRange> pending;

  private BucketSearch(BucketValue value, BigInteger origin, BigInteger width, int leafRows) {
    this.value = requireNonNull(value, "value is null");
    this.origin = requireNonNull(origin, "origin is null");
    this.width = requireNonNull(width, "width is null");
    if (leafRows < 1) {
      throw new IllegalArgumentException("leafRows must be positive: " + leafRows);
    }
    this.leafRows = leafRows;
    this.pending = List.of(new KeyRange(origin, origin.add(width)));
  }

  /**
   * A search over the whole key space: for {@link BucketValue#KEY_HASH} the hash's values, for
   * {@link BucketValue#FIRST_KEY_COLUMN} the union of both sides' spans (nothing to search when
   * both are empty), widened to a power of {@value #FAN_OUT} so that every split is exact.
   */
  public static BucketSearch over(BucketValue value, Optional<KeyRange> span, int leafRows) {
    return whole(value, span, leafRows);
  }

  /**
   * As {@link #over(BucketValue, Optional, int)}, the first pass splitting the key space into as
   * many buckets as leave about {@value #ROWS_PER_BUCKET} of {@code rows} each (at least {@value
   * #FAN_OUT}).
   */
  public static BucketSearch over(
      BucketValue value, Optional<KeyRange> span, int leafRows, long rows) {
    BucketSearch search = whole(value, span, leafRows);
    search.fanOut = Math.max(FAN_OUT, fanOutFor(rows));
    return search;
  }

  private static BucketSearch whole(BucketValue value, Optional<KeyRange> span, int leafRows) {
    if (value == BucketValue.KEY_HASH) {
      return new BucketSearch(value, BigInteger.ZERO, HASH_SPACE, leafRows);
    }
    if (span.isEmpty()) {
      BucketSearch none = new BucketSearch(value, BigInteger.ZERO, BigInteger.ONE, leafRows);
      none.pending = List.of();
      return none;
    }
    BigInteger width = BigInteger.ONE;
    while (width.compareTo(span.get().width()) < 0) {
      width = width.multiply(FAN);
    }
    return new BucketSearch(value, span.get().low(), width, leafRows);
  }

  /** The union of two sides' spans. */
  public static Optional<KeyRange> union(Optional<KeyRange> one, Optional<KeyRange> other) {
    if (one.isEmpty()) {
      return other;
    }
    if (other.isEmpty()) {
      return one;
    }
    return Optional.of(
        new KeyRange(
            one.get().low().min(other.get().low()), one.get().high().max(other.get().high())));
  }

  /** One pass: group the rows within {@code ranges} as {@code grouping} says. */
  public record Pass(Grouping grouping, List<KeyRange> ranges) {
    public Pass {
      requireNonNull(grouping, "grouping is null");
      ranges = List.copyOf(requireNonNull(ranges, "ranges is null"));
    }
  }

  /**
   * What a pass found.
   *
   * @param fetch the differing buckets small enough to compare row by row, merged where adjacent
   * @param split how many differing buckets the next pass splits
   * @param differing how many buckets differed
   */
  public record Found(List<KeyRange> fetch, int split, int differing) {
    public Found {
      fetch = List.copyOf(requireNonNull(fetch, "fetch is null"));
    }
  }

  /** The next pass, or empty when nothing is left in question. */
  public Optional<Pass> next() {
    if (pending.isEmpty()) {
      return Optional.empty();
    }
    BigInteger fan = BigInteger.valueOf(fanOut);
    BigInteger child = width.compareTo(fan) >= 0 ? width.divide(fan) : BigInteger.ONE;
    return Optional.of(new Pass(new Grouping(value, origin, child), merged(pending)));
  }

  /** Compares a pass's checksums of both sides and decides which buckets to split or fetch. */
  public Found compare(
      Pass pass, Map<BigInteger, BucketSum> warehouse, Map<BigInteger, BucketSum> target) {
    TreeSet<BigInteger> buckets = new TreeSet<>(warehouse.keySet());
    buckets.addAll(target.keySet());
    List<KeyRange> fetch = new ArrayList<>();
    List<KeyRange> split = new ArrayList<>();
    List<KeyRange> small = new ArrayList<>();
    long smallRows = 0;
    int differing = 0;
    BigInteger child = pass.grouping().width();
    for (BigInteger bucket : buckets) {
      BucketSum one = warehouse.getOrDefault(bucket, BucketSum.EMPTY);
      BucketSum other = target.getOrDefault(bucket, BucketSum.EMPTY);
      if (one.equals(other)) {
        continue;
      }
      differing++;
      KeyRange range = pass.grouping().range(bucket);
      long rows = Math.max(one.rows(), other.rows());
      if (child.equals(BigInteger.ONE) || rows <= ROWS_PER_BUCKET) {
        fetch.add(range);
      } else if (rows <= leafRows) {
        small.add(range);
        smallRows += rows;
      } else {
        split.add(range);
      }
    }
    // Buckets of up to leafRows rows are fetched whole unless there are so many that their rows
    // would not fit in memory (rows of keys clustered in a few buckets of a wide key span): then
    // they are split too, into buckets of about ROWS_PER_BUCKET.
    if (smallRows <= MAX_FETCH_ROWS) {
      fetch.addAll(small);
    } else {
      split.addAll(small);
    }
    pending = split;
    width = child;
    long largest = 0;
    for (KeyRange range : split) {
      BigInteger bucket = range.low().subtract(origin).divide(child);
      largest =
          Math.max(
              largest,
              Math.max(
                  warehouse.getOrDefault(bucket, BucketSum.EMPTY).rows(),
                  target.getOrDefault(bucket, BucketSum.EMPTY).rows()));
    }
    fanOut = fanOutFor(largest);
    return new Found(merged(fetch), split.size(), differing);
  }

  /**
   * The power of two that splits {@code rows} into buckets of about {@value #ROWS_PER_BUCKET}, from
   * 2 to {@value #MAX_FAN_OUT}.
   */
  static int fanOutFor(long rows) {
    long wanted = Math.max(2, (rows + ROWS_PER_BUCKET - 1) / ROWS_PER_BUCKET);
    int fan = 2;
    while (fan < wanted && fan < MAX_FAN_OUT) {
      fan <<= 1;
    }
    return fan;
  }

  /** Ranges in ascending order with adjacent ones joined. */
  static List<KeyRange> merged(List<KeyRange> ranges) {
    List<KeyRange> sorted = new ArrayList<>(ranges);
    sorted.sort((a, b) -> a.low().compareTo(b.low()));
    List<KeyRange> merged = new ArrayList<>();
    for (KeyRange range : sorted) {
      if (!merged.isEmpty() && merged.get(merged.size() - 1).high().equals(range.low())) {
        KeyRange last = merged.remove(merged.size() - 1);
        merged.add(new KeyRange(last.low(), range.high()));
      } else {
        merged.add(range);
      }
    }
    return merged;
  }
}
