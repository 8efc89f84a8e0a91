package io.qsync.converge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.DeleteGuard;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A table with a second unique key besides the sync's (a Django model: an {@code id} primary key, a
 * unique natural key the sync uses, and another unique column): values of that column that move
 * between rows, within a batch or across batches, in a chain or a cycle, converge in one run, and
 * what the query does not return (the {@code id}, rows that reference it) stays as it was.
 */
@ExtendWith(MariaDbExtension.class)
class UniqueValuesMoveIT {
  @TempDir Path dir;

  private Warehouse warehouse;

  @BeforeEach
  void setUp(TestDatabase database) {
    warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute("CREATE TABLE src (nk INTEGER, u VARCHAR, note VARCHAR)");
    database.execute(
        "CREATE TABLE t (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, nk INT NOT NULL,"
            + " u VARCHAR(10) NOT NULL, note VARCHAR(20) NULL, created DATETIME(6) NOT NULL"
            + " DEFAULT '2020-01-01 00:00:00', UNIQUE KEY by_nk (nk), UNIQUE KEY uq (u)) ENGINE=InnoDB");
  }

  private Qsync qsync(TestDatabase database, int batchSize) {
    SyncConfig sync =
        TestSyncs.sync("s", "SELECT nk, u, note FROM src", "t")
            .key(List.of("nk"))
            .createTable(false)
            .batchSize(batchSize)
            .deleteGuard(DeleteGuard.NONE)
            .throttle(TestSyncs.fixedBatches())
            .build();
    return TestSyncs.qsync(dir, database, warehouse, sync);
  }

  private void source(String values) {
    warehouse.execute("DELETE FROM src", "INSERT INTO src VALUES " + values);
  }

  private static List<List<String>> table(TestDatabase database) {
    return database.rows("SELECT id, nk, u, COALESCE(note, '-') FROM t ORDER BY nk");
  }

  @ParameterizedTest(name = "batch size {0}")
  @ValueSource(ints = {1, 2, 100})
  void twoRowsSwapTheirValues(int batchSize, TestDatabase database) {
    source("(1, 'a', NULL), (2, 'b', NULL)");
    qsync(database, batchSize).run("s");
    List<List<String>> before = table(database);
    source("(1, 'b', NULL), (2, 'a', NULL)");

    RunReport report = qsync(database, batchSize).run("s");

    assertThat(report.counts()).isEqualTo(new ChangeCounts(2, 0, 2, 0, 0));
    assertThat(table(database))
        .containsExactly(
            List.of(before.get(0).get(0), "1", "b", "-"),
            List.of(before.get(1).get(0), "2", "a", "-"));
    assertThat(report.notes()).anySatisfy(note -> assertThat(note).contains("unique key uq"));
    assertThat(qsync(database, batchSize).run("s").counts())
        .isEqualTo(new ChangeCounts(2, 0, 0, 0, 2));
  }

  @ParameterizedTest(name = "batch size {0}")
  @ValueSource(ints = {1, 3, 100})
  void valuesMoveAlongAChainAndARowTakesTheValueADeletedRowGaveUp(
      int batchSize, TestDatabase database) {
    source("(1, 'a', 'x'), (2, 'b', 'x'), (3, 'c', 'x'), (4, 'd', 'x'), (9, 'z', 'x')");
    qsync(database, batchSize).run("s");
    // 1 takes 2's value, 2 takes 3's, 3 takes 4's; 4 is deleted and 5 is new with 9's old value,
    // 9 moving on to a value nobody had.
    source("(1, 'b', 'y'), (2, 'c', 'y'), (3, 'd', 'y'), (5, 'z', 'y'), (9, 'w', 'y')");

    qsync(database, batchSize).run("s");

    assertThat(database.rows("SELECT nk, u, note FROM t ORDER BY nk"))
        .containsExactly(
            List.of("1", "b", "y"),
            List.of("2", "c", "y"),
            List.of("3", "d", "y"),
            List.of("5", "z", "y"),
            List.of("9", "w", "y"));
    assertThat(qsync(database, batchSize).run("s").counts().changes()).isZero();
  }

  @Test
  void aCycleKeepsWhatTheQueryDoesNotReturnAndWhatReferencesTheRows(TestDatabase database) {
    source("(1, 'a', NULL), (2, 'b', NULL), (3, 'c', NULL)");
    qsync(database, 1).run("s");
    database.execute(
        "UPDATE t SET created = '2024-05-06 07:08:09.123456' WHERE nk = 2",
        "CREATE TABLE child (cid INT PRIMARY KEY, t_id BIGINT NOT NULL,"
            + " CONSTRAINT child_t FOREIGN KEY (t_id) REFERENCES t (id) ON DELETE CASCADE) ENGINE=InnoDB",
        "INSERT INTO child SELECT nk, id FROM t");
    List<List<String>> ids = database.rows("SELECT nk, id FROM t ORDER BY nk");
    source("(1, 'c', NULL), (2, 'a', NULL), (3, 'b', NULL)");

    qsync(database, 1).run("s");

    assertThat(database.rows("SELECT nk, id FROM t ORDER BY nk")).isEqualTo(ids);
    assertThat(database.rows("SELECT nk, u FROM t ORDER BY nk"))
        .containsExactly(List.of("1", "c"), List.of("2", "a"), List.of("3", "b"));
    assertThat(
            database.rows(
                "SELECT DATE_FORMAT(created, '%Y-%m-%d %H:%i:%s.%f') FROM t WHERE nk = 2"))
        .containsExactly(List.of("2024-05-06 07:08:09.123456"));
    assertThat(database.count("child")).as("rows referencing the swapped rows").isEqualTo(3);
  }

  @Test
  void aValueTheResultHoldsTwiceStopsTheRunBeforeWriting(TestDatabase database) {
    source("(1, 'a', NULL), (2, 'b', NULL)");
    qsync(database, 1).run("s");
    source("(1, 'b', NULL), (2, 'b', NULL), (3, 'c', NULL)");

    QsyncException error =
        catchThrowableOfType(QsyncException.class, () -> qsync(database, 1).run("s"));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains("unique key (u) on more than one row of the result -> ('b')")
        .contains("Nothing was written")
        .doesNotContain("Run again");
    assertThat(database.rows("SELECT nk, u FROM t ORDER BY nk"))
        .containsExactly(List.of("1", "a"), List.of("2", "b"));
  }

  /**
   * In upsert mode a row the query no longer returns stays, and keeps its values: a new value that
   * collides with it can never be written, which the run says at the end, naming both rows.
   */
  @Test
  void aValueHeldByARowUpsertKeepsStopsTheRunNamingBothRows(TestDatabase database) {
    source("(1, 'a', NULL), (9, 'b', NULL)");
    SyncConfig upsert =
        TestSyncs.sync("s", "SELECT nk, u, note FROM src", "t")
            .key(List.of("nk"))
            .mode(Mode.UPSERT)
            .createTable(false)
            .batchSize(1)
            .deleteGuard(DeleteGuard.NONE)
            .throttle(TestSyncs.fixedBatches())
            .build();
    Qsync qsync = TestSyncs.qsync(dir, database, warehouse, upsert);
    qsync.run("s");
    source("(1, 'b', NULL)");

    QsyncException error = catchThrowableOfType(QsyncException.class, () -> qsync.run("s"));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains(
            "the row with key (nk=1) needs 'b' in unique key uq, which the row with key (nk=9)"
                + " holds")
        .doesNotContain("Run again");
    assertThat(database.rows("SELECT nk, u FROM t ORDER BY nk"))
        .containsExactly(List.of("1", "a"), List.of("9", "b"));
  }
}
