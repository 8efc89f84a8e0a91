package io.qsync.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BucketSumTest {
  @Test
  void anEmptyBucketOccupiesNoSpan() {
    Optional<KeyRange> span = Optional.of(new KeyRange(BigInteger.ONE, BigInteger.TEN));

    assertThatThrownBy(() -> new BucketSum(0, 0, span))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty bucket");
    assertThat(new BucketSum(1, 0, span).occupied()).isEqualTo(span);
  }
}
