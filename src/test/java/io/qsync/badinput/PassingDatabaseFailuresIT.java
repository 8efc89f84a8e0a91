package io.qsync.badinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.badinput.Catalogue.Outcome;
import io.qsync.config.ConfigLoader;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.serve.TargetHistory;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A passing failure of the database that outlasts its retries stops {@code qsync plan}, {@code
 * qsync verify}, {@code qsync prune} and {@code qsync history} with exit 1 (and shows in {@code
 * qsync status}, which reports a target it cannot read and goes on) with a remedy for that command:
 * try it again later; {@code qsync serve}'s board and pages, which read the history again by
 * themselves, say so. None of them keeps a run, so none may say "the run resumes". The failure is a
 * real one: a session of the test holds {@code LOCK TABLES ... WRITE} on the table the command
 * reads, and the command's session waits its one-second {@code lock_wait_timeout} out (error 1205).
 */
@ExtendWith(MariaDbExtension.class)
class PassingDatabaseFailuresIT {
  @TempDir Path dir;

  private Catalogue scene;
  private TestDatabase database;

  @BeforeEach
  void scene(TestDatabase database) {
    this.database = database;
    scene = new Catalogue(dir, database);
  }

  /** The scene's config, with a one-second lock wait and no retries, so the test takes seconds. */
  private String config() {
    String yaml = scene.yaml();
    String withTimeout =
        yaml.replace("password: \"\" }", "password: \"\", lock_wait_timeout: 1s }");
    assertThat(withTimeout).as("the connection takes the lock wait").isNotEqualTo(yaml);
    return "retries: { max_time: 0 }\n" + withTimeout;
  }

  /** Runs {@code qsync ARGS} while a session of the test holds {@code table} locked for writing. */
  private Outcome whileLocked(String table, String config, String... args) throws SQLException {
    return whileLocked(table, () -> scene.runWith(config, args));
  }

  /** Does {@code work} while a session of the test holds {@code table} locked for writing. */
  private <T> T whileLocked(String table, Supplier<T> work) throws SQLException {
    try (Connection holder = database.connect();
        Statement statement = holder.createStatement()) {
      statement.execute("LOCK TABLES `" + table + "` WRITE");
      try {
        return work.get();
      } finally {
        statement.execute("UNLOCK TABLES");
      }
    }
  }

  private static void assertTriedAgainLater(Outcome outcome, String command) {
    assertThat(outcome.exitCode()).as("exit code; output:\n%s", outcome.all()).isEqualTo(1);
    assertThat(outcome.err())
        .as("the message")
        .contains("connection 'app'", "Lock wait timeout")
        .contains("Try qsync " + command + " again later (it keeps nothing to resume)")
        .doesNotContain("Run again", "the run resumes", "the batch", "\tat ");
  }

  @Test
  void aPlanThatWaitsOutALockSaysToPlanAgainNotThatARunResumes() throws SQLException {
    Outcome outcome = whileLocked("t", config(), "plan", "s");

    assertTriedAgainLater(outcome, "plan");
  }

  @Test
  void aVerifyThatWaitsOutALockSaysToVerifyAgainNotThatARunResumes() throws SQLException {
    Outcome outcome = whileLocked("t", config(), "verify", "s");

    assertTriedAgainLater(outcome, "verify");
  }

  @Test
  void aStatusThatWaitsOutALockOnTheRunHistorySaysToAskAgainNotThatARunResumes()
      throws SQLException {
    assertThat(scene.runWith(config(), "run", "s").exitCode()).as("a run leaves history").isZero();

    Outcome outcome = whileLocked("_qsync_runs", config(), "status");

    // status reports a target it cannot read beside the others, and exits 0
    assertThat(outcome.exitCode()).as("exit code; output:\n%s", outcome.all()).isZero();
    assertThat(outcome.out())
        .as("the status")
        .contains("cannot read history: connection 'app'", "Lock wait timeout")
        .contains("Try qsync status again later (it keeps nothing to resume)")
        .doesNotContain("Run again", "the run resumes", "the batch", "\tat ");
  }

  @Test
  void aHistoryThatWaitsOutALockOnTheRunHistorySaysToAskAgainNotThatARunResumes()
      throws SQLException {
    assertThat(scene.runWith(config(), "run", "s").exitCode()).as("a run leaves history").isZero();

    Outcome outcome = whileLocked("_qsync_runs", config(), "history", "s");

    assertTriedAgainLater(outcome, "history");
  }

  @Test
  void serveReadingARunHistoryThatWaitsOutALockSaysItReadsAgainNotThatARunResumes()
      throws SQLException {
    assertThat(scene.runWith(config(), "run", "s").exitCode()).as("a run leaves history").isZero();
    Qsync qsync =
        new Qsync(
            ConfigLoader.load(dir.resolve("qsync.yaml"), Map.of()),
            Clock.systemUTC(),
            Progress.silent(),
            FaultPoint.NONE);
    TargetHistory pages = new TargetHistory(() -> qsync);

    // what serve's board and pages show for a history they cannot read
    QsyncException failure =
        whileLocked(
            "_qsync_runs",
            () -> catchThrowableOfType(QsyncException.class, () -> pages.history("s", 10)));

    assertThat(failure).as("the history read fails").isNotNull();
    assertThat(failure.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(failure.getMessage())
        .contains("connection 'app'", "Lock wait timeout")
        .contains(
            "qsync serve reads the run history again on its next refresh (it keeps nothing to"
                + " resume)")
        .doesNotContain("Run again", "the run resumes", "the batch", "Try qsync");
  }

  @Test
  void aVerifyTheThrottleStopsSaysToVerifyAgainNotThatARunResumes() {
    // the probe's own session is running, so Threads_running is at least 1: the verify pauses
    // and gives up after a second, or stops at once when other sessions run too
    scene.with(
        "throttle", "{ max_threads_running: 1, critical_threads_running: 2, max_pause: 1s }");

    Outcome outcome = scene.runWith(config(), "verify", "s");

    assertThat(outcome.exitCode()).as("exit code; output:\n%s", outcome.all()).isEqualTo(1);
    assertThat(outcome.err())
        .as("the message")
        .contains("throttle: ", "Threads_running=")
        .contains("Try qsync verify again once the target is calmer (it keeps nothing to resume)")
        .doesNotContain("Run again", "the run resumes", "\tat ");
  }

  @Test
  void aPruneThatWaitsOutALockSaysToPruneAgainNotThatARunResumes() throws SQLException {
    scene.with("diff", "snapshot").with("state_dataset", "qsync_state");
    assertThat(scene.runWith(config(), "run", "s").exitCode()).as("a run leaves a state").isZero();

    Outcome outcome = whileLocked("_qsync_runs", config(), "prune");

    assertTriedAgainLater(outcome, "prune");
  }
}
