package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.Secret;
import io.qsync.config.SyncConfig;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.Qsync;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import io.qsync.verify.BucketValue;
import io.qsync.verify.RowShape;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The table read back for the diff comes in chunks of 5,000 rows in the order of its primary key,
 * each sought from where the last ended: every row is read once, across chunk ends that fall inside
 * a run of equal first key columns, in the table's collation ('B' between 'a' and 'c'). The primary
 * key need not be the sync's: a Django table's {@code id}, which the query does not fill, orders
 * the chunks beside the sync's unique natural key, and is never handed on as a row's value.
 */
@ExtendWith(MariaDbExtension.class)
class ChunkedReadIT {
  @TempDir Path dir;

  @Test
  void readsEveryRowOnceAcrossChunksOfACompositeKey(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    // 3 x 4,115 rows: chunk ends (5,000 and 10,000) fall inside the groups 'B' and 'c'
    warehouse.execute(
        "CREATE TABLE t AS SELECT g AS grp, n, 'v' || n AS body"
            + " FROM (VALUES ('a'), ('B'), ('c')) AS groups(g), range(1, 4116) AS r(n)");
    SyncConfig sync =
        TestSyncs.sync("s", "SELECT * FROM t", "chunked").key(List.of("grp", "n")).build();
    Qsync qsync = TestSyncs.qsync(dir, database, warehouse, sync);
    qsync.run("s");

    warehouse.execute(
        "UPDATE t SET body = 'changed' WHERE grp = 'B' AND n = 4000",
        "DELETE FROM t WHERE grp = 'c' AND n = 1",
        "INSERT INTO t VALUES ('B', 5000, 'new')");

    assertThat(qsync.run("s").counts())
        .as("one insert, one update, one delete: no row read twice or missed")
        .isEqualTo(new ChangeCounts(12345, 1, 1, 1, 12343));
    assertThat(database.rows("SELECT COUNT(*), SUM(body = 'changed') FROM chunked"))
        .containsExactly(List.of("12345", "1"));
  }

  @Test
  void readsADjangoTableInChunksOfItsIdThatTheSyncDoesNotRead(TestDatabase database) {
    // 1,050 rows, their ids with gaps and out of the natural key's order, half beyond
    // Long.MAX_VALUE (BIGINT UNSIGNED): chunks of 100 end on either side of it
    database.execute(
        "CREATE TABLE django (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
            + " code VARCHAR(10) NOT NULL, n BIGINT NOT NULL, body VARCHAR(20) NULL,"
            + " UNIQUE KEY natural_key (code, n)) ENGINE=InnoDB",
        "INSERT INTO django (id, code, n, body) SELECT"
            + " IF(seq % 2 = 0, CAST(9223372036854775000 AS UNSIGNED) + seq * 3, (1051 - seq) * 7),"
            + " ELT(1 + seq % 3, 'a', 'B', 'c'), seq, IF(seq % 4 = 0, NULL, CONCAT('v', seq))"
            + " FROM seq_1_to_1050");
    List<Column> columns =
        List.of(
            new Column("code", SqlType.of(SqlType.Kind.VARCHAR)),
            new Column("n", SqlType.of(SqlType.Kind.BIGINT)),
            new Column("body", SqlType.of(SqlType.Kind.VARCHAR)));
    List<List<String>> read = new ArrayList<>();
    int[] between = {0};

    try (MySqlDestination target = destination(database)) {
      target.readRowsInChunks(
          "django",
          columns,
          100,
          () -> between[0]++,
          row -> {
            assertThat(read).as("rows read: none twice").hasSizeLessThan(1050);
            read.add(Arrays.stream(row).map(value -> String.valueOf(value)).toList());
          });
    }

    assertThat(between[0]).as("rests between 11 chunks of at most 100 rows").isEqualTo(10);
    assertThat(read)
        .as("the sync's columns of every row, once; no id")
        .containsExactlyInAnyOrderElementsOf(
            database.rows("SELECT code, n, IFNULL(body, 'null') FROM django"));
  }

  /**
   * {@code compare: hashes} reads each row's key and hash in the same chunks as whole rows, resting
   * between them: the rows handed on are exactly those of one read of the table (here of a copy
   * without a primary key, which is read in one go).
   */
  @Test
  void readsTheRowHashesOfADjangoTableInChunksExactlyAsOneRead(TestDatabase database) {
    database.execute(
        "CREATE TABLE django (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
            + " code VARCHAR(10) NOT NULL, n BIGINT NOT NULL, body VARCHAR(20) NULL,"
            + " UNIQUE KEY natural_key (code, n)) ENGINE=InnoDB",
        "INSERT INTO django (id, code, n, body) SELECT"
            + " IF(seq % 2 = 0, CAST(9223372036854775000 AS UNSIGNED) + seq * 3, (1051 - seq) * 7),"
            + " ELT(1 + seq % 3, 'a', 'B', 'c'), seq, IF(seq % 4 = 0, NULL, CONCAT('v', seq))"
            + " FROM seq_1_to_1050",
        "CREATE TABLE heap ENGINE=InnoDB AS SELECT code, n, body FROM django");
    List<Column> columns =
        List.of(
            new Column("code", SqlType.of(SqlType.Kind.VARCHAR)),
            new Column("n", SqlType.of(SqlType.Kind.BIGINT)),
            new Column("body", SqlType.of(SqlType.Kind.VARCHAR)));
    List<List<String>> chunked = new ArrayList<>();
    List<List<String>> oneRead = new ArrayList<>();
    int[] between = {0, 0};

    try (MySqlDestination target = destination(database)) {
      RowShape shape =
          new RowShape(
              columns, List.of("code", "n"), BucketValue.KEY_HASH, target.checksumDoubles());
      target.readKeyHashes(
          "django",
          shape,
          100,
          () -> between[0]++,
          row -> chunked.add(Arrays.stream(row).map(String::valueOf).toList()));
      target.readKeyHashes(
          "heap",
          shape,
          100,
          () -> between[1]++,
          row -> oneRead.add(Arrays.stream(row).map(String::valueOf).toList()));
    }

    assertThat(between)
        .as("rests between 11 chunks of at most 100 rows; none in one read")
        .containsExactly(10, 0);
    assertThat(chunked)
        .as("each row's key and hash, once; no id")
        .hasSize(1050)
        .allMatch(row -> row.size() == 3)
        .containsExactlyInAnyOrderElementsOf(oneRead);
    assertThat(chunked.stream().map(row -> row.get(2)).distinct())
        .as("hashes of the rows, not one value")
        .hasSize(1050);
  }

  /**
   * Without a primary key, InnoDB stores the rows by the first UNIQUE index of NOT NULL columns:
   * the table is read in chunks of it, the rows exactly those of one read. A unique key with a
   * nullable column cannot order them (NULLs repeat), so such a table is read in one go.
   */
  @Test
  void readsATableWithoutPrimaryKeyInChunksOfItsUniqueNotNullKeyElseInOneGo(TestDatabase database) {
    database.execute(
        "CREATE TABLE clustered (code VARCHAR(10) NOT NULL, n BIGINT NOT NULL,"
            + " note VARCHAR(10) NULL, UNIQUE KEY maybe_null (note), UNIQUE KEY natural_key (code, n))"
            + " ENGINE=InnoDB",
        "INSERT INTO clustered SELECT ELT(1 + seq % 3, 'a', 'B', 'c'), seq,"
            + " IF(seq % 2 = 0, NULL, CONCAT('v', seq)) FROM seq_1_to_250",
        "CREATE TABLE heap (code VARCHAR(10) NOT NULL, n BIGINT NOT NULL,"
            + " note VARCHAR(10) NULL, UNIQUE KEY maybe_null (note)) ENGINE=InnoDB",
        "INSERT INTO heap SELECT * FROM clustered");
    List<Column> columns =
        List.of(
            new Column("code", SqlType.of(SqlType.Kind.VARCHAR)),
            new Column("n", SqlType.of(SqlType.Kind.BIGINT)),
            new Column("note", SqlType.of(SqlType.Kind.VARCHAR)));
    List<List<String>> chunked = new ArrayList<>();
    List<List<String>> oneRead = new ArrayList<>();
    int[] between = {0, 0};

    try (MySqlDestination target = destination(database)) {
      target.readRowsInChunks(
          "clustered",
          columns,
          100,
          () -> between[0]++,
          row -> chunked.add(Arrays.stream(row).map(String::valueOf).toList()));
      target.readRowsInChunks(
          "heap",
          columns,
          100,
          () -> between[1]++,
          row -> oneRead.add(Arrays.stream(row).map(String::valueOf).toList()));
    }

    assertThat(between)
        .as("rests between 3 chunks of (code, n); none for a table whose unique key holds NULLs")
        .containsExactly(2, 0);
    assertThat(chunked)
        .hasSize(250)
        .containsExactlyInAnyOrderElementsOf(
            database.rows("SELECT code, n, COALESCE(note, 'null') FROM clustered"));
    assertThat(oneRead).containsExactlyInAnyOrderElementsOf(chunked);
  }

  /**
   * The shape most syncs have: Django's table, its {@code id} filled by AUTO_INCREMENT, the sync
   * keyed by a unique natural key beside it. Read back in chunks, the run's changes are exact, and
   * a row it updates keeps its id.
   */
  @Test
  void syncsADjangoTableKeyedByItsNaturalKeyExactly(TestDatabase database) {
    database.execute(
        "CREATE TABLE django (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
            + " code VARCHAR(10) NOT NULL, n BIGINT NOT NULL, body VARCHAR(20) NULL,"
            + " created DATETIME NOT NULL DEFAULT '2020-01-01 00:00:00',"
            + " UNIQUE KEY natural_key (code, n)) ENGINE=InnoDB",
        // 12,345 rows as an application left them: ids with gaps, in no order of the natural key
        "INSERT INTO django (id, code, n, body) SELECT (seq * 7919) % 1000003,"
            + " ELT(1 + seq % 3, 'a', 'B', 'c'), seq, CONCAT('v', seq) FROM seq_1_to_12345");
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(
        "CREATE TABLE src AS SELECT CASE n % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'B' ELSE 'c' END AS code,"
            + " n, CASE WHEN n % 1000 = 7 THEN 'changed' ELSE 'v' || n END AS body"
            + " FROM range(1, 12346) AS r(n) WHERE n % 2000 <> 11",
        "INSERT INTO src VALUES ('d', 1, 'new'), ('d', 2, NULL)");
    SyncConfig sync =
        TestSyncs.sync("s", "SELECT code, n, body FROM src", "django")
            .key(List.of("code", "n"))
            .createTable(false)
            .build();
    String changedId = database.rows("SELECT id FROM django WHERE n = 1007").get(0).get(0);

    assertThat(TestSyncs.qsync(dir, database, warehouse, sync).run("s").counts())
        .as("2 inserts, 13 updates (n % 1000 = 7), 7 deletes (n % 2000 = 11)")
        .isEqualTo(new ChangeCounts(12340, 2, 13, 7, 12325));
    assertThat(database.rows("SELECT code, n, IFNULL(body, 'null') FROM django"))
        .as("the table holds the query's rows")
        .containsExactlyInAnyOrderElementsOf(
            warehouse.rows("SELECT code, CAST(n AS VARCHAR), IFNULL(body, 'null') FROM src"));
    assertThat(database.rows("SELECT id, body FROM django WHERE n = 1007"))
        .as("an updated row keeps its id")
        .containsExactly(List.of(changedId, "changed"));
  }

  private static MySqlDestination destination(TestDatabase database) {
    return new MySqlDestination(
        new MySqlConnectionConfig("app", database.url(), "root", new Secret(""), Map.of()),
        Clock.systemUTC());
  }
}
