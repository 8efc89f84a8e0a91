package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import io.qsync.destination.TableReader;
import io.qsync.row.Column;
import io.qsync.row.RowSink;
import io.qsync.row.SqlType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/** Reads a MySQL table's rows on the work session, as qsync's values. Not thread-safe. */
final class MySqlTableReader implements TableReader {
  private final MySqlConnections connections;

  MySqlTableReader(MySqlConnections connections) {
    this.connections = requireNonNull(connections, "connections is null");
  }

  @Override
  public long countRows(String table) {
    try (Statement statement = connections.connection().createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT COUNT(*) FROM " + MySqlDialect.quote(table))) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw connections.failed("count the rows of " + table, e);
    }
  }

  @Override
  public void readRows(String table, List<Column> columns, RowSink sink) {
    stream(
        "SELECT " + selected(columns) + " FROM " + MySqlDialect.quote(table),
        columns,
        false,
        sink,
        "read the rows of table " + table);
  }

  @Override
  public void readRowsInChunks(
      String table,
      List<Column> columns,
      List<String> key,
      int chunkRows,
      Runnable between,
      RowSink sink) {
    List<Column> order = soughtKey(table, columns, key);
    if (order.isEmpty()) {
      readRows(table, columns, sink);
      return;
    }
    int[] at = order.stream().mapToInt(columns::indexOf).toArray();
    StringJoiner orderBy = new StringJoiner(", ", " ORDER BY ", " LIMIT " + chunkRows);
    order.forEach(column -> orderBy.add(MySqlDialect.quote(column.name())));
    String from = "SELECT " + selected(columns) + " FROM " + MySqlDialect.quote(table);
    String next = from + " WHERE " + after(order) + orderBy;
    String action = "read the rows of table " + table;
    Object[][] last = {null};
    long[] read = {0};
    RowSink chunk =
        row -> {
          read[0]++;
          last[0] = row;
          sink.accept(row);
        };
    stream(from + orderBy, columns, false, statement -> {}, chunk, action);
    while (read[0] == chunkRows) {
      between.run();
      Object[] seek = last[0];
      read[0] = 0;
      stream(
          next,
          columns,
          false,
          statement -> {
            int parameter = 1;
            // (k1 > ?) OR (k1 = ? AND k2 > ?) OR ...: each term binds the key's first i columns
            for (int term = 0; term < at.length; term++) {
              for (int k = 0; k <= term; k++) {
                MySqlValues.bind(statement, parameter++, seek[at[k]], order.get(k).type());
              }
            }
          },
          chunk,
          action);
    }
  }

  /** Integer kinds of the query's columns: sought in a key of the table's integer types. */
  private static final Set<SqlType.Kind> INTEGERS =
      EnumSet.of(
          SqlType.Kind.TINYINT,
          SqlType.Kind.SMALLINT,
          SqlType.Kind.INTEGER,
          SqlType.Kind.BIGINT,
          SqlType.Kind.UTINYINT,
          SqlType.Kind.USMALLINT,
          SqlType.Kind.UINTEGER,
          SqlType.Kind.UBIGINT);

  private static final Set<String> INTEGER_TYPES =
      Set.of("tinyint", "smallint", "mediumint", "int", "bigint");

  /** Text kinds of the query's columns: sought in a key of the table's CHAR or VARCHAR. */
  private static final Set<SqlType.Kind> TEXTS =
      EnumSet.of(SqlType.Kind.VARCHAR, SqlType.Kind.UUID);

  private static final Set<String> TEXT_TYPES = Set.of("char", "varchar");

  /**
   * The key's columns in the order of the table's primary key, when {@code key} is that key (whole
   * columns, no prefix) and each pairs an integer kind with an integer column or a text kind with a
   * CHAR or VARCHAR one: there the values read back bind exactly, and {@code >} compares as {@code
   * ORDER BY} sorts (an ENUM sorts by its number but compares with a string as text; a number
   * compares with a VARCHAR as a number). Empty otherwise: the table is read in one go.
   */
  private List<Column> soughtKey(String table, List<Column> columns, List<String> key) {
    List<Column> order = new ArrayList<>();
    try (PreparedStatement statement =
        connections
            .connection()
            .prepareStatement(
                "SELECT s.COLUMN_NAME, s.SUB_PART, c.DATA_TYPE"
                    + " FROM information_schema.STATISTICS s JOIN information_schema.COLUMNS c"
                    + " ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME"
                    + " AND c.COLUMN_NAME = s.COLUMN_NAME"
                    + " WHERE s.TABLE_SCHEMA = DATABASE() AND s.TABLE_NAME = ?"
                    + " AND s.INDEX_NAME = 'PRIMARY' ORDER BY s.SEQ_IN_INDEX")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          String name = rows.getString(1);
          rows.getLong(2);
          boolean prefix = !rows.wasNull();
          String type = rows.getString(3).toLowerCase(Locale.ROOT);
          Optional<Column> column =
              key.stream().anyMatch(name::equalsIgnoreCase)
                  ? columns.stream().filter(c -> c.name().equalsIgnoreCase(name)).findFirst()
                  : Optional.empty();
          SqlType.Kind kind = column.map(c -> c.type().kind()).orElse(null);
          boolean sought =
              (INTEGERS.contains(kind) && INTEGER_TYPES.contains(type))
                  || (TEXTS.contains(kind) && TEXT_TYPES.contains(type));
          if (prefix || !sought) {
            return List.of();
          }
          order.add(column.get());
        }
      }
    } catch (SQLException e) {
      throw connections.failed("read the primary key of table " + table, e);
    }
    return order.size() == key.size() ? order : List.of();
  }

  /** Rows after a key in its order: {@code (k1 > ?) OR (k1 = ? AND k2 > ?) OR ...}. */
  private static String after(List<Column> order) {
    StringJoiner terms = new StringJoiner(" OR ");
    for (int term = 0; term < order.size(); term++) {
      StringJoiner parts = new StringJoiner(" AND ", "(", ")");
      for (int k = 0; k < term; k++) {
        parts.add(MySqlDialect.quote(order.get(k).name()) + " = ?");
      }
      parts.add(MySqlDialect.quote(order.get(term).name()) + " > ?");
      terms.add(parts.toString());
    }
    return terms.toString();
  }

  @Override
  public void readRows(
      String table, List<Column> columns, List<String> key, List<Object[]> keys, RowSink sink) {
    if (keys.isEmpty()) {
      return;
    }
    List<Column> keyColumns = key.stream().map(name -> column(columns, name)).toList();
    // The key columns are NOT NULL (the schema check requires it): an IN list finds every key.
    StringJoiner keyList =
        new StringJoiner(", ", key.size() == 1 ? "" : "(", key.size() == 1 ? "" : ")");
    key.forEach(name -> keyList.add(MySqlDialect.quote(name)));
    String one =
        key.size() == 1 ? "?" : "(" + String.join(", ", Collections.nCopies(key.size(), "?")) + ")";
    StringJoiner marks = new StringJoiner(", ", "(", ")");
    keys.forEach(values -> marks.add(one));
    String sql =
        "SELECT "
            + selected(columns)
            + " FROM "
            + MySqlDialect.quote(table)
            + " WHERE "
            + keyList
            + " IN "
            + marks;
    try (PreparedStatement statement = connections.connection().prepareStatement(sql)) {
      int parameter = 1;
      for (Object[] values : keys) {
        for (int k = 0; k < keyColumns.size(); k++) {
          MySqlValues.bind(statement, parameter++, values[k], keyColumns.get(k).type());
        }
      }
      try (ResultSet rows = statement.executeQuery()) {
        read(rows, columns, false, sink);
      }
    } catch (SQLException e) {
      throw connections.failed("read the differing rows of table " + table, e);
    }
  }

  /**
   * Streams the rows of {@code sql} as qsync's values of {@code columns}, followed, when {@code
   * hashed}, by one more column as a {@code Long}: a row's hash.
   */
  void stream(String sql, List<Column> columns, boolean hashed, RowSink sink, String action) {
    stream(sql, columns, hashed, statement -> {}, sink, action);
  }

  /** Sets a statement's parameters. */
  @FunctionalInterface
  interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  /** As {@link #stream(String, List, boolean, RowSink, String)}, {@code sql}'s parameters bound. */
  private void stream(
      String sql,
      List<Column> columns,
      boolean hashed,
      Binder parameters,
      RowSink sink,
      String action) {
    // The binary protocol (a server-side prepared statement) sends numbers as numbers: the text
    // protocol made the driver and MySqlValues parse every DOUBLE and integer from text.
    try (PreparedStatement statement =
        connections
            .connection()
            .unwrap(org.mariadb.jdbc.Connection.class)
            .prepareInternal(
                sql,
                Statement.NO_GENERATED_KEYS,
                ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY,
                true)) {
      // A positive fetch size makes Connector/J stream rows instead of buffering the table.
      statement.setFetchSize(4096);
      parameters.bind(statement);
      try (ResultSet rows = statement.executeQuery()) {
        read(rows, columns, hashed, sink);
      }
    } catch (SQLException e) {
      throw connections.failed(action, e);
    }
  }

  private static void read(ResultSet rows, List<Column> columns, boolean hashed, RowSink sink)
      throws SQLException {
    int width = columns.size();
    MySqlValues.Numbers[] numbers = new MySqlValues.Numbers[width];
    for (int i = 0; i < width; i++) {
      numbers[i] = MySqlValues.numbers(rows.getMetaData(), i + 1);
    }
    while (rows.next()) {
      Object[] row = new Object[hashed ? width + 1 : width];
      for (int i = 0; i < width; i++) {
        row[i] = MySqlValues.read(rows, i + 1, columns.get(i).type(), numbers[i]);
      }
      if (hashed) {
        row[width] = rows.getLong(width + 1);
      }
      sink.accept(row);
    }
  }

  /** The columns as qsync reads them, for a SELECT list. */
  static String selected(List<Column> columns) {
    StringJoiner names = new StringJoiner(", ");
    columns.forEach(
        column ->
            names.add(
                MySqlValues.selectExpression(MySqlDialect.quote(column.name()), column.type())));
    return names.toString();
  }

  private static Column column(List<Column> columns, String name) {
    return columns.stream()
        .filter(c -> c.name().equalsIgnoreCase(name))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("key column " + name + " not among the columns"));
  }

  @Override
  public Optional<Object[]> findRow(
      String table, List<Column> columns, List<String> key, List<Object> keyValues) {
    String names = selected(columns);
    StringJoiner where = new StringJoiner(" AND ");
    key.forEach(name -> where.add(MySqlDialect.quote(name) + " = ?"));
    try (PreparedStatement statement =
        connections
            .connection()
            .prepareStatement(
                "SELECT "
                    + names
                    + " FROM "
                    + MySqlDialect.quote(table)
                    + " WHERE "
                    + where
                    + " LIMIT 1")) {
      for (int k = 0; k < key.size(); k++) {
        MySqlValues.bind(statement, k + 1, keyValues.get(k), column(columns, key.get(k)).type());
      }
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
          row[i] =
              MySqlValues.read(
                  rows,
                  i + 1,
                  columns.get(i).type(),
                  MySqlValues.numbers(rows.getMetaData(), i + 1));
        }
        return Optional.of(row);
      }
    } catch (SQLException e) {
      throw connections.failed("read a row of table " + table, e);
    }
  }
}
