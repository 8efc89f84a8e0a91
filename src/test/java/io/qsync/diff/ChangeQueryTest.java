package io.qsync.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which way a {@code diff: snapshot} run asks for its change set, from the last run's counts. */
class ChangeQueryTest {
  @Test
  void afterARunThatChangedNothingKeysAndFingerprintsAreComparedFirst() {
    ChangeQuery query =
        ChangeQuery.after(
            "r1", Optional.of(new ChangeCounts(1000, 0, 0, 0, 1000)), Optional.empty());

    assertThat(query.twoSteps()).isTrue();
    assertThat(query.reason()).isEqualTo("run r1 changed no row");
  }

  @Test
  void afterARunThatChangedRowsOneQueryComparesAndFetches() {
    assertThat(
            ChangeQuery.after(
                "r1", Optional.of(new ChangeCounts(1000, 0, 1, 0, 999)), Optional.empty()))
        .isEqualTo(new ChangeQuery(false, "run r1 changed 1 row"));
    assertThat(
            ChangeQuery.after(
                "r2", Optional.of(new ChangeCounts(5000, 1200, 3, 1, 0)), Optional.empty()))
        .as("a first load inserted every row")
        .isEqualTo(new ChangeQuery(false, "run r2 changed 1,204 rows"));
  }

  @Test
  void withoutTheLastRunsCountsOneQueryComparesAndFetches() {
    assertThat(ChangeQuery.after("r1", Optional.empty(), Optional.empty()))
        .isEqualTo(new ChangeQuery(false, "run r1 left no counts"));
  }

  @Test
  void whereComparingFirstCannotBillLessOneQueryComparesAndFetches() {
    assertThat(
            ChangeQuery.after(
                "r1",
                Optional.of(new ChangeCounts(1000, 0, 0, 0, 1000)),
                Optional.of("the result is small")))
        .isEqualTo(new ChangeQuery(false, "the result is small"));
  }
}
