package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.cli.Main;
import io.qsync.config.BigQueryConnectionConfig;
import io.qsync.config.BigQueryTimeouts;
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
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A BigQuery run that stops finds its job again and reads the job's result table instead of running
 * (and paying for) the query twice; the emulator counts the queries. Each test ends with the table
 * equal to the query's result.
 */
@ExtendWith(MariaDbExtension.class)
class BigQueryResumeIT {
  private static final int ROWS = 3000;
  private static final String QUERY = "SELECT user_id, name, score FROM shop.users";

  @TempDir Path dir;
  private BigQueryEmulator emulator;
  private final Faults faults = new Faults();

  @BeforeEach
  void start() {
    emulator = BigQueryEmulator.start("qsync-test");
    emulator.execute(
        "CREATE SCHEMA shop",
        "CREATE TABLE shop.users AS SELECT range AS user_id, 'user ' || range AS name,"
            + " (range * 37) % 1000 AS score FROM range("
            + ROWS
            + ")");
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private Qsync qsync(TestDatabase database, int pageSize) {
    return BigQuerySyncs.qsync(
        dir,
        database,
        BigQuerySyncs.connection(emulator, pageSize, Optional.empty()),
        BigQuerySyncs.sync(QUERY, "users", List.of("user_id"), Mode.MIRROR).toBuilder()
            .throttle(TestSyncs.fixedBatches()) // batches of 500, so one ends at change 1000
            .build(),
        faults);
  }

  private void assertTableEqualsQuery(TestDatabase database) {
    SameRows.assertSame(
        emulator.rows("SELECT user_id, name, score FROM shop.users ORDER BY user_id"),
        database.rows("SELECT user_id, name, score FROM users ORDER BY user_id"),
        "the query's result",
        "the table");
  }

  /**
   * Fails the run part-way through reading: one page fails for longer than the retries last; the
   * caller clears the fault before the next run.
   */
  private void failReadingAtPage(int page) {
    emulator.failRequest("tabledata.list", page, 503, "backendError", Integer.MAX_VALUE);
  }

  @Test
  void aRunFailingMidExtractReReadsItsJobsResultInAnotherOrderWithoutQueryingAgain(
      TestDatabase database) {
    Qsync qsync = qsync(database, 400);
    failReadingAtPage(4);

    Throwable failure = catchThrowable(() -> qsync.run(BigQuerySyncs.SYNC));

    assertThat(failure)
        .isInstanceOf(QsyncException.class)
        .hasMessageContaining("still failed after")
        .hasMessageContaining("backendError");
    RunHistory failed = RunHistory.only(database);
    assertThat(failed.status()).isEqualTo("failed");
    assertThat(failed.phase()).isEqualTo("extract");
    assertThat(database.rows("SELECT source_job FROM _qsync_runs").get(0).get(0))
        .contains(".qsync_");
    assertThat(database.rows("SHOW TABLES LIKE 'users'")).as("nothing written").isEmpty();

    emulator.clearFaults();
    emulator.reverseTableData(true); // row order across reads is not documented
    RunReport resumed = qsync.run(BigQuerySyncs.SYNC);

    assertThat(resumed.runId()).isEqualTo(failed.runId());
    assertThat(resumed.resumed()).isTrue();
    assertThat(resumed.counts()).isEqualTo(new ChangeCounts(ROWS, ROWS, 0, 0, 0));
    assertThat(String.join("\n", resumed.notes()))
        .contains("found job qsync_")
        .contains("instead of querying");
    assertThat(emulator.queriesRun()).as("queries run").isEqualTo(1);
    assertTableEqualsQuery(database);
  }

  @Test
  void aCrashAfterExtractReReadsTheResult(TestDatabase database) {
    Qsync qsync = qsync(database, 1000);
    faults.arm(Faults.at(Point.EXTRACTED, () -> Faults.crash(Point.EXTRACTED, ROWS)));
    catchThrowable(() -> qsync.run(BigQuerySyncs.SYNC));
    faults.disarm();

    RunReport resumed = qsync.run(BigQuerySyncs.SYNC);

    assertThat(resumed.counts()).isEqualTo(new ChangeCounts(ROWS, ROWS, 0, 0, 0));
    assertThat(emulator.queriesRun()).isEqualTo(1);
    assertThat(emulator.rowsServed())
        .as("the result read twice, by tabledata.list")
        .isEqualTo(2L * ROWS);
    assertTableEqualsQuery(database);
  }

  @Test
  void aCrashMidApplyResumesFromTheStageWithoutReadingAgain(TestDatabase database) {
    Qsync qsync = qsync(database, 1000);
    faults.arm(Faults.at(Point.AFTER_BATCH, 1000, () -> Faults.crash(Point.AFTER_BATCH, 1000)));
    catchThrowable(() -> qsync.run(BigQuerySyncs.SYNC));
    faults.disarm();
    assertThat(RunHistory.only(database).appliedThrough()).isEqualTo(1000);

    RunReport resumed = qsync.run(BigQuerySyncs.SYNC);

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
    catchThrowable(() -> qsync.run(BigQuerySyncs.SYNC));
    emulator.clearFaults();
    emulator.expireResultTable(emulator.jobIds().get(0));
    emulator.execute("UPDATE shop.users SET name = 'changed since' WHERE user_id = 10");

    RunReport resumed = qsync.run(BigQuerySyncs.SYNC);

    assertThat(String.join("\n", resumed.notes()))
        .contains("is gone")
        .contains("ran the query again");
    assertThat(emulator.queriesRun()).isEqualTo(2);
    assertThat(database.rows("SELECT name FROM users WHERE user_id = 10"))
        .containsExactly(List.of("changed since"));
    assertTableEqualsQuery(database);
  }

  @Test
  void aRunKilledWhileExtractingResumesFromItsJob(TestDatabase database) throws Exception {
    Path config = writeConfig(database, "page_size: 100");
    emulator.slowRequests("tabledata.list", Duration.ofMillis(100));
    try (ChildProcess child =
        ChildProcess.start(
            dir,
            "killed-run",
            Main.class,
            "run",
            BigQuerySyncs.SYNC,
            "--config",
            config.toString())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (emulator.requests("tabledata.list") < 5
          && System.nanoTime() < deadline
          && child.isAlive()) {
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
    Main.execute(
        new String[] {"status", "--config", config.toString()},
        new PrintWriter(status, true),
        new PrintWriter(new StringWriter(), true),
        false,
        Clock.systemUTC());
    assertThat(status.toString())
        .contains("interrupted")
        .contains(
            "stopped while extracting; the next run reads the result of its job again (qsync-test:US.qsync_");

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = run(config, out, err);

    assertThat(exit).as("exit code; stderr:\n%s", err).isZero();
    assertThat(out.toString()).contains("resumed run " + killed.runId());
    assertThat(emulator.queriesRun()).isEqualTo(1);
    assertTableEqualsQuery(database);
  }

  /** A qsync.yaml of the sync from the emulator, with these keys on its BigQuery connection. */
  private Path writeConfig(TestDatabase database, String... connectionKeys) throws IOException {
    Path config = dir.resolve("qsync.yaml");
    Files.writeString(
        config,
        """
        connections:
          bq:
            type: bigquery
            project: qsync-test
            host: %s
            credentials_file: none
            retry_delay: 1ms
        %s
          app: {type: mysql, url: "%s", user: root}
        syncs:
          %s:
            source: bq
            query: "%s"
            target: app
            table: users
            key: [user_id]
            create_table: true
        """
            .formatted(
                emulator.host(),
                Arrays.stream(connectionKeys)
                    .map(key -> "    " + key)
                    .collect(Collectors.joining("\n")),
                database.url(),
                BigQuerySyncs.SYNC,
                QUERY));
    return config;
  }

  /** {@code qsync run} of the sync, as the command line runs it: its exit code. */
  private static int run(Path config, StringWriter out, StringWriter err) {
    return Main.execute(
        new String[] {"run", BigQuerySyncs.SYNC, "--config", config.toString()},
        new PrintWriter(out, true),
        new PrintWriter(err, true),
        false,
        Clock.systemUTC());
  }

  /** A client that gives up after 300 ms without an answer, and retries for at most 2 s. */
  private Qsync stallingQsync(TestDatabase database) {
    BigQueryConnectionConfig base = BigQuerySyncs.connection(emulator, 400, Optional.empty());
    BigQueryConnectionConfig connection =
        base.toBuilder()
            .timeouts(
                new BigQueryTimeouts(
                    Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofSeconds(2)))
            .build();
    return BigQuerySyncs.qsync(
        dir,
        database,
        connection,
        BigQuerySyncs.sync(QUERY, "users", List.of("user_id"), Mode.MIRROR),
        faults);
  }

  @ParameterizedTest(name = "{0} #{1}")
  @CsvSource({"jobs.get, 1", "jobs.insert, 1", "tables.get, 1", "tabledata.list, 4"})
  void aStalledCallIsRetriedAfterTheReadTimeoutAndTheRunSucceedsWithOneJob(
      String kind, int nth, TestDatabase database) {
    emulator.stallRequests(kind, nth, Duration.ofSeconds(3), 1);

    RunReport report = stallingQsync(database).run(BigQuerySyncs.SYNC);

    assertThat(report.counts()).isEqualTo(new ChangeCounts(ROWS, ROWS, 0, 0, 0));
    assertThat(String.join("\n", report.notes()))
        .contains(
            "retried 1 transient BigQuery error"
                + " (1 x timeout (no answer within connect_timeout 5s or read_timeout 0.3s))");
    assertThat(emulator.jobIds()).as("jobs").hasSize(1);
    assertThat(emulator.queriesRun()).isEqualTo(1);
    assertTableEqualsQuery(database);
  }

  @Test
  void aRunWhoseEveryAttemptStallsExitsOneAndTheNextReadsItsJobAgain(TestDatabase database)
      throws Exception {
    Path config =
        writeConfig(database, "page_size: 400", "read_timeout: 300ms", "retry_timeout: 2s");
    emulator.stallRequests("tabledata.list", 3, Duration.ofSeconds(5), Integer.MAX_VALUE);

    StringWriter err = new StringWriter();
    int exit = run(config, new StringWriter(), err);

    assertThat(exit).as("exit code; stderr:\n%s", err).isEqualTo(1);
    assertThat(err.toString())
        .contains("read page 3 of ")
        .contains("still failed after")
        .contains("timeout (no answer within connect_timeout 20s or read_timeout 0.3s)")
        .contains("run again later (the run resumes from its job without querying again)")
        .doesNotContain("Fix what BigQuery names");
    RunHistory failed = RunHistory.only(database);
    assertThat(failed.status()).isEqualTo("failed");
    assertThat(failed.phase()).isEqualTo("extract");

    emulator.clearFaults();
    StringWriter out = new StringWriter();
    int again = run(config, out, err);

    assertThat(again).as("exit code; stderr:\n%s", err).isZero();
    assertThat(out.toString())
        .contains("resumed run " + failed.runId())
        .contains("found job qsync_");
    assertThat(emulator.jobIds()).as("jobs").hasSize(1);
    assertThat(emulator.queriesRun()).isEqualTo(1);
    assertTableEqualsQuery(database);
  }

  @Test
  void aResultTableThatExpiresWhileAPlanReadsItSaysToPlanAgainNotToRunAgain(TestDatabase database) {
    Qsync qsync = qsync(database, 400);
    emulator.expireTableAt("tabledata.list", 4);

    QsyncException failure =
        catchThrowableOfType(QsyncException.class, () -> qsync.plan(BigQuerySyncs.SYNC));

    assertThat(failure.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(failure.getMessage())
        .contains("vanished while being read (at page 4")
        .endsWith("Try qsync plan again; it runs the query again (billed again).")
        .doesNotContain("Run again", "the next run");
  }

  @Test
  void aResultTableThatExpiresWhileBeingReadFailsResumablyAndTheNextRunQueriesAgain(
      TestDatabase database) {
    Qsync qsync = qsync(database, 400);
    emulator.expireTableAt("tabledata.list", 4);

    QsyncException failure =
        catchThrowableOfType(QsyncException.class, () -> qsync.run(BigQuerySyncs.SYNC));

    assertThat(failure.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(failure.getMessage())
        .contains("vanished while being read (at page 4")
        .contains("the next run runs the query again")
        .doesNotContain("project and location");
    RunHistory failed = RunHistory.only(database);
    assertThat(failed.status()).isEqualTo("failed");
    assertThat(failed.phase()).isEqualTo("extract");

    RunReport resumed = qsync.run(BigQuerySyncs.SYNC);

    assertThat(resumed.runId()).isEqualTo(failed.runId());
    assertThat(String.join("\n", resumed.notes()))
        .contains("is gone")
        .contains("ran the query again");
    assertThat(emulator.queriesRun()).isEqualTo(2);
    assertTableEqualsQuery(database);
  }
}
