package io.qsync.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BucketSearchTest {
  private static KeyRange range(long low, long high) {
    return new KeyRange(BigInteger.valueOf(low), BigInteger.valueOf(high));
  }

  private static BigInteger big(long value) {
    return BigInteger.valueOf(value);
  }

  @Test
  void widensAKeySpanToAPowerOfTheFanOutSoEverySplitIsExact() {
    BucketSearch search =
        BucketSearch.over(BucketValue.FIRST_KEY_COLUMN, Optional.of(range(-5, 5000)), 10);

    BucketSearch.Pass pass = search.next().orElseThrow();

    // 5005 values need 64^3 = 262,144; each of the 64 buckets holds 4096.
    assertThat(pass.ranges()).containsExactly(range(-5, -5 + 262_144));
    assertThat(pass.grouping().width()).isEqualTo(big(4096));
    assertThat(pass.grouping().range(big(2))).isEqualTo(range(-5 + 8192, -5 + 12_288));
  }

  @Test
  void theKeyHashSpaceSplitsInSixtyFourPerPass() {
    BucketSearch search = BucketSearch.over(BucketValue.KEY_HASH, Optional.empty(), 10);

    BucketSearch.Pass pass = search.next().orElseThrow();

    assertThat(pass.ranges())
        .containsExactly(new KeyRange(BigInteger.ZERO, BucketSearch.HASH_SPACE));
    assertThat(pass.grouping().width()).isEqualTo(BigInteger.ONE.shiftLeft(54));
  }

  @Test
  void nothingToSearchWhenBothSidesAreEmpty() {
    assertThat(BucketSearch.over(BucketValue.FIRST_KEY_COLUMN, Optional.empty(), 10).next())
        .isEmpty();
  }

  @Test
  void equalSumsEndTheSearchAfterOnePass() {
    BucketSearch search =
        BucketSearch.over(BucketValue.FIRST_KEY_COLUMN, Optional.of(range(0, 100_000)), 10);
    BucketSearch.Pass pass = search.next().orElseThrow();
    Map<BigInteger, BucketSum> sums =
        Map.of(big(0), new BucketSum(5, 1), big(3), new BucketSum(7, 3));

    BucketSearch.Found found = search.compare(pass, sums, new HashMap<>(sums));

    assertThat(found.differing()).isZero();
    assertThat(found.fetch()).isEmpty();
    assertThat(search.next()).isEmpty();
  }

  @Test
  void splitsOnlyTheLargeDifferingBucketsAndFetchesTheSmallOnes() {
    BucketSearch search =
        BucketSearch.over(BucketValue.FIRST_KEY_COLUMN, Optional.of(range(0, 64 * 64)), 100);
    BucketSearch.Pass first = search.next().orElseThrow();
    assertThat(first.grouping().width()).isEqualTo(big(64));
    Map<BigInteger, BucketSum> warehouse =
        Map.of(
            big(1), new BucketSum(64, 1), // differs, 64 rows: fetch
            big(2), new BucketSum(64, 2), // equal
            big(3), new BucketSum(500, 3), // differs, too many rows: split
            big(4), new BucketSum(64, 4)); // absent from the table: fetch
    Map<BigInteger, BucketSum> target =
        Map.of(
            big(1), new BucketSum(64, 9),
            big(2), new BucketSum(64, 2),
            big(3), new BucketSum(500, 4),
            big(9), new BucketSum(1, 5)); // absent from the query: fetch

    BucketSearch.Found found = search.compare(first, warehouse, target);

    assertThat(found.differing()).isEqualTo(4);
    assertThat(found.split()).isEqualTo(1);
    // Buckets 1 and 4 are not adjacent; 4 and 9 neither. 1 stays apart from 3, which is split.
    assertThat(found.fetch()).containsExactly(range(64, 128), range(256, 320), range(576, 640));
    BucketSearch.Pass second = search.next().orElseThrow();
    assertThat(second.ranges()).containsExactly(range(192, 256));
    // 500 rows in a bucket of width 64: 32 buckets of about 16 rows each, width 2.
    assertThat(second.grouping().width()).isEqualTo(big(2));
  }

  @Test
  void aBucketOfOneValueIsFetchedHoweverManyRowsItHas() {
    BucketSearch search =
        BucketSearch.over(BucketValue.FIRST_KEY_COLUMN, Optional.of(range(0, 64)), 1);
    BucketSearch.Pass pass = search.next().orElseThrow();
    assertThat(pass.grouping().width()).isEqualTo(big(1));

    BucketSearch.Found found = search.compare(pass, Map.of(big(7), new BucketSum(5, 1)), Map.of());

    assertThat(found.fetch()).containsExactly(range(7, 8));
    assertThat(search.next()).isEmpty();
  }

  @Test
  void aSplitAimsAtSixteenRowsABucketInAPowerOfTwo() {
    assertThat(BucketSearch.fanOutFor(0)).isEqualTo(2);
    assertThat(BucketSearch.fanOutFor(16)).isEqualTo(2);
    assertThat(BucketSearch.fanOutFor(15_625)).isEqualTo(1024);
    assertThat(BucketSearch.fanOutFor(10_000_000_000L)).isEqualTo(BucketSearch.MAX_FAN_OUT);
  }

  @Test
  void scatteredDifferencesAreSplitFinelyInTheSecondPass() {
    BucketSearch search = BucketSearch.over(BucketValue.KEY_HASH, Optional.empty(), 1000);
    BucketSearch.Pass first = search.next().orElseThrow();
    Map<BigInteger, BucketSum> warehouse = new HashMap<>();
    Map<BigInteger, BucketSum> target = new HashMap<>();
    for (int bucket = 0; bucket < 64; bucket++) {
      warehouse.put(big(bucket), new BucketSum(15_625, bucket));
      target.put(big(bucket), new BucketSum(15_625, bucket + 1000));
    }

    BucketSearch.Found found = search.compare(first, warehouse, target);

    assertThat(found.split()).isEqualTo(64);
    BucketSearch.Pass second = search.next().orElseThrow();
    // All 64 ranges in question are adjacent: one range; each split in 1024.
    assertThat(second.ranges())
        .containsExactly(new KeyRange(BigInteger.ZERO, BucketSearch.HASH_SPACE));
    assertThat(second.grouping().width()).isEqualTo(BigInteger.ONE.shiftLeft(60 - 6 - 10));
  }

  @Test
  void aKnownTableSizeSplitsTheFirstPassFinelyEnoughToFetchTheDifferencesNext() {
    BucketSearch search =
        BucketSearch.over(
            BucketValue.FIRST_KEY_COLUMN, Optional.of(range(0, 1_000_000)), 1000, 1_000_000);
    BucketSearch.Pass first = search.next().orElseThrow();
    // 64^4 = 16,777,216 covers the span; 65,536 buckets of 256 values, about 16 rows each.
    assertThat(first.grouping().width()).isEqualTo(big(256));
    Map<BigInteger, BucketSum> warehouse = new HashMap<>();
    Map<BigInteger, BucketSum> target = new HashMap<>();
    for (int bucket = 0; bucket < 3907; bucket++) {
      warehouse.put(big(bucket), new BucketSum(256, bucket));
      target.put(big(bucket), new BucketSum(256, bucket % 100 == 7 ? -1 : bucket));
    }

    BucketSearch.Found found = search.compare(first, warehouse, target);

    assertThat(found.differing()).isEqualTo(39);
    assertThat(found.split()).as("each differing bucket is small enough to fetch").isZero();
    assertThat(found.fetch()).hasSize(39).first().isEqualTo(range(7 * 256, 8 * 256));
    assertThat(search.next()).isEmpty();
  }

  @Test
  void manyDifferingBucketsOfAThousandRowsAreSplitAgainRatherThanFetchedWhole() {
    // Keys clustered at one end of a wide span (a few outliers far away): buckets sized for 16
    // rows each hold a thousand; fetching every differing one whole would not fit in memory.
    for (int differing : new int[] {10, 100}) {
      BucketSearch search =
          BucketSearch.over(BucketValue.KEY_HASH, Optional.empty(), 1000, 1_000_000);
      BucketSearch.Pass first = search.next().orElseThrow();
      Map<BigInteger, BucketSum> warehouse = new HashMap<>();
      Map<BigInteger, BucketSum> target = new HashMap<>();
      for (int bucket = 0; bucket < 1000; bucket++) {
        warehouse.put(big(bucket), new BucketSum(1000, bucket));
        target.put(big(bucket), new BucketSum(1000, bucket < differing ? -1 : bucket));
      }

      BucketSearch.Found found = search.compare(first, warehouse, target);

      assertThat(found.differing()).isEqualTo(differing);
      if (differing * 1000L <= BucketSearch.MAX_FETCH_ROWS) {
        assertThat(found.split()).isZero();
        assertThat(found.fetch()).as("adjacent buckets joined").hasSize(1);
      } else {
        assertThat(found.fetch()).isEmpty();
        assertThat(found.split()).isEqualTo(differing);
        assertThat(search.next().orElseThrow().grouping().width())
            .as("split into buckets of about 16 rows")
            .isEqualTo(first.grouping().width().divide(big(64)));
      }
    }
  }

  @Test
  void aSmallTableKeepsTheFirstPassAtSixtyFourBuckets() {
    BucketSearch search = BucketSearch.over(BucketValue.KEY_HASH, Optional.empty(), 1000, 50);
    assertThat(search.next().orElseThrow().grouping().width())
        .isEqualTo(BucketSearch.HASH_SPACE.divide(big(64)));
  }

  @Test
  void aDifferingBucketIsSplitOverTheSpanItsRowsOccupyOnEitherSide() {
    long far = 1_000_000_000_000L;
    BucketSearch search =
        BucketSearch.over(
            BucketValue.FIRST_KEY_COLUMN, Optional.of(range(1, far + 1000)), 1000, 1_000_300);
    BucketSearch.Pass first = search.next().orElseThrow();
    // 64^7 = 2^42 covers the span; 65,536 buckets of 2^26 values: the 1,000,000 dense keys all in
    // bucket 0, the 300 far ones in bucket 14,901.
    assertThat(first.grouping().width()).isEqualTo(big(1L << 26));
    Map<BigInteger, BucketSum> warehouse =
        Map.of(big(0), new BucketSum(1_000_000, 1, Optional.of(range(1, 1_000_001))));
    Map<BigInteger, BucketSum> target =
        Map.of(
            big(0), new BucketSum(999_999, 2, Optional.of(range(5, 999_990))),
            big(14_901), new BucketSum(300, 3, Optional.of(range(far + 3, far + 999))));

    BucketSearch.Found found = search.compare(first, warehouse, target);

    assertThat(found.split()).isEqualTo(1);
    assertThat(found.fetch()).containsExactly(first.grouping().range(big(14_901)));
    BucketSearch.Pass second = search.next().orElseThrow();
    // Split by its nominal width, 1,024 values (about 1,000 rows) a bucket, not fetched yet; by
    // the span [1, 1,000,000] its rows occupy, 16 values a bucket, whole buckets from the origin.
    assertThat(second.grouping().width()).isEqualTo(big(16));
    assertThat(second.ranges()).containsExactly(range(1, 1_000_001));
  }

  @Test
  void aDifferingBucketWhoseRowsHoldOneKeyValueIsFetched() {
    BucketSearch search =
        BucketSearch.over(BucketValue.FIRST_KEY_COLUMN, Optional.of(range(0, 1 << 20)), 10);
    BucketSearch.Pass pass = search.next().orElseThrow();

    BucketSearch.Found found =
        search.compare(
            pass,
            Map.of(big(3), new BucketSum(50, 1, Optional.of(range(800_000, 800_001)))),
            Map.of(big(3), new BucketSum(40, 1, Optional.of(range(800_000, 800_001)))));

    assertThat(found.fetch()).containsExactly(pass.grouping().range(big(3)));
    assertThat(search.next()).isEmpty();
  }

  @Test
  void anEmptySideAddsNothingToTheSpanAndTheWidthSuitsTheNarrowestSpan() {
    BucketSearch search =
        BucketSearch.over(BucketValue.FIRST_KEY_COLUMN, Optional.of(range(0, 1 << 24)), 100);
    BucketSearch.Pass pass = search.next().orElseThrow();
    assertThat(pass.grouping().width()).isEqualTo(big(1 << 18));

    search.compare(
        pass,
        Map.of(
            big(1), new BucketSum(2000, 1, Optional.of(range(300_000, 302_000))),
            big(5), new BucketSum(2000, 2, Optional.of(range(5 << 18, 6 << 18)))),
        Map.of(big(5), new BucketSum(2000, 3, Optional.of(range(5 << 18, 6 << 18)))));

    BucketSearch.Pass second = search.next().orElseThrow();
    // Bucket 1's 2,000 rows in 2,000 values: 128 buckets of 16; bucket 5 spread over its whole
    // range is split as finely (2,048 buckets of 128 values, most of them empty).
    assertThat(second.grouping().width()).isEqualTo(big(16));
    assertThat(second.ranges()).containsExactly(range(300_000, 302_000), range(5 << 18, 6 << 18));
  }

  @Test
  void aBucketIsSplitOverItsWholeRangeWhenASideWithRowsInItDidNotSayItsSpan() {
    BucketSearch search =
        BucketSearch.over(BucketValue.FIRST_KEY_COLUMN, Optional.of(range(0, 1 << 20)), 50);
    BucketSearch.Pass pass = search.next().orElseThrow();
    assertThat(pass.grouping().width()).isEqualTo(big(1 << 18));

    // The table's 10 rows, at 5,000..5,009, are too few for it to say their span: splitting over
    // the warehouse's [0, 100) alone would never look at them.
    search.compare(
        pass,
        Map.of(big(0), new BucketSum(100, 1, Optional.of(range(0, 100)))),
        Map.of(big(0), new BucketSum(10, 2)));

    assertThat(search.next().orElseThrow().ranges()).containsExactly(range(0, 1 << 18));
  }

  @Test
  void aBucketMissingFromOneSideIsSplitOverTheOtherSidesSpan() {
    BucketSearch search =
        BucketSearch.over(BucketValue.FIRST_KEY_COLUMN, Optional.of(range(0, 1 << 20)), 50);
    BucketSearch.Pass pass = search.next().orElseThrow();

    search.compare(
        pass, Map.of(), Map.of(big(0), new BucketSum(100, 2, Optional.of(range(200, 300)))));

    // 100 rows in 100 values: 8 buckets of 16 values, from 192.
    BucketSearch.Pass second = search.next().orElseThrow();
    assertThat(second.grouping().width()).isEqualTo(big(16));
    assertThat(second.ranges()).containsExactly(range(192, 304));
  }

  @Test
  void spansBelowZeroAreAlignedFromTheOrigin() {
    BucketSearch search =
        BucketSearch.over(BucketValue.FIRST_KEY_COLUMN, Optional.of(range(-1000, 5000)), 50);
    BucketSearch.Pass pass = search.next().orElseThrow();
    assertThat(pass.grouping().origin()).isEqualTo(big(-1000));
    assertThat(pass.grouping().range(big(0))).isEqualTo(range(-1000, 3096));

    search.compare(
        pass,
        Map.of(big(0), new BucketSum(200, 1, Optional.of(range(-900, -700)))),
        Map.of(big(0), new BucketSum(150, 2, Optional.of(range(-900, -750)))));

    // 200 rows over 200 values: buckets of 16 values from -1,000, the span widened to -904..-696.
    BucketSearch.Pass second = search.next().orElseThrow();
    assertThat(second.grouping().width()).isEqualTo(big(16));
    assertThat(second.ranges()).containsExactly(range(-904, -696));
  }

  @Test
  void aPassIsWidenedWhileItWouldAskForTooManyBuckets() {
    BucketSearch search =
        BucketSearch.over(
            BucketValue.FIRST_KEY_COLUMN, Optional.of(range(0, 1 << 30)), 100, 1_000_000);
    BucketSearch.Pass pass = search.next().orElseThrow();
    assertThat(pass.grouping().width()).isEqualTo(big(1 << 14));
    Map<BigInteger, BucketSum> warehouse = new HashMap<>();
    // Bucket 0's 2,000 rows in 2,000 values want buckets of 16; 300 more buckets of 2,000 rows
    // over all their 16,384 values would then ask for 300 x 1,024 buckets with rows, more than
    // MAX_BUCKETS_PER_PASS: buckets of 32 ask for 300 x 512.
    warehouse.put(big(0), new BucketSum(2000, 1, Optional.of(range(0, 2000))));
    for (int bucket = 1; bucket <= 300; bucket++) {
      warehouse.put(
          big(bucket),
          new BucketSum(2000, 1, Optional.of(range(bucket << 14, (bucket + 1) << 14))));
    }

    search.compare(pass, warehouse, Map.of());

    assertThat(search.next().orElseThrow().grouping().width()).isEqualTo(big(32));
  }

  @Test
  void eachPassIsNarrowerThanTheLastEvenWhenTheCapWouldWidenItBackToItsOwnWidth() {
    // Dense keys 1..2^23, one in 32 missing from the table: the second pass's 262,144 buckets of
    // 32 values all differ, and buckets of 16 would ask for twice MAX_BUCKETS_PER_PASS; widening
    // to 32 again would repeat the pass forever.
    long keys = 1L << 23;
    BucketSearch search =
        BucketSearch.over(
            BucketValue.FIRST_KEY_COLUMN, Optional.of(range(1, keys + 1)), 1000, keys);
    List<BigInteger> widths = new java.util.ArrayList<>();
    Optional<BucketSearch.Pass> next;
    while ((next = search.next()).isPresent() && widths.size() < 10) {
      BucketSearch.Pass pass = next.get();
      widths.add(pass.grouping().width());
      Map<BigInteger, BucketSum> warehouse = new HashMap<>();
      Map<BigInteger, BucketSum> target = new HashMap<>();
      denseSums(pass, keys, 32, warehouse, target);
      search.compare(pass, warehouse, target);
    }

    assertThat(widths).containsExactly(big(256), big(32), big(16));
  }

  @Test
  void byTheKeyHashTooEachPassIsNarrowerThanTheLast() {
    // 2^16 buckets of 10,000 rows all differ: the next pass splits each into 4 (the cap); when
    // all 2^18 of those differ too, buckets of half their width would ask for 2^19.
    BucketSearch search =
        BucketSearch.over(BucketValue.KEY_HASH, Optional.empty(), 1000, (1L << 16) * 10_000);
    BucketSearch.Pass first = search.next().orElseThrow();
    search.compare(first, everyBucket(first, 10_000), Map.of());
    BucketSearch.Pass second = search.next().orElseThrow();
    assertThat(second.grouping().width()).isEqualTo(first.grouping().width().shiftRight(2));

    search.compare(second, everyBucket(second, 2_500), Map.of());

    assertThat(search.next().orElseThrow().grouping().width())
        .isEqualTo(second.grouping().width().shiftRight(1));
  }

  /** A sum of {@code rows} rows for every bucket of {@code pass}. */
  private static Map<BigInteger, BucketSum> everyBucket(BucketSearch.Pass pass, long rows) {
    Map<BigInteger, BucketSum> sums = new HashMap<>();
    BigInteger width = pass.grouping().width();
    for (KeyRange range : pass.ranges()) {
      for (BigInteger low = range.low(); low.compareTo(range.high()) < 0; low = low.add(width)) {
        sums.put(low.subtract(pass.grouping().origin()).divide(width), new BucketSum(rows, 1));
      }
    }
    return sums;
  }

  /**
   * Each side's sums of the buckets of {@code pass} over keys 1..{@code keys}, every {@code
   * every}th key missing from the target (its xor then counts the missing keys).
   */
  private static void denseSums(
      BucketSearch.Pass pass,
      long keys,
      long every,
      Map<BigInteger, BucketSum> warehouse,
      Map<BigInteger, BucketSum> target) {
    long origin = pass.grouping().origin().longValueExact();
    long width = pass.grouping().width().longValueExact();
    for (KeyRange range : pass.ranges()) {
      for (long low = range.low().longValueExact();
          low < range.high().longValueExact();
          low += width) {
        long first = Math.max(low, 1);
        long last = Math.min(low + width - 1, keys);
        if (first > last) {
          continue;
        }
        long rows = last - first + 1;
        long missing = last / every - (first - 1) / every;
        Optional<KeyRange> span =
            rows > BucketSearch.ROWS_PER_BUCKET
                ? Optional.of(range(first, last + 1))
                : Optional.empty();
        Optional<KeyRange> targetSpan =
            rows - missing > BucketSearch.ROWS_PER_BUCKET ? span : Optional.empty();
        BigInteger bucket = big((low - origin) / width);
        warehouse.put(bucket, new BucketSum(rows, 0, span));
        if (rows > missing) {
          target.put(bucket, new BucketSum(rows - missing, missing, targetSpan));
        }
      }
    }
  }

  @Test
  void adjacentFetchedBucketsAreJoinedIntoOneRange() {
    assertThat(BucketSearch.merged(List.of(range(10, 20), range(0, 10), range(30, 40))))
        .containsExactly(range(0, 20), range(30, 40));
  }

  @Test
  void theUnionOfTwoSpansCoversBoth() {
    assertThat(BucketSearch.union(Optional.of(range(5, 10)), Optional.of(range(-3, 7))))
        .contains(range(-3, 10));
    assertThat(BucketSearch.union(Optional.empty(), Optional.of(range(1, 2))))
        .contains(range(1, 2));
  }
}
