package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qsync.QsyncException;
import io.qsync.cli.Main;
import io.qsync.config.Mode;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.FaultPoint.Point;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.testing.ChildProcess;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BigQuery run that stops finds its job again and reads the job's result table instead of
 * running (and paying for) the query twice; the emulator counts the queries. Each test ends with
 * the table equal to the query's result.
 */
@ExtendWith(MariaDbExtension.class)
class BigQueryResumeIT {
  private static final int ROWS = 3000;
  private static final String QUERY =
      "SELECT user_id, name, score FROM shop.users";

  @TempDir Path dir;
  private BigQueryEmulator emulator;
  private final Faults faults = new Faults();

  @BeforeEach
  void start() {
    emulator = BigQueryEmulator.start("qsync-test");
    emulator.execute(
        "CREATE SCHEMA shop",
        "CREATE TABLE shop.users AS SELECT range AS user_id, 'user ' || range AS name,"
            + " (range * 37) % 1000 AS score FROM range(" + ROWS + ")");
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private Qsync qsync(TestDatabase database, int pageSize) {
    return BigQuerySyncs.qsync(dir, database, BigQuerySyncs.connection(emulator, pageSize, Optional.empty()),
        BigQuerySyncs.sync(QUERY, "users", List.of("user_id"), Mode.MIRROR)
            .withThrottle(TestSyncs.fixedBatches()), // batches of 500, so one ends at change 1000
        faults);
  }

  private void assertTableEqualsQuery(TestDatabase database) {
    SameRows.assertSame(
        emulator.rows("SELECT user_id, name, score FROM shop.users ORDER BY user_id"),
        database.rows("SELECT user_id, name, score FROM users ORDER BY user_id"),
        "the query's result", "the table");
  }

  /** Fails the run part-way through reading: one page fails more often than the retries cover. */
  private void failReadingAtPage(int page) {
    emulator.failRequest("tabledata.list", page, 503, "backendError", 6);
  }

  @Test
  void aRunFailingMidExtractReReadsItsJobsResultInAnotherOrderWithoutQueryingAgain(TestDatabase database) {
    Qsync qsync = qsync(database, 400);
    failReadingAtPage(4);

    Throwable failure = catchThrowable(() -> qsync.run(BigQuerySyncs.SYNC, false));

    assertThat(failure).isInstanceOf(QsyncException.class).hasMessageContaining("still failed after 6 attempts")
        .hasMessageContaining("backendError");
    RunHistory failed = RunHistory.only(database);
    assertThat(failed.status()).isEqualTo("failed");
    assertThat(failed.phase()).isEqualTo("extract");
    assertThat(database.rows("SELECT source_job FROM _qsync_runs").get(0).get(0)).contains(".qsync_");
    assertThat(database.rows("SHOW TABLES LIKE 'users'")).as("nothing written").isEmpty();

    emulator.reverseTableData(true); // row order across reads is not documented
    RunReport resumed = qsync.run(BigQuerySyncs.SYNC, false);

    assertThat(resumed.runId()).isEqualTo(failed.runId());
    assertThat(resumed.resumed()).isTrue();
    assertThat(resumed.counts()).isEqualTo(new ChangeCounts(ROWS, ROWS, 0, 0, 0));
    assertThat(String.join("\n", resumed.notes())).contains("found job qsync_").contains("instead of querying");
    assertThat(emulator.queriesRun()).as("queries run").isEqualTo(1);
    assertTableEqualsQuery(database);
  }

  @Test
  void aCrashAfterExtractReReadsTheResult(TestDatabase database) {
    Qsync qsync = qsync(database, 1000);
    faults.arm(Faults.at(Point.EXTRACTED, () -> Faults.crash(Point.EXTRACTED, ROWS)));
    catchThrowable(() -> qsync.run(BigQuerySyncs.SYNC, false));
    faults.disarm();

    RunReport resumed = qsync.run(BigQuerySyncs.SYNC, false);

    assertThat(resumed.counts()).isEqualTo(new ChangeCounts(ROWS, ROWS, 0, 0, 0));
    assertThat(emulator.queriesRun()).isEqualTo(1);
    assertThat(emulator.rowsServed()).as("the result read twice, by tabledata.list").isEqualTo(2L * ROWS);
    assertTableEqualsQuery(database);
  }

  @Test
  void aCrashMidApplyResumesFromTheStageWithoutReadingAgain(TestDatabase database) {
    Qsync qsync = qsync(database, 1000);
    faults.arm(Faults.at(Point.AFTER_BATCH, 1000, () -> Faults.crash(Point.AFTER_BATCH, 1000)));
    catchThrowable(() -> qsync.run(BigQuerySyncs.SYNC, false));
    faults.disarm();
    assertThat(RunHistory.only(database).appliedThrough()).isEqualTo(1000);

    RunReport resumed = qsync.run(BigQuerySyncs.SYNC, false);

    assertThat(resumed.resumedAfter()).isEqualTo(1000);
    // The resume applies the rest of its change set without reading the result again; then a
    // fresh run of its own compares the table with the query's current result (found unchanged).
    assertThat(emulator.queriesRun()).isEqualTo(2);
    assertThat(emulator.rowsServed()).isEqualTo(2L * ROWS);
    assertThat(resumed.caughtUp().orElseThrow().counts().changes()).isZero();
    assertTableEqualsQuery(database);
  }

  @Test
  void aResultTableThatIsGoneMeansQueryingAgainAndTheReportSaysSo(TestDatabase database) {
    Qsync qsync = qsync(database, 400);
    failReadingAtPage(2);
    catchThrowable(() -> qsync.run(BigQuerySyncs.SYNC, false));
    emulator.expireResultTable(emulator.jobIds().get(0));
    emulator.execute("UPDATE shop.users SET name = 'changed since' WHERE user_id = 10");

    RunReport resumed = qsync.run(BigQuerySyncs.SYNC, false);

    assertThat(String.join("\n", resumed.notes())).contains("is gone").contains("ran the query again");
    assertThat(emulator.queriesRun()).isEqualTo(2);
    assertThat(database.rows("SELECT name FROM users WHERE user_id = 10")).containsExactly(List.of("changed since"));
    assertTableEqualsQuery(database);
  }

  @Test
  void aRunKilledWhileExtractingResumesFromItsJob(TestDatabase database) throws Exception {
    Path config = dir.resolve("qsync.yaml");
    Files.writeString(config, """
        connections:
          bq:
            type: bigquery
            project: qsync-test
            host: %s
            credentials_file: none
            page_size: 100
            retry_delay: 1ms
          app: {type: mysql, url: "%s", user: root}
        syncs:
          %s:
            source: bq
            query: "%s"
            target: app
            table: users
            key: [user_id]
            create_table: true
        """.formatted(emulator.host(), database.url(), BigQuerySyncs.SYNC, QUERY));
    emulator.slowRequests("tabledata.list", Duration.ofMillis(100));
    try (ChildProcess child = ChildProcess.start(dir, "killed-run", Main.class,
        "run", BigQuerySyncs.SYNC, "--config", config.toString())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (emulator.requests("tabledata.list") < 5 && System.nanoTime() < deadline && child.isAlive()) {
        Thread.sleep(20);
      }
      assertThat(child.isAlive()).as("the child still extracting\n%s", child.output()).isTrue();
      child.kill(Duration.ofSeconds(10));
    }
    emulator.slowRequests("tabledata.list", Duration.ZERO);
    RunHistory killed = RunHistory.only(database);
    assertThat(killed.status()).isEqualTo("running");
    assertThat(killed.phase()).isEqualTo("extract");

    StringWriter status = new StringWriter();
    Main.execute(new String[] {"status", "--config", config.toString()},
        new PrintWriter(status, true), new PrintWriter(new StringWriter(), true), false, Clock.systemUTC());
    assertThat(status.toString()).contains("interrupted")
        .contains("stopped while extracting; the next run reads the result of its job again (qsync-test:US.qsync_");

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.execute(new String[] {"run", BigQuerySyncs.SYNC, "--config", config.toString()},
        new PrintWriter(out, true), new PrintWriter(err, true), false, Clock.systemUTC());

    assertThat(exit).as("exit code; stderr:\n%s", err).isZero();
    assertThat(out.toString()).contains("resumed run " + killed.runId());
    assertThat(emulator.queriesRun()).isEqualTo(1);
    assertTableEqualsQuery(database);
  }
}
