package io.qsync.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.badinput.Catalogue.Outcome;
import io.qsync.testing.ChildProcess;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures of the DuckDB warehouse say what the command that met them does next. One that trying
 * again cannot get past (a query that fails on the data, a file that is no DuckDB database) stops
 * with exit 5 and the action, never "run again"; one that passes (another process holds the file)
 * stops with exit 1 and that command's own remedy: a plan is planned again, not run again. The
 * target is left as it was.
 */
@ExtendWith(MariaDbExtension.class)
class DuckDbWarehouseFailuresIT {
  @TempDir Path dir;

  private Catalogue scene;
  private Map<String, List<List<String>>> before;

  @BeforeEach
  void scene(TestDatabase database) {
    scene = new Catalogue(dir, database);
    before = scene.snapshot();
  }

  /** A query DuckDB accepts (its DESCRIBE passes) that fails on the rows: 'a' is no integer. */
  private Catalogue castFailingOnTheData() {
    return scene.with(
        "query", "\"SELECT id, CAST(CAST(name AS INTEGER) AS VARCHAR) AS name FROM src\"");
  }

  private void assertQueryToFix(Outcome outcome) {
    assertThat(outcome.exitCode()).as("exit code; output:\n%s", outcome.all()).isEqualTo(5);
    assertThat(outcome.err())
        .as("the message")
        .contains("DuckDB connection 'warehouse' rejected the query", "Could not convert")
        .contains("Fix the sync's query (try it in the duckdb shell).")
        .doesNotContainIgnoringCase("run again")
        .doesNotContain("\tat ");
    assertThat(scene.snapshot()).as("the target").isEqualTo(before);
  }

  @Test
  void aPlanWhoseQueryFailsOnTheDataSaysToFixTheQueryNotToRunAgain() {
    assertQueryToFix(castFailingOnTheData().run("plan", "s"));
  }

  @Test
  void aRunWhoseQueryFailsOnTheDataSaysToFixTheQueryNotToRunAgain() {
    assertQueryToFix(castFailingOnTheData().run("run", "s"));
  }

  @Test
  void aVerifyWhoseQueryFailsOnTheDataSaysToFixTheQueryNotToRunAgain() {
    assertQueryToFix(castFailingOnTheData().run("verify", "s"));
  }

  @Test
  void aWarehouseFileThatIsNoDuckDbDatabaseSaysToCheckThePathNotToRunAgain() throws IOException {
    Files.writeString(scene.warehouse().file(), "not a database, but a file of text\n".repeat(200));

    Outcome outcome = scene.run("plan", "s");

    assertThat(outcome.exitCode()).as("exit code; output:\n%s", outcome.all()).isEqualTo(5);
    assertThat(outcome.err())
        .as("the message")
        .contains("DuckDB connection 'warehouse' could not be opened")
        .contains("Check that the connection's path is a DuckDB database file")
        .doesNotContainIgnoringCase("again")
        .doesNotContain("\tat ");
    assertThat(scene.snapshot()).as("the target").isEqualTo(before);
  }

  @Test
  void aPlanMeetingAWarehouseFileHeldByAnotherProcessSaysToPlanAgainNotToRunAgain()
      throws InterruptedException {
    Outcome outcome = whileHeld("plan", "s");

    assertGaveUpOnTheHolder(outcome, "Try qsync plan again.");
    assertThat(outcome.err()).doesNotContainIgnoringCase("run again").doesNotContain("\tat ");
  }

  @Test
  void aPruneMeetingAWarehouseFileHeldByAnotherProcessSaysToPruneAgainNotToRunAgain()
      throws InterruptedException {
    scene.with("diff", "snapshot").with("state_dataset", "qsync_state");
    assertThat(scene.run("run", "s").exitCode()).as("a run leaves a state").isZero();

    Outcome outcome = whileHeld("prune");

    assertGaveUpOnTheHolder(outcome, "Try qsync prune again.");
    assertThat(outcome.err()).doesNotContainIgnoringCase("run again").doesNotContain("\tat ");
  }

  @Test
  void aRunMeetingAWarehouseFileHeldByAnotherProcessSaysToRunAgain() throws InterruptedException {
    Outcome outcome = whileHeld("run", "s");

    assertGaveUpOnTheHolder(outcome, "Run again.");
    assertThat(scene.snapshot()).as("the target").isEqualTo(before);
  }

  /** Exit 1, the file named as held through the retries, then {@code remedy}. */
  private static void assertGaveUpOnTheHolder(Outcome outcome, String remedy) {
    assertThat(outcome.exitCode()).as("exit code; output:\n%s", outcome.all()).isEqualTo(1);
    assertThat(outcome.err())
        .as("the message")
        .contains("DuckDB connection 'warehouse' could not be opened", "lock")
        .contains(
            "Another process held the file through ",
            " (retries.max_time and max_attempts); wait for it to let go. " + remedy);
  }

  /**
   * A file another process holds for less than retries.max_time is waited out: the run syncs once
   * the holder lets go (it ended with exit 1 at once before).
   */
  @Test
  void aRunWaitsOutAWarehouseFileHeldForLessThanRetriesMaxTime() throws InterruptedException {
    Outcome outcome = whileHeld("retries: { max_time: 60s }\n", 1500, "run", "s");

    assertThat(outcome.exitCode()).as("exit code; output:\n%s", outcome.all()).isZero();
    assertThat(scene.snapshot()).as("the target").isNotEqualTo(before);
    assertThat(scene.run("verify", "s").exitCode()).as("the table equals the query").isZero();
  }

  /**
   * Runs {@code qsync ARGS} while another process holds the warehouse file open for writing, with
   * retries.max_time 1s, so that the command gives up while it is held.
   */
  private Outcome whileHeld(String... args) throws InterruptedException {
    return whileHeld("retries: { max_time: 1s }\n", -1, args);
  }

  /**
   * Runs {@code qsync ARGS} with {@code configStart} before the scene's config while another
   * process holds the warehouse file open for writing, for {@code holdMillis} (-1: until the end).
   */
  private Outcome whileHeld(String configStart, long holdMillis, String... args)
      throws InterruptedException {
    try (ChildProcess holder = DuckDbFileHolder.hold(dir, scene.warehouse().file(), holdMillis)) {
      return scene.runWith(configStart + scene.yaml(), args);
    }
  }
}
