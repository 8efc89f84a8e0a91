package io.qsync.diff.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.Diff;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.PlanReport;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.testing.EveryType;
import io.qsync.testing.LongTexts;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diff: target} by row hashes against the real DuckDB stage and MariaDB: each case runs two
 * syncs of one query side by side, {@code hashes} with {@code compare: hashes} into table {@code
 * copy_h}, {@code rows} with the default {@code compare: rows} (every row read whole) into {@code
 * copy_r}, and requires the same change set and the same table of both.
 */
@ExtendWith(MariaDbExtension.class)
class TargetHashDiffIT {
  @TempDir Path dir;

  private Qsync qsync(TestDatabase database, Warehouse warehouse, Mode mode, String query) {
    return new Qsync(
        TestSyncs.config(
            dir,
            database,
            warehouse,
            List.of(
                sync("hashes", "copy_h", mode, query, Diff.Compare.HASHES),
                sync("rows", "copy_r", mode, query, Diff.Compare.ROWS))),
        Clock.systemUTC(),
        Progress.silent(),
        FaultPoint.NONE);
  }

  private static SyncConfig sync(
      String name, String table, Mode mode, String query, Diff.Compare compare) {
    return TestSyncs.sync(name, query, table)
        .key(List.of("id"))
        .mode(mode)
        .diff(Diff.TARGET.withCompare(compare))
        .build();
  }

  private Warehouse warehouse(String... statements) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(statements);
    return warehouse;
  }

  private static List<List<String>> table(TestDatabase database, String table) {
    return database.rows("SELECT * FROM " + table + " ORDER BY id");
  }

  /** The keys of a plan's samples, by kind. */
  private static Map<String, List<Map<String, Object>>> sampledKeys(PlanReport plan) {
    return plan.samples().entrySet().stream()
        .collect(
            Collectors.toMap(
                Map.Entry::getKey,
                entry -> entry.getValue().stream().map(PlanReport.Sample::key).toList()));
  }

  @Test
  void everyTypeByHashesGivesTheChangeSetAndTheTableOfReadingRowsWhole(TestDatabase database) {
    Warehouse warehouse = warehouse(EveryType.TABLE, EveryType.MORE_ROWS);
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src");
    qsync.run("hashes");
    qsync.run("rows");
    for (String table : List.of("copy_h", "copy_r")) {
      database.execute(EveryType.planted(table));
      // A value the query's type cannot hold (a BOOLEAN's 2): the row differs, as in a run.
      database.execute("UPDATE " + table + " SET b = 2 WHERE id = 4");
    }

    PlanReport hashesPlan = qsync.plan("hashes");
    PlanReport rowsPlan = qsync.plan("rows");

    ChangeCounts expected = new ChangeCounts(25, 1, 21, 1, 3);
    assertThat(hashesPlan.counts()).isEqualTo(expected);
    assertThat(rowsPlan.counts()).isEqualTo(expected);
    assertThat(sampledKeys(hashesPlan)).isEqualTo(sampledKeys(rowsPlan));
    // 20 rows with one value changed, row 4's 2 and row 999, which the query lacks.
    assertThat(hashesPlan.notes())
        .contains(
            "diff: target compared row hashes: read the key and hash of 25 rows, and 22 rows"
                + " whole");
    assertThat(rowsPlan.notes())
        .contains(
            "diff: target read the table's 25 rows whole (compare: rows, the default; compare: hashes reads row hashes)");

    RunReport byHashes = qsync.run("hashes");
    RunReport byRows = qsync.run("rows");

    assertThat(byHashes.counts()).isEqualTo(expected);
    assertThat(byRows.counts()).isEqualTo(expected);
    assertThat(table(database, "copy_h")).isEqualTo(table(database, "copy_r")).hasSize(25);
    assertThat(qsync.plan("hashes").counts().unchanged()).isEqualTo(25);
    assertThat(qsync.plan("rows").counts().unchanged()).isEqualTo(25);
  }

  @Test
  void textsAroundTheLongTextThresholdGiveTheChangeSetOfReadingRowsWhole(TestDatabase database) {
    Warehouse warehouse = warehouse(LongTexts.table("src"));
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src");
    qsync.run("hashes");
    qsync.run("rows");
    assertThat(qsync.plan("hashes").counts()).isEqualTo(new ChangeCounts(6, 0, 0, 0, 6));
    for (String table : List.of("copy_h", "copy_r")) {
      database.execute(LongTexts.changeOneByte(table));
    }

    RunReport byHashes = qsync.run("hashes");
    RunReport byRows = qsync.run("rows");

    assertThat(byRows.counts()).isEqualTo(new ChangeCounts(6, 0, 1, 0, 5));
    assertThat(byHashes.counts()).isEqualTo(byRows.counts());
    assertThat(byHashes.notes())
        .contains(
            "diff: target compared row hashes: read the key and hash of 6 rows, and 1 row whole");
    assertThat(table(database, "copy_h")).isEqualTo(table(database, "copy_r")).hasSize(6);
    assertThat(database.rows("SELECT LEFT(t, 1) FROM copy_h WHERE id = " + LongTexts.STRADDLING))
        .isEqualTo(List.of(List.of("a")));
  }

  /**
   * A row whose texts together exceed {@code max_allowed_packet} has a hash (MariaDB's CONCAT
   * returns NULL past it), so an unchanged one is not read whole (with a NULL hash it was).
   */
  @Test
  void aRowWhoseTextsTogetherExceedMaxAllowedPacketIsComparedByItsHash(TestDatabase database) {
    long each = LongTexts.eachOfTwoBeyondThePacket(database);
    Warehouse warehouse =
        warehouse(
            "CREATE TABLE src AS SELECT i AS id, 'a' || i AS a, 'b' || i AS b FROM range(3) t(i)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src");
    qsync.run("hashes");
    warehouse.execute(
        "UPDATE src SET a = repeat('\u00e9', "
            + each / 2
            + "), b = repeat('x', "
            + each
            + ") WHERE id = 1");
    database.execute(
        "UPDATE copy_h SET a = REPEAT('\u00e9', "
            + each / 2
            + "), b = REPEAT('x', "
            + each
            + ") WHERE id = 1");

    RunReport run = qsync.run("hashes");

    assertThat(run.counts()).isEqualTo(new ChangeCounts(3, 0, 0, 0, 3));
    assertThat(run.notes())
        .contains(
            "diff: target compared row hashes: read the key and hash of 3 rows, and 0 rows whole");
  }

  /**
   * A row of many texts, each short enough to be rendered whole (under 64 KiB), whose rendering
   * together passes {@code max_allowed_packet}: the server gives no hash of it (CONCAT gives NULL),
   * so the row is read whole and compared exactly, and the run's and plan's notes say so, naming
   * the setting. The row was made in the table a column at a time, as an application may.
   */
  @Test
  void aRowTheServerCannotHashIsReadWholeAndTheNotesSaySo(TestDatabase database) {
    long packet = LongTexts.eachOfTwoBeyondThePacket(database) * 5 / 3;
    int columns = (int) (packet / 60_000) + 20;
    StringBuilder select = new StringBuilder("CREATE TABLE src AS SELECT i AS id");
    for (int c = 0; c < columns; c++) {
      select.append(", 'v' || i AS c").append(c);
    }
    Warehouse warehouse = warehouse(select + " FROM range(3) t(i)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src");
    qsync.run("hashes");
    for (int c = 0; c < columns; c++) {
      database.execute("UPDATE copy_h SET c" + c + " = REPEAT('x', 60000) WHERE id = 1");
    }

    PlanReport plan = qsync.plan("hashes");
    RunReport run = qsync.run("hashes");

    String note =
        "diff: target compared row hashes: read the key and hash of 3 rows, and 1 row whole;"
            + " the database gave no hash of 1 row, whose rendering (its texts up to 64 KiB each"
            + " whole) passes the server's max_allowed_packet, so it was read whole and compared"
            + " exactly; raise max_allowed_packet on the server to compare it by its hash";
    assertThat(plan.notes()).contains(note);
    assertThat(run.notes()).contains(note);
    assertThat(run.counts()).isEqualTo(new ChangeCounts(3, 0, 1, 0, 2));
    assertThat(database.rows("SELECT LENGTH(c0), c1 FROM copy_h WHERE id = 1"))
        .isEqualTo(List.of(List.of("2", "v1")));
  }

  @Test
  void aReSyncWithNothingChangedReadsNoRowWhole(TestDatabase database) {
    Warehouse warehouse =
        warehouse("CREATE TABLE src AS SELECT i AS id, 'v' || i AS v FROM range(3000) t(i)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src");
    qsync.run("hashes");

    PlanReport plan = qsync.plan("hashes");
    RunReport run = qsync.run("hashes");

    String note =
        "diff: target compared row hashes: read the key and hash of 3,000 rows, and 0 rows whole";
    assertThat(plan.notes()).contains(note);
    assertThat(run.notes()).contains(note);
    assertThat(run.counts()).isEqualTo(new ChangeCounts(3000, 0, 0, 0, 3000));
  }

  @Test
  void upsertReadsWholeOnlyTheChangedRowsAndKeepsExtraRows(TestDatabase database) {
    Warehouse warehouse =
        warehouse("CREATE TABLE src AS SELECT i AS id, 'v' || i AS v FROM range(3000) t(i)");
    Qsync qsync = qsync(database, warehouse, Mode.UPSERT, "SELECT * FROM src");
    qsync.run("hashes");
    qsync.run("rows");
    for (String table : List.of("copy_h", "copy_r")) {
      database.execute(
          "UPDATE " + table + " SET v = 'changed' WHERE id < 30",
          "INSERT INTO " + table + " VALUES (5000, 'extra')",
          "DELETE FROM " + table + " WHERE id = 2999");
    }

    RunReport byHashes = qsync.run("hashes");
    RunReport byRows = qsync.run("rows");

    assertThat(byHashes.counts()).isEqualTo(new ChangeCounts(3000, 1, 30, 0, 2969));
    assertThat(byRows.counts()).isEqualTo(byHashes.counts());
    // The extra row stays (upsert deletes nothing), so it is not read whole either.
    assertThat(byHashes.notes())
        .contains(
            "diff: target compared row hashes: read the key and hash of 3,000 rows, and 30 rows"
                + " whole");
    assertThat(table(database, "copy_h")).isEqualTo(table(database, "copy_r")).hasSize(3001);
  }

  @Test
  void caseOnlyAndTrailingSpaceChangesUnderACaseInsensitiveCollationAreFoundAsBefore(
      TestDatabase database) {
    for (String table : List.of("copy_h", "copy_r")) {
      database.execute(
          "CREATE TABLE "
              + table
              + " (id VARCHAR(20) COLLATE utf8mb4_general_ci PRIMARY KEY,"
              + " v VARCHAR(20) COLLATE utf8mb4_general_ci)");
    }
    Warehouse warehouse =
        warehouse(
            "CREATE TABLE src AS SELECT * FROM (VALUES ('a', 'x'), ('B', 'y'), ('c', 'z'),"
                + " ('d', 'w')) t(id, v)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src");
    qsync.run("hashes");
    qsync.run("rows");
    for (String table : List.of("copy_h", "copy_r")) {
      database.execute(
          "UPDATE " + table + " SET v = 'X' WHERE id = 'a'", // case only
          "UPDATE " + table + " SET v = 'z ' WHERE id = 'c'", // a trailing space
          "UPDATE " + table + " SET id = 'b' WHERE id = 'B'"); // the key, equal under collation
    }

    RunReport byHashes = qsync.run("hashes");
    RunReport byRows = qsync.run("rows");

    assertThat(byRows.counts()).isEqualTo(new ChangeCounts(4, 0, 3, 0, 1));
    assertThat(byHashes.counts()).isEqualTo(byRows.counts());
    List<List<String>> source =
        List.of(List.of("a", "x"), List.of("B", "y"), List.of("c", "z"), List.of("d", "w"));
    assertThat(table(database, "copy_h")).isEqualTo(source);
    assertThat(table(database, "copy_r")).isEqualTo(source);
  }

  @Test
  void aTextKeyBesideTextOfAnotherCollationIsComparedByHashes(TestDatabase database) {
    // The key column gets utf8mb4_nopad_bin on MariaDB, a JSON column utf8mb4_bin: the row's hash
    // joins both, which the server refused as an illegal mix of collations.
    Warehouse warehouse =
        warehouse(
            "CREATE TABLE src AS SELECT 'k' || i AS id, 'v' || i AS v, json_object('n', i) AS j"
                + " FROM range(100) t(i)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src");
    qsync.run("hashes");
    qsync.run("rows");
    for (String table : List.of("copy_h", "copy_r")) {
      database.execute("UPDATE " + table + " SET v = 'V7' WHERE id = 'k7'");
    }

    RunReport byHashes = qsync.run("hashes");
    RunReport byRows = qsync.run("rows");

    assertThat(byRows.counts()).isEqualTo(new ChangeCounts(100, 0, 1, 0, 99));
    assertThat(byHashes.counts()).isEqualTo(byRows.counts());
    assertThat(database.rows("SELECT v FROM copy_h WHERE id = 'k7'"))
        .isEqualTo(List.of(List.of("v7")));
  }
}
