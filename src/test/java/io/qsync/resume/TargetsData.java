package io.qsync.resume;

import io.qsync.diff.ChangeCounts;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A keyed data set whose change set holds inserts, updates and deletes, defined by predicates on
 * the key so the test knows the exact change set without asking qsync. Keys run from 1 to {@code
 * max(sourceMax, targetMax)}:
 *
 * <ul>
 *   <li>in the source: {@code id <= sourceMax} and {@code id % 10 != 3};
 *   <li>in the target before the run: {@code id <= targetMax} and {@code id % 4 != 1};
 *   <li>different on the two sides when {@code id % differ} is 1 ({@code variant} differs) or 2
 *       ({@code seen_at} differs by one microsecond); equal otherwise.
 * </ul>
 *
 * The warehouse table also has NULLs, a DECIMAL, a microsecond timestamp and non-ASCII text. The
 * query has a switch that makes it fail part-way through the result, for the mid-extract crash.
 */
public record TargetsData(int sourceMax, int targetMax, int differ) {
  public static final String TABLE = "experiment_targets";
  public static final String SYNC = "targets";

  /**
   * The sync's query: the warehouse table, except that the row whose key {@code extract_switch}
   * names raises an error, so the query fails part-way through its result. With the switch off
   * (NULL) the query returns the whole table; its text, and so the sync's definition, stays the
   * same.
   */
  public static final String QUERY =
      "SELECT user_id, variant, score, seen_at, eligible FROM targets"
          + " WHERE CASE WHEN user_id = (SELECT fail_at FROM extract_switch)"
          + " THEN error('warehouse worker lost while streaming the result') ELSE true END";

  /** Two rows in three that both sides hold differ. */
  public TargetsData(int sourceMax, int targetMax) {
    this(sourceMax, targetMax, 3);
  }

  private boolean differs(long id) {
    return id % differ == 1 || id % differ == 2;
  }

  boolean inSource(long id) {
    return id <= sourceMax && id % 10 != 3;
  }

  boolean inTarget(long id) {
    return id <= targetMax && id % 4 != 1;
  }

  private int maxKey() {
    return Math.max(sourceMax, targetMax);
  }

  /**
   * The usual start of a resume test: the warehouse in {@code dir}, the target table, and the
   * triggers that count each key's committed writes.
   */
  public Warehouse prepareCounted(Path dir, TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    createWarehouse(warehouse);
    createTarget(database);
    WriteCounter.install(database, TABLE, "user_id");
    return warehouse;
  }

  /** Creates the warehouse table (switch off). */
  public void createWarehouse(Warehouse warehouse) {
    warehouse.execute(
        "CREATE TABLE targets AS SELECT i AS user_id,"
            + " CASE WHEN i % 5 = 4 THEN 'vé🧪' ELSE 'v' || CAST(i % 5 AS VARCHAR) END AS variant,"
            + " CASE WHEN i % 11 = 0 THEN NULL ELSE CAST(i * 1.25 AS DECIMAL(10,3)) END AS score,"
            + " TIMESTAMP '2026-01-01 00:00:00' + to_minutes(i) + to_microseconds(i) AS seen_at,"
            + " CASE WHEN i % 13 = 0 THEN NULL ELSE i % 2 = 0 END AS eligible"
            + " FROM range(1, "
            + (sourceMax + 1)
            + ") AS r(i) WHERE i % 10 <> 3 ORDER BY i",
        "CREATE TABLE extract_switch (fail_at BIGINT)",
        "INSERT INTO extract_switch VALUES (NULL)");
  }

  /** Makes the query fail when it reaches the row with this key; NULL turns the switch off. */
  static void failExtractAt(Warehouse warehouse, Long key) {
    warehouse.execute("UPDATE extract_switch SET fail_at = " + key);
  }

  /** The largest key in the source: the last row the query streams. */
  long lastSourceKey() {
    long id = sourceMax;
    while (!inSource(id)) {
      id--;
    }
    return id;
  }

  /** Creates the target table as an application would have it, holding the "before" rows. */
  public void createTarget(TestDatabase database) {
    database.execute(
        "CREATE TABLE `"
            + TABLE
            + "` (user_id BIGINT NOT NULL PRIMARY KEY, variant VARCHAR(32) NULL,"
            + " score DECIMAL(10,3) NULL, seen_at DATETIME(6) NULL, eligible BOOLEAN NULL)"
            + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        "INSERT INTO `"
            + TABLE
            + "` SELECT seq,"
            + " CASE WHEN seq % "
            + differ
            + " = 1 THEN 'old' WHEN seq % 5 = 4 THEN 'vé🧪'"
            + " ELSE CONCAT('v', seq % 5) END,"
            + " CASE WHEN seq % 11 = 0 THEN NULL ELSE seq * 1.25 END,"
            + " TIMESTAMP'2026-01-01 00:00:00' + INTERVAL seq MINUTE"
            + " + INTERVAL (seq + (seq % "
            + differ
            + " = 2)) MICROSECOND,"
            + " CASE WHEN seq % 13 = 0 THEN NULL ELSE seq % 2 = 0 END"
            + " FROM seq_1_to_"
            + targetMax
            + " WHERE seq % 4 <> 1");
  }

  /** What a mirror run must do against the "before" rows. */
  public ChangeCounts mirrorCounts() {
    long source = 0;
    long inserts = 0;
    long updates = 0;
    long deletes = 0;
    long unchanged = 0;
    for (long id = 1; id <= maxKey(); id++) {
      boolean s = inSource(id);
      boolean t = inTarget(id);
      source += s ? 1 : 0;
      if (s && !t) {
        inserts++;
      } else if (s && differs(id)) {
        updates++;
      } else if (s) {
        unchanged++;
      } else if (t) {
        deletes++;
      }
    }
    return new ChangeCounts(source, inserts, updates, deletes, unchanged);
  }

  /**
   * What a mirror run must do once the first {@code applied} changes of {@link #mirrorCounts()} are
   * in the table: the rest of the change set, and the applied rows now unchanged.
   */
  ChangeCounts mirrorCountsAfter(long applied) {
    ChangeCounts all = mirrorCounts();
    long inserts = 0;
    long updates = 0;
    long deletes = 0;
    long seen = 0;
    for (long id = 1; id <= maxKey(); id++) {
      char change = mirrorChange(id);
      if (change == 0) {
        continue;
      }
      if (++seen <= applied) {
        continue;
      }
      inserts += change == 'I' ? 1 : 0;
      updates += change == 'U' ? 1 : 0;
      deletes += change == 'D' ? 1 : 0;
    }
    return new ChangeCounts(
        all.sourceRows(), inserts, updates, deletes, all.sourceRows() - inserts - updates);
  }

  /** The kind of change a mirror run makes to this key: 'I', 'U', 'D', or 0 for none. */
  char mirrorChange(long id) {
    boolean s = inSource(id);
    boolean t = inTarget(id);
    if (s && !t) {
      return 'I';
    }
    if (s && differs(id)) {
      return 'U';
    }
    return !s && t ? 'D' : 0;
  }

  /** The keys a mirror run writes, in key order: the change set's order. */
  public List<Long> mirrorChangedKeys() {
    List<Long> keys = new ArrayList<>();
    for (long id = 1; id <= maxKey(); id++) {
      if (mirrorChange(id) != 0) {
        keys.add(id);
      }
    }
    return keys;
  }

  List<Long> sourceKeys() {
    List<Long> keys = new ArrayList<>();
    for (long id = 1; id <= sourceMax; id++) {
      if (inSource(id)) {
        keys.add(id);
      }
    }
    return keys;
  }

  long targetRowsBefore() {
    long rows = 0;
    for (long id = 1; id <= targetMax; id++) {
      rows += inTarget(id) ? 1 : 0;
    }
    return rows;
  }

  /** Every row of the sync's query, as strings, in key order. */
  public static List<List<String>> sourceRows(Warehouse warehouse) {
    return sourceRows(warehouse, QUERY);
  }

  /** Every row of a query over the warehouse table, as strings, in key order. */
  static List<List<String>> sourceRows(Warehouse warehouse, String query) {
    return warehouse.rows(
        "SELECT CAST(user_id AS VARCHAR), variant, CAST(score AS VARCHAR),"
            + " strftime(seen_at, '%Y-%m-%d %H:%M:%S.%f'), CAST(eligible::INT AS VARCHAR)"
            + " FROM ("
            + query
            + ") q ORDER BY user_id");
  }

  /** Every row of a table shaped like the target, as strings, in key order. */
  public static List<List<String>> tableRows(TestDatabase database, String table) {
    return database.rows(
        "SELECT CAST(user_id AS CHAR), variant, CAST(score AS CHAR),"
            + " DATE_FORMAT(seen_at, '%Y-%m-%d %H:%i:%s.%f'), CAST(eligible AS CHAR)"
            + " FROM `"
            + table
            + "` ORDER BY user_id");
  }

  /** Asserts that the target table holds exactly the query's result, row for row. */
  public static void assertTargetEqualsSource(TestDatabase database, Warehouse warehouse) {
    SameRows.assertSame(sourceRows(warehouse), tableRows(database, TABLE), "source query", TABLE);
  }
}
