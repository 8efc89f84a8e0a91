package io.qsync.destination.mysql;

import io.qsync.row.Column;
import java.util.List;
import java.util.StringJoiner;

/**
 * The SQL qsync writes to MySQL and MariaDB. The two differ where it matters here in two places:
 *
 * <ul>
 *   <li>How an upsert names the incoming row. {@code VALUES(c)} works on both, but MySQL deprecates
 *       it from 8.0.20 (a warning per statement) in favour of a row alias ({@code AS new ... c =
 *       new.c}, from 8.0.19), which MariaDB does not have.
 *   <li>Which collation compares strings byte by byte <em>and</em> tells {@code 'x'} from {@code 'x
 *       '}: {@code utf8mb4_bin} does not (it is PAD SPACE on both), MariaDB's {@code
 *       utf8mb4_nopad_bin} and MySQL's {@code utf8mb4_0900_bin} (8.0.17+) do.
 * </ul>
 *
 * Pure; thread-safe.
 *
 * @param rowAlias whether to write the MySQL 8.0.19+ row-alias form
 * @param binaryKeyCollation the utf8mb4 collation under which every two distinct strings are
 *     distinct keys: what a string key column qsync creates gets
 */
public record MySqlDialect(boolean rowAlias, String binaryKeyCollation) {
  public static final MySqlDialect MARIADB = new MySqlDialect(false, "utf8mb4_nopad_bin");
  public static final MySqlDialect MYSQL_8 = new MySqlDialect(true, "utf8mb4_0900_bin");

  public MySqlDialect {
    java.util.Objects.requireNonNull(binaryKeyCollation, "binaryKeyCollation is null");
  }

  /** The dialect for a server's {@code VERSION()} string. */
  public static MySqlDialect forVersion(String version) {
    if (version.toLowerCase(java.util.Locale.ROOT).contains("mariadb")) {
      return MARIADB;
    }
    String[] parts = version.split("[^0-9]+");
    int major = parts.length > 0 ? Integer.parseInt(parts[0]) : 0;
    int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    int patch = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
    boolean aliasSupported = major > 8 || major == 8 && (minor > 0 || patch >= 19);
    if (aliasSupported) {
      return MYSQL_8;
    }
    // 8.0.17 and 8.0.18 have utf8mb4_0900_bin; earlier servers only the PAD SPACE utf8mb4_bin,
    // under which the key check refuses keys that differ by trailing spaces alone.
    boolean noPadBin = major == 8 && patch >= 17;
    return new MySqlDialect(false, noPadBin ? "utf8mb4_0900_bin" : "utf8mb4_bin");
  }

  /** How a message names the change that makes a string key column compare bytes. */
  public String binaryKeyCollationHint() {
    return "COLLATE " + binaryKeyCollation;
  }

  /** Quotes an identifier: any character may appear, backticks are doubled. */
  public static String quote(String identifier) {
    return '`' + identifier.replace("`", "``") + '`';
  }

  /** A multi-row INSERT of {@code rows} rows, which updates every column on a duplicate key. */
  public String upsert(String table, List<Column> columns, int rows) {
    StringBuilder sql = insert(table, columns, rows);
    StringJoiner assignments = new StringJoiner(", ");
    for (Column column : columns) {
      String name = quote(column.name());
      // Key columns are assigned too: under a case-insensitive collation the incoming key may
      // differ from the stored one in case only, and the copy must be exact.
      assignments.add(name + " = " + (rowAlias ? "new." + name : "VALUES(" + name + ")"));
    }
    if (rowAlias) {
      sql.append(" AS new");
    }
    return sql.append(" ON DUPLICATE KEY UPDATE ").append(assignments).toString();
  }

  /** A plain multi-row INSERT of {@code rows} rows: a duplicate key is an error. */
  public StringBuilder insert(String table, List<Column> columns, int rows) {
    StringJoiner names = new StringJoiner(", ");
    columns.forEach(column -> names.add(quote(column.name())));
    String placeholders = "(" + "?, ".repeat(columns.size() - 1) + "?)";
    StringBuilder sql = new StringBuilder(64 + rows * placeholders.length() + 2 * rows);
    sql.append("INSERT INTO ").append(quote(table)).append(" (").append(names).append(") VALUES ");
    for (int i = 0; i < rows; i++) {
      sql.append(i == 0 ? "" : ", ").append(placeholders);
    }
    return sql;
  }

  /** A DELETE of {@code rows} keys. */
  public String delete(String table, List<String> key, int rows) {
    StringJoiner names = new StringJoiner(", ");
    key.forEach(column -> names.add(quote(column)));
    String tuple = "(" + "?, ".repeat(key.size() - 1) + "?)";
    String one = key.size() == 1 ? "?" : tuple;
    StringJoiner values = new StringJoiner(", ", "(", ")");
    for (int i = 0; i < rows; i++) {
      values.add(one);
    }
    String target = key.size() == 1 ? names.toString() : "(" + names + ")";
    return "DELETE FROM " + quote(table) + " WHERE " + target + " IN " + values;
  }

  /**
   * One row of {@code rows} columns, each 1 when the table holds a row with the key bound to its
   * placeholders, else 0; each key column compares with its own collation.
   */
  public String keysPresent(String table, List<String> key, int rows) {
    StringJoiner condition = new StringJoiner(" AND ");
    key.forEach(column -> condition.add(quote(column) + " = ?"));
    String one = "EXISTS (SELECT 1 FROM " + quote(table) + " WHERE " + condition + ")";
    StringJoiner select = new StringJoiner(", ", "SELECT ", "");
    for (int i = 0; i < rows; i++) {
      select.add(one);
    }
    return select.toString();
  }

  /** Counts the rows whose key is one of {@code rows} keys. */
  public String countKeys(String table, List<String> key, int rows) {
    return delete(table, key, rows).replaceFirst("^DELETE FROM", "SELECT COUNT(*) FROM");
  }

  /** CREATE TABLE for a result, its key the primary key (none in append mode without a key). */
  public String createTable(String table, List<Column> columns, List<String> key) {
    StringJoiner definitions = new StringJoiner(",\n  ", "(\n  ", "\n)");
    for (Column column : columns) {
      boolean isKey = key.stream().anyMatch(k -> k.equalsIgnoreCase(column.name()));
      definitions.add(
          quote(column.name())
              + " "
              + MySqlTypes.columnType(column, isKey, binaryKeyCollation)
              + (isKey ? " NOT NULL" : " NULL"));
    }
    if (!key.isEmpty()) {
      StringJoiner keyColumns = new StringJoiner(", ");
      key.forEach(column -> keyColumns.add(quote(column)));
      definitions.add("PRIMARY KEY (" + keyColumns + ")");
    }
    return "CREATE TABLE "
        + quote(table)
        + " "
        + definitions
        + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
  }
}
