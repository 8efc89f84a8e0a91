package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.badinput.DuckDbFileHolder;
import io.qsync.config.Mode;
import io.qsync.config.QsyncConfig;
import io.qsync.engine.FaultPoint.Point;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunOptions;
import io.qsync.engine.RunReport;
import io.qsync.state.RunStatus;
import io.qsync.testing.ChildProcess;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A run that failed part-way keeps its change set in its stage file for the next run to resume;
 * when that change set is lost before then (the table dropped or cut short, the file replaced), the
 * next run starts over by itself and ends with the table equal to the query, in either diff mode:
 * {@code diff: target} computes the change set against the table again; {@code diff: snapshot},
 * whose state no longer says what the table holds after a part-applied run, compares the whole
 * result with the table.
 */
@ExtendWith(MariaDbExtension.class)
class LostChangeSetIT {
  private static final TargetsData DATA = new TargetsData(300, 320);
  private static final int BATCH = 7;

  @TempDir Path dir;

  /** How the stage file's change set is lost between the failed run and the next. */
  enum Loss {
    DROPPED {
      @Override
      void strike(Path stage) throws Exception {
        duckDb(stage, "DROP TABLE changes");
      }
    },
    CUT_SHORT {
      @Override
      void strike(Path stage) throws Exception {
        duckDb(stage, "DELETE FROM changes WHERE qsync_seq > " + (BATCH + 2));
      }
    },
    REPLACED {
      @Override
      void strike(Path stage) throws IOException {
        Files.deleteIfExists(stage.resolveSibling(stage.getFileName() + ".wal"));
        Files.writeString(stage, "not a DuckDB file, as a restore of the wrong backup leaves it");
      }
    };

    abstract void strike(Path stage) throws Exception;
  }

  private static void duckDb(Path file, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private Warehouse warehouse;
  private SyncSetup setup;
  private Faults faults;

  private Qsync qsync(TestDatabase database, boolean snapshot) {
    warehouse = DATA.prepareCounted(dir, database);
    setup = SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).withBatchSize(BATCH);
    faults = new Faults();
    QsyncConfig config = snapshot ? SnapshotDiffIT.snapshot(setup.config()) : setup.config();
    return new Qsync(config, Clock.systemUTC(), Progress.silent(), faults);
  }

  /** Runs the sync until it fails after its first batch, leaving its change set in the stage. */
  private String failAfterTheFirstBatch(Qsync qsync) {
    faults.arm(Faults.at(Point.AFTER_BATCH, BATCH, () -> Faults.crash(Point.AFTER_BATCH, BATCH)));
    catchThrowable(() -> qsync.run(TargetsData.SYNC));
    faults.disarm();
    assertThat(Files.exists(setup.stageFile())).as("the failed run kept its stage").isTrue();
    return setup
        .database()
        .rows(
            "SELECT run_id FROM _qsync_runs WHERE status <> 'succeeded' AND mode <> 'verify'"
                + " ORDER BY started_at DESC LIMIT 1")
        .get(0)
        .get(0);
  }

  private static final String VARIANTS = "UPDATE targets SET variant = ";

  @ParameterizedTest
  @EnumSource(Loss.class)
  void diffTargetStartsOverAgainstTheTable(Loss loss, TestDatabase database) throws Exception {
    Qsync qsync = qsync(database, false);
    String failed = failAfterTheFirstBatch(qsync);
    loss.strike(setup.stageFile());

    RunReport next = qsync.run(TargetsData.SYNC);

    assertThat(next.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(next.resumed()).isFalse();
    assertThat(next.notes())
        .anyMatch(
            note ->
                note.startsWith("did not resume run " + failed + " (its stage file ")
                    && note.endsWith("); starting over"));
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  @ParameterizedTest
  @EnumSource(Loss.class)
  void diffSnapshotStartsOverComparingInFull(Loss loss, TestDatabase database) throws Exception {
    Qsync qsync = qsync(database, true);
    qsync.run(TargetsData.SYNC);
    warehouse.execute(VARIANTS + "'changed' WHERE user_id BETWEEN 1 AND 15");
    String failed = failAfterTheFirstBatch(qsync);
    loss.strike(setup.stageFile());
    // The rows the failed run wrote go back to the state's values in the warehouse.
    warehouse.execute(VARIANTS + "'back' WHERE user_id BETWEEN 1 AND 15");

    RunReport next = qsync.run(TargetsData.SYNC);

    assertThat(next.notes())
        .anyMatch(note -> note.startsWith("did not resume run " + failed + " (its stage file "));
    assertComparedInFullAfter(failed, next, database);
  }

  /**
   * {@code next} succeeded comparing in full since run {@code failed} wrote batches and was not
   * resumed, and left the table equal to the query.
   */
  private void assertComparedInFullAfter(String failed, RunReport next, TestDatabase database) {
    assertThat(next.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(next.notes())
        .anyMatch(
            note ->
                note.contains(
                    "compared the whole result with the table (run "
                        + failed
                        + " stopped part-way after writing"));
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  /**
   * A stage file another process holds (DuckDB's lock) when the next run comes is no lost change
   * set: that run fails with exit 1 and leaves the file, and the run after it, once the holder has
   * let go, resumes the failed run exactly (the file was taken for damaged and its change set
   * dropped before).
   */
  @Test
  void aStageFileHeldByAnotherProcessIsResumedOnceLetGo(TestDatabase database) throws Exception {
    Qsync qsync = qsync(database, false);
    String failed = failAfterTheFirstBatch(qsync);

    Throwable refused;
    try (ChildProcess holder = DuckDbFileHolder.hold(dir, setup.stageFile(), -1)) {
      refused = catchThrowable(() -> qsync.run(TargetsData.SYNC));
    }

    assertThat(refused)
        .isInstanceOf(QsyncException.class)
        .hasMessageContaining("lock")
        .hasMessageEndingWith(
            "Another process holds the file (a duckdb shell?): wait for it to let go. Run again.");
    assertThat(((QsyncException) refused).kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(setup.stageFile()).as("the failed run's stage").exists();
    RunReport next = qsync.run(TargetsData.SYNC);
    assertThat(next.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(next.resumed()).as("notes: %s", next.notes()).isTrue();
    assertThat(next.runId()).isEqualTo(failed);
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  /**
   * A part-applied {@code diff: snapshot} run that was not resumed, followed by more failed runs
   * than a page of history holds (an outage of a sync that runs every minute): the next successful
   * run still compares in full (the part-applied run fell out of the 100 runs looked at before).
   */
  @Test
  void aPartAppliedRunBeforeALongOutageStillComparesInFull(TestDatabase database) throws Exception {
    Qsync qsync = qsync(database, true);
    qsync.run(TargetsData.SYNC);
    warehouse.execute(VARIANTS + "'changed' WHERE user_id BETWEEN 1 AND 15");
    String failed = failAfterTheFirstBatch(qsync);
    Loss.DROPPED.strike(setup.stageFile());
    warehouse.execute(VARIANTS + "'back' WHERE user_id BETWEEN 1 AND 15");
    for (int i = 1; i <= 120; i++) {
      setup
          .database()
          .execute(
              "INSERT INTO _qsync_runs (run_id, sync_name, target_table, mode, status, phase,"
                  + " started_at, finished_at, changes_total, applied_through, batches_applied,"
                  + " resumes, host, pid, connection_id, error) SELECT 'outage-"
                  + i
                  + "', sync_name, target_table, mode, 'failed', phase, started_at + INTERVAL "
                  + i
                  + " MICROSECOND, finished_at, 0, 0, 0, 0, host, pid, connection_id,"
                  + " 'the warehouse was down' FROM _qsync_runs WHERE run_id = '"
                  + failed
                  + "'");
    }

    RunReport next = qsync.run(TargetsData.SYNC);

    assertComparedInFullAfter(failed, next, database);
  }

  /**
   * {@code --restart} after a part-applied {@code diff: snapshot} run: what that run wrote is in
   * the table but not in the state, so only a comparison with the table finds the rows it wrote
   * that the query has since taken back.
   */
  @Test
  void aSnapshotRestartAfterAPartAppliedRunComparesInFull(TestDatabase database) {
    Qsync qsync = qsync(database, true);
    qsync.run(TargetsData.SYNC);
    warehouse.execute(VARIANTS + "'changed' WHERE user_id BETWEEN 1 AND 15");
    failAfterTheFirstBatch(qsync);
    warehouse.execute(
        "UPDATE targets SET variant = CASE WHEN user_id % 5 = 4 THEN 'vé🧪' ELSE 'v' ||"
            + " CAST(user_id % 5 AS VARCHAR) END WHERE user_id BETWEEN 1 AND 15");

    RunReport restarted = qsync.run(TargetsData.SYNC, RunOptions.restarting());

    assertThat(restarted.status()).isEqualTo(RunStatus.SUCCEEDED);
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }
}
