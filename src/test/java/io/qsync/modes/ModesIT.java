package io.qsync.modes;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.state.RunStatus;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(MariaDbExtension.class)
class ModesIT {
  private static final String TABLE = "segment_members";

  @TempDir Path dir;

  private Warehouse warehouse() {
    return new Warehouse(dir.resolve("warehouse.duckdb"));
  }

  private Qsync qsync(
      TestDatabase database, Warehouse warehouse, Mode mode, int batchSize, String... key) {
    SyncConfig sync =
        TestSyncs.sync("members", "SELECT * FROM members", TABLE)
            .key(List.of(key))
            .mode(mode)
            .batchSize(batchSize)
            .build();
    return TestSyncs.qsync(dir, database, warehouse, sync);
  }

  private static List<List<String>> table(TestDatabase database) {
    return database.rows(
        "SELECT id, segment, CAST(score AS CHAR) FROM " + TABLE + " ORDER BY id, segment");
  }

  private static Set<String> tables(TestDatabase database) {
    return Set.copyOf(
        database
            .rows(
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"
                    + database.name()
                    + "'")
            .stream()
            .map(row -> row.get(0))
            .toList());
  }

  @Test
  void upsertKeepsRowsThatLeftTheResultAndUpdatesChangedOnes(TestDatabase database) {
    Warehouse warehouse = warehouse();
    warehouse.execute(
        "CREATE TABLE members (id INTEGER, segment VARCHAR, score DECIMAL(6,2))",
        "INSERT INTO members VALUES (1, 'a', 1.00), (2, 'b', 2.00), (3, 'c', 3.00)");
    Qsync qsync = qsync(database, warehouse, Mode.UPSERT, 2, "id");

    assertThat(qsync.run("members").counts()).isEqualTo(new ChangeCounts(3, 3, 0, 0, 0));

    warehouse.execute(
        "UPDATE members SET score = 9.50 WHERE id = 1",
        "DELETE FROM members WHERE id = 3",
        "INSERT INTO members VALUES (4, 'd', 4.00)");
    RunReport second = qsync.run("members");

    assertThat(second.counts()).isEqualTo(new ChangeCounts(3, 1, 1, 0, 1));
    assertThat(table(database))
        .containsExactly(
            List.of("1", "a", "9.50"),
            List.of("2", "b", "2.00"),
            List.of("3", "c", "3.00"),
            List.of("4", "d", "4.00"));
    assertThat(qsync.run("members").counts()).isEqualTo(new ChangeCounts(3, 0, 0, 0, 3));
  }

  @Test
  void upsertPutsBackARowEditedByHandButLeavesOneAddedByHand(TestDatabase database) {
    Warehouse warehouse = warehouse();
    warehouse.execute(
        "CREATE TABLE members (id INTEGER, segment VARCHAR, score DECIMAL(6,2))",
        "INSERT INTO members VALUES (1, 'a', 1.00)");
    Qsync qsync = qsync(database, warehouse, Mode.UPSERT, 100, "id");
    qsync.run("members");
    database.execute(
        "UPDATE " + TABLE + " SET segment = 'edited' WHERE id = 1",
        "INSERT INTO " + TABLE + " VALUES (7, 'by hand', NULL)");

    assertThat(qsync.run("members").counts()).isEqualTo(new ChangeCounts(1, 0, 1, 0, 0));
    assertThat(table(database))
        .containsExactly(List.of("1", "a", "1.00"), Arrays.asListWithNull("7", "by hand"));
  }

  @Test
  void mirrorDeletesRowsByACompositeKey(TestDatabase database) {
    Warehouse warehouse = warehouse();
    warehouse.execute(
        "CREATE TABLE members (id INTEGER, segment VARCHAR, score DECIMAL(6,2))",
        "INSERT INTO members VALUES (1, 'a', 1), (1, 'b', 2), (2, 'a', 3), (2, 'b', 4)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, 3, "id", "segment");
    qsync.run("members");

    warehouse.execute(
        "DELETE FROM members WHERE (id = 1 AND segment = 'b') OR (id = 2 AND segment = 'a')");
    assertThat(qsync.run("members").counts()).isEqualTo(new ChangeCounts(2, 0, 0, 2, 2));
    assertThat(table(database))
        .containsExactly(List.of("1", "a", "1.00"), List.of("2", "b", "4.00"));
  }

  @Test
  void replaceBuildsAShadowAndSwapsItInWhileReadersSeeOldOrNew(TestDatabase database)
      throws Exception {
    Warehouse warehouse = warehouse();
    warehouse.execute(
        "CREATE TABLE members AS SELECT i AS id, 'old' AS segment, CAST(i AS DECIMAL(6,2)) AS score"
            + " FROM range(1, 2001) t(i)");
    Qsync qsync = qsync(database, warehouse, Mode.REPLACE, 250, "id");

    RunReport first = qsync.run("members");
    assertThat(first.counts()).isEqualTo(new ChangeCounts(2000, 2000, 0, 0, 0));
    assertThat(database.count(TABLE)).isEqualTo(2000);

    warehouse.execute(
        "CREATE OR REPLACE TABLE members AS SELECT i AS id, 'new' AS segment,"
            + " CAST(i AS DECIMAL(6,2)) AS score FROM range(1001, 4001) t(i)");
    database.execute("INSERT INTO " + TABLE + " VALUES (999999, 'stray', NULL)");

    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (Connection connection = database.connect();
                  Statement statement = connection.createStatement()) {
                while (!stop.get()) {
                  try (ResultSet rows =
                      statement.executeQuery(
                          "SELECT COUNT(*), MIN(segment), MAX(segment) FROM " + TABLE)) {
                    rows.next();
                    seen.add(rows.getLong(1) + " " + rows.getString(2) + "-" + rows.getString(3));
                  } catch (SQLException e) {
                    seen.add("error " + e.getErrorCode() + ": " + e.getMessage());
                  }
                }
              } catch (SQLException e) {
                seen.add("cannot connect: " + e.getMessage());
              }
            },
            "replace-reader");
    reader.start();
    RunReport second;
    try {
      second = qsync.run("members");
    } finally {
      stop.set(true);
      reader.join(10_000);
    }

    assertThat(second.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(second.counts()).isEqualTo(new ChangeCounts(3000, 3000, 0, 2001, 0));
    assertThat(second.batches())
        .as("the shadow is written in several transactions, none seen by readers")
        .isGreaterThan(1);
    assertThat(database.count(TABLE)).isEqualTo(3000);
    assertThat(database.rows("SELECT MIN(id), MAX(id), MIN(segment), MAX(segment) FROM " + TABLE))
        .containsExactly(List.of("1001", "4000", "new", "new"));
    assertThat(tables(database)).containsExactlyInAnyOrder(TABLE, "_qsync_runs");
    assertThat(seen).isNotEmpty();
    assertThat(Set.copyOf(seen)).isSubsetOf(Set.of("2001 old-stray", "3000 new-new"));
  }

  @Test
  void replaceKeepsTheColumnsAndIndexesOfAnExistingTable(TestDatabase database) {
    Warehouse warehouse = warehouse();
    warehouse.execute(
        "CREATE TABLE members (id INTEGER, segment VARCHAR, score DECIMAL(6,2))",
        "INSERT INTO members VALUES (1, 'a', 1.00), (2, 'b', 2.00)");
    database.execute(
        "CREATE TABLE "
            + TABLE
            + " (id INT PRIMARY KEY, segment VARCHAR(20) NOT NULL,"
            + " score DECIMAL(8,2), updated TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,"
            + " KEY by_segment (segment))",
        "INSERT INTO " + TABLE + " (id, segment, score) VALUES (5, 'x', NULL)");
    Qsync qsync = qsync(database, warehouse, Mode.REPLACE, 100, "id");

    assertThat(qsync.run("members").counts()).isEqualTo(new ChangeCounts(2, 2, 0, 1, 0));
    assertThat(table(database))
        .containsExactly(List.of("1", "a", "1.00"), List.of("2", "b", "2.00"));
    assertThat(database.rows("SHOW INDEX FROM " + TABLE + " WHERE Key_name = 'by_segment'"))
        .hasSize(1);
    assertThat(tables(database)).containsExactlyInAnyOrder(TABLE, "_qsync_runs");
  }

  @Test
  void replaceCreatesAnAbsentTableThroughAShadow(TestDatabase database) {
    Warehouse warehouse = warehouse();
    warehouse.execute(
        "CREATE TABLE members (id INTEGER, segment VARCHAR, score DECIMAL(6,2))",
        "INSERT INTO members VALUES (2, 'b', 2.00), (1, 'a', NULL)");
    Qsync qsync = qsync(database, warehouse, Mode.REPLACE, 1, "id");

    RunReport report = qsync.run("members");

    assertThat(report.counts()).isEqualTo(new ChangeCounts(2, 2, 0, 0, 0));
    assertThat(report.batches()).isEqualTo(2);
    assertThat(table(database))
        .containsExactly(Arrays.asListWithNull("1", "a"), List.of("2", "b", "2.00"));
    assertThat(tables(database)).containsExactlyInAnyOrder(TABLE, "_qsync_runs");
  }

  @Test
  void appendInsertsEveryRowOnEachRunWithoutAKey(TestDatabase database) {
    Warehouse warehouse = warehouse();
    warehouse.execute(
        "CREATE TABLE members (id INTEGER, segment VARCHAR, score DECIMAL(6,2))",
        "INSERT INTO members VALUES (2, 'b', NULL), (1, 'a', 1.00), (1, 'a', 1.00)");
    Qsync qsync = qsync(database, warehouse, Mode.APPEND, 2);

    assertThat(qsync.run("members").counts()).isEqualTo(new ChangeCounts(3, 3, 0, 0, 0));
    RunReport second = qsync.run("members");

    assertThat(second.counts()).isEqualTo(new ChangeCounts(3, 3, 0, 0, 0));
    assertThat(database.count(TABLE)).isEqualTo(6);
    assertThat(database.rows("SELECT id, COUNT(*) FROM " + TABLE + " GROUP BY id ORDER BY id"))
        .containsExactly(List.of("1", "4"), List.of("2", "2"));
    assertThat(
            database.rows(
                "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
                    + " AND TABLE_NAME = '"
                    + TABLE
                    + "'"))
        .containsExactly(List.of("0"));
  }

  @Test
  void appendAddsToAnExistingTableAndLeavesItsRows(TestDatabase database) {
    Warehouse warehouse = warehouse();
    warehouse.execute(
        "CREATE TABLE members (id INTEGER, segment VARCHAR, score DECIMAL(6,2))",
        "INSERT INTO members VALUES (1, 'a', 1.00)");
    database.execute(
        "CREATE TABLE "
            + TABLE
            + " (seq BIGINT AUTO_INCREMENT PRIMARY KEY, id INT, segment TEXT,"
            + " score DECIMAL(6,2))",
        "INSERT INTO " + TABLE + " (id, segment, score) VALUES (9, 'old', NULL)");
    Qsync qsync = qsync(database, warehouse, Mode.APPEND, 10);

    qsync.run("members");
    qsync.run("members");

    assertThat(table(database))
        .containsExactly(
            List.of("1", "a", "1.00"),
            List.of("1", "a", "1.00"),
            Arrays.asListWithNull("9", "old"));
  }

  /** A row whose last cell is NULL, which List.of cannot hold. */
  private static final class Arrays {
    static List<String> asListWithNull(String id, String segment) {
      return java.util.Arrays.asList(id, segment, null);
    }
  }
}
