package io.qsync.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RowComparisonTest {
  private static HashedRow row(String key, long... columns) {
    long hash = 17;
    List<Long> hashes = new java.util.ArrayList<>();
    for (long column : columns) {
      hash = hash * 31 + column;
      hashes.add(column);
    }
    return new HashedRow(key, List.of(key), hash, hashes);
  }

  @Test
  void namesMissingExtraAndDifferentKeysAndTheDifferingColumns() {
    RowComparison comparison =
        RowComparison.of(
            List.of(row("1", 1, 2, 3), row("2", 1, 2, 3), row("3", 1, 2, 3)),
            List.of(row("1", 1, 2, 3), row("3", 1, 9, 8), row("4", 1, 2, 3)));

    assertThat(comparison.missing()).extracting(HashedRow::key).containsExactly("2");
    assertThat(comparison.extra()).extracting(HashedRow::key).containsExactly("4");
    assertThat(comparison.different()).hasSize(1);
    assertThat(comparison.different().get(0).target().key()).isEqualTo("3");
    assertThat(comparison.different().get(0).columns()).containsExactly(1, 2);
  }

  @Test
  void aSecondTableRowOfOneKeyIsExtra() {
    RowComparison comparison =
        RowComparison.of(List.of(row("1", 1)), List.of(row("1", 1), row("1", 1)));

    assertThat(comparison.missing()).isEmpty();
    assertThat(comparison.different()).isEmpty();
    assertThat(comparison.extra()).extracting(HashedRow::key).containsExactly("1");
  }

  @Test
  void equalRowsInAnyOrderCompareEqual() {
    RowComparison comparison =
        RowComparison.of(List.of(row("a", 1), row("b", 2)), List.of(row("b", 2), row("a", 1)));

    assertThat(comparison.missing()).isEmpty();
    assertThat(comparison.extra()).isEmpty();
    assertThat(comparison.different()).isEmpty();
  }
}
