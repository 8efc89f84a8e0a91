package io.qsync.source.duckdb;

import static java.util.Objects.requireNonNull;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.Messages;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.Sleeper;
import io.qsync.config.DuckDbConnectionConfig;
import io.qsync.config.RetryConfig;
import io.qsync.duckdb.DuckDbLibrary;
import io.qsync.duckdb.DuckDbValues;
import io.qsync.row.Column;
import io.qsync.row.RowSink;
import io.qsync.source.DuckDbFileTable;
import io.qsync.source.QueryDialect;
import io.qsync.source.Source;
import io.qsync.source.SourceResult;
import io.qsync.source.SqlText;
import io.qsync.source.WarehouseState;
import io.qsync.verify.RowChecksums;
import io.qsync.verify.RowShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded DuckDB warehouse: a database file opened read-only (so qsync never changes the
 * warehouse and other readers may share it) unless a sync keeps its {@code diff: snapshot} state
 * there, or an in-memory database built by setup SQL. Not thread-safe.
 */
public final class DuckDbSource implements Source {
  private static final String DESCRIBE = "DESCRIBE ";
  private static final Pattern EXCERPT = Pattern.compile("LINE \\d+: ");
  private final DuckDbConnectionConfig config;
  private final Caller caller;
  private Connection connection;

  /** Whether the warehouse file is opened for writing: only to keep a diff: snapshot state. */
  private boolean writable;

  private final RetryConfig retries;
  private final Sleeper sleeper;

  /** The folder DuckDB spills to, which also holds the materialised result's file. */
  private Path spill;

  public DuckDbSource(DuckDbConnectionConfig config) {
    this(config, Caller.RUN);
  }

  /**
   * @param caller the command that reads the warehouse: what a failure that trying again gets past
   *     says to do
   */
  public DuckDbSource(DuckDbConnectionConfig config, Caller caller) {
    this(config, caller, RetryConfig.NONE, Sleeper.system());
  }

  /**
   * @param retries how long a file another process holds is waited out ({@code retries.max_time}),
   *     as a database connection lost is
   */
  public DuckDbSource(
      DuckDbConnectionConfig config, Caller caller, RetryConfig retries, Sleeper sleeper) {
    this.config = requireNonNull(config, "config is null");
    this.caller = requireNonNull(caller, "caller is null");
    this.retries = requireNonNull(retries, "retries is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
  }

  /** The command that reads the warehouse, for the state's messages. */
  Caller caller() {
    return caller;
  }

  @Override
  public SourceResult query(String query, String runId) {
    String sql = SqlText.DUCKDB.withoutTrailingSemicolons(query);
    List<String> projections = new ArrayList<>();
    List<Column> columns = describeColumns(connection(), sql, projections);
    return handOff(projected(sql, projections), columns);
  }

  @Override
  public Optional<RowChecksums> checksums(String query, RowShape shape) {
    String sql = SqlText.DUCKDB.withoutTrailingSemicolons(query);
    List<String> projections = new ArrayList<>();
    describeColumns(connection(), sql, projections);
    return Optional.of(new DuckDbChecksums(this, projected(sql, projections), shape));
  }

  /** The query with each column cast to what qsync reads it as (see {@link DuckDbTypes}). */
  static String projected(String sql, List<String> projections) {
    return "SELECT " + String.join(", ", projections) + " FROM (" + sql + "\n) AS qsync_query";
  }

  /** The columns of a query, and the projections that {@link #projected} needs. */
  List<Column> describe(String sql, List<String> projections) {
    return describeColumns(connection(), sql, projections);
  }

  /**
   * Materialises a SELECT in a database file of its own and hands it to the stage. The result is
   * materialised in a table first: DuckDB's JDBC driver may end a streamed result silently when the
   * query fails part-way (seen with DuckDB 1.4.4 on one thread), and a mirror run would then delete
   * every row it never read. A table scan cannot fail part-way, and its row count is the progress
   * bar's total. The table is in a file of its own, closed once written, so that the stage can
   * attach it and copy it with SQL: reading it row by row through JDBC and appending it again cost
   * about 8 s of CPU per million rows.
   */
  SourceResult handOff(String select, List<Column> columns) {
    Connection open = connection();
    Path file = resultFile();
    String materialise = "CREATE TABLE " + HANDOFF + "." + RESULT_TABLE + " AS " + select;
    long rows;
    try (Statement statement = open.createStatement()) {
      detachResult(statement);
      deleteResultFile(file);
      // READ_WRITE explicitly: a read-only warehouse would otherwise attach the file read-only.
      statement.execute(
          "ATTACH '" + file.toString().replace("'", "''") + "' AS " + HANDOFF + " (READ_WRITE)");
    } catch (SQLException e) {
      throw resultFileFailed("create", file, e);
    }
    // DuckDB closes a statement whose query failed: each step gets its own.
    try (Statement statement = open.createStatement()) {
      statement.execute(materialise);
      try (ResultSet count =
          statement.executeQuery("SELECT count(*) FROM " + HANDOFF + "." + RESULT_TABLE)) {
        count.next();
        rows = count.getLong(1);
      }
    } catch (SQLException e) {
      QsyncException failed = queryFailed(e);
      try (Statement statement = open.createStatement()) {
        detachResult(statement);
        deleteResultFile(file);
      } catch (SQLException | QsyncException cleanup) {
        failed.addSuppressed(cleanup);
      }
      throw failed;
    }
    // Detached, the file is complete and closed: the stage may attach it.
    try (Statement statement = open.createStatement()) {
      detachResult(statement);
    } catch (SQLException e) {
      throw resultFileFailed("close", file, e);
    }
    return new DuckDbResult(open, columns, new DuckDbFileTable(file, RESULT_TABLE, rows));
  }

  /**
   * The state lives in a schema of the warehouse itself, which qsync then opens for writing (and so
   * holds DuckDB's lock on the file while it runs). An in-memory warehouse keeps it only while the
   * process lives: every run then compares in full.
   */
  @Override
  public Optional<WarehouseState> state(String dataset) {
    if (!writable) {
      writable = true;
      close(); // reopened for writing on next use
    }
    return Optional.of(new DuckDbState(this, config.name(), dataset));
  }

  /** The open warehouse connection, for the state's statements. */
  Connection open() {
    return connection();
  }

  @Override
  public QueryDialect dialect() {
    return QueryDialect.DUCKDB;
  }

  @Override
  public List<Column> describe(String query) {
    return describeColumns(
        connection(), SqlText.DUCKDB.withoutTrailingSemicolons(query), new ArrayList<>());
  }

  private List<Column> describeColumns(Connection open, String sql, List<String> projections) {
    List<Column> columns = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    try (Statement statement = open.createStatement();
        ResultSet described = statement.executeQuery(DESCRIBE + sql)) {
      while (described.next()) {
        String name = described.getString("column_name");
        if (!seen.add(name.toLowerCase(Locale.ROOT))) {
          throw new QsyncException(
              ErrorKind.NEEDS_ACTION,
              "the query returns a column named '"
                  + name
                  + "' more than once\n"
                  + "Give each result column its own name with AS.");
        }
        DuckDbTypes.Mapping mapping = DuckDbTypes.map(name, described.getString("column_type"));
        columns.add(new Column(name, mapping.type()));
        projections.add(
            String.format(Locale.ROOT, mapping.projection(), quote(name)) + " AS " + quote(name));
      }
    } catch (SQLException e) {
      throw queryFailed(e, DESCRIBE);
    }
    return columns;
  }

  QsyncException queryFailed(SQLException e) {
    return queryFailed(e, "");
  }

  /**
   * The query's error as DuckDB words it, with its "LINE 1:" excerpt showing the user's query
   * rather than qsync's {@code wrapper} around it, the caret moved with it.
   */
  private QsyncException queryFailed(SQLException e, String wrapper) {
    String message = String.valueOf(e.getMessage());
    if (spillFolderFull(message)) {
      // no fault of the query: its spill folder (qsync's temporary folder) is full, and space may
      // be freed
      return failure(
          ErrorKind.FAILED,
          "could not write its spill files running the query",
          message,
          CHECK_TEMPORARY_FOLDER + caller.again(),
          e);
    }
    if (message.contains("Out of Memory Error")) {
      // the query is right; DuckDB's memory_limit (or the machine) is too small for it
      return failure(
          ErrorKind.NEEDS_ACTION,
          "ran out of memory running the query",
          message,
          "Raise DuckDB's memory_limit in the connection's setup (SET memory_limit = '8GB'), or"
              + " give the machine more memory.",
          e);
    }
    return failure(
        ErrorKind.NEEDS_ACTION,
        "rejected the query",
        withoutWrapper(message, wrapper),
        "Fix the sync's query (try it in the duckdb shell).",
        e);
  }

  /**
   * The result's own file, in qsync's temporary folder, could not be {@code what} (created, closed,
   * read): no fault of the query; trying again may get past a full disk that was freed meanwhile.
   */
  private QsyncException resultFileFailed(String what, Path file, SQLException e) {
    return failure(
        ErrorKind.FAILED,
        "could not " + what + " the query result's file " + file,
        e.getMessage(),
        CHECK_TEMPORARY_FOLDER + caller.again(),
        e);
  }

  /** DuckDB's error excerpt ({@code LINE 1: <sql>} and a caret line) without {@code wrapper}. */
  static String withoutWrapper(String message, String wrapper) {
    if (wrapper.isEmpty()) {
      return message;
    }
    String[] lines = message.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher excerpt = EXCERPT.matcher(lines[i]);
      if (!excerpt.lookingAt() || !lines[i].startsWith(wrapper, excerpt.end())) {
        continue;
      }
      lines[i] =
          lines[i].substring(0, excerpt.end())
              + lines[i].substring(excerpt.end() + wrapper.length());
      if (i + 1 < lines.length
          && lines[i + 1].strip().equals("^")
          && lines[i + 1].indexOf('^') >= excerpt.end() + wrapper.length()) {
        lines[i + 1] = lines[i + 1].substring(wrapper.length());
      }
    }
    return String.join("\n", lines);
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
            "DuckDB connection '"
                + config.name()
                + "': no database file at "
                + path
                + "\nCheck the connection's path (relative paths start at the config file's folder).");
      }
      url += path;
      if (!writable) {
        properties.setProperty("duckdb.read_only", "true");
      }
    }
    // Stream results instead of materialising them, so memory stays bounded by a chunk.
    properties.setProperty("jdbc_stream_results", "true");
    try {
      DuckDbLibrary.load();
      connection = openWaitingOutAHolder(url, properties);
      try (Statement statement = connection.createStatement()) {
        // A read-only warehouse's own folder may not be writable; spill elsewhere: in the
        // temporary folder java.io.tmpdir names now (qsync's own, see DuckDbLibrary).
        spill =
            Files.createTempDirectory(
                Path.of(System.getProperty("java.io.tmpdir")), "qsync-duckdb-source");
        spill.toFile().deleteOnExit();
        statement.execute("SET temp_directory = '" + spill.toString().replace("'", "''") + "'");
      }
    } catch (SQLException e) {
      throw openFailed(e);
    } catch (java.io.IOException e) {
      throw failure(
          ErrorKind.FAILED,
          "could not make its temporary folder",
          e.getMessage(),
          CHECK_TEMPORARY_FOLDER + caller.again(),
          e);
    }
    for (String setup : config.setup()) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(setup);
      } catch (SQLException e) {
        throw failure(
            ErrorKind.NEEDS_ACTION,
            "could not run a setup statement",
            e.getMessage(),
            "Fix the connection's setup SQL.",
            e);
      }
    }
    return connection;
  }

  /**
   * DuckDB could not spill to qsync's temporary folder: the disk is full, or the spill reached
   * DuckDB's {@code max_temp_directory_size} (by default 90 % of that disk's free space). Any other
   * "IO Error" is the query's own (a file it reads that is missing), for the user to fix.
   */
  private boolean spillFolderFull(String message) {
    return message.contains("No space left on device")
        || message.contains("max_temp_directory_size")
        || message.contains("failed to offload")
        || (message.contains("IO Error") && spill != null && message.contains(spill.toString()));
  }

  /**
   * Opens the warehouse, waiting while another process holds DuckDB's lock on the file (a build
   * writing it, say), with growing pauses, for up to {@code retries.max_time}.
   */
  private Connection openWaitingOutAHolder(String url, Properties properties) throws SQLException {
    Instant firstRefusal = null;
    Duration backoff = RetryConfig.FIRST_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      try {
        return DriverManager.getConnection(url, properties);
      } catch (SQLException e) {
        Instant now = Instant.now();
        firstRefusal = firstRefusal == null ? now : firstRefusal;
        Duration left =
            caller.retryLimit(retries.maxTime()).minus(Duration.between(firstRefusal, now));
        if (!held(e)) {
          throw e;
        }
        if (attempt >= retries.maxAttempts() || left.isNegative() || left.isZero()) {
          throw failure(
              ErrorKind.FAILED,
              "could not be opened",
              String.valueOf(e.getMessage()),
              (heldByAnotherProcess(e) ? "Another process" : ANOTHER_SYNC)
                  + " held the file through "
                  + Plural.of(attempt, "try")
                  + " over "
                  + Messages.duration(Duration.between(firstRefusal, now))
                  + " (retries.max_time and max_attempts); wait for it to let go. "
                  + caller.again(),
              e);
        }
        try {
          sleeper.sleep(backoff.compareTo(left) < 0 ? backoff : left);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw failure(
              ErrorKind.INTERRUPTED,
              "was not opened",
              "interrupted while another process held the file",
              caller.again(),
              interrupted);
        }
        backoff = backoff.multipliedBy(2);
        backoff = backoff.compareTo(retries.maxBackoff()) < 0 ? backoff : retries.maxBackoff();
      }
    }
  }

  private static boolean heldByAnotherProcess(SQLException e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("Could not set lock") || message.contains("Conflicting lock");
  }

  /**
   * The file is held, by another process or (one DuckDB instance per file and process) by another
   * sync of this one, {@code qsync serve}'s, that opened it in the other mode: a {@code diff:
   * snapshot} sync keeps its state there and opens it for writing while its run lasts.
   */
  private static boolean held(SQLException e) {
    return heldByAnotherProcess(e)
        || String.valueOf(e.getMessage())
            .contains("same database file with a different configuration");
  }

  private static final String ANOTHER_SYNC =
      "Another sync of this process (a diff: snapshot sync keeps its state in the file and opens it"
          + " for writing)";

  /**
   * The warehouse file would not open. Another process that holds DuckDB's lock on it lets go in
   * time, as does another sync of this process that opened it in the other mode: trying again gets
   * past it. Anything else (not a DuckDB file, one of a newer DuckDB, a file qsync may not read)
   * stays until someone acts.
   */
  private QsyncException openFailed(SQLException e) {
    String message = String.valueOf(e.getMessage());
    return failure(
        ErrorKind.NEEDS_ACTION,
        "could not be opened",
        message,
        "Check that the connection's path is a DuckDB database file, of a DuckDB no newer than"
            + " qsync's, that qsync may read.",
        e);
  }

  private static final String CHECK_TEMPORARY_FOLDER =
      "Check the temporary folder's permissions and free space. ";

  /**
   * A failure of this connection: {@code DuckDB connection 'NAME' WHAT: DETAIL}, then the remedy.
   */
  private QsyncException failure(
      ErrorKind kind, String what, String detail, String remedy, Exception cause) {
    return new QsyncException(
        kind,
        "DuckDB connection '" + config.name() + "' " + what + ": " + detail + "\n" + remedy,
        cause);
  }

  private static final String HANDOFF = "qsync_handoff";
  private static final String RESULT_TABLE = "qsync_result";

  private Path resultFile() {
    return spill.resolve("result.duckdb");
  }

  private static void detachResult(Statement statement) throws SQLException {
    statement.execute("DETACH DATABASE IF EXISTS " + HANDOFF);
  }

  private static void deleteResultFile(Path file) {
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".wal"));
    } catch (java.io.IOException e) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "cannot delete the DuckDB result file "
              + file
              + ": "
              + e.getMessage()
              + "\nCheck the temporary folder's permissions and free space.",
          e);
    }
  }

  static String quote(String identifier) {
    return DuckDbValues.quote(identifier);
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
    if (spill != null) {
      deleteFolder(spill); // deleteOnExit cannot remove a folder that still holds files
      spill = null;
    }
  }

  /** Deletes the connection's own temporary folder; what cannot be deleted stays, harmlessly. */
  private static void deleteFolder(Path folder) {
    try (java.util.stream.Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      // A folder in the temporary directory; the system's own clean-up removes what is left.
    }
  }

  /** One query's result, materialised in the table {@code qsync_result} of a file of its own. */
  private final class DuckDbResult implements SourceResult {
    private final Connection connection;
    private final List<Column> columns;
    private final DuckDbFileTable table;
    private final long rows;

    DuckDbResult(Connection connection, List<Column> columns, DuckDbFileTable table) {
      this.connection = connection;
      this.columns = List.copyOf(columns);
      this.table = table;
      this.rows = table.rows();
    }

    @Override
    public Optional<DuckDbFileTable> duckDbFile() {
      return Optional.of(table);
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
      String sql =
          "SELECT * FROM "
              + HANDOFF
              + "."
              + RESULT_TABLE
              + (fromRow == 0 ? "" : " OFFSET " + fromRow);
      long read = fromRow;
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "ATTACH IF NOT EXISTS '"
                + table.file().toString().replace("'", "''")
                + "' AS "
                + HANDOFF
                + " (READ_ONLY)");
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
        throw resultFileFailed("read", table.file(), e);
      }
      if (read != rows) {
        throw new QsyncException(
            ErrorKind.FAILED,
            "DuckDB connection '"
                + config.name()
                + "': read "
                + Plural.of(read, "row")
                + " of a result of "
                + rows
                + "\n"
                + caller.again()
                + " If it repeats, report it as a bug.");
      }
    }

    @Override
    public void close() {
      try (Statement statement = connection.createStatement()) {
        detachResult(statement);
      } catch (SQLException e) {
        // Detached with the connection anyway; deleting the file below reports real trouble.
      }
      deleteResultFile(table.file());
    }
  }
}
