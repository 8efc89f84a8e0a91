package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qsync.config.Mode;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.state.RunStatus;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crash and resume in {@code append} mode, the mode with no key to make a repeated write harmless:
 * the table has no unique key, so a batch applied twice would add its rows twice. After the resume
 * the table holds its old rows plus every result row exactly once.
 */
@ExtendWith(MariaDbExtension.class)
class AppendCrashResumeIT {
  private static final String TABLE = "event_log";
  private static final long FIRST_EVENT = 10_001;
  private static final long LAST_EVENT = 12_500;
  private static final int OLD_ROWS = 300;
  private static final String QUERY =
      "SELECT event_id, user_id, kind, happened_at FROM events"
          + " WHERE CASE WHEN event_id = (SELECT fail_at FROM extract_switch)"
          + " THEN error('warehouse worker lost while streaming the result') ELSE true END";

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(Strike.class)
  void appendResumesWithoutDoublingRows(Strike strike, TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(
        "CREATE TABLE events AS SELECT i AS event_id, i % 97 AS user_id, CASE WHEN i % 7 = 0 THEN"
            + " NULL ELSE 'kind ' || CAST(i % 4 AS VARCHAR) END AS kind, TIMESTAMP '2026-03-01"
            + " 12:00:00' + to_seconds(i) + to_microseconds(i % 1000) AS happened_at FROM range("
            + FIRST_EVENT
            + ", "
            + (LAST_EVENT + 1)
            + ") AS r(i) ORDER BY i",
        "CREATE TABLE extract_switch (fail_at BIGINT)",
        "INSERT INTO extract_switch VALUES (NULL)");
    database.execute(
        "CREATE TABLE `"
            + TABLE
            + "` (event_id BIGINT NOT NULL, user_id BIGINT NULL, kind VARCHAR(32) NULL, happened_at"
            + " DATETIME(6) NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        "INSERT INTO `"
            + TABLE
            + "` SELECT seq, seq % 7, 'old', TIMESTAMP'2025-01-01 00:00:00'"
            + " + INTERVAL seq SECOND FROM seq_1_to_"
            + OLD_ROWS);
    WriteCounter.install(database, TABLE, "event_id");
    List<List<String>> oldRows = tableRows(database);
    SyncSetup setup =
        new SyncSetup(
            dir,
            database,
            warehouse,
            SyncSetup.sync("events", QUERY, TABLE)
                .mode(Mode.APPEND)
                .createTable(false)
                .batchSize(97)
                .build(),
            List.of());
    Faults faults = new Faults();
    Qsync qsync = new Qsync(setup.config(), Clock.systemUTC(), Progress.silent(), faults);

    long total = LAST_EVENT - FIRST_EVENT + 1;
    int batchSize = setup.sync().batchSize();
    long totalBatches = RunHistory.batchesFor(total, batchSize);
    Faults.Once fault = strike.fault(database, total, batchSize);
    faults.arm(fault);
    if (strike == Strike.MID_EXTRACT) {
      TargetsData.failExtractAt(warehouse, LAST_EVENT);
    }
    Throwable thrown = catchThrowable(() -> qsync.run("events"));

    strike.assertFailure(thrown);
    RunHistory crashed = RunHistory.only(database);
    long applied = strike.appliedAfterCrash(total, batchSize);
    assertThat(crashed.status()).isEqualTo(strike.statusAfterCrash());
    assertThat(crashed.appliedThrough()).isEqualTo(applied);
    assertThat(database.count(TABLE)).as("rows after the crash").isEqualTo(OLD_ROWS + applied);
    assertThat(WriteCounter.committedTotal(database)).isEqualTo(applied);
    Sessions.assertLockFree(database, "events");

    faults.disarm();
    if (strike == Strike.MID_EXTRACT) {
      TargetsData.failExtractAt(warehouse, null);
    }
    RunReport report = qsync.run("events");

    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.counts()).isEqualTo(new ChangeCounts(total, total, 0, 0, 0));
    assertThat(report.resumed()).isEqualTo(!strike.startsOver());
    assertThat(report.batches() + crashed.batchesApplied()).isEqualTo(totalBatches);
    assertThat(database.count(TABLE))
        .as("old rows plus each result row once")
        .isEqualTo(OLD_ROWS + total);
    List<List<String>> expected = new ArrayList<>(oldRows);
    expected.addAll(
        warehouse.rows(
            "SELECT CAST(event_id AS VARCHAR), CAST(user_id AS VARCHAR), kind,"
                + " strftime(happened_at, '%Y-%m-%d %H:%M:%S.%f') FROM ("
                + QUERY
                + ") q ORDER BY event_id"));
    SameRows.assertSame(expected, tableRows(database), "old rows and source query", TABLE);
    WriteCounter.assertEachWrittenOnce(
        database, LongStream.rangeClosed(FIRST_EVENT, LAST_EVENT).boxed().toList());
    assertThat(WriteCounter.attempted(database))
        .isEqualTo(total + strike.rolledBackRows(total, batchSize));

    RunHistory finished = RunHistory.read(database).get(strike.startsOver() ? 1 : 0);
    assertThat(finished.status()).isEqualTo("succeeded");
    assertThat(finished.appliedThrough()).isEqualTo(total);
    assertThat(finished.changesTotal()).isEqualTo(total);
    assertThat(finished.batchesApplied()).isEqualTo(totalBatches);
    assertThat(finished.resumes()).isEqualTo(strike.startsOver() ? 0 : 1);
    Sessions.assertLockFree(database, "events");
  }

  private static List<List<String>> tableRows(TestDatabase database) {
    return database.rows(
        "SELECT CAST(event_id AS CHAR), CAST(user_id AS CHAR), kind,"
            + " DATE_FORMAT(happened_at, '%Y-%m-%d %H:%i:%s.%f') FROM `"
            + TABLE
            + "` ORDER BY event_id");
  }
}
