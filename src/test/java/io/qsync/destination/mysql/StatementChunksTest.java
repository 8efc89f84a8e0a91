package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatementChunksTest {
  private static List<Change> rows(String... texts) {
    List<Change> rows = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      rows.add(new Change(i + 1, ChangeKind.INSERT, new Object[] {(long) i + 1, texts[i]}));
    }
    return rows;
  }

  private static List<Integer> sizes(List<List<Change>> chunks) {
    return chunks.stream().map(List::size).toList();
  }

  @Test
  void splitsAtTheRowLimit() {
    List<List<Change>> chunks =
        StatementChunks.split(rows("a", "b", "c", "d", "e"), 2, 1 << 20, StatementChunks.all(2));

    assertThat(sizes(chunks)).containsExactly(2, 2, 1);
  }

  @Test
  void splitsWhereTheNextRowWouldPassTheByteBudget() {
    String kilobyte = "x".repeat(1000);
    long oneRow = StatementChunks.estimate(new Object[] {1L, kilobyte}, StatementChunks.all(2));

    List<List<Change>> chunks =
        StatementChunks.split(
            rows(kilobyte, kilobyte, kilobyte, "small"), 100, 2 * oneRow, StatementChunks.all(2));

    assertThat(sizes(chunks)).containsExactly(2, 2);
  }

  @Test
  void aRowLargerThanTheBudgetGoesAlone() {
    String big = "x".repeat(10_000);

    List<List<Change>> chunks =
        StatementChunks.split(rows("a", big, "b"), 100, 1000, StatementChunks.all(2));

    assertThat(sizes(chunks)).containsExactly(1, 1, 1);
  }

  @Test
  void onlyTheGivenColumnsCount() {
    String big = "x".repeat(10_000);

    List<List<Change>> chunks =
        StatementChunks.split(rows(big, big, big), 100, 1000, new int[] {0});

    assertThat(sizes(chunks)).containsExactly(3);
  }

  @Test
  void estimatesTextAtSixBytesACharacterAndBinaryAtTwo() {
    assertThat(
            StatementChunks.estimate(
                new Object[] {"abc", new byte[10], null, 5L}, StatementChunks.all(4)))
        .isEqualTo((6 * 3 + 4) + (2 * 10 + 4) + 48 + 48);
  }

  @Test
  void noRowsNoChunks() {
    assertThat(StatementChunks.split(List.of(), 10, 1000, new int[] {0})).isEmpty();
  }
}
