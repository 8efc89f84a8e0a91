package io.qsync.converge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.DeleteGuard;
import io.qsync.config.Mode;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.MySqlTimeouts;
import io.qsync.config.QsyncConfig;
import io.qsync.config.RetryConfig;
import io.qsync.config.Secret;
import io.qsync.config.SyncConfig;
import io.qsync.config.TlsConfig;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed part-way and resumed later ends with the table equal to the query's result as it is
 * when the resume ends, whatever happened in between: the table edited or dropped by hand, or the
 * query's result changed.
 */
@ExtendWith(MariaDbExtension.class)
class ResumeConvergesIT {
  private static final int ROWS = 100;
  private static final int BATCH = 10;

  @TempDir Path dir;

  private Warehouse warehouse;

  @BeforeEach
  void warehouse() {
    warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(
        "CREATE TABLE src AS SELECT i AS id, 'v' || i AS v FROM range(1, " + (ROWS + 1) + ") t(i)");
  }

  private Qsync qsync(TestDatabase database, Mode mode, FaultPoint faults) {
    return qsync(database, "t", mode, faults);
  }

  private Qsync qsync(TestDatabase database, String table, Mode mode, FaultPoint faults) {
    SyncConfig sync =
        TestSyncs.sync("s", "SELECT id, v FROM src", table)
            .key(List.of("id"))
            .mode(mode)
            .batchSize(BATCH)
            .deleteGuard(DeleteGuard.NONE)
            .throttle(TestSyncs.fixedBatches())
            .build();
    return TestSyncs.qsync(dir, database, warehouse, sync, faults);
  }

  /** A first run that dies after the batch ending at change {@code end}. */
  private void killAfterChange(TestDatabase database, Mode mode, long end) {
    Qsync crashing =
        qsync(
            database,
            mode,
            (point, value) -> {
              if (point == FaultPoint.Point.AFTER_BATCH && value == end) {
                throw new IllegalStateException("killed after change " + end);
              }
            });
    assertThat(catchThrowable(() -> crashing.run("s"))).hasMessageContaining("killed");
  }

  private List<List<String>> table(TestDatabase database) {
    return database.rows("SELECT id, v FROM t ORDER BY id");
  }

  private List<List<String>> source() {
    return warehouse.rows("SELECT CAST(id AS VARCHAR), v FROM src ORDER BY id");
  }

  @Test
  void aResumeHealsRowsDeletedAndAddedByHandSinceTheKill(TestDatabase database) {
    database.execute("CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(20))");
    database.execute("INSERT INTO t SELECT seq, 'old' FROM seq_1_to_100");
    killAfterChange(database, Mode.MIRROR, 30);
    // Between the kill and the resume: a row its remaining batches update is deleted, and a row
    // one of them would insert appears.
    database.execute("DELETE FROM t WHERE id = 77");
    warehouse.execute("INSERT INTO src VALUES (101, 'v101')");
    database.execute("INSERT INTO t VALUES (101, 'by hand')");

    RunReport report = qsync(database, Mode.MIRROR, FaultPoint.NONE).run("s");

    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.resumed()).isTrue();
    assertThat(table(database)).isEqualTo(source());
    assertThat(qsync(database, Mode.MIRROR, FaultPoint.NONE).run("s").counts())
        .isEqualTo(new ChangeCounts(ROWS + 1, 0, 0, 0, ROWS + 1));
  }

  /**
   * Two configs may each have a sync named 's', writing different tables of one database (two
   * teams, one application database): each resumes its own unfinished run and keeps its own
   * history; neither abandons, resumes or lists the other's.
   */
  @Test
  void syncsOfOneNameInTwoConfigsKeepTheirOwnRuns(TestDatabase database) {
    killAfterChange(database, Mode.MIRROR, 30); // the first config's s -> t stops at change 30
    Qsync other = qsync(database, "t2", Mode.MIRROR, FaultPoint.NONE);

    RunReport second = other.run("s");

    assertThat(second.resumed()).as("the other config's run is not this one's").isFalse();
    assertThat(second.counts()).isEqualTo(new ChangeCounts(ROWS, ROWS, 0, 0, 0));
    assertThat(database.rows("SELECT id, v FROM t2 ORDER BY id")).isEqualTo(source());
    assertThat(other.history("s", 10)).extracting(RunRecord::table).containsExactly("t2");

    Qsync first = qsync(database, Mode.MIRROR, FaultPoint.NONE);
    RunReport resumed = first.run("s");

    assertThat(resumed.resumed()).as("its own run waited for it").isTrue();
    assertThat(table(database)).isEqualTo(source());
    assertThat(first.history("s", 10)).extracting(RunRecord::table).isNotEmpty().containsOnly("t");
  }

  /**
   * The application deletes a row while a run is about to update it: with a key that compares
   * exactly (an integer), the row is written again, and the run succeeds.
   */
  @Test
  void aRowDeletedByAnotherWriterDuringTheRunIsWrittenAgain(TestDatabase database) {
    database.execute(
        "CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(20))",
        "INSERT INTO t SELECT seq, 'old' FROM seq_1_to_100");
    Qsync qsync =
        qsync(
            database,
            Mode.MIRROR,
            (point, value) -> {
              if (point == FaultPoint.Point.BEFORE_BATCH && value == 60) {
                database.execute("DELETE FROM t WHERE id = 55");
              }
            });

    RunReport report = qsync.run("s");

    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(table(database)).isEqualTo(source());
  }

  /**
   * Under a key collation qsync only approximates, a row gone since the table was read may also be
   * a key the collation matches differently: the run stops, naming the key that is gone, never
   * another one of the batch.
   */
  @Test
  void aRowGoneUnderAnInexactKeyCollationIsNamedExactly(TestDatabase database) {
    warehouse.execute(
        "CREATE OR REPLACE TABLE src AS SELECT 'k' || lpad(CAST(i AS VARCHAR), 3, '0') AS id,"
            + " 'v' || i AS v FROM range(1, 101) t(i)");
    database.execute(
        "CREATE TABLE t (id VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY,"
            + " v VARCHAR(20))",
        "INSERT INTO t SELECT CONCAT('k', LPAD(seq, 3, '0')), 'old' FROM seq_1_to_100");
    Qsync qsync =
        qsync(
            database,
            Mode.MIRROR,
            (point, value) -> {
              if (point == FaultPoint.Point.BEFORE_BATCH && value == 60) {
                database.execute("DELETE FROM t WHERE id = 'k057'");
              }
            });

    QsyncException error = catchThrowableOfType(QsyncException.class, () -> qsync.run("s"));

    assertThat(error.getMessage())
        .contains("1 of 10 updates of this batch find no row with their key ((id='k057'))")
        .doesNotContain("k051");
    assertThat(qsync(database, Mode.MIRROR, FaultPoint.NONE).run("s").status())
        .isEqualTo(RunStatus.SUCCEEDED);
    assertThat(database.rows("SELECT id, v FROM t ORDER BY id"))
        .isEqualTo(warehouse.rows("SELECT id, v FROM src ORDER BY id"));
  }

  @Test
  void aResumeEndsWithTheQueryResultAsItIsNowNotAsItWas(TestDatabase database) {
    killAfterChange(database, Mode.MIRROR, 50);
    warehouse.execute(
        "UPDATE src SET v = 'changed' WHERE id IN (3, 80)",
        "DELETE FROM src WHERE id = 5",
        "INSERT INTO src VALUES (500, 'new')");

    RunReport report = qsync(database, Mode.MIRROR, FaultPoint.NONE).run("s");

    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.resumed()).isTrue();
    assertThat(table(database)).isEqualTo(source());
    assertThat(report.caughtUp()).isPresent();
    assertThat(report.caughtUp().get().counts())
        .isEqualTo(new ChangeCounts(ROWS, 1, 2, 1, ROWS - 3));
    assertThat(report.notes())
        .anySatisfy(
            note ->
                assertThat(note)
                    .contains("then compared the table with the query's current result again"));
  }

  @Test
  void aResumeStartsOverWhenTheTableWasDroppedSinceTheKill(TestDatabase database) {
    killAfterChange(database, Mode.MIRROR, 40);
    database.execute("DROP TABLE t");

    RunReport report = qsync(database, Mode.MIRROR, FaultPoint.NONE).run("s");

    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.resumed()).isFalse();
    assertThat(report.notes()).anySatisfy(note -> assertThat(note).contains("its table t is gone"));
    assertThat(table(database)).isEqualTo(source());
  }

  /**
   * A passing error that comes back on the resume just as it ended the attempt before (a row lock
   * that an application session never gives up) stops being called passing: exit 5, saying what
   * {@code --restart} would do; once the lock is gone, the next run resumes and finishes.
   */
  @Test
  void aResumeThatFailsTheSameWayAgainStopsCallingItPassing(TestDatabase database)
      throws Exception {
    database.execute(
        "CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(20))",
        "INSERT INTO t SELECT seq, 'old' FROM seq_1_to_100");
    SyncConfig sync =
        TestSyncs.sync("s", "SELECT id, v FROM src", "t")
            .key(List.of("id"))
            .batchSize(BATCH)
            .deleteGuard(DeleteGuard.NONE)
            .throttle(TestSyncs.fixedBatches())
            .retries(RetryConfig.NONE)
            .build();
    QsyncConfig config =
        new QsyncConfig(
            dir.resolve("qsync.yaml"),
            dir.resolve("stage"),
            Map.of(
                "warehouse",
                warehouse.connection("warehouse"),
                "app",
                new MySqlConnectionConfig(
                    "app",
                    database.url(),
                    "root",
                    new Secret(""),
                    Map.of(),
                    TlsConfig.DISABLED,
                    new MySqlTimeouts(
                        Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(1)))),
            Map.of("s", sync));
    Qsync qsync = new Qsync(config, Clock.systemUTC(), Progress.silent(), FaultPoint.NONE);
    try (Connection application = database.connect()) {
      application.setAutoCommit(false);
      try (Statement statement = application.createStatement()) {
        statement.executeQuery("SELECT * FROM t WHERE id = 55 FOR UPDATE").close();
      }

      QsyncException first = catchThrowableOfType(QsyncException.class, () -> qsync.run("s"));
      QsyncException again = catchThrowableOfType(QsyncException.class, () -> qsync.run("s"));

      assertThat(first.kind()).isEqualTo(ErrorKind.FAILED);
      assertThat(first.getMessage()).contains("Lock wait timeout");
      assertThat(again.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
      assertThat(again.getMessage())
          .contains("Lock wait timeout")
          .contains("failed this way before it was resumed, and again now")
          .contains("--restart");
      application.rollback();
    }

    RunReport report = qsync.run("s");

    assertThat(report.resumed()).isTrue();
    assertThat(table(database)).isEqualTo(source());
  }

  @Test
  void anAppendWhoseTableWasDroppedStartsOverToo(TestDatabase database) {
    killAfterChange(database, Mode.APPEND, 40);
    database.execute("DROP TABLE t");

    RunReport report = qsync(database, Mode.APPEND, FaultPoint.NONE).run("s");

    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(table(database)).isEqualTo(source());
  }
}
