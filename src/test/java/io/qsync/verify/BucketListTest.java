package io.qsync.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class BucketListTest {
  private static KeyRange range(long low, long high) {
    return new KeyRange(BigInteger.valueOf(low), BigInteger.valueOf(high));
  }

  private static List<BigInteger> numbers(long... values) {
    return java.util.Arrays.stream(values).mapToObj(BigInteger::valueOf).toList();
  }

  @Test
  void rangesOfWholeBucketsBecomeTheirNumbersFromTheFirstLowEnd() {
    BucketList list = BucketList.of(List.of(range(-40, -24), range(8, 40)), 100).orElseThrow();

    assertThat(list.origin()).isEqualTo(BigInteger.valueOf(-40));
    assertThat(list.width()).isEqualTo(BigInteger.valueOf(16));
    assertThat(list.buckets()).isEqualTo(numbers(0, 3, 4));
  }

  @Test
  void bucketsCountFromAGivenOrigin() {
    BucketList list =
        BucketList.of(List.of(range(32, 48), range(64, 96)), BigInteger.ZERO, 100).orElseThrow();

    assertThat(list.buckets()).isEqualTo(numbers(2, 4, 5));
    assertThat(BucketList.of(List.of(range(40, 56)), BigInteger.ZERO, 100))
        .as("40 is not a whole number of 16s from 0, but of 8s")
        .contains(new BucketList(BigInteger.ZERO, BigInteger.valueOf(8), numbers(5, 6)));
    assertThat(BucketList.of(List.of(range(40, 56)), BigInteger.valueOf(48), 100)).isEmpty();
  }

  @Test
  void rangesOfUnevenWidthsBecomeBucketsOfTheirCommonWidth() {
    assertThat(BucketList.of(List.of(range(0, 16), range(20, 36)), 100))
        .contains(
            new BucketList(
                BigInteger.ZERO, BigInteger.valueOf(4), numbers(0, 1, 2, 3, 5, 6, 7, 8)));
    assertThat(BucketList.of(List.of(range(0, 16), range(32, 56)), 100))
        .contains(new BucketList(BigInteger.ZERO, BigInteger.valueOf(8), numbers(0, 1, 4, 5, 6)));
  }

  @Test
  void moreBucketsThanTheBoundAreRefused() {
    assertThat(BucketList.of(List.of(range(0, 16), range(32, 80)), 3)).isEmpty();
    assertThat(BucketList.of(List.of(range(0, 16), range(32, 80)), 4)).isPresent();
    assertThat(BucketList.of(List.of(), 4)).isEmpty();
  }
}
