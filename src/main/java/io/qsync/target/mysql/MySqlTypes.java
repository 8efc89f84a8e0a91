package io.qsync.target.mysql;

import io.qsync.source.Column;
import io.qsync.source.SqlType;

/**
 * The type a created target table gives each source type: the README's type table, in code. Key
 * columns get bounded, case-sensitive types so they can be indexed and stay distinct as in the
 * source. Pure; thread-safe.
 */
public final class MySqlTypes {
  /** Longest string key a created table holds: 255 characters of utf8mb4 fit InnoDB's index. */
  public static final int KEY_STRING_LENGTH = 255;

  private MySqlTypes() {}

  /** The type for a column of a MariaDB table (see {@link MySqlDialect#binaryKeyCollation}). */
  public static String columnType(Column column, boolean keyColumn) {
    return columnType(column, keyColumn, MySqlDialect.MARIADB.binaryKeyCollation());
  }

  /**
   * @param binaryKeyCollation the collation of a string key column: one under which every two
   *     distinct strings stay distinct, trailing spaces included (NO PAD)
   */
  public static String columnType(Column column, boolean keyColumn, String binaryKeyCollation) {
    SqlType type = column.type();
    return switch (type.kind()) {
      case BOOLEAN -> "BOOLEAN";
      case TINYINT -> "TINYINT";
      case SMALLINT -> "SMALLINT";
      case INTEGER -> "INT";
      case BIGINT -> "BIGINT";
      case UTINYINT -> "TINYINT UNSIGNED";
      case USMALLINT -> "SMALLINT UNSIGNED";
      case UINTEGER -> "INT UNSIGNED";
      case UBIGINT -> "BIGINT UNSIGNED";
      case HUGEINT -> "DECIMAL(39,0)";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      case DECIMAL -> "DECIMAL(" + type.precision() + "," + type.scale() + ")";
      case VARCHAR ->
          keyColumn
              ? "VARCHAR(" + KEY_STRING_LENGTH + ") CHARACTER SET utf8mb4 COLLATE " + binaryKeyCollation
              : "LONGTEXT CHARACTER SET utf8mb4";
      case BLOB -> keyColumn ? "VARBINARY(" + KEY_STRING_LENGTH + ")" : "LONGBLOB";
      case DATE -> "DATE";
      case TIME -> "TIME(6)";
      case TIMESTAMP, TIMESTAMP_UTC -> "DATETIME(6)";
      case JSON -> "JSON";
      case UUID -> "CHAR(36) CHARACTER SET ascii COLLATE ascii_bin";
    };
  }

  /** The largest DECIMAL MySQL has: DECIMAL(65,30). */
  public static boolean decimalFits(SqlType type) {
    return type.precision() <= 65 && type.scale() <= 30;
  }
}
