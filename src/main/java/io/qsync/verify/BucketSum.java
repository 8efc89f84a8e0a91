package io.qsync.verify;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.util.Optional;

/**
 * The checksum of one bucket on one side: its row count and the XOR of its rows' 60-bit hashes.
 * Order-independent: the same rows in any order give the same sum. (A second guard, the sum of the
 * hashes, was dropped: MariaDB merges the derived table and so computed every row's hash once per
 * aggregate, which doubled the cost of a pass.) Immutable.
 *
 * @param occupied the range from the bucket's smallest bucket value to its largest (included), so
 *     that a differing bucket is split over the span its rows occupy rather than its nominal range;
 *     empty when not known: for an empty bucket, one of at most {@value
 *     BucketSearch#ROWS_PER_BUCKET} rows, and by the key's hash
 */
public record BucketSum(long rows, long xor, Optional<KeyRange> occupied) {
  public static final BucketSum EMPTY = new BucketSum(0, 0);

  public BucketSum {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must not be negative: " + rows);
    }
    requireNonNull(occupied, "occupied is null");
    if (rows == 0 && occupied.isPresent()) {
      throw new IllegalArgumentException("an empty bucket occupies no span: " + occupied.get());
    }
  }

  /** A sum whose occupied span is not known. */
  public BucketSum(long rows, long xor) {
    this(rows, xor, Optional.empty());
  }

  /**
   * A sum as a side's query returns it: the smallest and largest bucket value as text (NULL, for no
   * rows, as {@code null}).
   */
  public static BucketSum of(long rows, long xor, String smallest, String largest) {
    if (smallest == null || largest == null) {
      return new BucketSum(rows, xor);
    }
    return new BucketSum(
        rows,
        xor,
        Optional.of(
            new KeyRange(new BigInteger(smallest), new BigInteger(largest).add(BigInteger.ONE))));
  }

  /** Whether both hold the same rows, as far as the checksum tells. */
  public boolean matches(BucketSum other) {
    return rows == other.rows && xor == other.xor;
  }
}
