package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.MySqlTimeouts;
import io.qsync.config.QsyncConfig;
import io.qsync.config.RetryConfig;
import io.qsync.config.Secret;
import io.qsync.config.TlsConfig;
import io.qsync.engine.FaultPoint.Point;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.RecordingProgress;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passing target errors are retried with the batch: a row lock the application holds past qsync's
 * lock wait timeout, and a work session killed between batches. Each run ends with an exact target,
 * every change written once, and the retry counted in the report. A killed lock session is taken
 * again; when another session took the lock meanwhile, the run never writes without it, stops
 * cleanly, and the next run resumes.
 */
@ExtendWith(MariaDbExtension.class)
class RetryIT {
  private static final TargetsData DATA = new TargetsData(600, 640);

  @TempDir Path dir;

  private final RecordingProgress progress = new RecordingProgress();

  @Test
  void aRowLockHeldByTheApplicationTimesOutAndTheBatchIsRetried(TestDatabase database)
      throws SQLException {
    Warehouse warehouse = prepare(database);
    Faults faults = new Faults();
    Qsync qsync = qsync(database, warehouse, faults);
    long lockedKey =
        DATA.mirrorChangedKeys().subList(97, 194).stream()
            .filter(id -> DATA.mirrorChange(id) == 'U')
            .findFirst()
            .orElseThrow();

    RunReport report;
    try (Connection application = database.connect();
        Statement statement = application.createStatement()) {
      application.setAutoCommit(false);
      statement
          .executeQuery(
              "SELECT * FROM "
                  + TargetsData.TABLE
                  + " WHERE user_id = "
                  + lockedKey
                  + " FOR UPDATE")
          .close();
      progress.onRetry(() -> rollback(application)); // the application's transaction ends
      report = qsync.run(TargetsData.SYNC);
    }

    assertThat(report.throttle().retries()).isEqualTo(1);
    assertThat(progress.events)
        .singleElement()
        .asString()
        .startsWith("retrying batch ending at change 194 (try 1 failed:")
        .contains("Lock wait timeout exceeded");
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
    assertThat(RunHistory.only(database).status()).isEqualTo("succeeded");
  }

  @Test
  void aKilledWorkSessionIsReplacedAndTheBatchRetried(TestDatabase database) {
    Warehouse warehouse = prepare(database);
    Faults faults = new Faults();
    Faults.Once kill = Faults.at(Point.BEFORE_BATCH, 291, () -> Sessions.killWorkSession(database));
    faults.arm(kill);
    Qsync qsync = qsync(database, warehouse, faults);

    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(kill.struck()).isTrue();
    assertThat(report.throttle().retries()).isEqualTo(1);
    assertThat(progress.events)
        .singleElement()
        .asString()
        .startsWith("retrying batch ending at change 291 (try 1 failed:");
    assertFinishedInOneRun(database, warehouse);
  }

  /**
   * The lock's session ends (as in a server restart, or a DBA's KILL): the lock was free for a
   * moment, nobody took it, so the run takes it again on a new session and goes on.
   */
  @Test
  void aKilledLockSessionIsTakenAgainAndTheRunFinishes(TestDatabase database) {
    Warehouse warehouse = prepare(database);
    Faults faults = new Faults();
    Faults.Once kill = Faults.at(Point.BEFORE_BATCH, 291, () -> Sessions.killLockSession(database));
    faults.arm(kill);
    Qsync qsync = qsync(database, warehouse, faults);

    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(kill.struck()).isTrue();
    assertThat(progress.events)
        .singleElement()
        .asString()
        .startsWith("retrying batch ending at change 291 (try 1 failed: run ")
        .contains("lost its lock");
    assertFinishedInOneRun(database, warehouse);
  }

  /**
   * The lock's session ends and another session takes the lock before the run can: the run never
   * writes without it, stops with exit 4 naming what happened, and the next run resumes.
   */
  @Test
  void aLockTakenByAnotherSessionMeanwhileStopsTheRunCleanlyAndTheNextRunResumes(
      TestDatabase database) throws SQLException {
    Warehouse warehouse = prepare(database);
    Faults faults = new Faults();
    try (Connection other = database.connect();
        PreparedStatement takeTheLock = other.prepareStatement("SELECT GET_LOCK(?, 0)")) {
      takeTheLock.setString(1, Sessions.lockName(database, TargetsData.SYNC));
      faults.arm(
          Faults.at(
              Point.BEFORE_BATCH,
              291,
              () -> {
                Sessions.killLockSession(database);
                query(takeTheLock);
              }));
      Qsync qsync = qsync(database, warehouse, faults);

      QsyncException lost =
          catchThrowableOfType(QsyncException.class, () -> qsync.run(TargetsData.SYNC));

      assertThat(lost.kind()).isEqualTo(ErrorKind.LOCK_HELD);
      assertThat(lost.getMessage())
          .contains(
              "lost its lock (its database session ended) before the batch ending at change 291")
          .contains("another run of the sync holds it now");
      assertThat(RunHistory.only(database).appliedThrough()).isEqualTo(194);
    }

    faults.disarm();
    RunReport report = qsync(database, warehouse, faults).run(TargetsData.SYNC);

    assertThat(report.resumedAfter()).isEqualTo(194);
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
  }

  private static void query(PreparedStatement statement) {
    try {
      statement.executeQuery().close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aWriteOverTheStatementTimeoutIsStoppedRetriedAndReportedAndTheNextRunResumes(
      TestDatabase database) {
    Warehouse warehouse = prepare(database);
    long slowKey =
        DATA.mirrorChangedKeys().subList(97, 194).stream()
            .filter(id -> DATA.mirrorChange(id) == 'U')
            .findFirst()
            .orElseThrow();
    database.execute(
        "CREATE TRIGGER slow_update BEFORE UPDATE ON "
            + TargetsData.TABLE
            + " FOR EACH ROW"
            + " BEGIN IF NEW.user_id = "
            + slowKey
            + " THEN DO SLEEP(3); END IF; END");
    QsyncConfig config =
        EditedConfig.of(
            SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).config(),
            sync -> sync.toBuilder().retries(new RetryConfig(2, Duration.ofSeconds(1))).build(),
            new MySqlConnectionConfig(
                "app",
                database.url(),
                "root",
                new Secret(""),
                Map.of(),
                TlsConfig.DISABLED,
                new MySqlTimeouts(
                    Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(1))));
    Qsync qsync = new Qsync(config, Clock.systemUTC(), progress, new Faults());

    QsyncException stopped =
        catchThrowableOfType(QsyncException.class, () -> qsync.run(TargetsData.SYNC));

    assertThat(stopped.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(stopped.getMessage())
        .contains("could not apply the batch ending at change 194")
        .contains("max_statement_time")
        .contains("(tried 2 times over ")
        .contains("the run resumes after its last committed batch");
    assertThat(progress.events)
        .singleElement()
        .asString()
        .startsWith("retrying batch ending at change 194");
    assertThat(RunHistory.only(database).appliedThrough()).isEqualTo(97);

    database.execute("DROP TRIGGER slow_update");
    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(report.resumedAfter()).isEqualTo(97);
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
  }

  /** The run rode the fault out: an exact target, each change written once, one run, lock free. */
  private static void assertFinishedInOneRun(TestDatabase database, Warehouse warehouse) {
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
    RunHistory finished = RunHistory.only(database);
    assertThat(finished.status()).isEqualTo("succeeded");
    assertThat(finished.resumes()).isZero();
    Sessions.assertLockFree(database, TargetsData.SYNC);
  }

  private Warehouse prepare(TestDatabase database) {
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    return warehouse;
  }

  /**
   * The resume suite's sync (batches of 97, fixed) with retries on, and a one-second lock wait so a
   * held row lock fails a batch fast.
   */
  private Qsync qsync(TestDatabase database, Warehouse warehouse, Faults faults) {
    QsyncConfig config =
        EditedConfig.of(
            SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).config(),
            sync -> sync.toBuilder().retries(RetryConfig.DEFAULT).build(),
            new MySqlConnectionConfig(
                "app",
                database.url(),
                "root",
                new Secret(""),
                Map.of(),
                TlsConfig.DISABLED,
                new MySqlTimeouts(
                    Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(1))));
    return new Qsync(config, Clock.systemUTC(), progress, faults);
  }

  private static void rollback(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
