package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.SyncConfig;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.ChangeKind;
import io.qsync.engine.Qsync;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * New rows go in with LOAD DATA LOCAL INFILE when a batch has enough of them. It must write the
 * very bytes the row-by-row statements write, and where the server only warns (LOCAL turns errors
 * into warnings) the batch must still fail with the key and column, never lose or mangle a row.
 */
@ExtendWith(MariaDbExtension.class)
class LoadDataIT {
  private static final int ROWS = 300;

  @TempDir Path dir;
  private Warehouse warehouse;

  @BeforeEach
  void warehouse() {
    warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
  }

  private Qsync qsync(TestDatabase database, String query, String table, int batchSize) {
    SyncConfig sync =
        TestSyncs.sync("s", query, table).key(List.of("id")).batchSize(batchSize).build();
    return TestSyncs.qsync(dir.resolve(table), database, warehouse, sync);
  }

  private static long loads(TestDatabase database) {
    return Long.parseLong(database.rows("SHOW GLOBAL STATUS LIKE 'Com_load'").get(0).get(1));
  }

  @Test
  void loadDataWritesExactlyWhatRowStatementsWrite(TestDatabase database) throws Exception {
    warehouse.execute(
        "CREATE TABLE t AS SELECT i AS id,"
            + " CASE WHEN i % 17 = 0 THEN NULL ELSE ['tab' || chr(9) || 'x', 'line' || chr(10) || 'x',"
            + "  'cr' || chr(13) || 'x', 'back' || chr(92) || 'slash', chr(92) || 'N', 'NULL', '',"
            + "  'emoji 🧪 한글 é', 'trailing ', '\"quoted\"', '''single''', chr(92), 'x' || chr(92)]"
            + "  [1 + i % 13] END AS s,"
            + " CASE WHEN i % 19 = 0 THEN NULL ELSE ['\\x00\\x09\\x0A\\x0D\\x5C\\xFF'::BLOB, ''::BLOB,"
            + "  encode('bytes ' || i::VARCHAR)][1 + i % 3] END AS b,"
            + " CASE WHEN i % 23 = 0 THEN NULL ELSE [0.1, 1.7976931348623157e308, 2.2250738585072014e-308,"
            + "  -123.456, i / 7.0, 1e21, 1e-7, 1e16, 4.9e-324, '-0.0'::DOUBLE,"
            + "  2.2250738585072009e-308, -1.7976931348623157e308,"
            // 2^807, which DuckDB 1.4 writes as 'A.070116948172427e+242' (DuckDbDoubles)
            + "  8.535058474086213e242][1 + i % 13] END AS d,"
            + " (i / 3.0)::FLOAT AS f,"
            + " (i * 1234567.123456789)::DECIMAL(38, 9) AS amount,"
            + " i % 2 = 0 AS flag,"
            + " (i * 170141183460469231731687303715884105)::HUGEINT AS huge,"
            + " TIMESTAMP '2020-04-05 01:30:00.123456' + to_microseconds(i * 1000003) AS ts,"
            + " DATE '1000-01-01' + (i * 3000)::INTEGER AS day,"
            + " TIME '00:00:00' + to_microseconds(i * 86399999999 // "
            + ROWS
            + ") AS tm,"
            + " CASE WHEN i % 5 = 0 THEN NULL ELSE json_object('i', i, 's', 'ü' || chr(9)) END AS doc,"
            + " uuid() AS u,"
            + " ['nul' || chr(0) || 'x', chr(0), chr(9) || chr(10) || chr(13) || chr(92) || chr(0),"
            + "  '𝄞 4-byte', chr(92) || 't', NULL][1 + i % 6] AS s2,"
            + " [DATE '1000-01-01', DATE '9999-12-31', DATE '1582-10-10'][1 + i % 3] AS day2,"
            + " [TIMESTAMP '1000-01-01 00:00:00', TIMESTAMP '9999-12-31 23:59:59.999999',"
            + "  TIMESTAMP '1970-01-01 00:00:00.000001'][1 + i % 3] AS ts2"
            + " FROM range(1, "
            + (ROWS + 1)
            + ") r(i)");
    long loadsBefore = loads(database);

    Qsync bulk = qsync(database, "SELECT * FROM t", "bulk", 1000);
    assertThat(bulk.run("s").counts()).isEqualTo(new ChangeCounts(ROWS, ROWS, 0, 0, 0));
    assertThat(loads(database)).as("LOAD DATA ran").isGreaterThan(loadsBefore);
    // The same rows as updates: upserts whose values the stage's reader decoded, a path apart
    // from the text DuckDB makes for LOAD DATA.
    warehouse.execute("CREATE TABLE t0 AS SELECT * REPLACE (NOT flag AS flag) FROM t");
    assertThat(qsync(database, "SELECT * FROM t0", "exact", 1000).run("s").counts())
        .isEqualTo(new ChangeCounts(ROWS, ROWS, 0, 0, 0));
    Qsync exact = qsync(database, "SELECT * FROM t", "exact", 1000);
    assertThat(exact.run("s").counts()).isEqualTo(new ChangeCounts(ROWS, 0, ROWS, 0, 0));

    String columns =
        "id, HEX(s), HEX(b), d, f, CAST(amount AS CHAR), flag, CAST(huge AS CHAR),"
            + " DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f'), CAST(day AS CHAR),"
            + " TIME_FORMAT(tm, '%H:%i:%s.%f'), HEX(doc), u, HEX(s2), CAST(day2 AS CHAR),"
            + " DATE_FORMAT(ts2, '%Y-%m-%d %H:%i:%s.%f')";
    List<List<String>> written = database.rows("SELECT " + columns + " FROM bulk ORDER BY id");
    assertThat(written).hasSize(ROWS);
    assertThat(written).isEqualTo(database.rows("SELECT " + columns + " FROM exact ORDER BY id"));
    assertThat(
            database.rows(
                "SELECT COUNT(*) FROM bulk b JOIN exact e USING (id)"
                    + " WHERE NOT (b.d <=> e.d AND b.f <=> e.f AND BINARY b.s <=> BINARY e.s)"))
        .containsExactly(List.of("0"));
    // Bit for bit: each DOUBLE the server holds is the warehouse's (but -0, which it stores as 0).
    java.util.Map<Long, Double> doubles = new java.util.HashMap<>();
    for (List<String> row : warehouse.rows("SELECT id, d FROM t WHERE d IS NOT NULL")) {
      doubles.put(Long.parseLong(row.get(0)), Double.parseDouble(row.get(1)) + 0.0);
    }
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id, d FROM bulk WHERE d IS NOT NULL")) {
      int seen = 0;
      while (rows.next()) {
        assertThat(Double.doubleToRawLongBits(rows.getDouble(2)))
            .as("d of id %d", rows.getLong(1))
            .isEqualTo(Double.doubleToRawLongBits(doubles.get(rows.getLong(1))));
        seen++;
      }
      assertThat(seen).isEqualTo(doubles.size());
    }
    assertThat(database.rows("SELECT s, HEX(b), CAST(amount AS CHAR) FROM bulk WHERE id = 39"))
        .containsExactly(java.util.Arrays.asList("tab\tx", "00090A0D5CFF", "48148117.814814771"));
    assertThat(database.rows("SELECT s FROM bulk WHERE id IN (3, 4, 5, 6) ORDER BY id"))
        .containsExactly(List.of("back\\slash"), List.of("\\N"), List.of("NULL"), List.of(""));
    assertThat(database.rows("SELECT COUNT(*) FROM bulk WHERE s IS NULL"))
        .containsExactly(List.of(Integer.toString(ROWS / 17)));

    assertThat(bulk.run("s").counts()).isEqualTo(new ChangeCounts(ROWS, 0, 0, 0, ROWS));
  }

  @Test
  void aValueTheTableRejectsInALoadedBatchNamesKeyAndColumnAndWritesNothingOfIt(
      TestDatabase database) {
    warehouse.execute(
        "CREATE TABLE t AS SELECT i AS id, CASE WHEN i = 70 THEN 'bad' ELSE 'ok' END AS name"
            + " FROM range(1, 101) r(i)");
    // A CHECK constraint is the server's alone: qsync cannot see the value coming.
    database.execute(
        "CREATE TABLE targets (id BIGINT PRIMARY KEY, name VARCHAR(5) CHECK (name <> 'bad'))");

    QsyncException error =
        catchThrowableOfType(
            QsyncException.class,
            () -> qsync(database, "SELECT * FROM t", "targets", 1000).run("s"));

    assertThat(error).isNotNull();
    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains("key (id=70)")
        .contains("Nothing of this batch was written");
    assertThat(database.count("targets")).isZero();
  }

  @Test
  void aDuplicateOfAnotherUniqueKeyIsAnErrorNotASkippedRow(TestDatabase database) {
    warehouse.execute(
        "CREATE TABLE t AS SELECT i AS id,"
            + " CASE WHEN i = 80 THEN 'u30@example.com' ELSE 'u' || i::VARCHAR || '@example.com' END AS email"
            + " FROM range(1, 101) r(i)");
    database.execute(
        "CREATE TABLE targets (id BIGINT PRIMARY KEY, email VARCHAR(50) NOT NULL, UNIQUE KEY (email))");

    QsyncException error =
        catchThrowableOfType(
            QsyncException.class,
            () -> qsync(database, "SELECT * FROM t", "targets", 1000).run("s"));

    assertThat(error).isNotNull();
    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains("unique key (email) on more than one row of the result -> ('u30@example.com')")
        .contains("Nothing was written");
    assertThat(database.count("targets")).isZero();
  }

  /**
   * Floats at their extremes go into a FLOAT column by LOAD DATA exactly: every row as sent, no
   * warning, the same bits read back. (A float's own shortest text, 3.4028235E38 for the largest,
   * parses to a double above the largest float, which the column refuses.)
   */
  @Test
  void floatsAtTheirExtremesLoadBitForBit(TestDatabase database) throws Exception {
    float[] floats = {
      Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_NORMAL, Float.MIN_VALUE, 1e-40f, 0.1f, 3.1415927f
    };
    double[] doubles = {
      Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_NORMAL, Double.MIN_VALUE, 1e-310, 0.1, Math.PI
    };
    List<Change> rows = new ArrayList<>();
    for (int i = 0; i < MySqlLoadData.MIN_ROWS; i++) {
      rows.add(
          new Change(
              i + 1,
              ChangeKind.INSERT,
              new Object[] {(long) i, floats[i % floats.length], doubles[i % doubles.length]}));
    }
    List<Column> columns =
        List.of(
            new Column("id", SqlType.of(Kind.BIGINT)),
            new Column("f", SqlType.of(Kind.FLOAT)),
            new Column("d", SqlType.of(Kind.DOUBLE)));
    database.execute("CREATE TABLE floats (id BIGINT PRIMARY KEY, f FLOAT, d DOUBLE)");

    try (Connection connection = database.connect()) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET SESSION sql_mode = '" + MySqlConnections.SQL_MODE + "'");
      }
      connection.setAutoCommit(false);
      assertThat(new MySqlLoadData("floats", columns).load(connection, rows))
          .as("LOAD DATA took every row as sent")
          .isTrue();
      connection.commit();
    }

    // The binary protocol: each value as its bytes, never as text.
    try (Connection connection =
            DriverManager.getConnection(database.url() + "?useServerPrepStmts=true", "root", "");
        PreparedStatement statement =
            connection.prepareStatement("SELECT id, CAST(f AS DOUBLE), d FROM floats ORDER BY id");
        ResultSet stored = statement.executeQuery()) {
      int seen = 0;
      while (stored.next()) {
        int id = stored.getInt(1);
        assertThat(Float.floatToRawIntBits((float) stored.getDouble(2)))
            .as("float %d", id)
            .isEqualTo(Float.floatToRawIntBits(floats[id % floats.length]));
        assertThat(stored.getDouble(2)).isEqualTo((double) floats[id % floats.length]);
        assertThat(Double.doubleToRawLongBits(stored.getDouble(3)))
            .as("double %d", id)
            .isEqualTo(Double.doubleToRawLongBits(doubles[id % doubles.length]));
        seen++;
      }
      assertThat(seen).isEqualTo(MySqlLoadData.MIN_ROWS);
    }
  }
}
