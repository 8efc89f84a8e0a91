package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.DeleteGuard;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.diff.ChangeCounts;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeleteGuardCheckTest {
  private static SyncConfig sync(Mode mode, DeleteGuard guard) {
    return SyncConfig.builder("s", "warehouse", "SELECT 1", "app", "t")
        .key(List.of("id"))
        .mode(mode)
        .batchSize(10)
        .lockTimeout(Duration.ofSeconds(1))
        .deleteGuard(guard)
        .build();
  }

  private static Optional<String> refusal(Mode mode, DeleteGuard guard, ChangeCounts counts) {
    return DeleteGuardCheck.refusal(sync(mode, guard), counts);
  }

  @Test
  void anEmptyResultMayNotEmptyATableUnlessAllowed() {
    ChangeCounts emptying = new ChangeCounts(0, 0, 0, 40, 0);

    assertThat(refusal(Mode.MIRROR, DeleteGuard.DEFAULT, emptying))
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .startsWith(
                        "sync 's': the query returned no rows, and a mirror run"
                            + " would delete all 40 rows of table t; nothing was written")
                    .contains("allow_empty: true")
                    .contains("--allow-deletes"));
    assertThat(refusal(Mode.MIRROR, new DeleteGuard(true, 0.5), emptying)).isEmpty();
    assertThat(refusal(Mode.REPLACE, DeleteGuard.DEFAULT, emptying)).isPresent();
  }

  @Test
  void anEmptyResultIntoAnEmptyTableIsNoLoss() {
    assertThat(refusal(Mode.MIRROR, new DeleteGuard(false, 0), ChangeCounts.NONE)).isEmpty();
    assertThat(refusal(Mode.REPLACE, new DeleteGuard(false, 0), ChangeCounts.NONE)).isEmpty();
  }

  @Test
  void mirrorRefusesToDeleteMoreThanTheFractionOfTheTable() {
    // table: 6 deleted + 2 updated + 2 unchanged = 10 rows; 6 of 10 deleted
    ChangeCounts sixOfTen = new ChangeCounts(5, 1, 2, 6, 2);

    assertThat(refusal(Mode.MIRROR, DeleteGuard.DEFAULT, sixOfTen))
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .startsWith(
                        "sync 's': this run would delete 6 rows of the 10 rows in"
                            + " table t (60%), more than max_delete_fraction 0.5 (50%) allows; nothing was"
                            + " written")
                    .contains("qsync plan s")
                    .contains("--allow-deletes"));
    assertThat(refusal(Mode.MIRROR, new DeleteGuard(false, 0.6), sixOfTen)).isEmpty();
    assertThat(refusal(Mode.MIRROR, DeleteGuard.NONE, sixOfTen)).isEmpty();
  }

  @Test
  void exactlyTheFractionPasses() {
    assertThat(refusal(Mode.MIRROR, DeleteGuard.DEFAULT, new ChangeCounts(5, 0, 0, 5, 5)))
        .isEmpty();
  }

  @Test
  void replaceCountsTheRowsTheNewCopyLoses() {
    // replace counts the old table's rows as deletes
    assertThat(refusal(Mode.REPLACE, DeleteGuard.DEFAULT, new ChangeCounts(30, 30, 0, 100, 0)))
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .contains(
                        "the new copy has 30 rows where table t has 100 rows: replacing it would lose 70 rows"
                            + " (70%)"));
    assertThat(refusal(Mode.REPLACE, DeleteGuard.DEFAULT, new ChangeCounts(60, 60, 0, 100, 0)))
        .isEmpty();
    assertThat(refusal(Mode.REPLACE, DeleteGuard.DEFAULT, new ChangeCounts(200, 200, 0, 100, 0)))
        .isEmpty();
  }

  @Test
  void upsertAndAppendNeverDelete() {
    ChangeCounts empty = new ChangeCounts(0, 0, 0, 0, 0);
    assertThat(refusal(Mode.UPSERT, new DeleteGuard(false, 0), empty)).isEmpty();
    assertThat(refusal(Mode.APPEND, new DeleteGuard(false, 0), empty)).isEmpty();
  }
}
