package io.qsync.source.duckdb;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.DuckDbConnectionConfig;
import io.qsync.source.Column;
import io.qsync.source.RowSink;
import io.qsync.source.Source;
import io.qsync.source.SourceResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;

/**
 * The embedded DuckDB warehouse: a database file opened read-only (so qsync never changes the
 * warehouse and other readers may share it), or an in-memory database built by setup SQL. Not
 * thread-safe.
 */
public final class DuckDbSource implements Source {
  private final DuckDbConnectionConfig config;
  private Connection connection;

  public DuckDbSource(DuckDbConnectionConfig config) {
    this.config = requireNonNull(config, "config is null");
  }

  @Override
  public SourceResult query(String sql, String runId) {
    Connection open = connection();
    List<Column> columns = new ArrayList<>();
    List<String> projections = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    try (Statement statement = open.createStatement();
        ResultSet described = statement.executeQuery("DESCRIBE " + sql)) {
      while (described.next()) {
        String name = described.getString("column_name");
        if (!seen.add(name.toLowerCase(Locale.ROOT))) {
          throw new QsyncException(
              ErrorKind.NEEDS_ACTION,
              "the query returns a column named '" + name + "' more than once\n"
                  + "Give each result column its own name with AS.");
        }
        DuckDbTypes.Mapping mapping = DuckDbTypes.map(name, described.getString("column_type"));
        columns.add(new Column(name, mapping.type()));
        projections.add(mapping.projection().formatted(quote(name)) + " AS " + quote(name));
      }
    } catch (SQLException e) {
      throw queryFailed(e);
    }
    String projected =
        "SELECT " + String.join(", ", projections) + " FROM (" + sql + "\n) AS qsync_query";
    return new DuckDbResult(open, projected, columns);
  }

  private QsyncException queryFailed(SQLException e) {
    return new QsyncException(
        ErrorKind.NEEDS_ACTION,
        "DuckDB connection '" + config.name() + "' rejected the query: " + e.getMessage()
            + "\nFix the sync's query (try it in the duckdb shell) and run again.",
        e);
  }

  private Connection connection() {
    if (connection != null) {
      return connection;
    }
    Properties properties = new Properties();
    String url = "jdbc:duckdb:";
    if (config.path().isPresent()) {
      Path path = config.path().get();
      if (!Files.isRegularFile(path)) {
        throw new QsyncException(
            ErrorKind.FAILED,
            "DuckDB connection '" + config.name() + "': no database file at " + path
                + "\nCheck the connection's path (relative paths start at the config file's folder).");
      }
      url += path;
      properties.setProperty("duckdb.read_only", "true");
    }
    // Stream results instead of materialising them, so memory stays bounded by a chunk.
    properties.setProperty("jdbc_stream_results", "true");
    try {
      connection = DriverManager.getConnection(url, properties);
      try (Statement statement = connection.createStatement()) {
        for (String setup : config.setup()) {
          statement.execute(setup);
        }
      }
      return connection;
    } catch (SQLException e) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "DuckDB connection '" + config.name() + "' could not be opened: " + e.getMessage()
              + "\nCheck its path and setup statements.",
          e);
    }
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // Closing a read-only embedded database loses nothing; the next open reports problems.
      }
      connection = null;
    }
  }

  /** One query's result, read by a streaming cursor. */
  private final class DuckDbResult implements SourceResult {
    private final Connection connection;
    private final String sql;
    private final List<Column> columns;

    DuckDbResult(Connection connection, String sql, List<Column> columns) {
      this.connection = connection;
      this.sql = sql;
      this.columns = List.copyOf(columns);
    }

    @Override
    public List<Column> columns() {
      return columns;
    }

    @Override
    public OptionalLong totalRows() {
      return OptionalLong.empty();
    }

    @Override
    public void read(long fromRow, RowSink sink) {
      String paged = fromRow == 0 ? sql : sql + " OFFSET " + fromRow;
      try (Statement statement = connection.createStatement()) {
        statement.setFetchSize(2048);
        try (ResultSet rows = statement.executeQuery(paged)) {
          int width = columns.size();
          while (rows.next()) {
            Object[] row = new Object[width];
            for (int i = 0; i < width; i++) {
              row[i] = DuckDbValues.read(rows, i + 1, columns.get(i).type());
            }
            sink.accept(row);
          }
        }
      } catch (SQLException e) {
        throw queryFailed(e);
      }
    }

    @Override
    public void close() {}
  }
}
