package io.qsync.verify;

/**
 * The checksum of one bucket on one side: its row count and the XOR of its rows' 60-bit hashes.
 * Order-independent: the same rows in any order give the same sum. (A second guard, the sum of the
 * hashes, was dropped: MariaDB merges the derived table and so computed every row's hash once per
 * aggregate, which doubled the cost of a pass.) Immutable.
 */
public record BucketSum(long rows, long xor) {
  public static final BucketSum EMPTY = new BucketSum(0, 0);

  public BucketSum {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must not be negative: " + rows);
    }
  }
}
