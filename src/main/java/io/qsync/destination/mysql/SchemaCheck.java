package io.qsync.destination.mysql;

import io.qsync.destination.DestinationColumn;
import io.qsync.destination.DestinationTable;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Checks that an existing target table can hold a query's result: every result column exists with a
 * type that holds its values without loss, the sync's key is a unique key of the table, and every
 * column the result omits may be omitted. Lists every problem, each with its remedy. Pure;
 * thread-safe.
 */
public final class SchemaCheck {
  private SchemaCheck() {}

  public static List<String> problems(
      DestinationTable table, List<Column> columns, List<String> key, boolean keyRequired) {
    List<String> problems = new ArrayList<>();
    String quotedTable = MySqlDialect.quote(table.name());
    if (!WRITABLE_TABLE_TYPES.contains(table.tableType())) {
      // Nothing else about it matters: a view takes no key, and its rows are another table's.
      return List.of(
          "table "
              + table.name()
              + " is a "
              + table.tableType().toLowerCase(Locale.ROOT)
              + ", not a table: qsync writes only base tables (the rows of a view belong to the"
              + " tables it selects from)\n   -> set the sync's table to a base table, or DROP"
              + " VIEW "
              + quotedTable
              + " and let the sync create the table (create_table: true)");
    }
    Set<String> sourceNames = new HashSet<>();
    for (Column column : columns) {
      sourceNames.add(column.name().toLowerCase(Locale.ROOT));
      boolean isKey = key.stream().anyMatch(k -> k.equalsIgnoreCase(column.name()));
      table
          .column(column.name())
          .ifPresentOrElse(
              target -> typeProblem(column, target, quotedTable).ifPresent(problems::add),
              () ->
                  problems.add(
                      "column "
                          + column.name()
                          + " ("
                          + column.type()
                          + ") is missing from the"
                          + " table\n   -> ALTER TABLE "
                          + quotedTable
                          + " ADD COLUMN "
                          + MySqlDialect.quote(column.name())
                          + " "
                          + MySqlTypes.columnType(column, isKey)));
    }
    for (DestinationColumn target : table.columns()) {
      if (!sourceNames.contains(target.name().toLowerCase(Locale.ROOT)) && !target.hasDefault()) {
        problems.add(
            "column "
                + target.name()
                + " is NOT NULL without a default, and the query does not"
                + " return it\n   -> return it from the query, or ALTER TABLE "
                + quotedTable
                + " MODIFY "
                + MySqlDialect.quote(target.name())
                + " "
                + target.columnType()
                + " NULL");
      }
    }
    if (keyRequired) {
      for (String keyColumn : key) {
        table
            .column(keyColumn)
            .filter(DestinationColumn::nullable)
            .ifPresent(
                column ->
                    problems.add(
                        "key column "
                            + column.name()
                            + " allows NULL: a row with a NULL key can be"
                            + " neither matched nor deleted\n   -> ALTER TABLE "
                            + quotedTable
                            + " MODIFY "
                            + MySqlDialect.quote(column.name())
                            + " "
                            + column.columnType()
                            + " NOT NULL"));
      }
    }
    if (keyRequired && !hasUniqueKey(table, key)) {
      StringJoiner keyColumns = new StringJoiner(", ");
      key.forEach(column -> keyColumns.add(MySqlDialect.quote(column)));
      String existing =
          table.uniqueKeys().isEmpty() ? "no unique key" : "unique keys " + table.uniqueKeys();
      problems.add(
          "the sync's key ("
              + String.join(", ", key)
              + ") is not a unique key of the table ("
              + existing
              + ")\n   -> ALTER TABLE "
              + quotedTable
              + " ADD UNIQUE KEY ("
              + keyColumns
              + "), or set the sync's key to one of the table's unique keys");
    }
    return problems;
  }

  /** Tables qsync writes: ordinary ones, and MariaDB's system-versioned ones (history kept). */
  private static final Set<String> WRITABLE_TABLE_TYPES =
      Set.of(DestinationTable.BASE_TABLE, "SYSTEM VERSIONED");

  private static boolean hasUniqueKey(DestinationTable table, List<String> key) {
    Set<String> wanted = new HashSet<>();
    key.forEach(column -> wanted.add(column.toLowerCase(Locale.ROOT)));
    return table.uniqueKeys().stream()
        .anyMatch(
            unique -> {
              Set<String> columns = new HashSet<>();
              unique.forEach(column -> columns.add(column.toLowerCase(Locale.ROOT)));
              return columns.equals(wanted);
            });
  }

  /** Why a column of this target type cannot hold the source's values, if it cannot. */
  static Optional<String> typeProblem(Column source, DestinationColumn target, String quotedTable) {
    String modify = "ALTER TABLE " + quotedTable + " MODIFY " + MySqlDialect.quote(target.name());
    if (target.generated().isPresent()) {
      return Optional.of(
          "column "
              + target.name()
              + " is generated ("
              + target.generated().get()
              + "): the table"
              + " computes it, and ignores or refuses a value written to it\n   -> leave "
              + source.name()
              + " out of the query, or make it a plain column: "
              + modify
              + " "
              + target.columnType());
    }
    return categoryProblem(source, target, quotedTable)
        .or(() -> scaleProblem(source, target, modify))
        .or(() -> characterSetProblem(target, modify));
  }

  /**
   * A FLOAT or DOUBLE column declared with digits after the point ({@code double(10,2)}, deprecated
   * by MySQL) rounds every value to them.
   */
  private static Optional<String> scaleProblem(
      Column source, DestinationColumn target, String modify) {
    Category category = Category.of(target.dataType().toLowerCase(Locale.ROOT));
    boolean floating = category == Category.FLOAT || category == Category.DOUBLE;
    if (!floating || target.numericScale() < 0) {
      return Optional.empty();
    }
    return Optional.of(
        "column "
            + target.name()
            + " is "
            + target.columnType()
            + ", which rounds every value to "
            + target.numericScale()
            + " digits after the point\n   -> "
            + modify
            + " "
            + (category == Category.FLOAT ? "FLOAT" : "DOUBLE")
            + (target.unsigned() ? " UNSIGNED" : ""));
  }

  /** A text column in a character set whose repertoire the value check does not know. */
  private static Optional<String> characterSetProblem(DestinationColumn target, String modify) {
    if (Category.of(target.dataType().toLowerCase(Locale.ROOT)) != Category.TEXT
        || target.characterSet().isEmpty()
        || MySqlValueRules.knownCharacterSet(target.characterSet().get())) {
      return Optional.empty();
    }
    return Optional.of(
        "column "
            + target.name()
            + " is "
            + target.columnType()
            + " in character set "
            + target.characterSet().get()
            + ", which qsync does not check values against"
            + " (utf8mb4, utf8mb3, latin1, ascii, utf16 and utf32 it does)\n   -> "
            + modify
            + " "
            + target.columnType()
            + " CHARACTER SET utf8mb4");
  }

  private static Optional<String> categoryProblem(
      Column source, DestinationColumn target, String quotedTable) {
    SqlType type = source.type();
    String targetType = target.dataType().toLowerCase(Locale.ROOT);
    Category category = Category.of(targetType);
    boolean fits =
        switch (type.kind()) {
          case BOOLEAN,
              TINYINT,
              SMALLINT,
              INTEGER,
              BIGINT,
              UTINYINT,
              USMALLINT,
              UINTEGER,
              UBIGINT,
              HUGEINT ->
              category == Category.INTEGER
                  || category == Category.DECIMAL && target.numericScale() >= 0;
          case FLOAT -> category == Category.FLOAT || category == Category.DOUBLE;
          case DOUBLE -> category == Category.DOUBLE;
          case DECIMAL ->
              category == Category.DECIMAL && target.numericScale() >= type.scale()
                  || category == Category.INTEGER && type.scale() == 0;
          case VARCHAR -> category == Category.TEXT;
          // MariaDB's UUID type reads back the canonical lower-case text DuckDB's UUID has.
          case UUID -> category == Category.TEXT || category == Category.UUID;
          case JSON -> category == Category.TEXT || category == Category.JSON;
          case BLOB -> category == Category.BINARY;
          case DATE -> category == Category.DATE || category == Category.DATETIME;
          case TIME -> category == Category.TIME && target.fractionalDigits() == 6;
          case TIMESTAMP, TIMESTAMP_UTC ->
              category == Category.DATETIME && target.fractionalDigits() == 6;
        };
    if (fits) {
      return Optional.empty();
    }
    String wanted = MySqlTypes.columnType(source, false);
    String why =
        switch (type.kind()) {
          case DECIMAL -> " (fewer digits after the point would round values silently)";
          case TIME, TIMESTAMP, TIMESTAMP_UTC ->
              " (the source has microseconds; fewer fractional digits would round them)";
          case DOUBLE -> " (FLOAT would lose precision)";
          default -> "";
        };
    return Optional.of(
        "column "
            + target.name()
            + " is "
            + target.columnType()
            + " but the query returns "
            + type
            + why
            + "\n   -> ALTER TABLE "
            + quotedTable
            + " MODIFY "
            + MySqlDialect.quote(target.name())
            + " "
            + wanted
            + ", or CAST the column in the query");
  }

  private enum Category {
    INTEGER,
    DECIMAL,
    FLOAT,
    DOUBLE,
    TEXT,
    BINARY,
    DATE,
    TIME,
    DATETIME,
    JSON,
    UUID,
    OTHER;

    static Category of(String dataType) {
      return switch (dataType) {
        case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "bit" -> INTEGER;
        case "decimal", "numeric" -> DECIMAL;
        case "float" -> FLOAT;
        case "double", "real" -> DOUBLE;
        case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set" -> TEXT;
        case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> BINARY;
        case "date" -> DATE;
        case "time" -> TIME;
        case "datetime", "timestamp" -> DATETIME;
        case "json" -> JSON;
        case "uuid" -> UUID;
        default -> OTHER;
      };
    }
  }
}
