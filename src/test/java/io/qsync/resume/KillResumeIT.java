package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.cli.Main;
import io.qsync.config.Mode;
import io.qsync.diff.ChangeCounts;
import io.qsync.testing.ChildProcess;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real thing: {@code qsync run} in its own JVM is killed with SIGKILL part-way through applying
 * about 200,000 changes, and a second {@code qsync run} (through the same CLI entry point, in this
 * JVM) finishes the job. Nothing in the killed process gets to clean up: its lock and its
 * half-written batch go when the database notices the dead connections, and its run still says
 * 'running'. Each seed picks another point of the apply to kill at.
 */
@ExtendWith(MariaDbExtension.class)
class KillResumeIT {
  /**
   * 200,000 source rows against 166,667 target rows of which one in five differs: 88,890 changes
   * (inserts, updates and deletes), 178 batches.
   */
  private static final TargetsData DATA = new TargetsData(222_222, 222_222, 10);

  private static final int BATCH_SIZE = 500;
  private static final Duration CHILD_DEADLINE = Duration.ofSeconds(40);

  @TempDir Path dir;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {3, 7, 42}) // kill after about 17 %, 33 % and 54 % of the changes
  void resumesAfterSigkillDuringApply(long seed, TestDatabase database) throws Exception {
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    SyncSetup setup =
        SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).withBatchSize(BATCH_SIZE);
    Path config = setup.writeYaml();
    ChangeCounts expected = DATA.mirrorCounts();
    long total = expected.changes();
    long totalBatches = RunHistory.batchesFor(total, BATCH_SIZE);
    long killAt = (long) ((0.1 + 0.6 * new SplittableRandom(seed).nextDouble()) * total);

    try (ChildProcess child =
        ChildProcess.start(
            dir,
            "killed-run",
            Main.class,
            "run",
            TargetsData.SYNC,
            "--config",
            config.toString())) {
      long reached = awaitCheckpoint(database, killAt, child);
      assertThat(reached).as("checkpoint when killed\n%s", child.output()).isLessThan(total);
      assertThat(child.kill(Duration.ofSeconds(10))).as("exit code of the killed run").isNotZero();
    }
    awaitSessionsGone(database);

    RunHistory killed = RunHistory.only(database);
    assertThat(killed.status()).as("a killed run cannot record its end").isEqualTo("running");
    assertThat(killed.phase()).isEqualTo("apply");
    assertThat(killed.changesTotal()).isEqualTo(total);
    assertThat(killed.appliedThrough()).isBetween(killAt, total - 1);
    assertThat(killed.appliedThrough() % BATCH_SIZE).as("only whole batches commit").isZero();
    assertThat(killed.batchesApplied()).isEqualTo(killed.appliedThrough() / BATCH_SIZE);
    assertThat(WriteCounter.committedTotal(database))
        .as("rows committed by the killed run: exactly those its checkpoint covers")
        .isEqualTo(killed.appliedThrough());
    Sessions.assertLockFree(database, TargetsData.SYNC);
    assertThat(setup.stageFile()).exists();

    StringWriter statusOut = new StringWriter();
    int statusExit =
        Main.execute(
            new String[] {"status", "--config", config.toString()},
            new PrintWriter(statusOut, true),
            new PrintWriter(new StringWriter(), true),
            false,
            Clock.systemUTC());
    assertThat(statusExit).isZero();
    assertThat(statusOut.toString())
        .as("status of a killed run")
        .contains("interrupted")
        .contains(
            String.format(
                java.util.Locale.ROOT,
                "%,d of %,d changes applied",
                killed.appliedThrough(),
                total))
        .contains("resumes it");
    StringWriter historyOut = new StringWriter();
    Main.execute(
        new String[] {"history", TargetsData.SYNC, "--config", config.toString()},
        new PrintWriter(historyOut, true),
        new PrintWriter(new StringWriter(), true),
        false,
        Clock.systemUTC());
    assertThat(historyOut.toString())
        .as("history agrees with status")
        .contains(killed.runId() + " interrupted")
        .contains("resumes it");

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        Main.execute(
            new String[] {
              "run", TargetsData.SYNC, "--config", config.toString(), "--output", "json"
            },
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false,
            Clock.systemUTC());

    assertThat(exitCode).as("exit code of the resuming run; stderr:\n%s", err).isZero();
    JsonNode report = new ObjectMapper().readTree(out.toString()).get("runs").get(0);
    assertThat(report.get("status").asText()).isEqualTo("succeeded");
    assertThat(report.get("run_id").asText()).isEqualTo(killed.runId());
    assertThat(report.get("resumed").asBoolean()).isTrue();
    assertThat(report.get("resumed_after_change").asLong()).isEqualTo(killed.appliedThrough());
    assertThat(report.get("batches").asLong() + killed.batchesApplied()).isEqualTo(totalBatches);

    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
    assertThat(WriteCounter.attempted(database) - total)
        .as("rows of the batch the kill cut short, rolled back")
        .isBetween(0L, (long) BATCH_SIZE);
    RunHistory finished = RunHistory.resumedThenCaughtUp(database);
    assertThat(finished.status()).isEqualTo("succeeded");
    assertThat(finished.resumes()).isEqualTo(1);
    assertThat(finished.changesTotal()).isEqualTo(total);
    assertThat(finished.appliedThrough()).isEqualTo(total);
    assertThat(finished.batchesApplied()).isEqualTo(totalBatches);
    Sessions.assertLockFree(database, TargetsData.SYNC);
    assertThat(setup.stageFile()).doesNotExist();
  }

  /**
   * SIGTERM (a service manager stopping qsync) or SIGINT (Ctrl-C): the run stops after the batch it
   * is writing commits, records itself as interrupted, says on stderr how far it got and that the
   * next run resumes it, and the process exits with 128 + the signal's number.
   */
  @ParameterizedTest(name = "SIG{0}")
  @ValueSource(strings = {"TERM", "INT"})
  void aSignalStopsTheRunCleanlyAndTheNextRunResumesIt(String signal, TestDatabase database)
      throws Exception {
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    SyncSetup setup =
        SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).withBatchSize(BATCH_SIZE);
    Path config = setup.writeYaml();
    long total = DATA.mirrorCounts().changes();
    int exitCode;
    String stderr;
    String json;
    try (ChildProcess child =
        ChildProcess.start(
            dir,
            "stopped-run",
            Main.class,
            "run",
            TargetsData.SYNC,
            "--config",
            config.toString(),
            "-o",
            "json")) {
      awaitCheckpoint(database, total / 4, child);
      exitCode = child.signal(signal, Duration.ofSeconds(30));
      stderr = child.output();
      json = child.stdout();
    }

    assertThat(exitCode).as(stderr).isEqualTo(signal.equals("TERM") ? 143 : 130);
    JsonNode reported = new ObjectMapper().readTree(json).get("runs").get(0);
    assertThat(reported.get("error_kind").asText()).as(json).isEqualTo("interrupted");
    assertThat(reported.get("exit_code").asInt())
        .as("the JSON's exit code is the process's")
        .isEqualTo(exitCode);
    RunHistory stopped = RunHistory.only(database);
    assertThat(stopped.status()).as(stderr).isEqualTo("interrupted");
    assertThat(stopped.phase()).isEqualTo("apply");
    assertThat(stopped.appliedThrough() % BATCH_SIZE).isZero();
    assertThat(WriteCounter.committedTotal(database)).isEqualTo(stopped.appliedThrough());
    assertThat(stderr)
        .contains(
            String.format(
                java.util.Locale.ROOT,
                "interrupted: run %s of sync '%s' stopped after change %,d of %,d",
                stopped.runId(),
                TargetsData.SYNC,
                stopped.appliedThrough(),
                total))
        .contains("the next `qsync run " + TargetsData.SYNC + "` resumes it");

    StringWriter out = new StringWriter();
    int resumed =
        Main.execute(
            new String[] {"run", TargetsData.SYNC, "--config", config.toString()},
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true),
            false,
            Clock.systemUTC());
    assertThat(resumed).isZero();
    assertThat(out.toString()).contains("resumed run " + stopped.runId());
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
  }

  /**
   * Polls the run's checkpoint until it reaches {@code threshold}; returns it. Polling with a short
   * sleep is the only way to wait on another process's progress.
   */
  private static long awaitCheckpoint(TestDatabase database, long threshold, ChildProcess child)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + CHILD_DEADLINE.toNanos();
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement()) {
      while (System.nanoTime() < deadline) {
        if (!child.isAlive()) {
          throw new AssertionError(
              "the run ended before it could be killed at change "
                  + threshold
                  + "\n"
                  + child.output());
        }
        long applied = checkpoint(statement);
        if (applied >= threshold) {
          return applied;
        }
        Thread.sleep(10);
      }
    }
    throw new AssertionError(
        "the run did not reach change "
            + threshold
            + " within "
            + CHILD_DEADLINE
            + "\n"
            + child.output());
  }

  private static long checkpoint(Statement statement) throws SQLException {
    try (ResultSet rows =
        statement.executeQuery("SELECT MAX(applied_through) FROM `_qsync_runs`")) {
      return rows.next() ? rows.getLong(1) : 0;
    } catch (SQLException e) {
      if (e.getErrorCode() == 1146) { // the run has not created its history table yet
        return 0;
      }
      throw e;
    }
  }

  /** Waits, bounded, until the server has ended the killed process's sessions. */
  private static void awaitSessionsGone(TestDatabase database)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    try (Connection connection = database.connect();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                    + " WHERE DB = ? AND ID <> CONNECTION_ID()")) {
      statement.setString(1, database.name());
      while (true) {
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          if (rows.getLong(1) == 0) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the killed run's sessions are still open after 10s");
        }
        Thread.sleep(10);
      }
    }
  }
}
