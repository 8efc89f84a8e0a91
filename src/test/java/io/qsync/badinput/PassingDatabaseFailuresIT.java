package io.qsync.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.badinput.Catalogue.Outcome;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A passing failure of the database that outlasts its retries stops {@code qsync plan}, {@code
 * qsync verify} and {@code qsync prune} with exit 1 and a remedy for that command: try it again
 * later. None of them keeps a run, so none may say "the run resumes". The failure is a real one: a
 * session of the test holds {@code LOCK TABLES ... WRITE} on the table the command reads, and the
 * command's session waits its one-second {@code lock_wait_timeout} out (error 1205).
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
    try (Connection holder = database.connect();
        Statement statement = holder.createStatement()) {
      statement.execute("LOCK TABLES `" + table + "` WRITE");
      try {
        return scene.runWith(config, args);
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
  void aPruneThatWaitsOutALockSaysToPruneAgainNotThatARunResumes() throws SQLException {
    scene.with("diff", "snapshot").with("state_dataset", "qsync_state");
    assertThat(scene.runWith(config(), "run", "s").exitCode()).as("a run leaves a state").isZero();

    Outcome outcome = whileLocked("_qsync_runs", config(), "prune");

    assertTriedAgainLater(outcome, "prune");
  }
}
