package io.qsync.source.duckdb;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.DuckDbConnectionConfig;
import io.qsync.source.Column;
import io.qsync.source.RowSink;
import io.qsync.source.Source;
import io.qsync.source.SourceResult;
import io.qsync.source.SqlText;
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
  public SourceResult query(String query, String runId) {
    String sql = SqlText.withoutTrailingSemicolons(query);
    Connection open = connection();
    List<String> projections = new ArrayList<>();
    List<Column> columns = describeColumns(open, sql, projections);
    // The result is materialised in a temporary table first: DuckDB's JDBC driver may end a
    // streamed result silently when the query fails part-way (seen with DuckDB 1.4.4 on one
    // thread), and a mirror run would then delete every row it never read. A table scan cannot
    // fail part-way, and its row count is the progress bar's total. Past the memory limit the
    // table spills to the temporary directory.
    String materialise =
        "CREATE OR REPLACE TEMPORARY TABLE qsync_result AS SELECT "
            + String.join(", ", projections) + " FROM (" + sql + "\n) AS qsync_query";
    long rows;
    try (Statement statement = open.createStatement()) {
      statement.execute(materialise);
      try (ResultSet count = statement.executeQuery("SELECT count(*) FROM qsync_result")) {
        count.next();
        rows = count.getLong(1);
      }
    } catch (SQLException e) {
      throw queryFailed(e);
    }
    return new DuckDbResult(open, columns, rows);
  }

  @Override
  public List<Column> describe(String query) {
    return describeColumns(connection(), SqlText.withoutTrailingSemicolons(query), new ArrayList<>());
  }

  private List<Column> describeColumns(Connection open, String sql, List<String> projections) {
    List<Column> columns = new ArrayList<>();
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
    return columns;
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
            ErrorKind.NEEDS_ACTION,
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
        // A read-only warehouse's own folder may not be writable; spill elsewhere.
        Path spill = Files.createTempDirectory("qsync-duckdb-source");
        spill.toFile().deleteOnExit();
        statement.execute("SET temp_directory = '" + spill.toString().replace("'", "''") + "'");
      }
    } catch (SQLException | java.io.IOException e) {
      // Often passing: another process holds the file's write lock, or the disk is busy.
      throw new QsyncException(
          ErrorKind.FAILED,
          "DuckDB connection '" + config.name() + "' could not be opened: " + e.getMessage()
              + "\nIf another process holds the file, wait for it; then run again.",
          e);
    }
    for (String setup : config.setup()) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(setup);
      } catch (SQLException e) {
        throw new QsyncException(
            ErrorKind.NEEDS_ACTION,
            "DuckDB connection '" + config.name() + "': a setup statement failed: " + e.getMessage()
                + "\nFix the connection's setup SQL.",
            e);
      }
    }
    return connection;
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

  /** One query's result, materialised in the temporary table {@code qsync_result}. */
  private final class DuckDbResult implements SourceResult {
    private final Connection connection;
    private final List<Column> columns;
    private final long rows;

    DuckDbResult(Connection connection, List<Column> columns, long rows) {
      this.connection = connection;
      this.columns = List.copyOf(columns);
      this.rows = rows;
    }

    @Override
    public List<Column> columns() {
      return columns;
    }

    @Override
    public OptionalLong totalRows() {
      return OptionalLong.of(rows);
    }

    @Override
    public void read(long fromRow, RowSink sink) {
      String sql = "SELECT * FROM qsync_result" + (fromRow == 0 ? "" : " OFFSET " + fromRow);
      long read = fromRow;
      try (Statement statement = connection.createStatement()) {
        statement.setFetchSize(2048);
        try (ResultSet result = statement.executeQuery(sql)) {
          int width = columns.size();
          while (result.next()) {
            Object[] row = new Object[width];
            for (int i = 0; i < width; i++) {
              row[i] = DuckDbValues.read(result, i + 1, columns.get(i).type());
            }
            sink.accept(row);
            read++;
          }
        }
      } catch (SQLException e) {
        throw queryFailed(e);
      }
      if (read != rows) {
        throw new QsyncException(
            ErrorKind.FAILED,
            "DuckDB connection '" + config.name() + "': read " + read + " rows of a result of "
                + rows + "\nRun again; if it repeats, report it as a bug.");
      }
    }

    @Override
    public void close() {
      try (Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS qsync_result");
      } catch (SQLException e) {
        // The temporary table goes with the connection anyway.
      }
    }
  }
}
