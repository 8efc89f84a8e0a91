package io.qsync.destination.mysql;

import io.qsync.destination.DestinationColumn;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type a created target table gives each source type: the README's type table, in code. Key
 * columns get bounded, case-sensitive types so they can be indexed and stay distinct as in the
 * source. Pure; thread-safe.
 */
public final class MySqlTypes {
  /** Longest string key a created table holds: 255 characters of utf8mb4 fit InnoDB's index. */
  public static final int KEY_STRING_LENGTH = 255;

  /** The length the catalogue gives LONGTEXT and LONGBLOB: 4 GiB - 1. */
  private static final long LONG_LENGTH = 4_294_967_295L;

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
              ? "VARCHAR("
                  + KEY_STRING_LENGTH
                  + ") CHARACTER SET utf8mb4 COLLATE "
                  + binaryKeyCollation
              : "LONGTEXT CHARACTER SET utf8mb4";
      case BLOB -> keyColumn ? "VARBINARY(" + KEY_STRING_LENGTH + ")" : "LONGBLOB";
      case DATE -> "DATE";
      case TIME -> "TIME(6)";
      case TIMESTAMP, TIMESTAMP_UTC -> "DATETIME(6)";
      case JSON -> "JSON";
      case UUID -> "CHAR(36) CHARACTER SET ascii COLLATE ascii_bin";
    };
  }

  /** A type {@link #columnType} writes: name, (length[,scale]), UNSIGNED, charset, collation. */
  private static final Pattern WRITTEN =
      Pattern.compile(
          "(\\w+)(?:\\((\\d+)(?:,(\\d+))?\\))?(?: UNSIGNED)?"
              + "(?: CHARACTER SET (\\w+))?(?: COLLATE (\\w+))?");

  /**
   * The column {@link #columnType} creates, as the catalogue would describe it once created (a key
   * column NOT NULL, the others NULL; text in utf8mb4 unless the type names another character set):
   * what the value check holds a table qsync has yet to create to.
   */
  public static DestinationColumn created(Column column, boolean keyColumn) {
    String type = columnType(column, keyColumn);
    Matcher parts = WRITTEN.matcher(type);
    if (!parts.matches()) {
      throw new IllegalStateException("cannot read the created type " + type);
    }
    String dataType = parts.group(1).toLowerCase(Locale.ROOT);
    int length = parts.group(2) == null ? 0 : Integer.parseInt(parts.group(2));
    int scale = parts.group(3) == null ? 0 : Integer.parseInt(parts.group(3));
    String columnType =
        type.replaceFirst(" (CHARACTER SET|COLLATE) .*$", "").toLowerCase(Locale.ROOT);
    if (dataType.equals("boolean")) {
      dataType = "tinyint";
      columnType = "tinyint(1)";
    }
    boolean text = Set.of("char", "varchar", "longtext").contains(dataType);
    Optional<String> characterSet =
        Optional.ofNullable(parts.group(4))
            .or(() -> text ? Optional.of("utf8mb4") : Optional.empty())
            .map(name -> name.toLowerCase(Locale.ROOT));
    boolean lengthed = Set.of("char", "varchar", "binary", "varbinary").contains(dataType);
    boolean temporal = Set.of("time", "datetime", "timestamp").contains(dataType);
    boolean decimal = dataType.equals("decimal");
    return new DestinationColumn(
        column.name(),
        dataType,
        columnType,
        !keyColumn,
        !keyColumn,
        Optional.ofNullable(parts.group(5)).map(name -> name.toLowerCase(Locale.ROOT)),
        lengthed ? length : dataType.startsWith("long") ? LONG_LENGTH : 0,
        decimal ? length : 0,
        decimal ? scale : dataType.endsWith("int") ? 0 : -1,
        temporal ? length : 0,
        characterSet,
        Optional.empty());
  }

  /** The largest DECIMAL MySQL has: DECIMAL(65,30). */
  public static boolean decimalFits(SqlType type) {
    return type.precision() <= 65 && type.scale() <= 30;
  }
}
