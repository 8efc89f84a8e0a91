package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.destination.mysql.MySqlShadow;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.FaultPoint;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crash and resume in {@code replace} mode: the result is built in a shadow table that survives the
 * crash while readers keep seeing the old table untouched; the resuming run continues filling the
 * shadow after its checkpoint and swaps it in once. Every result key is inserted into the shadow
 * exactly once (counted by triggers that a watcher puts on the shadow as soon as it exists).
 */
@ExtendWith(MariaDbExtension.class)
class ReplaceCrashResumeIT {
  private static final TargetsData DATA = new TargetsData(3000, 3200);
  private static final String SHADOW = MySqlShadow.shadowName(TargetsData.TABLE);
  private static final String OLD = TargetsData.TABLE + "__qsync_old";

  @TempDir Path dir;

  /** The table exists but is empty: the first replace of a freshly created table. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Strike.class)
  void replaceOfEmptyTableResumesIntoItsShadow(Strike strike, TestDatabase database) {
    crashAndResume(strike, database, false);
  }

  /**
   * The table holds rows the result replaces: the everyday replace. The old rows count as deletes,
   * but the change set to apply (and the checkpoint) covers the inserts alone.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Strike.class)
  void replaceOfTableWithRowsResumesIntoItsShadow(Strike strike, TestDatabase database) {
    crashAndResume(strike, database, true);
  }

  /** Without any crash: the plainest replace of a table with rows. */
  @Test
  void replacesTableWithRows(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    DATA.createWarehouse(warehouse);
    DATA.createTarget(database);
    SyncSetup setup = SyncSetup.targets(dir, database, warehouse, Mode.REPLACE);
    Qsync qsync = new Qsync(setup.config(), Clock.systemUTC(), Progress.silent(), FaultPoint.NONE);

    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(report.counts())
        .isEqualTo(
            new ChangeCounts(
                DATA.sourceKeys().size(), DATA.sourceKeys().size(), 0, DATA.targetRowsBefore(), 0));
    TargetsData.assertTargetEqualsSource(database, warehouse);
    assertThat(RunHistory.only(database).appliedThrough()).isEqualTo(DATA.sourceKeys().size());
  }

  /**
   * The swap itself fails (an object named like qsync's old-table name is in the way, so the RENAME
   * is refused): the run stops in phase 'swap' with the old table still in place; once the obstacle
   * is gone, the next run swaps without applying any batch again.
   */
  @Test
  void resumesAFailedSwapWithoutReapplying(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    DATA.createWarehouse(warehouse);
    createEmptyTarget(database);
    database.execute("CREATE VIEW `" + OLD + "` AS SELECT 1 AS in_the_way");
    SyncSetup setup = SyncSetup.targets(dir, database, warehouse, Mode.REPLACE);
    Faults faults = new Faults();
    faults.watch((point, value) -> countShadowWrites(database, point));
    Qsync qsync = new Qsync(setup.config(), Clock.systemUTC(), Progress.silent(), faults);
    long total = DATA.sourceKeys().size();
    long totalBatches = RunHistory.batchesFor(total, setup.sync().batchSize());

    Throwable thrown = catchThrowable(() -> qsync.run(TargetsData.SYNC));

    assertThat(thrown).isInstanceOf(QsyncException.class).hasMessageContaining("swap");
    RunHistory failed = RunHistory.only(database);
    assertThat(failed.status()).isEqualTo("failed");
    assertThat(failed.phase()).isEqualTo("swap");
    assertThat(failed.appliedThrough()).isEqualTo(total);
    assertThat(database.count(TargetsData.TABLE)).as("readers still see the old table").isZero();
    assertThat(database.count(SHADOW)).isEqualTo(total);

    database.execute("DROP VIEW `" + OLD + "`");
    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(report.resumed()).isTrue();
    assertThat(report.batches()).as("no batch is applied again").isZero();
    TargetsData.assertTargetEqualsSource(database, warehouse);
    assertNoLeftoverTables(database);
    WriteCounter.assertEachWrittenOnce(database, DATA.sourceKeys());
    RunHistory finished = RunHistory.only(database);
    assertThat(finished.status()).isEqualTo("succeeded");
    assertThat(finished.resumes()).isEqualTo(1);
    assertThat(finished.batchesApplied()).isEqualTo(totalBatches);
  }

  private void crashAndResume(Strike strike, TestDatabase database, boolean targetHasRows) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    DATA.createWarehouse(warehouse);
    if (targetHasRows) {
      DATA.createTarget(database);
    } else {
      createEmptyTarget(database);
    }
    List<List<String>> before = TargetsData.tableRows(database, TargetsData.TABLE);
    SyncSetup setup = SyncSetup.targets(dir, database, warehouse, Mode.REPLACE);
    Faults faults = new Faults();
    faults.watch((point, value) -> countShadowWrites(database, point));
    Qsync qsync = new Qsync(setup.config(), Clock.systemUTC(), Progress.silent(), faults);

    long total = DATA.sourceKeys().size();
    int batchSize = setup.sync().batchSize();
    long totalBatches = RunHistory.batchesFor(total, batchSize);
    ChangeCounts expected = new ChangeCounts(total, total, 0, before.size(), 0);

    Faults.Once fault = strike.fault(database, total, batchSize);
    faults.arm(fault);
    if (strike == Strike.MID_EXTRACT) {
      TargetsData.failExtractAt(warehouse, DATA.lastSourceKey());
    }
    Throwable thrown = catchThrowable(() -> qsync.run(TargetsData.SYNC));

    strike.assertFailure(thrown);
    RunHistory crashed = RunHistory.only(database);
    long applied = strike.appliedAfterCrash(total, batchSize);
    assertThat(crashed.status()).isEqualTo(strike.statusAfterCrash());
    assertThat(crashed.phase()).isEqualTo(strike.phaseAfterCrash());
    assertThat(crashed.appliedThrough()).isEqualTo(applied);
    SameRows.assertSame(
        before,
        TargetsData.tableRows(database, TargetsData.TABLE),
        "the table before the run",
        "the table after the crash");
    if (strike.startsOver()) {
      assertThat(database.hasTable(SHADOW))
          .as("no shadow before the change set is complete")
          .isFalse();
    } else {
      assertThat(database.count(SHADOW))
          .as("rows in the shadow that survived the crash")
          .isEqualTo(applied);
      assertThat(new ArrayList<>(WriteCounter.committed(database).keySet()))
          .isEqualTo(DATA.sourceKeys().subList(0, (int) applied));
    }
    Sessions.assertLockFree(database, TargetsData.SYNC);

    faults.disarm();
    if (strike == Strike.MID_EXTRACT) {
      TargetsData.failExtractAt(warehouse, null);
    }
    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.counts()).isEqualTo(expected);
    assertThat(report.resumed()).isEqualTo(!strike.startsOver());
    assertThat(report.batches() + crashed.batchesApplied()).isEqualTo(totalBatches);
    TargetsData.assertTargetEqualsSource(database, warehouse);
    assertNoLeftoverTables(database);
    WriteCounter.assertEachWrittenOnce(database, DATA.sourceKeys());
    assertThat(WriteCounter.attempted(database))
        .isEqualTo(total + strike.rolledBackRows(total, batchSize));

    List<RunHistory> history = RunHistory.read(database);
    RunHistory finished = history.get(history.size() - 1);
    assertThat(history).hasSize(strike.startsOver() ? 2 : 1);
    assertThat(finished.status()).isEqualTo("succeeded");
    assertThat(finished.changesTotal()).isEqualTo(total);
    assertThat(finished.appliedThrough()).isEqualTo(total);
    assertThat(finished.batchesApplied()).isEqualTo(totalBatches);
    assertThat(finished.resumes()).isEqualTo(strike.startsOver() ? 0 : 1);
    Sessions.assertLockFree(database, TargetsData.SYNC);
    assertThat(setup.stageFile()).doesNotExist();
  }

  /** Puts the counting triggers on the shadow table once a batch is about to be written to it. */
  private static void countShadowWrites(TestDatabase database, FaultPoint.Point point) {
    if (point == FaultPoint.Point.BEFORE_BATCH && !WriteCounter.installed(database, SHADOW)) {
      WriteCounter.install(database, SHADOW, "user_id");
    }
  }

  private static void createEmptyTarget(TestDatabase database) {
    database.execute(
        "CREATE TABLE `"
            + TargetsData.TABLE
            + "` (user_id BIGINT NOT NULL PRIMARY KEY,"
            + " variant VARCHAR(32) NULL, score DECIMAL(10,3) NULL, seen_at DATETIME(6) NULL,"
            + " eligible BOOLEAN NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
  }

  private static void assertNoLeftoverTables(TestDatabase database) {
    assertThat(database.hasTable(SHADOW)).as("shadow table after the swap").isFalse();
    assertThat(database.hasTable(OLD)).as("old table after the swap").isFalse();
  }
}
