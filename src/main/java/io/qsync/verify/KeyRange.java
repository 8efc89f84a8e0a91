package io.qsync.verify;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;

/** A range of bucket values, from {@code low} (included) to {@code high} (excluded). Immutable. */
public record KeyRange(BigInteger low, BigInteger high) {
  public KeyRange {
    requireNonNull(low, "low is null");
    requireNonNull(high, "high is null");
    if (high.compareTo(low) <= 0) {
      throw new IllegalArgumentException("empty range [" + low + ", " + high + ")");
    }
  }

  public BigInteger width() {
    return high.subtract(low);
  }

  @Override
  public String toString() {
    return "[" + low + ", " + high + ")";
  }
}
