package io.qsync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.engine.VerifyReport;
import io.qsync.engine.VerifyReport.Kind;

/**
 * Differences planted in a table {@code copy (id, v)} of dense keys 1 to N as {@code qsync bench}
 * plants them: every 3,000th row changed, every 3,000th missing, and every 3,000th copied as an
 * extra row 10^12 above the others, which makes the first verify pass's buckets (even splits of the
 * whole key span) far wider than the dense rows' spacing.
 */
public final class FarKeys {
  private FarKeys() {}

  /** How far above the dense keys the extra rows are. */
  public static final long FAR = 1_000_000_000_000L;

  /** Plants the differences in table {@code copy}. */
  public static void plant(TestDatabase database) {
    database.execute(
        "UPDATE copy SET v = 'changed' WHERE MOD(id, 3000) = 1",
        "DELETE FROM copy WHERE MOD(id, 3000) = 2",
        "INSERT INTO copy SELECT id + " + FAR + ", v FROM copy WHERE MOD(id, 3000) = 3");
  }

  /** Asserts that {@code report} found exactly the differences planted in keys 1 to {@code n}. */
  public static void assertFoundExactly(VerifyReport report, long n) {
    long each = (n - 1) / 3000 + 1;
    assertThat(report.different()).isEqualTo(each);
    assertThat(report.missing()).isEqualTo(each);
    assertThat(report.extra()).isEqualTo(each);
    assertThat(report.samples())
        .filteredOn(sample -> sample.kind() == Kind.DIFFERENT)
        .extracting(sample -> Long.parseLong(sample.key().get(0)) % 3000)
        .containsOnly(1L);
    assertThat(report.samples())
        .filteredOn(sample -> sample.kind() == Kind.MISSING)
        .extracting(sample -> Long.parseLong(sample.key().get(0)) % 3000)
        .containsOnly(2L);
    assertThat(report.samples())
        .filteredOn(sample -> sample.kind() == Kind.EXTRA)
        .extracting(sample -> Long.parseLong(sample.key().get(0)) - FAR)
        .isNotEmpty()
        .allSatisfy(key -> assertThat(key % 3000).isEqualTo(3L));
  }
}
