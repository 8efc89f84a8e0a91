package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.destination.DestinationCatalog;
import io.qsync.destination.DestinationColumn;
import io.qsync.destination.DestinationTable;
import io.qsync.destination.ValueRule;
import io.qsync.row.Column;
import io.qsync.source.QueryDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables of a MySQL or MariaDB database as qsync sees them (information_schema), the checks a
 * result must pass to be written to them, and the DDL of a run. Not thread-safe.
 */
final class MySqlCatalog implements DestinationCatalog {
  /** A generated column as EXTRA names it: STORED or VIRTUAL (PERSISTENT in older MariaDB). */
  private static final Pattern GENERATED =
      Pattern.compile("\\b(stored|virtual|persistent) generated\\b", Pattern.CASE_INSENSITIVE);

  private final MySqlConnections connections;

  MySqlCatalog(MySqlConnections connections) {
    this.connections = requireNonNull(connections, "connections is null");
  }

  @Override
  public Optional<DestinationTable> describe(String table) {
    List<DestinationColumn> columns = new ArrayList<>();
    try (PreparedStatement statement =
        connections
            .connection()
            .prepareStatement(
                "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,"
                    + " COLLATION_NAME, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE,"
                    + " DATETIME_PRECISION, CHARACTER_SET_NAME, GENERATION_EXPRESSION"
                    + " FROM information_schema.COLUMNS"
                    + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          boolean nullable = rows.getString(4).equals("YES");
          String extra = Optional.ofNullable(rows.getString(6)).orElse("").toLowerCase(Locale.ROOT);
          boolean hasDefault =
              nullable
                  || rows.getString(5) != null
                  || extra.contains("auto_increment")
                  || extra.contains("generated")
                  || extra.contains("virtual")
                  || extra.contains("stored");
          Matcher generated = GENERATED.matcher(extra);
          columns.add(
              new DestinationColumn(
                  rows.getString(1),
                  rows.getString(2).toLowerCase(Locale.ROOT),
                  columnType(rows.getString(2), rows.getString(3)),
                  nullable,
                  hasDefault,
                  Optional.ofNullable(rows.getString(7)),
                  rows.getLong(8),
                  rows.getInt(9),
                  rows.getObject(10) == null ? -1 : rows.getInt(10),
                  rows.getInt(11),
                  Optional.ofNullable(rows.getString(12))
                      .map(name -> name.toLowerCase(Locale.ROOT)),
                  generated.find()
                      ? Optional.of(
                          generated.group().toUpperCase(Locale.ROOT)
                              + " ALWAYS AS ("
                              + Optional.ofNullable(rows.getString(13)).orElse("")
                              + ")")
                      : Optional.empty()));
        }
      }
    } catch (SQLException e) {
      throw connections.failed("describe table " + table, e);
    }
    if (columns.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new DestinationTable(table, columns, uniqueKeys(table), tableType(table)));
  }

  /**
   * The column's full type in lower case, but for the members of an ENUM or SET: those are the
   * values the column stores, spelled as declared.
   */
  private static String columnType(String dataType, String columnType) {
    String bare = dataType.toLowerCase(Locale.ROOT);
    return bare.equals("enum") || bare.equals("set")
        ? bare + columnType.substring(bare.length())
        : columnType.toLowerCase(Locale.ROOT);
  }

  /** What the catalogue calls the table: BASE TABLE, VIEW, SYSTEM VERSIONED, SEQUENCE, ... */
  private String tableType(String table) {
    try (PreparedStatement statement =
        connections
            .connection()
            .prepareStatement(
                "SELECT TABLE_TYPE FROM information_schema.TABLES"
                    + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next()
            ? rows.getString(1).toUpperCase(Locale.ROOT)
            : DestinationTable.BASE_TABLE;
      }
    } catch (SQLException e) {
      throw connections.failed("describe table " + table, e);
    }
  }

  private List<List<String>> uniqueKeys(String table) throws QsyncException {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    try (PreparedStatement statement =
        connections
            .connection()
            .prepareStatement(
                "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS"
                    + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0"
                    + " ORDER BY INDEX_NAME <> 'PRIMARY', INDEX_NAME, SEQ_IN_INDEX")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          keys.computeIfAbsent(rows.getString(1), name -> new ArrayList<>()).add(rows.getString(2));
        }
      }
    } catch (SQLException e) {
      throw connections.failed("read the keys of table " + table, e);
    }
    return new ArrayList<>(keys.values());
  }

  @Override
  public List<String> schemaProblems(
      DestinationTable table, List<Column> columns, List<String> key, boolean keyRequired) {
    return SchemaCheck.problems(table, columns, key, keyRequired);
  }

  @Override
  public List<ValueRule> valueRules(
      String table,
      Optional<DestinationTable> existing,
      List<Column> columns,
      List<String> key,
      QueryDialect dialect) {
    List<ValueRule> rules = new ArrayList<>();
    for (Column column : columns) {
      boolean isKey = key.stream().anyMatch(name -> name.equalsIgnoreCase(column.name()));
      Optional<DestinationColumn> target =
          existing.isPresent()
              ? existing.get().column(column.name())
              : Optional.of(MySqlTypes.created(column, isKey));
      target.ifPresent(
          described ->
              rules.addAll(
                  MySqlValueRules.rules(
                      MySqlDialect.quote(table),
                      existing.isPresent(),
                      column,
                      described,
                      isKey,
                      dialect,
                      lastTimestamp())));
    }
    return rules;
  }

  /**
   * The latest time a TIMESTAMP column holds: MariaDB 11.5 extended the range to 2106 (on 64-bit
   * servers, the only ones it ships), MySQL keeps 2038.
   */
  private LocalDateTime lastTimestamp() {
    String[] parts = connections.serverVersion().split("[^0-9]+");
    int major = parts.length > 0 && !parts[0].isEmpty() ? Integer.parseInt(parts[0]) : 0;
    int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    return connections.mariaDb() && (major > 11 || major == 11 && minor >= 5)
        ? MySqlValueRules.LAST_TIMESTAMP_UNSIGNED
        : MySqlValueRules.LAST_TIMESTAMP_32;
  }

  @Override
  public String createTableStatement(String table, List<Column> columns, List<String> key) {
    return connections.dialect().createTable(table, columns, key);
  }

  @Override
  public void createTable(String table, List<Column> columns, List<String> key) {
    connections.execute(createTableStatement(table, columns, key), "create table " + table);
  }

  @Override
  public void createTableLike(String table, String model) {
    connections.execute(
        "CREATE TABLE " + MySqlDialect.quote(table) + " LIKE " + MySqlDialect.quote(model),
        "create table " + table + " like " + model);
  }

  @Override
  public void dropTable(String table) {
    connections.execute("DROP TABLE IF EXISTS " + MySqlDialect.quote(table), "drop table " + table);
  }

  @Override
  public String createdKeyCollation() {
    return connections.dialect().binaryKeyCollation();
  }

  @Override
  public String exactKeyStatement(DestinationTable table, String column) {
    DestinationColumn described = table.column(column).orElseThrow();
    String collation = described.collation().orElse("utf8mb4_bin");
    String charset = collation.substring(0, Math.max(0, collation.indexOf('_')));
    String noPad = connections.dialect().binaryKeyCollation();
    // MariaDB has a NO PAD binary collation for each character set; MySQL 8 one for utf8mb4 only.
    String exact =
        noPad.endsWith("_nopad_bin")
            ? charset + "_nopad_bin"
            : noPad.equals("utf8mb4_0900_bin") && charset.equals("utf8mb4") ? noPad : null;
    String type =
        exact != null
            ? described.columnType() + " CHARACTER SET " + charset + " COLLATE " + exact
            : described.columnType().replaceFirst("^(?:var)?char", "varbinary");
    return "ALTER TABLE "
        + MySqlDialect.quote(table.name())
        + " MODIFY "
        + MySqlDialect.quote(described.name())
        + " "
        + type
        + (described.nullable() ? " NULL" : " NOT NULL");
  }

  @Override
  public List<String> replaceProblems(String table) {
    try {
      return MySqlReplaceCheck.problems(connections.connection(), table);
    } catch (SQLException e) {
      throw connections.failed("look for the triggers and foreign keys of table " + table, e);
    }
  }

  @Override
  public List<String> privilegeProblems(
      String table, List<String> onTable, List<String> onDatabase) {
    try {
      return MySqlPrivilegeCheck.problems(connections.connection(), table, onTable, onDatabase);
    } catch (SQLException e) {
      throw connections.failed("read the privileges of the account", e);
    }
  }

  @Override
  public void swap(String table, String shadow) {
    String old = MySqlShadow.oldName(table);
    if (describe(shadow).isPresent()) {
      if (describe(table).isPresent()) {
        connections.execute("DROP TABLE IF EXISTS " + MySqlDialect.quote(old), "drop " + old);
        // One RENAME of both: readers see the old table or the new one, never neither.
        connections.execute(
            "RENAME TABLE "
                + MySqlDialect.quote(table)
                + " TO "
                + MySqlDialect.quote(old)
                + ", "
                + MySqlDialect.quote(shadow)
                + " TO "
                + MySqlDialect.quote(table),
            "swap in the new table");
      } else {
        connections.execute(
            "RENAME TABLE " + MySqlDialect.quote(shadow) + " TO " + MySqlDialect.quote(table),
            "rename the new table");
      }
    }
    // Also after a crash between the RENAME and this DROP: the resumed run finishes the swap.
    connections.execute(
        "DROP TABLE IF EXISTS " + MySqlDialect.quote(old), "drop the old table " + old);
    if (describe(table).isEmpty()) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "connection '"
              + connections.name()
              + "': neither table "
              + table
              + " nor its new copy "
              + shadow
              + " exists any more, so the swap of replace mode has nothing to swap in"
              + "\nRun with --restart to build the table again.");
    }
  }

  @Override
  public String shadowName(String table) {
    return MySqlShadow.shadowName(table);
  }
}
