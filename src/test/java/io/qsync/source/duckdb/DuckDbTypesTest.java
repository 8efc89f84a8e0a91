package io.qsync.source.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DuckDbTypesTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "BOOLEAN,   BOOLEAN",
    "TINYINT,   TINYINT",
    "SMALLINT,  SMALLINT",
    "INTEGER,   INTEGER",
    "BIGINT,    BIGINT",
    "UTINYINT,  UTINYINT",
    "USMALLINT, USMALLINT",
    "UINTEGER,  UINTEGER",
    "UBIGINT,   UBIGINT",
    "FLOAT,     FLOAT",
    "DOUBLE,    DOUBLE",
    "VARCHAR,   VARCHAR",
    "BLOB,      BLOB",
    "DATE,      DATE",
    "TIME,      TIME",
    "TIMESTAMP, TIMESTAMP",
    "varchar,   VARCHAR",
    "' bigint ', BIGINT",
  })
  void readsScalarTypesAsTheyAre(String duckDbType, Kind kind) {
    DuckDbTypes.Mapping mapping = DuckDbTypes.map("c", duckDbType);
    assertThat(mapping.type()).isEqualTo(SqlType.of(kind));
    assertThat(mapping.projection()).isEqualTo("%s");
  }

  @Test
  void keepsDecimalPrecisionAndScale() {
    assertThat(DuckDbTypes.map("c", "DECIMAL(38,9)").type()).isEqualTo(SqlType.decimal(38, 9));
    assertThat(DuckDbTypes.map("c", "DECIMAL(18, 3)").type()).isEqualTo(SqlType.decimal(18, 3));
    assertThat(DuckDbTypes.map("c", "decimal(4,0)").type()).isEqualTo(SqlType.decimal(4, 0));
    assertThat(DuckDbTypes.map("c", "DECIMAL(38,9)").projection()).isEqualTo("%s");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "HUGEINT | HUGEINT | CAST(%s AS HUGEINT)",
        "UHUGEINT | HUGEINT | CAST(%s AS HUGEINT)",
        "TIMESTAMP_S | TIMESTAMP | CAST(%s AS TIMESTAMP)",
        "TIMESTAMP_MS | TIMESTAMP | CAST(%s AS TIMESTAMP)",
        "TIMESTAMP WITH TIME ZONE | TIMESTAMP_UTC | timezone('UTC', %s)",
        "JSON | JSON | CAST(%s AS VARCHAR)",
        "UUID | UUID | CAST(%s AS VARCHAR)",
        "ENUM('a', 'b') | VARCHAR | CAST(%s AS VARCHAR)",
      })
  void projectsTypesThatNeedAConversion(String duckDbType, Kind kind, String projection) {
    DuckDbTypes.Mapping mapping = DuckDbTypes.map("c", duckDbType);
    assertThat(mapping.type()).isEqualTo(SqlType.of(kind));
    assertThat(mapping.projection()).isEqualTo(projection);
  }

  /**
   * Nanoseconds are cut to the microsecond they fall in, before 1970 as after (DuckDB's own CAST
   * moves an earlier time up: 1969-12-31 23:59:59.9999999 to 1970-01-01).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "1969-12-31 23:59:59.9999999,   1969-12-31 23:59:59.999999",
    "1960-06-15 12:00:00.0000015,   1960-06-15 12:00:00.000001",
    "1980-06-15 12:00:00.0000015,   1980-06-15 12:00:00.000001",
    "1969-12-31 23:59:59.999999,    1969-12-31 23:59:59.999999",
    "1970-01-01 00:00:00,           1970-01-01 00:00:00",
    "1677-09-22 00:00:00.000000001, 1677-09-22 00:00:00",
    "2262-04-10 23:59:59.9999999,   2262-04-10 23:59:59.999999",
  })
  void truncatesNanosecondTimestampsToTheMicrosecondTheyFallIn(String nanos, String micros)
      throws SQLException {
    DuckDbTypes.Mapping mapping = DuckDbTypes.map("c", "TIMESTAMP_NS");
    assertThat(mapping.type()).isEqualTo(SqlType.of(Kind.TIMESTAMP));
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT CAST("
                    + mapping.projection().formatted("c")
                    + " AS VARCHAR)"
                    + " FROM (SELECT TIMESTAMP_NS '"
                    + nanos
                    + "' AS c)")) {
      row.next();
      assertThat(row.getString(1)).isEqualTo(micros);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "INTEGER[]",
        "VARCHAR[3]",
        "STRUCT(a INTEGER, b VARCHAR)",
        "STRUCT(a INTEGER[])[]",
        "MAP(VARCHAR, INTEGER)",
        "UNION(num INTEGER, str VARCHAR)",
        "DECIMAL(10,2)[]",
      })
  void carriesNestedTypesAsJson(String duckDbType) {
    DuckDbTypes.Mapping mapping = DuckDbTypes.map("c", duckDbType);
    assertThat(mapping.type()).isEqualTo(SqlType.of(Kind.JSON));
    assertThat(mapping.projection()).isEqualTo("CAST(to_json(%s) AS VARCHAR)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTERVAL", "TIME WITH TIME ZONE", "BIT", "VARINT", "NULL", "GEOMETRY"})
  void refusesATypeItCannotCarryNamingColumnAndRemedy(String duckDbType) {
    assertThatThrownBy(() -> DuckDbTypes.map("waited", duckDbType))
        .isInstanceOfSatisfying(
            QsyncException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NEEDS_ACTION))
        .hasMessageContaining("column 'waited' has DuckDB type " + duckDbType)
        .hasMessageContaining("CAST(waited AS VARCHAR)");
  }
}
