package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.ChangeCounts;
import io.qsync.verify.BucketSum;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SavedPlanTest {
  private static final Path FILE = Path.of("plan.qsp");
  private static final Instant MADE = Instant.parse("2026-12-05T10:00:00Z");

  private static SavedPlan plan(Optional<BucketSum> source, Optional<BucketSum> table) {
    return plan(MADE, source, table);
  }

  private static SavedPlan plan(
      Instant made, Optional<BucketSum> source, Optional<BucketSum> table) {
    return new SavedPlan(
        SavedPlan.FORMAT,
        "plan-20261205T100000Z-abcdef",
        "s",
        "t",
        "mirror",
        "def",
        made,
        new ChangeCounts(3, 1, 1, 9, 1),
        11,
        false,
        "shape",
        source,
        table);
  }

  private static final SavedPlan PLAN =
      plan(Optional.of(new BucketSum(3, 0xabcL)), Optional.of(new BucketSum(10, -5L)));

  @Test
  void theFactsAPlanKeepsReadBackAsThePlan() {
    assertThat(SavedPlan.of(PLAN.facts(), FILE)).isEqualTo(PLAN);
    SavedPlan weak = plan(Optional.empty(), Optional.empty());
    assertThat(SavedPlan.of(weak.facts(), FILE)).isEqualTo(weak);
  }

  @Test
  void aPlanOfAnEarlierBuildsFormatIsRead() {
    Map<String, String> earlier = new HashMap<>(PLAN.facts());
    earlier.put("format", "1");
    assertThat(SavedPlan.of(earlier, FILE).format()).isEqualTo(1);
    assertThat(PLAN.facts()).containsEntry("format", "2");
  }

  @Test
  void aFileWithoutAPlansFactsOrOfAnotherFormatIsRefused() {
    QsyncException none =
        catchThrowableOfType(QsyncException.class, () -> SavedPlan.of(Map.of(), FILE));
    assertThat(none.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(none.getMessage()).contains("plan.qsp is not a qsync plan", "qsync plan SYNC --out");

    Map<String, String> newer = new HashMap<>(PLAN.facts());
    newer.put("format", "3");
    QsyncException later =
        catchThrowableOfType(QsyncException.class, () -> SavedPlan.of(newer, FILE));
    assertThat(later.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(later.getMessage())
        .contains("has format 3", "it reads 1 to 2", "qsync plan s --out plan.qsp");

    Map<String, String> damaged = new HashMap<>(PLAN.facts());
    damaged.remove("deletes");
    assertThat(
            catchThrowableOfType(QsyncException.class, () -> SavedPlan.of(damaged, FILE))
                .getMessage())
        .contains("is damaged");
  }

  @Test
  void aPlanIsOnlyForItsOwnSyncAndDefinition() {
    assertThat(PLAN.notFor("s", "t", "def", FILE)).isEmpty();
    assertThat(PLAN.notFor("other", "t", "def", FILE))
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .contains("is a plan for sync 's' (table t), not for sync 'other'"));
    assertThat(PLAN.notFor("s", "t2", "def", FILE))
        .hasValueSatisfying(
            why ->
                assertThat(why)
                    .contains(
                        "sync 's': its definition (its table, t when the plan was made, is t2")
                    .contains("Make a new plan: qsync plan s --out plan.qsp"));
    assertThat(PLAN.notFor("s", "t", "changed", FILE))
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .contains("its definition", "changed since plan plan.qsp was made")
                    .contains("qsync plan s --out plan.qsp"));
  }

  @Test
  void theRefusalGivesTheTimeThePlanWasMadeToTheSecond() {
    SavedPlan plan = plan(MADE.plusNanos(123_456_789), Optional.empty(), Optional.empty());
    Duration day = Duration.ofHours(24);
    assertThat(plan.tooOld(MADE.plus(day).plusSeconds(60), day, FILE))
        .hasValueSatisfying(
            message ->
                assertThat(message).contains("(2026-12-05T10:00:00Z)").doesNotContain(".123"));
  }

  @Test
  void aPlanOlderThanTheBoundIsRefused() {
    Duration day = Duration.ofHours(24);
    assertThat(PLAN.tooOld(MADE.plus(day), day, FILE)).isEmpty();
    assertThat(PLAN.tooOld(MADE.plus(day).plusSeconds(65 * 60), day, FILE))
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .contains("was made 25h05m ago", "more than --max-plan-age 24h allows")
                    .contains("nothing was written", "qsync plan s --out plan.qsp"));
  }

  @Test
  void whatMovedSinceThePlanIsNamedWithItsCounts() {
    Optional<BucketSum> source = PLAN.source();
    Optional<BucketSum> table = PLAN.tableSum();
    assertThat(PLAN.moved("shape", source, table, FILE)).isEmpty();

    assertThat(PLAN.moved("shape", Optional.of(new BucketSum(4, 1)), table, FILE))
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .contains(
                        "the query's result in the warehouse changed since the plan was made (3"
                            + " rows then, 4 now)")
                    .contains("nothing was written", "qsync run s --plan plan.qsp"));
    assertThat(PLAN.moved("shape", Optional.of(new BucketSum(3, 1)), table, FILE))
        .hasValueSatisfying(
            message -> assertThat(message).contains("3 rows then and now, with different values"));
    assertThat(PLAN.moved("shape", source, Optional.of(new BucketSum(11, 0)), FILE))
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .contains(
                        "table t in the database changed since the plan was made (10 rows then,"
                            + " 11 now)"));
    assertThat(PLAN.moved("shape", source, Optional.empty(), FILE))
        .hasValueSatisfying(message -> assertThat(message).contains("it no longer exists"));
    assertThat(PLAN.moved("other", source, table, FILE))
        .hasValueSatisfying(
            message -> assertThat(message).contains("the query's columns in the warehouse"));
  }

  @Test
  void withoutTheResultsFingerprintOnlyTheTableIsChecked() {
    SavedPlan weak = plan(Optional.empty(), Optional.empty());
    assertThat(weak.moved("other", Optional.of(new BucketSum(99, 1)), Optional.empty(), FILE))
        .isEmpty();
    assertThat(weak.moved("shape", Optional.empty(), Optional.of(BucketSum.EMPTY), FILE))
        .hasValueSatisfying(
            message -> assertThat(message).contains("it did not exist then and holds 0 rows now"));
  }
}
