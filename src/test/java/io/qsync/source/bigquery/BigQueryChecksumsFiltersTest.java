package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.verify.BucketSearch;
import io.qsync.verify.BucketSum;
import io.qsync.verify.BucketValue;
import io.qsync.verify.KeyRange;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BigQueryChecksumsFiltersTest {
  private static KeyRange range(long low, long high) {
    return new KeyRange(BigInteger.valueOf(low), BigInteger.valueOf(high));
  }

  @Test
  void aPassKeepsItsRowsByTheBucketsItSplitsInOneJob() {
    BucketSearch search =
        BucketSearch.over(
            BucketValue.FIRST_KEY_COLUMN, Optional.of(range(0, 1 << 30)), 100, 1_000_000);
    BucketSearch.Pass first = search.next().orElseThrow();
    // 1,000 differing buckets of 2^14 values whose 2,000 rows sit at uneven offsets: the next
    // pass's 1,000 ranges are whole buckets of 16 at uneven distances, which a job would have to
    // list as 126,000 buckets of 16 or as 1,000 ranges (two jobs, each billing a full scan).
    Map<BigInteger, BucketSum> warehouse = new HashMap<>();
    for (int bucket = 0; bucket < 1000; bucket++) {
      long low = ((long) bucket << 14) + 16L * (bucket % 7);
      warehouse.put(
          BigInteger.valueOf(bucket), new BucketSum(2000, 1, Optional.of(range(low, low + 2000))));
    }
    search.compare(first, warehouse, Map.of());
    BucketSearch.Pass second = search.next().orElseThrow();
    assertThat(second.ranges()).hasSize(1000);

    assertThat(BigQueryChecksums.filters(second))
        .singleElement()
        .asString()
        .contains("CAST('16384' AS NUMERIC)) IN (0, 1, 2,")
        .endsWith(", 999)");
  }
}
