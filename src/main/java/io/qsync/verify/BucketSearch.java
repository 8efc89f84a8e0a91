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
 * are fetched and compared one by one. The others are split in the next pass into buckets of about
 * {@value #ROWS_PER_BUCKET} rows each, so that differences scattered over the whole table are found
 * in a pass or two instead of one pass per factor of 64; by the first key column over the span the
 * bucket's rows occupy on either side (each side returns its smallest and largest key per bucket),
 * so that a few keys far from the rest, which make the first pass's buckets far wider than the
 * rows' spacing, do not cost a pass per factor the split falls short. Widths stay powers of two
 * from one origin, so every bucket lies within the one it splits and every split is exact. Not
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

  /**
   * The most buckets the first pass splits the key space into, and the finest split {@link
   * #fanOutFor} asks for one bucket of many rows; a later pass's count is bounded by {@link
   * #MAX_BUCKETS_PER_PASS} instead.
   */
  public static final int MAX_FAN_OUT = 1 << 16;

  /**
   * The most buckets one pass asks each side for, as the pass's width makes them: the width that
   * suits the narrowest span in question splits the wider ones more finely than they need, and this
   * bounds how many checksums come back.
   */
  public static final long MAX_BUCKETS_PER_PASS = 1L << 18;

  private final BucketValue value;
  private final BigInteger origin;
  private final int leafRows;

  /** The width of the next pass's buckets. */
  private BigInteger width;

  private List<KeyRange> pending;

  /** The buckets of the last pass that the next one splits. */
  private BucketList parents;

  private BucketSearch(
      BucketValue value, BigInteger origin, BigInteger whole, int fanOut, int leafRows) {
    this.value = requireNonNull(value, "value is null");
    this.origin = requireNonNull(origin, "origin is null");
    requireNonNull(whole, "whole is null");
    if (leafRows < 1) {
      throw new IllegalArgumentException("leafRows must be positive: " + leafRows);
    }
    this.leafRows = leafRows;
    BigInteger fan = BigInteger.valueOf(fanOut);
    this.width = whole.compareTo(fan) >= 0 ? whole.divide(fan) : BigInteger.ONE;
    this.pending = List.of(new KeyRange(origin, origin.add(whole)));
    this.parents = new BucketList(origin, whole, List.of(BigInteger.ZERO));
  }

  /**
   * A search over the whole key space: for {@link BucketValue#KEY_HASH} the hash's values, for
   * {@link BucketValue#FIRST_KEY_COLUMN} the union of both sides' spans (nothing to search when
   * both are empty), widened to a power of {@value #FAN_OUT} so that every split is exact.
   */
  public static BucketSearch over(BucketValue value, Optional<KeyRange> span, int leafRows) {
    return whole(value, span, leafRows, FAN_OUT);
  }

  /**
   * As {@link #over(BucketValue, Optional, int)}, the first pass splitting the key space into as
   * many buckets as leave about {@value #ROWS_PER_BUCKET} of {@code rows} each (at least {@value
   * #FAN_OUT}).
   */
  public static BucketSearch over(
      BucketValue value, Optional<KeyRange> span, int leafRows, long rows) {
    return whole(value, span, leafRows, Math.max(FAN_OUT, fanOutFor(rows)));
  }

  private static BucketSearch whole(
      BucketValue value, Optional<KeyRange> span, int leafRows, int fanOut) {
    if (value == BucketValue.KEY_HASH) {
      return new BucketSearch(value, BigInteger.ZERO, HASH_SPACE, fanOut, leafRows);
    }
    if (span.isEmpty()) {
      BucketSearch none =
          new BucketSearch(value, BigInteger.ZERO, BigInteger.ONE, fanOut, leafRows);
      none.pending = List.of();
      return none;
    }
    BigInteger width = BigInteger.ONE;
    while (width.compareTo(span.get().width()) < 0) {
      width = width.multiply(FAN);
    }
    return new BucketSearch(value, span.get().low(), width, fanOut, leafRows);
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

  /**
   * One pass: group the rows within {@code ranges} as {@code grouping} says.
   *
   * @param parents the last pass's buckets this one splits (the whole key space for the first):
   *     neither side has rows in them outside {@code ranges}, the spans their rows occupy, so a
   *     side whose queries cost per query may keep the rows of these few buckets instead of listing
   *     the many finer ones of {@code ranges}
   */
  public record Pass(Grouping grouping, List<KeyRange> ranges, BucketList parents) {
    public Pass {
      requireNonNull(grouping, "grouping is null");
      ranges = List.copyOf(requireNonNull(ranges, "ranges is null"));
      requireNonNull(parents, "parents is null");
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
    return Optional.of(new Pass(new Grouping(value, origin, width), pending, parents));
  }

  /** A differing bucket: its range, the span its rows occupy within it, its rows (larger side). */
  private record InQuestion(BigInteger bucket, KeyRange range, KeyRange occupied, long rows) {}

  /**
   * Compares a pass's checksums of both sides and decides which buckets to split or fetch. By the
   * first key column, a bucket is split over the span its rows occupy on either side, not its
   * nominal range: a few keys far from the rest make the first pass's buckets much wider than the
   * rows' spacing, and so split, the rows of a bucket land in buckets of about {@value
   * #ROWS_PER_BUCKET} in the next pass instead of in the few of a split by its nominal width. A
   * bucket whose rows all hold one value is fetched.
   */
  public Found compare(
      Pass pass, Map<BigInteger, BucketSum> warehouse, Map<BigInteger, BucketSum> target) {
    TreeSet<BigInteger> buckets = new TreeSet<>(warehouse.keySet());
    buckets.addAll(target.keySet());
    List<KeyRange> fetch = new ArrayList<>();
    List<InQuestion> split = new ArrayList<>();
    List<InQuestion> small = new ArrayList<>();
    long smallRows = 0;
    int differing = 0;
    BigInteger child = pass.grouping().width();
    for (BigInteger bucket : buckets) {
      BucketSum one = warehouse.getOrDefault(bucket, BucketSum.EMPTY);
      BucketSum other = target.getOrDefault(bucket, BucketSum.EMPTY);
      if (one.matches(other)) {
        continue;
      }
      differing++;
      KeyRange range = pass.grouping().range(bucket);
      InQuestion bucketInQuestion =
          new InQuestion(
              bucket, range, occupied(range, one, other), Math.max(one.rows(), other.rows()));
      long rows = bucketInQuestion.rows();
      if (child.equals(BigInteger.ONE)
          || bucketInQuestion.occupied().width().equals(BigInteger.ONE)
          || rows <= ROWS_PER_BUCKET) {
        fetch.add(range);
      } else if (rows <= leafRows) {
        small.add(bucketInQuestion);
        smallRows += rows;
      } else {
        split.add(bucketInQuestion);
      }
    }
    // Buckets of up to leafRows rows are fetched whole unless there are so many that their rows
    // would not fit in memory (rows of keys clustered in a few buckets of a wide key span): then
    // they are split too, into buckets of about ROWS_PER_BUCKET.
    if (smallRows <= MAX_FETCH_ROWS) {
      small.forEach(bucket -> fetch.add(bucket.range()));
    } else {
      split.addAll(small);
    }
    width = widthFor(split, child);
    List<KeyRange> next = new ArrayList<>();
    for (InQuestion bucket : split) {
      next.add(aligned(bucket.occupied(), width));
    }
    pending = merged(next);
    parents =
        new BucketList(origin, child, split.stream().map(InQuestion::bucket).sorted().toList());
    return new Found(merged(fetch), split.size(), differing);
  }

  /**
   * The span a differing bucket's rows occupy on either side (an empty side adds nothing), within
   * its range; the range itself by the key's hash, whose values fill a bucket evenly, or when a
   * side with rows in it did not say (a side says only for more than {@value #ROWS_PER_BUCKET}).
   */
  private KeyRange occupied(KeyRange range, BucketSum one, BucketSum other) {
    if (value == BucketValue.KEY_HASH || unknown(one) || unknown(other)) {
      return range;
    }
    return union(one.occupied(), other.occupied())
        .filter(span -> span.low().compareTo(range.high()) < 0)
        .filter(span -> span.high().compareTo(range.low()) > 0)
        .map(span -> new KeyRange(span.low().max(range.low()), span.high().min(range.high())))
        .orElse(range);
  }

  private static boolean unknown(BucketSum sum) {
    return sum.rows() > 0 && sum.occupied().isEmpty();
  }

  /**
   * The next pass's width: the narrowest that splits each bucket in question into about {@value
   * #ROWS_PER_BUCKET} rows each over the span its rows occupy (a power of two, so that the buckets
   * stay within the ones they split), widened while that would ask for more than {@value
   * #MAX_BUCKETS_PER_PASS} buckets, but never wider than half {@code child}, this pass's: a pass as
   * wide as this one would ask for the same buckets again, forever. So a pass that splits more than
   * half of {@value #MAX_BUCKETS_PER_PASS} buckets may ask for more, up to twice as many buckets as
   * it splits.
   */
  private BigInteger widthFor(List<InQuestion> split, BigInteger child) {
    BigInteger narrowest = child;
    for (InQuestion bucket : split) {
      BigInteger fan = BigInteger.valueOf(fanOutFor(bucket.rows()));
      BigInteger wanted = bucket.occupied().width().add(fan).subtract(BigInteger.ONE).divide(fan);
      narrowest = narrowest.min(powerOfTwoAtLeast(wanted));
    }
    while (narrowest.shiftLeft(1).compareTo(child) < 0
        && buckets(split, narrowest) > MAX_BUCKETS_PER_PASS) {
      narrowest = narrowest.shiftLeft(1);
    }
    return narrowest;
  }

  private static BigInteger powerOfTwoAtLeast(BigInteger value) {
    return value.compareTo(BigInteger.ONE) <= 0
        ? BigInteger.ONE
        : BigInteger.ONE.shiftLeft(value.subtract(BigInteger.ONE).bitLength());
  }

  /** How many buckets of {@code width} with rows the buckets in question split into, at most. */
  private long buckets(List<InQuestion> split, BigInteger width) {
    long total = 0;
    for (InQuestion bucket : split) {
      BigInteger cells = aligned(bucket.occupied(), width).width().divide(width);
      total += Math.min(bucket.rows(), cells.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue());
    }
    return total;
  }

  /** {@code range} widened to whole buckets of {@code width} from the origin. */
  private KeyRange aligned(KeyRange range, BigInteger width) {
    BigInteger low = range.low().subtract(origin).divide(width).multiply(width);
    BigInteger high =
        range
            .high()
            .subtract(origin)
            .add(width)
            .subtract(BigInteger.ONE)
            .divide(width)
            .multiply(width);
    return new KeyRange(origin.add(low), origin.add(high));
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
