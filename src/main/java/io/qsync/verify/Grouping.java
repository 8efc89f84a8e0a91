package io.qsync.verify;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;

/**
 * How one pass groups rows: bucket {@code n} holds the rows whose bucket value {@code v} has {@code
 * (v - origin) / width = n} (whole-number division; {@code v >= origin} within the ranges a pass
 * reads). Immutable.
 */
public record Grouping(BucketValue value, BigInteger origin, BigInteger width) {
  public Grouping {
    requireNonNull(value, "value is null");
    requireNonNull(origin, "origin is null");
    requireNonNull(width, "width is null");
    if (width.signum() <= 0) {
      throw new IllegalArgumentException("width must be positive: " + width);
    }
  }

  /** The range of bucket values bucket {@code bucket} holds. */
  public KeyRange range(BigInteger bucket) {
    BigInteger low = origin.add(bucket.multiply(width));
    return new KeyRange(low, low.add(width));
  }
}
