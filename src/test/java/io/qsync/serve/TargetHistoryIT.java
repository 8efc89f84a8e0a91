package io.qsync.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.ConnectionConfig;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.QsyncConfig;
import io.qsync.config.Secret;
import io.qsync.config.SyncConfig;
import io.qsync.config.ThrottleConfig;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunFailedException;
import io.qsync.engine.RunReport;
import io.qsync.state.RunStatus;
import io.qsync.testing.FirstReleaseHistory;
import io.qsync.testing.ManualClock;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The throttled time in the run history, against the real MariaDB: a run held back by {@code
 * max_rows_per_second} shows its waited time and rule in {@link TargetHistory}, whether it
 * succeeded or failed; a resumed run adds its second attempt; a history table of an older qsync
 * gets the column; one that cannot be altered does not fail the run. The throttle waits on a manual
 * clock, so the times are exact and the test does not sleep.
 */
@ExtendWith(MariaDbExtension.class)
class TargetHistoryIT {
  private static final String SYNC = "targets";
  private static final String RULE = "max_rows_per_second 20";

  @TempDir Path dir;

  private final ManualClock clock = new ManualClock();
  private Warehouse warehouse;

  @BeforeEach
  void warehouse() {
    warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(
        "CREATE TABLE targets AS SELECT i AS user_id, 'v' || i AS variant FROM range(1, 61) t(i)");
  }

  @Test
  void aThrottledRunShowsItsThrottledTimeAndRule(TestDatabase database) {
    Qsync qsync = qsync(database, "root", "", FaultPoint.NONE);

    RunReport report = qsync.run(SYNC);
    List<RunView> history = new TargetHistory(() -> qsync).history(SYNC, 10);

    assertThat(report.throttle().throttledBy()).containsOnlyKeys(RULE);
    assertThat(report.throttle().throttled()).isPositive();
    assertThat(history).hasSize(1);
    assertThat(history.get(0).run().runId()).isEqualTo(report.runId());
    assertThat(history.get(0).throttledBy()).isEqualTo(millis(report.throttle().throttledBy()));
    assertThat(history.get(0).throttled()).isEqualTo(report.throttle().throttled());
    assertThat(database.rows("SELECT throttled_by FROM _qsync_runs"))
        .containsExactly(
            List.of(
                "{\""
                    + RULE
                    + "\":"
                    + BigDecimal.valueOf(report.throttle().throttled().toMillis(), 3)
                    + "}"));
  }

  @Test
  void aFailedRunKeepsItsThrottledTimeAndItsResumptionAddsToIt(TestDatabase database) {
    FaultPoint failAfterThreeBatches =
        (point, value) -> {
          if (point == FaultPoint.Point.AFTER_BATCH && value == 30) {
            throw new QsyncException(ErrorKind.FAILED, "the test stops the run after change 30");
          }
        };
    Qsync failing = qsync(database, "root", "", failAfterThreeBatches);
    TargetHistory history = new TargetHistory(() -> failing);

    RunFailedException thrown =
        catchThrowableOfType(RunFailedException.class, () -> failing.run(SYNC));
    RunView failed = history.history(SYNC, 10).get(0);
    assertThat(thrown.throttledBy())
        .as("the failure says how long it waited, as the history does (serve's metrics count it)")
        .containsOnlyKeys(RULE);
    assertThat(thrown.throttledBy().get(RULE).truncatedTo(ChronoUnit.MILLIS))
        .isEqualTo(failed.throttled());

    assertThat(failed.run().status()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.throttledBy()).containsOnlyKeys(RULE);
    Duration firstAttempt = failed.throttled();
    assertThat(firstAttempt).isPositive();

    RunReport resumed = qsync(database, "root", "", FaultPoint.NONE).run(SYNC);
    RunView finished =
        history.history(SYNC, 10).stream()
            .filter(view -> view.run().runId().equals(failed.run().runId()))
            .findFirst()
            .orElseThrow();

    assertThat(resumed.resumed()).isTrue();
    assertThat(finished.run().status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(finished.throttled())
        .isEqualTo(
            firstAttempt.plus(resumed.throttle().throttled()).truncatedTo(ChronoUnit.MILLIS));
  }

  @Test
  void anOldHistoryTableGetsTheColumn(TestDatabase database) {
    FirstReleaseHistory.create(database, SYNC, "experiment_targets");
    Qsync qsync = qsync(database, "root", "", FaultPoint.NONE);

    RunReport report = qsync.run(SYNC);
    List<RunView> history = new TargetHistory(() -> qsync).history(SYNC, 10);

    assertThat(
            database.rows(
                "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                    + " AND TABLE_NAME = '_qsync_runs' AND COLUMN_NAME = 'throttled_by'"))
        .containsExactly(List.of("throttled_by"));
    assertThat(history)
        .extracting(view -> view.run().runId())
        .containsExactly(report.runId(), "old");
    assertThat(history.get(0).throttledBy()).isEqualTo(millis(report.throttle().throttledBy()));
    assertThat(history.get(1).throttledBy()).isEmpty();
  }

  @Test
  void aHistoryTableThatCannotBeAlteredDoesNotFailTheRun(TestDatabase database) {
    FirstReleaseHistory.create(database, SYNC, "experiment_targets");
    database.execute("CREATE TABLE experiment_targets (user_id BIGINT PRIMARY KEY, variant TEXT)");
    String user = "qsync_na_" + UUID.randomUUID().toString().substring(0, 8);
    String account = "'" + user + "'@'127.0.0.1'";
    String password = "secret-" + user;
    database.execute(
        "CREATE USER " + account + " IDENTIFIED BY '" + password + "'",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `"
            + database.name()
            + "`.`experiment_targets` TO "
            + account,
        "GRANT SELECT, INSERT, UPDATE, CREATE ON `"
            + database.name()
            + "`.`_qsync_runs` TO "
            + account);
    try {
      Qsync qsync = qsync(database, user, password, FaultPoint.NONE);

      RunReport report = qsync.run(SYNC);
      List<RunView> history = new TargetHistory(() -> qsync).history(SYNC, 10);

      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(report.throttle().throttledBy()).containsOnlyKeys(RULE);
      assertThat(database.count("experiment_targets")).isEqualTo(60);
      assertThat(history.get(0).run().runId()).isEqualTo(report.runId());
      assertThat(history.get(0).throttledBy()).isEmpty();
    } finally {
      database.execute("DROP USER IF EXISTS " + account);
    }
  }

  @Test
  void aThrottledTimeThatCannotBeWrittenIsANoteNotAFailure(TestDatabase database) {
    qsync(database, "root", "", FaultPoint.NONE).run(SYNC);
    warehouse.execute("UPDATE targets SET variant = 'changed'");
    String user = "qsync_nu_" + UUID.randomUUID().toString().substring(0, 8);
    String account = "'" + user + "'@'127.0.0.1'";
    String password = "secret-" + user;
    String everyColumnButThrottledBy =
        database
            .rows(
                "SELECT GROUP_CONCAT(COLUMN_NAME) FROM information_schema.COLUMNS WHERE"
                    + " TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_qsync_runs'"
                    + " AND COLUMN_NAME <> 'throttled_by'")
            .get(0)
            .get(0);
    database.execute(
        "CREATE USER " + account + " IDENTIFIED BY '" + password + "'",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `"
            + database.name()
            + "`.`experiment_targets` TO "
            + account,
        "GRANT SELECT, INSERT, UPDATE ("
            + everyColumnButThrottledBy
            + ") ON `"
            + database.name()
            + "`.`_qsync_runs` TO "
            + account);
    try {
      Qsync qsync = qsync(database, user, password, FaultPoint.NONE);

      RunReport report = qsync.run(SYNC);
      RunView newest = new TargetHistory(() -> qsync).history(SYNC, 10).get(0);

      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(report.counts().updates()).isEqualTo(60);
      assertThat(report.throttle().throttledBy()).containsOnlyKeys(RULE);
      assertThat(report.notes())
          .anyMatch(
              note ->
                  note.startsWith(
                          "the time this run waited for the throttle could not be kept in the run"
                              + " history (")
                      && note.endsWith("); the status page shows none for it"));
      assertThat(newest.run().runId()).isEqualTo(report.runId());
      assertThat(newest.run().status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(newest.throttledBy()).isEmpty();
    } finally {
      database.execute("DROP USER IF EXISTS " + account);
    }
  }

  /**
   * A mirror of the warehouse's 60 targets in batches of 10 at 20 rows a second: after the first
   * batch each waits half a second, on the manual clock.
   */
  private Qsync qsync(TestDatabase database, String user, String password, FaultPoint faults) {
    ThrottleConfig twentyRowsASecond = TestSyncs.rowRate(20);
    SyncConfig sync =
        TestSyncs.sync(SYNC, "SELECT * FROM targets", "experiment_targets")
            .key(List.of("user_id"))
            .batchSize(10)
            .throttle(twentyRowsASecond)
            .build();
    Map<String, ConnectionConfig> connections =
        Map.of(
            "warehouse",
            warehouse.connection("warehouse"),
            "app",
            new MySqlConnectionConfig("app", database.url(), user, new Secret(password), Map.of()));
    QsyncConfig config =
        new QsyncConfig(
            dir.resolve("qsync.yaml"), dir.resolve("stage"), connections, Map.of(SYNC, sync));
    return new Qsync(config, clock, Progress.silent(), faults, clock::advance);
  }

  /** The times as the history keeps them: to the millisecond. */
  private static Map<String, Duration> millis(Map<String, Duration> throttledBy) {
    Map<String, Duration> truncated = new LinkedHashMap<>();
    throttledBy.forEach(
        (rule, waited) -> truncated.put(rule, waited.truncatedTo(ChronoUnit.MILLIS)));
    return truncated;
  }
}
