package io.qsync.verify;

/**
 * The checksum of one bucket on one side: its row count, and the XOR and the sum (modulo 2^60) of
 * its rows' 60-bit hashes. Order-independent: the same rows in any order give the same sum.
 * Immutable.
 */
public record BucketSum(long rows, long xor, long sum) {
  public static final BucketSum EMPTY = new BucketSum(0, 0, 0);

  public BucketSum {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must not be negative: " + rows);
    }
  }
}
