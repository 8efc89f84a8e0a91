package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.DeleteGuard;
import io.qsync.config.Mode;
import io.qsync.config.QsyncConfig;
import io.qsync.config.SyncConfig;
import io.qsync.diff.ChangeCounts;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cases a review found by hand: hand edits the target's types would round away, keys a collation
 * merges, result columns named like qsync's own, a stale change set after a person fixed the data,
 * and an append that must not run twice.
 */
@ExtendWith(MariaDbExtension.class)
class HealingAndGuardsIT {
  @TempDir Path dir;

  private Warehouse warehouse;

  private Qsync qsync(
      TestDatabase database, String query, Mode mode, int batchSize, String... key) {
    SyncConfig sync =
        TestSyncs.sync("s", query, "t").key(List.of(key)).mode(mode).batchSize(batchSize).build();
    return TestSyncs.qsync(dir, database, warehouse, sync);
  }

  private void warehouse(String... statements) {
    warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(statements);
  }

  private static QsyncException failure(Runnable run, ErrorKind kind) {
    QsyncException error = catchThrowableOfType(QsyncException.class, run::run);
    assertThat(error).as("the run fails").isNotNull();
    assertThat(error.kind()).as(error.getMessage()).isEqualTo(kind);
    return error;
  }

  @Test
  void handEditsThatTheSourceTypeCannotHoldAreCountedAsChangesAndPutBack(TestDatabase database) {
    warehouse(
        "CREATE TABLE src AS SELECT 1 AS id, 5 AS n, true AS flag, 7 AS amount, 1.25::DECIMAL(10,2) AS price");
    database.execute(
        "CREATE TABLE t (id INT PRIMARY KEY, n BIGINT, flag TINYINT, amount DECIMAL(10,2), price DECIMAL(12,4))",
        "INSERT INTO t VALUES (1, 4294967301, 2, 7.25, 1.2345)");
    Qsync qsync = qsync(database, "SELECT * FROM src", Mode.MIRROR, 10, "id");

    assertThat(qsync.run("s").counts()).isEqualTo(new ChangeCounts(1, 0, 1, 0, 0));
    assertThat(database.rows("SELECT n, flag, amount, price FROM t"))
        .containsExactly(List.of("5", "1", "7.00", "1.2500"));
    assertThat(qsync.run("s").counts()).isEqualTo(new ChangeCounts(1, 0, 0, 0, 1));
  }

  @Test
  void handEditedWholeNumbersOutsideTheQuerysRangeArePutBack(TestDatabase database) {
    warehouse(
        "CREATE TABLE src AS SELECT 1 AS id, 5::UTINYINT AS small, 7::SMALLINT AS mid,"
            + " 9::UINTEGER AS wide, 11::UBIGINT AS huge");
    database.execute(
        "CREATE TABLE t (id INT PRIMARY KEY, small INT, mid INT, wide BIGINT, huge BIGINT)",
        "INSERT INTO t VALUES (1, -1, 40000, 4294967296, -3)");
    Qsync qsync = qsync(database, "SELECT * FROM src", Mode.MIRROR, 10, "id");

    assertThat(qsync.run("s").counts()).isEqualTo(new ChangeCounts(1, 0, 1, 0, 0));
    assertThat(database.rows("SELECT small, mid, wide, huge FROM t"))
        .containsExactly(List.of("5", "7", "9", "11"));
    assertThat(qsync.run("s").counts()).isEqualTo(new ChangeCounts(1, 0, 0, 0, 1));
  }

  @Test
  void resultColumnsNamedLikeQsyncsOwnKeepTheirValues(TestDatabase database) {
    warehouse(
        "CREATE TABLE src AS SELECT 1 AS id, 5 AS seq, 'x' AS __op, 9 AS qsync_seq, 'y' AS c0");
    Qsync qsync = qsync(database, "SELECT * FROM src", Mode.MIRROR, 10, "id");
    qsync.run("s");
    assertThat(database.rows("SELECT id, seq, __op, qsync_seq, c0 FROM t"))
        .containsExactly(List.of("1", "5", "x", "9", "y"));
  }

  @Test
  void twoSourceKeysOneUnderTheCollationAreNeverMerged(TestDatabase database) {
    // MariaDB's utf8mb4_general_ci compares 's' and 'ß' equal; qsync's reading of it does not.
    warehouse("CREATE TABLE src AS SELECT * FROM (VALUES ('s', 1), ('ß', 2)) v(k, n)");
    database.execute(
        "CREATE TABLE t (k VARCHAR(10) COLLATE utf8mb4_general_ci PRIMARY KEY, n INT)");
    Qsync qsync = qsync(database, "SELECT * FROM src", Mode.MIRROR, 10, "k");

    QsyncException error = failure(() -> qsync.run("s"), ErrorKind.NEEDS_ACTION);
    assertThat(error).hasMessageContaining("collation").hasMessageContaining("COLLATE utf8mb4_bin");
    assertThat(database.count("t")).isZero();
  }

  @Test
  void aKeyTheCollationEquatesIsNeverDeletedAfterBeingUpdated(TestDatabase database) {
    warehouse("CREATE TABLE src AS SELECT 's' AS k, 1 AS n");
    database.execute(
        "CREATE TABLE t (k VARCHAR(10) COLLATE utf8mb4_general_ci PRIMARY KEY, n INT)",
        "INSERT INTO t VALUES ('ß', 0)");
    // Without the delete guard, which would stop this run (1 of 1 rows deleted) before the writer.
    SyncConfig sync =
        TestSyncs.sync("s", "SELECT * FROM src", "t")
            .key(List.of("k"))
            .batchSize(1)
            .deleteGuard(DeleteGuard.NONE)
            .build();
    Qsync qsync = TestSyncs.qsync(dir, database, warehouse, sync);

    QsyncException error = failure(() -> qsync.run("s"), ErrorKind.NEEDS_ACTION);
    assertThat(error).hasMessageNotContaining("max_delete_fraction");
    assertThat(database.rows("SELECT k, n FROM t")).containsExactly(List.of("ß", "0"));
  }

  @Test
  void aUniqueValueMovingToANewRowIsFreedBeforeTheInsertNeedsIt(TestDatabase database) {
    warehouse("CREATE TABLE src AS SELECT * FROM (VALUES (1, 'b'), (2, 'a')) v(id, email)");
    database.execute(
        "CREATE TABLE t (id INT PRIMARY KEY, email VARCHAR(20) NOT NULL UNIQUE)",
        "INSERT INTO t VALUES (1, 'a')");
    Qsync qsync = qsync(database, "SELECT * FROM src", Mode.MIRROR, 1000, "id");

    assertThat(qsync.run("s").counts()).isEqualTo(new ChangeCounts(2, 1, 1, 0, 0));
    assertThat(database.rows("SELECT id, email FROM t ORDER BY id"))
        .containsExactly(List.of("1", "b"), List.of("2", "a"));
  }

  @Test
  void updatesThatTheServersCollationCannotMatchAreRefusedNotInserted(TestDatabase database) {
    // qsync strips accents for every _ci collation; swedish_ci keeps 'å' and 'ö' apart from 'a',
    // 'o'.
    warehouse("CREATE TABLE src AS SELECT * FROM (VALUES ('åsa', 2), ('öla', 2)) v(k, n)");
    database.execute(
        "CREATE TABLE t (k VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_swedish_ci PRIMARY KEY, n INT)",
        "INSERT INTO t VALUES ('asa', 1), ('ola', 1)");
    Qsync qsync = qsync(database, "SELECT * FROM src", Mode.MIRROR, 1000, "k");

    QsyncException error = failure(() -> qsync.run("s"), ErrorKind.NEEDS_ACTION);
    assertThat(error).hasMessageContaining("2 of 2 updates").hasMessageContaining("collation");
    assertThat(database.rows("SELECT k, n FROM t ORDER BY k"))
        .containsExactly(List.of("asa", "1"), List.of("ola", "1"));
  }

  @Test
  void aTargetKeyTheQuerysTypeCannotHoldStopsTheRunBeforeWriting(TestDatabase database) {
    warehouse("CREATE TABLE src AS SELECT 1::TINYINT AS id, 'x' AS v");
    database.execute(
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(5))", "INSERT INTO t VALUES (300, 'old')");
    Qsync qsync = qsync(database, "SELECT * FROM src", Mode.MIRROR, 10, "id");

    QsyncException error = failure(() -> qsync.run("s"), ErrorKind.NEEDS_ACTION);
    assertThat(error)
        .hasMessageContaining("key column id")
        .hasMessageContaining("Cast the key column");
    assertThat(database.rows("SELECT id, v FROM t")).containsExactly(List.of("300", "old"));
  }

  @Test
  void aNullableUniqueKeyIsRefusedBeforeWriting(TestDatabase database) {
    warehouse("CREATE TABLE src AS SELECT 'a@x' AS email, 1 AS n");
    database.execute(
        "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(50) NULL UNIQUE, n INT)",
        "INSERT INTO t (email, n) VALUES (NULL, 5)");
    Qsync qsync = qsync(database, "SELECT * FROM src", Mode.MIRROR, 10, "email");

    QsyncException error = failure(() -> qsync.run("s"), ErrorKind.NEEDS_ACTION);
    assertThat(error).hasMessageContaining("allows NULL").hasMessageContaining("NOT NULL");
    assertThat(database.rows("SELECT email, n FROM t"))
        .containsExactly(java.util.Arrays.asList(null, "5"));
  }

  @Test
  void afterAPersonFixesARejectedValueTheNextRunDiffsAfresh(TestDatabase database) {
    warehouse(
        "CREATE TABLE src AS SELECT range AS id, CASE WHEN range = 150 THEN 'bad' ELSE 'ok' END AS v"
            + " FROM range(300)");
    // A CHECK constraint is the server's alone: the value is rejected at its batch.
    database.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR(3) CHECK (v <> 'bad'))");
    Qsync qsync = qsync(database, "SELECT * FROM src", Mode.MIRROR, 100, "id");

    QsyncException error = failure(() -> qsync.run("s"), ErrorKind.NEEDS_ACTION);
    assertThat(error).hasMessageContaining("id=150").hasMessageContaining("fresh change set");
    assertThat(database.count("t")).isEqualTo(100);

    warehouse.execute("UPDATE src SET v = 'fix' WHERE id = 150");
    RunReport fixed = qsync.run("s");
    assertThat(fixed.resumed()).isFalse();
    assertThat(fixed.counts()).isEqualTo(new ChangeCounts(300, 200, 0, 0, 100));
    assertThat(database.rows("SELECT v FROM t WHERE id = 150")).containsExactly(List.of("fix"));
  }

  @Test
  void anAppendThatCannotResumeIsNotStartedOverUnlessAskedTo(TestDatabase database) {
    warehouse("CREATE TABLE src AS SELECT range AS id FROM range(50)");
    database.execute("CREATE TABLE t (id BIGINT)");
    SyncConfig append =
        TestSyncs.sync("s", "SELECT * FROM src", "t")
            .mode(Mode.APPEND)
            .createTable(false)
            .batchSize(10)
            .throttle(TestSyncs.fixedBatches())
            .build();
    QsyncConfig config = TestSyncs.config(dir, database, warehouse, append);
    FaultPoint crashAfterTwoBatches =
        (point, value) -> {
          if (point == FaultPoint.Point.AFTER_BATCH && value == 20) {
            throw new IllegalStateException("simulated crash");
          }
        };
    Qsync crashing = new Qsync(config, Clock.systemUTC(), Progress.silent(), crashAfterTwoBatches);
    catchThrowableOfType(IllegalStateException.class, () -> crashing.run("s"));
    assertThat(database.count("t")).isEqualTo(20);

    io.qsync.stage.Stage.delete(
        SyncRunner.stageFile(dir.resolve("stage"), "s", database.url(), "t"));
    Qsync qsync = new Qsync(config, Clock.systemUTC(), Progress.silent(), FaultPoint.NONE);
    QsyncException refused = failure(() -> qsync.run("s"), ErrorKind.NEEDS_ACTION);
    assertThat(refused).hasMessageContaining("appended 20 of 50").hasMessageContaining("--restart");
    assertThat(database.count("t")).isEqualTo(20);

    qsync.run("s", RunOptions.restarting());
    assertThat(database.count("t")).isEqualTo(70);
  }

  @Test
  void aQueryEndingInASemicolonRuns(TestDatabase database) {
    warehouse("CREATE TABLE src AS SELECT 1 AS id");
    Qsync qsync = qsync(database, "SELECT * FROM src;  ", Mode.MIRROR, 10, "id");
    assertThat(qsync.validate().ok()).isTrue();
    assertThat(qsync.run("s").counts().inserts()).isEqualTo(1);
  }
}
