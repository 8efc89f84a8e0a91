package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.testing.TestDatabase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts, per key, the rows written to a table, with AFTER INSERT / UPDATE / DELETE triggers
 * (AFTER, because {@code INSERT ... ON DUPLICATE KEY UPDATE} fires BEFORE INSERT for every row and
 * then the update triggers too). Two counters:
 *
 * <ul>
 *   <li>{@code qsync_test_writes} (InnoDB) is part of each batch's transaction: it shows what
 *       committed, so "every changed key counted exactly once" proves no batch was applied twice
 *       and none was skipped;
 *   <li>{@code qsync_test_attempts} (MyISAM, not transactional) keeps rows a rolled-back batch
 *       wrote, which proves a failure struck after the rows were written.
 * </ul>
 */
public final class WriteCounter {
  static final String COMMITTED = "qsync_test_writes";
  static final String ATTEMPTED = "qsync_test_attempts";

  private WriteCounter() {}

  /** Creates the counter tables (once) and the triggers on {@code table}. */
  public static void install(TestDatabase database, String table, String keyColumn) {
    String count =
        "INSERT INTO "
            + COMMITTED
            + " VALUES (%1$s.`"
            + keyColumn
            + "`, 1)"
            + " ON DUPLICATE KEY UPDATE n = n + 1;"
            + " INSERT INTO "
            + ATTEMPTED
            + " VALUES (%1$s.`"
            + keyColumn
            + "`, 1)"
            + " ON DUPLICATE KEY UPDATE n = n + 1;";
    List<String> statements = new ArrayList<>();
    statements.add(
        "CREATE TABLE IF NOT EXISTS "
            + COMMITTED
            + " (k BIGINT PRIMARY KEY, n INT NOT NULL)"
            + " ENGINE=InnoDB");
    statements.add(
        "CREATE TABLE IF NOT EXISTS "
            + ATTEMPTED
            + " (k BIGINT PRIMARY KEY, n INT NOT NULL)"
            + " ENGINE=MyISAM");
    Map<String, String> events = Map.of("ai", "INSERT", "au", "UPDATE", "ad", "DELETE");
    events.forEach(
        (suffix, event) ->
            statements.add(
                "CREATE TRIGGER `"
                    + table
                    + "_"
                    + suffix
                    + "` AFTER "
                    + event
                    + " ON `"
                    + table
                    + "` FOR EACH ROW BEGIN "
                    + count.formatted(event.equals("DELETE") ? "OLD" : "NEW")
                    + " END"));
    database.execute(statements.toArray(String[]::new));
  }

  static boolean installed(TestDatabase database, String table) {
    return !database
        .rows(
            "SELECT 1 FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"
                + " AND EVENT_OBJECT_TABLE = '"
                + table
                + "'")
        .isEmpty();
  }

  /** Committed writes per key, in key order. */
  public static Map<Long, Integer> committed(TestDatabase database) {
    Map<Long, Integer> counts = new LinkedHashMap<>();
    database
        .rows("SELECT k, n FROM " + COMMITTED + " ORDER BY k")
        .forEach(row -> counts.put(Long.parseLong(row.get(0)), Integer.parseInt(row.get(1))));
    return counts;
  }

  /** Rows written, committed or not. */
  static long attempted(TestDatabase database) {
    String sum = database.rows("SELECT COALESCE(SUM(n), 0) FROM " + ATTEMPTED).get(0).get(0);
    return Long.parseLong(sum);
  }

  /** Committed rows written in all. */
  static long committedTotal(TestDatabase database) {
    String sum = database.rows("SELECT COALESCE(SUM(n), 0) FROM " + COMMITTED).get(0).get(0);
    return Long.parseLong(sum);
  }

  /** Asserts that exactly these keys were written, each exactly once. */
  public static void assertEachWrittenOnce(TestDatabase database, List<Long> keys) {
    Map<Long, Integer> counts = committed(database);
    List<String> twice = new ArrayList<>();
    counts.forEach(
        (key, n) -> {
          if (n != 1 && twice.size() < 10) {
            twice.add(key + " x" + n);
          }
        });
    assertThat(twice).as("keys written more than once (key x times)").isEmpty();
    assertThat(new ArrayList<>(counts.keySet()))
        .as("the keys written: each changed key, and no other")
        .isEqualTo(keys);
  }
}
