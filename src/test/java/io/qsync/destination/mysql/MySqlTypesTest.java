package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class MySqlTypesTest {
  private static Column column(Kind kind) {
    return new Column("c", kind == Kind.DECIMAL ? SqlType.decimal(38, 9) : SqlType.of(kind));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "BOOLEAN       | BOOLEAN",
        "TINYINT       | TINYINT",
        "SMALLINT      | SMALLINT",
        "INTEGER       | INT",
        "BIGINT        | BIGINT",
        "UTINYINT      | TINYINT UNSIGNED",
        "USMALLINT     | SMALLINT UNSIGNED",
        "UINTEGER      | INT UNSIGNED",
        "UBIGINT       | BIGINT UNSIGNED",
        "HUGEINT       | DECIMAL(39,0)",
        "FLOAT         | FLOAT",
        "DOUBLE        | DOUBLE",
        "DECIMAL       | DECIMAL(38,9)",
        "VARCHAR       | LONGTEXT CHARACTER SET utf8mb4",
        "BLOB          | LONGBLOB",
        "DATE          | DATE",
        "TIME          | TIME(6)",
        "TIMESTAMP     | DATETIME(6)",
        "TIMESTAMP_UTC | DATETIME(6)",
        "JSON          | JSON",
        "UUID          | CHAR(36) CHARACTER SET ascii COLLATE ascii_bin",
      })
  void mapsEveryKindForAValueColumn(Kind kind, String expected) {
    assertThat(MySqlTypes.columnType(column(kind), false)).isEqualTo(expected);
  }

  @Test
  void theTableAboveCoversEveryKind() {
    // A new Kind must be added to mapsEveryKindForAValueColumn; this fails until it is.
    assertThat(EnumSet.allOf(Kind.class)).hasSize(21);
  }

  @Test
  void stringAndBinaryKeysAreBoundedAndCompareExactly() {
    // NO PAD and binary: 'x' and 'x ' stay two keys, as 'a' and 'A' do (utf8mb4_bin is PAD SPACE).
    assertThat(MySqlTypes.columnType(column(Kind.VARCHAR), true))
        .isEqualTo("VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin");
    assertThat(MySqlTypes.columnType(column(Kind.VARCHAR), true, "utf8mb4_0900_bin"))
        .isEqualTo("VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_bin");
    assertThat(MySqlTypes.columnType(column(Kind.BLOB), true)).isEqualTo("VARBINARY(255)");
  }

  @ParameterizedTest
  @EnumSource(
      value = Kind.class,
      names = {"VARCHAR", "BLOB", "JSON"},
      mode = EnumSource.Mode.EXCLUDE)
  void otherKindsAreTheSameAsKeyOrValue(Kind kind) {
    assertThat(MySqlTypes.columnType(column(kind), true))
        .isEqualTo(MySqlTypes.columnType(column(kind), false));
  }

  @Test
  void everyKeyTypeCanBeIndexed() {
    Set<String> unindexable = Set.of("LONGTEXT", "LONGBLOB", "TEXT", "BLOB", "JSON");
    for (Kind kind : EnumSet.complementOf(EnumSet.of(Kind.JSON))) {
      String type = MySqlTypes.columnType(column(kind), true);
      assertThat(unindexable).as(kind + " key type " + type).doesNotContain(type.split(" ")[0]);
    }
  }

  @Test
  void decimalsFitUpTo65DigitsAnd30Decimals() {
    assertThat(MySqlTypes.decimalFits(SqlType.decimal(38, 9))).isTrue();
    assertThat(MySqlTypes.decimalFits(SqlType.decimal(65, 30))).isTrue();
    assertThat(MySqlTypes.decimalFits(SqlType.decimal(66, 0))).isFalse();
    assertThat(MySqlTypes.decimalFits(SqlType.decimal(38, 31))).isFalse();
  }
}
