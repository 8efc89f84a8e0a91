package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import io.qsync.destination.TableReader;
import io.qsync.row.Column;
import io.qsync.row.RowSink;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
      String table, List<Column> columns, int chunkRows, Runnable between, RowSink sink) {
    streamInChunks(
        table,
        selected(columns),
        columns,
        false,
        chunkRows,
        between,
        sink,
        "read the rows of table " + table);
  }

  /**
   * Streams {@code SELECT selected FROM table} as {@link #stream(String, List, boolean, RowSink,
   * String)} does ({@code selected} reads {@code columns}, then a row's hash when {@code hashed}),
   * in chunks of at most {@code chunkRows} rows in the order of the key the rows are stored by
   * ({@link #clusteredKey}), calling {@code between} after each chunk but the last, as {@link
   * #readRowsInChunks} promises; in one read, calling nothing, when that key cannot be sought. The
   * rows are those of the one read.
   */
  void streamInChunks(
      String table,
      String selected,
      List<Column> columns,
      boolean hashed,
      int chunkRows,
      Runnable between,
      RowSink sink,
      String action) {
    List<SeekColumn> order = clusteredKey(table);
    if (order.isEmpty()) {
      stream(
          "SELECT " + selected + " FROM " + MySqlDialect.quote(table),
          columns,
          hashed,
          sink,
          action);
      return;
    }
    // The key's columns follow the selected ones, read as the table holds them: the next chunk
    // seeks from the last row's, bound as the column's own type; the sink gets the selected only.
    StringJoiner keyList = new StringJoiner(", ");
    order.forEach(column -> keyList.add(MySqlDialect.quote(column.name())));
    String from = "SELECT " + selected + ", " + keyList + " FROM " + MySqlDialect.quote(table);
    String orderBy = " ORDER BY " + keyList + " LIMIT " + chunkRows;
    String next = from + " WHERE " + after(order) + orderBy;
    Object[] seek = new Object[order.size()];
    long read =
        stream(
            from + orderBy,
            statement -> {},
            rows -> read(rows, columns, hashed, order, seek, sink),
            action);
    while (read == chunkRows) {
      between.run();
      read =
          stream(
              next,
              statement -> {
                int parameter = 1;
                // (k1 > ?) OR (k1 = ? AND k2 > ?) OR ...: each term binds the key's first i columns
                for (int term = 0; term < order.size(); term++) {
                  for (int k = 0; k <= term; k++) {
                    order.get(k).kind().bind(statement, parameter++, seek[k]);
                  }
                }
              },
              rows -> read(rows, columns, hashed, order, seek, sink),
              action);
    }
  }

  /** How a primary-key column's values are read back and bound again, exactly as it holds them. */
  private enum Seek {
    /** Every integer type but BIGINT UNSIGNED: a long holds each value. */
    LONG {
      @Override
      Object read(ResultSet rows, int index) throws SQLException {
        return rows.getLong(index);
      }

      @Override
      void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        statement.setLong(index, (Long) value);
      }
    },
    /** BIGINT UNSIGNED: up to 2^64 - 1, beyond a long. */
    UNSIGNED_BIGINT {
      @Override
      Object read(ResultSet rows, int index) throws SQLException {
        return rows.getBigDecimal(index);
      }

      @Override
      void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        statement.setBigDecimal(index, (BigDecimal) value);
      }
    },
    /** CHAR and VARCHAR: a string, compared in the column's collation, as ORDER BY sorts. */
    TEXT {
      @Override
      Object read(ResultSet rows, int index) throws SQLException {
        return rows.getString(index);
      }

      @Override
      void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        statement.setString(index, (String) value);
      }
    };

    abstract Object read(ResultSet rows, int index) throws SQLException;

    abstract void bind(PreparedStatement statement, int index, Object value) throws SQLException;

    /** The seek for a column of this data type and column type; empty when it has none. */
    static Optional<Seek> of(String dataType, String columnType) {
      return switch (dataType) {
        case "tinyint", "smallint", "mediumint", "int" -> Optional.of(LONG);
        case "bigint" -> Optional.of(columnType.contains("unsigned") ? UNSIGNED_BIGINT : LONG);
        case "char", "varchar" -> Optional.of(TEXT);
        default -> Optional.empty();
      };
    }
  }

  /** A column of the key the table's rows are stored by, and its place in that key (from 1). */
  private record SeekColumn(String name, Seek kind, int position) {}

  /**
   * The key InnoDB stores the table's rows in: its primary key, or, without one, the first UNIQUE
   * index whose columns are all NOT NULL (which InnoDB then clusters the rows by); usable when each
   * of its columns is whole (no prefix) and an integer or a CHAR or VARCHAR column: there the
   * values read back bind exactly, and {@code >} compares as {@code ORDER BY} sorts (an ENUM sorts
   * by its number but compares with a string as text). Empty otherwise, and for a table with no
   * such key: the table is read in one go. The key need not be the sync's: a Django table's {@code
   * id}, which the query does not fill, orders the chunks as well as InnoDB stores the rows.
   */
  private List<SeekColumn> clusteredKey(String table) {
    // SHOW INDEX lists the indexes in the table's key order (the primary key first, then the unique
    // ones of NOT NULL columns, the order InnoDB weighs them in), each in its own column order.
    Map<String, List<SeekColumn>> indexes = new LinkedHashMap<>();
    Set<String> nullable = new HashSet<>();
    Set<String> unsought = new HashSet<>();
    Map<String, Optional<Seek>> seeks = columnSeeks(table);
    try (Statement statement = connections.connection().createStatement();
        ResultSet rows = statement.executeQuery("SHOW INDEX FROM " + MySqlDialect.quote(table))) {
      while (rows.next()) {
        if (rows.getInt("Non_unique") != 0) {
          continue;
        }
        String index = rows.getString("Key_name");
        // a functional key part (MySQL 8) names no column: the index cannot be sought
        String name = rows.getString("Column_name");
        rows.getLong("Sub_part");
        boolean prefix = !rows.wasNull();
        List<SeekColumn> columns = indexes.computeIfAbsent(index, ignored -> new ArrayList<>());
        if ("YES".equalsIgnoreCase(rows.getString("Null"))) {
          nullable.add(index);
        }
        Optional<Seek> seek =
            name == null
                ? Optional.empty()
                : seeks.getOrDefault(name.toLowerCase(Locale.ROOT), Optional.empty());
        if (prefix || seek.isEmpty()) {
          unsought.add(index);
        } else {
          columns.add(new SeekColumn(name, seek.get(), rows.getInt("Seq_in_index")));
        }
      }
    } catch (SQLException e) {
      throw connections.failed("read the unique keys of table " + table, e);
    }
    // InnoDB clusters by the primary key, else by the first UNIQUE NOT NULL index: only that one is
    // read in the order the rows are stored, and when it cannot be sought the table is read whole.
    String clustered =
        indexes.containsKey("PRIMARY")
            ? "PRIMARY"
            : indexes.keySet().stream()
                .filter(index -> !nullable.contains(index))
                .findFirst()
                .orElse(null);
    if (clustered == null || unsought.contains(clustered)) {
      return List.of();
    }
    List<SeekColumn> order = new ArrayList<>(indexes.get(clustered));
    order.sort(Comparator.comparingInt(SeekColumn::position));
    return order;
  }

  /** The seek of each of the table's columns (by its lower-case name), empty where it has none. */
  private Map<String, Optional<Seek>> columnSeeks(String table) {
    Map<String, Optional<Seek>> seeks = new HashMap<>();
    try (PreparedStatement statement =
        connections
            .connection()
            .prepareStatement(
                "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE FROM information_schema.COLUMNS"
                    + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          seeks.put(
              rows.getString(1).toLowerCase(Locale.ROOT),
              Seek.of(
                  rows.getString(2).toLowerCase(Locale.ROOT),
                  rows.getString(3).toLowerCase(Locale.ROOT)));
        }
      }
    } catch (SQLException e) {
      throw connections.failed("read the columns of table " + table, e);
    }
    return seeks;
  }

  /** Rows after a key in its order: {@code (k1 > ?) OR (k1 = ? AND k2 > ?) OR ...}. */
  private static String after(List<SeekColumn> order) {
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
    stream(sql, statement -> {}, rows -> read(rows, columns, hashed, sink), action);
  }

  /** Sets a statement's parameters. */
  @FunctionalInterface
  interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  /** Reads a statement's result; returns how many rows it read. */
  @FunctionalInterface
  private interface ResultReader {
    long read(ResultSet rows) throws SQLException;
  }

  /** Runs {@code sql}, its parameters bound, streaming its result to {@code reader}. */
  private long stream(String sql, Binder parameters, ResultReader reader, String action) {
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
        return reader.read(rows);
      }
    } catch (SQLException e) {
      throw connections.failed(action, e);
    }
  }

  private static long read(ResultSet rows, List<Column> columns, boolean hashed, RowSink sink)
      throws SQLException {
    return read(rows, columns, hashed, List.of(), new Object[0], sink);
  }

  /**
   * Reads a result: each row's {@code columns}, and its hash as a {@code Long} (null when the
   * server gave none) when {@code hashed}, go to {@code sink}; the seek key's values that follow
   * them (none when {@code order} is empty), read raw, into {@code seek}, so that it holds the last
   * row's.
   */
  private static long read(
      ResultSet rows,
      List<Column> columns,
      boolean hashed,
      List<SeekColumn> order,
      Object[] seek,
      RowSink sink)
      throws SQLException {
    int width = columns.size();
    int handedOn = hashed ? width + 1 : width;
    MySqlValues.Numbers[] numbers = numbers(rows, width);
    long read = 0;
    while (rows.next()) {
      Object[] row = new Object[handedOn];
      for (int i = 0; i < width; i++) {
        row[i] = MySqlValues.read(rows, i + 1, columns.get(i).type(), numbers[i]);
      }
      if (hashed) {
        long hash = rows.getLong(width + 1);
        row[width] = rows.wasNull() ? null : hash; // none: see TableReader#readKeyHashes
      }
      for (int k = 0; k < seek.length; k++) {
        seek[k] = order.get(k).kind().read(rows, handedOn + 1 + k);
      }
      sink.accept(row);
      read++;
    }
    return read;
  }

  private static MySqlValues.Numbers[] numbers(ResultSet rows, int width) throws SQLException {
    MySqlValues.Numbers[] numbers = new MySqlValues.Numbers[width];
    for (int i = 0; i < width; i++) {
      numbers[i] = MySqlValues.numbers(rows.getMetaData(), i + 1);
    }
    return numbers;
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
