package io.qsync.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.SyncConfig;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.Qsync;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.util.List;
import java.util.StringJoiner;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every pair of source type and target column type that the README's type table calls exact, with
 * values at the edges the column holds: a run writes them (by LOAD DATA, and by INSERT statements),
 * and the next run finds nothing to change. A second run reads each value back exactly as the
 * source's type (a value stored otherwise reads as different, or as unrepresentable), so "nothing
 * to change" means the table holds what the query returned.
 */
@ExtendWith(MariaDbExtension.class)
class TypePairsIT {
  @TempDir Path dir;

  /**
   * @param source a DuckDB query returning {@code id} and {@code v}, the values to write
   * @param targets the column types {@code v} is written to, each a column of one table
   */
  static Stream<Arguments> pairs() {
    return Stream.of(
        pair(
            "BOOLEAN",
            "VALUES (1, true), (2, false), (3, NULL)",
            "BOOLEAN",
            "TINYINT UNSIGNED",
            "SMALLINT",
            "MEDIUMINT",
            "INT",
            "BIGINT",
            "DECIMAL(1,0)",
            "DECIMAL(5,2)",
            "BIT(1)"),
        pair(
            "TINYINT",
            "VALUES (1, (-128)::TINYINT), (2, 127::TINYINT), (3, 0::TINYINT)",
            "TINYINT",
            "SMALLINT",
            "MEDIUMINT",
            "INT",
            "BIGINT",
            "DECIMAL(3,0)",
            "DECIMAL(10,4)"),
        pair(
            "UTINYINT",
            "VALUES (1, 0::UTINYINT), (2, 255::UTINYINT)",
            "TINYINT UNSIGNED",
            "SMALLINT",
            "INT UNSIGNED",
            "BIT(8)",
            "DECIMAL(3,0) UNSIGNED"),
        pair(
            "SMALLINT",
            "VALUES (1, (-32768)::SMALLINT), (2, 32767::SMALLINT)",
            "SMALLINT",
            "MEDIUMINT",
            "INT",
            "BIGINT",
            "DECIMAL(5,0)"),
        pair(
            "INTEGER",
            "VALUES (1, (-2147483648)::INTEGER), (2, 2147483647::INTEGER)",
            "INT",
            "BIGINT",
            "DECIMAL(10,0)",
            "DECIMAL(12,2)"),
        pair(
            "BIGINT",
            "VALUES (1, (-9223372036854775808)::BIGINT), (2, 9223372036854775807::BIGINT)",
            "BIGINT",
            "DECIMAL(19,0)",
            "DECIMAL(30,5)"),
        pair(
            "UBIGINT",
            "VALUES (1, 0::UBIGINT), (2, 18446744073709551615::UBIGINT)",
            "BIGINT UNSIGNED",
            "DECIMAL(20,0)",
            "BIT(64)"),
        pair(
            "HUGEINT",
            "VALUES (1, (-170141183460469231731687303715884105727)::HUGEINT),"
                + " (2, 170141183460469231731687303715884105727::HUGEINT)",
            "DECIMAL(39,0)",
            "DECIMAL(65,10)"),
        pair(
            "FLOAT",
            "VALUES (1, 3.4028235e38::REAL), (2, (-1.17549435e-38)::REAL), (3, 1.4e-45::REAL),"
                + " (4, 0.1::REAL), (5, '-0.0'::REAL)",
            "FLOAT",
            "DOUBLE",
            "REAL"),
        pair(
            "DOUBLE",
            "VALUES (1, 1.7976931348623157e308::DOUBLE), (2, 4.9e-324::DOUBLE),"
                + " (3, (-2.2250738585072014e-308)::DOUBLE), (4, 0.1::DOUBLE)",
            "DOUBLE",
            "REAL"),
        pair(
            "DECIMAL(10,3)",
            "VALUES (1, (-9999999.999)::DECIMAL(10,3)), (2, 0.001::DECIMAL(10,3))",
            "DECIMAL(10,3)",
            "DECIMAL(20,8)",
            "NUMERIC(11,4)"),
        pair(
            "DECIMAL(5,0)",
            "VALUES (1, (-99999)::DECIMAL(5,0)), (2, 99999::DECIMAL(5,0))",
            "INT",
            "MEDIUMINT",
            "DECIMAL(5,0)"),
        pair(
            "DECIMAL(20,0) in BIT",
            "VALUES (1, 0::DECIMAL(20,0)), (2, 18446744073709551615::DECIMAL(20,0))",
            "BIT(64)"),
        pair(
            "VARCHAR",
            "VALUES (1, 'émoji 🧪 한글'), (2, ''), (3, ' lead and trail '), (4, 'tab\tnewline\n\\')",
            "VARCHAR(16)",
            "TINYTEXT",
            "TEXT",
            "MEDIUMTEXT",
            "LONGTEXT",
            "VARCHAR(16) COLLATE utf8mb4_bin",
            "TEXT CHARACTER SET utf16",
            "VARCHAR(16) CHARACTER SET utf32"),
        pair(
            "VARCHAR in CHAR",
            "VALUES (1, 'abc'), (2, ''), (3, ' lead')",
            "CHAR(5)",
            "CHAR(5) CHARACTER SET latin1",
            "CHAR(5) CHARACTER SET ascii"),
        pair(
            "VARCHAR in latin1",
            "VALUES (1, 'café €5 – “quoted” Œuvre'), (2, chr(129)), (3, 'ÿ')",
            "VARCHAR(40) CHARACTER SET latin1",
            "TEXT CHARACTER SET latin1"),
        pair(
            "VARCHAR in utf8mb3",
            "VALUES (1, 'é한€'), (2, chr(65535))",
            "VARCHAR(10) CHARACTER SET utf8mb3",
            "TEXT CHARACTER SET utf8mb3",
            "VARCHAR(10) CHARACTER SET ucs2"),
        pair(
            "VARCHAR in ENUM and SET",
            "VALUES (1, 'a'), (2, 'b'), (3, NULL)",
            "ENUM('a','b')",
            "SET('a','b')",
            "ENUM('a','b') COLLATE utf8mb4_bin"),
        pair("VARCHAR in SET", "VALUES (1, 'a,b'), (2, ''), (3, 'b')", "SET('a','b')"),
        pair(
            "VARCHAR in ENUM and SET with capitals",
            "VALUES (1, 'Yes'), (2, 'NO')",
            "ENUM('Yes','NO')",
            "SET('NO','Yes')",
            "ENUM('Yes','NO') COLLATE utf8mb4_bin"),
        pair(
            "JSON",
            "VALUES (1, '{\"b\": [1, 2.5], \"a\": \"ü\"}'::JSON), (2, '[]'::JSON)",
            "JSON",
            "LONGTEXT",
            "VARCHAR(40)"),
        pair(
            "UUID",
            "VALUES (1, '123e4567-e89b-12d3-a456-426614174000'::UUID),"
                + " (2, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID)",
            "CHAR(36)",
            "VARCHAR(36)",
            "TEXT",
            "UUID",
            "CHAR(36) CHARACTER SET ascii"),
        pair(
            "BLOB",
            "VALUES (1, '\\x00\\xFF\\x5C\\x09'::BLOB), (2, ''::BLOB), (3, 'ab'::BLOB)",
            "VARBINARY(4)",
            "TINYBLOB",
            "BLOB",
            "MEDIUMBLOB",
            "LONGBLOB"),
        pair("BLOB in BINARY", "VALUES (1, '\\x00\\x00'::BLOB), (2, 'ab'::BLOB)", "BINARY(2)"),
        pair(
            "DATE",
            "VALUES (1, DATE '1000-01-01'), (2, DATE '9999-12-31'), (3, DATE '1582-10-10')",
            "DATE",
            "DATETIME",
            "DATETIME(6)"),
        pair(
            "DATE in TIMESTAMP",
            "VALUES (1, DATE '1970-01-02'), (2, DATE '2038-01-19')",
            "TIMESTAMP",
            "TIMESTAMP(6)",
            "DATE"),
        pair("TIME", "VALUES (1, TIME '00:00:00'), (2, TIME '23:59:59.999999')", "TIME(6)"),
        pair(
            "TIMESTAMP",
            "VALUES (1, TIMESTAMP '1000-01-01 00:00:00'), (2, TIMESTAMP '9999-12-31 23:59:59.999999'),"
                + " (3, TIMESTAMP '2020-03-08 02:30:00.5')",
            "DATETIME(6)"),
        pair(
            "TIMESTAMP in TIMESTAMP",
            "VALUES (1, TIMESTAMP '1970-01-01 00:00:01'), (2, TIMESTAMP '2038-01-19 03:14:07.999999')",
            "TIMESTAMP(6)",
            "DATETIME(6)"),
        pair(
            "TIMESTAMPTZ",
            "VALUES (1, TIMESTAMPTZ '1000-01-01 00:00:00+00'), (2, TIMESTAMPTZ '2026-03-29 02:30:00+02')",
            "DATETIME(6)"));
  }

  private static Arguments pair(String name, String values, String... targets) {
    return Arguments.of(name, "SELECT * FROM (" + values + ") v(id, v)", List.of(targets));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pairs")
  void everyExactPairWritesTheQuerysValuesAndARerunChangesNothing(
      String name, String source, List<String> targets, TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    // 32 copies: the first run's batch of inserts goes by LOAD DATA; the copy the test deletes
    // from the table goes back by INSERT statements.
    warehouse.execute(
        "CREATE TABLE t AS SELECT id + 100 * copy AS id, v FROM ("
            + source
            + "), range(32) r(copy)");
    StringJoiner columns = new StringJoiner(", ");
    StringJoiner select = new StringJoiner(", ");
    for (int i = 0; i < targets.size(); i++) {
      columns.add("c" + i + " " + targets.get(i));
      select.add("v AS c" + i);
    }
    database.execute("CREATE TABLE pairs (id INT PRIMARY KEY, " + columns + ")");
    SyncConfig sync =
        TestSyncs.sync("s", "SELECT id, " + select + " FROM t", "pairs")
            .key(List.of("id"))
            .createTable(false)
            .build();
    Qsync qsync = TestSyncs.qsync(dir, database, warehouse, sync);
    long rows = Long.parseLong(warehouse.rows("SELECT count(*) FROM t").get(0).get(0));

    assertThat(qsync.validate().syncs().get(0).problems()).isEmpty();
    assertThat(qsync.run("s").counts()).isEqualTo(new ChangeCounts(rows, rows, 0, 0, 0));

    // The first copy goes back by INSERT statements; the rest, written by LOAD DATA, must read
    // back unchanged, and then so must the first copy.
    database.execute("DELETE FROM pairs WHERE id < 100");
    long deleted = rows / 32;
    assertThat(qsync.run("s").counts())
        .as("what LOAD DATA wrote reads back as what the query returned")
        .isEqualTo(new ChangeCounts(rows, deleted, 0, 0, rows - deleted));
    assertThat(qsync.run("s").counts())
        .as("what INSERT statements wrote reads back as what the query returned")
        .isEqualTo(new ChangeCounts(rows, 0, 0, 0, rows));
  }
}
