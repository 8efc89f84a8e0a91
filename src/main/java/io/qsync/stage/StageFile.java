package io.qsync.stage;

import static java.util.Objects.requireNonNull;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.Messages;
import io.qsync.QsyncException;
import io.qsync.diff.ChangeCounts;
import io.qsync.duckdb.DuckDbLibrary;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.duckdb.DuckDBConnection;

/**
 * The stage's DuckDB file and its one session: opening and deleting it, the run it holds ({@code
 * qsync_meta}, {@code qsync_columns}) and the statements the other parts of the stage run in it.
 * The run's columns are read once and kept: they change only when a new run {@link #begin}s. Not
 * thread-safe: one run uses one stage.
 */
final class StageFile implements AutoCloseable {
  private static final String MEMORY_LIMIT = "512MB";

  private final Path file;
  private final DuckDBConnection connection;
  private final Caller caller;
  private StageSql sql;

  /** Whether {@code src} is a view of a query result's file attached in place. */
  private boolean readsInPlace;

  private StageFile(Path file, DuckDBConnection connection, Caller caller) {
    this.file = file;
    this.connection = connection;
    this.caller = caller;
  }

  /**
   * Opens the stage file of {@code caller} (a run, or a plan), creating it and its folder when
   * absent.
   */
  static StageFile open(Path file, Caller caller) {
    requireNonNull(file, "file is null");
    requireNonNull(caller, "caller is null");
    try {
      Path folder = file.toAbsolutePath().getParent();
      Path spill = folder.resolve(file.getFileName() + ".tmp");
      Files.createDirectories(spill);
      Properties properties = new Properties();
      properties.setProperty("jdbc_stream_results", "true");
      DuckDbLibrary.load();
      DuckDBConnection connection =
          (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file, properties);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET memory_limit = '" + MEMORY_LIMIT + "'");
        statement.execute("SET temp_directory = '" + spill.toString().replace("'", "''") + "'");
        statement.execute("SET preserve_insertion_order = false"); // keepInsertionOrder
      }
      return new StageFile(file, connection, caller);
    } catch (IOException | SQLException e) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "cannot open the stage file "
              + file
              + ": "
              + e.getMessage()
              + (String.valueOf(e.getMessage()).contains("Could not set lock")
                  ? "\nAnother process holds the file (a duckdb shell?): wait for it to let go. "
                      + caller.again()
                  : "\nCheck that its folder (stage_dir) is writable and has free space."),
          e);
    }
  }

  /** Where a DuckDB database file says so: "DUCK" after the header's 8-byte checksum. */
  private static final byte[] MAGIC = "DUCK".getBytes(StandardCharsets.US_ASCII);

  private static final int MAGIC_OFFSET = 8;

  /**
   * Why the stage file that {@link #open} failed on is damaged (not a DuckDB database, one of a
   * storage version this DuckDB does not read, or one DuckDB finds corrupt), so that the change set
   * it held is lost; empty when the failure is of another kind (a DuckDB lock another process
   * holds, a full disk, an I/O error), which may pass and leaves the file as it was.
   */
  static Optional<String> damage(Path file, QsyncException failure) {
    byte[] head = new byte[MAGIC_OFFSET + MAGIC.length];
    int read;
    try (InputStream in = Files.newInputStream(file)) {
      read = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (read < head.length
        || !Arrays.equals(head, MAGIC_OFFSET, head.length, MAGIC, 0, MAGIC.length)) {
      return Optional.of("is not a DuckDB database");
    }
    String message =
        String.valueOf(failure.getCause() != null ? failure.getCause().getMessage() : "");
    if (message.contains("with version number")) {
      // a DuckDB that writes another storage version: a build of qsync's other than this one
      return Optional.of(
          "was written by another DuckDB (" + Messages.firstLine(failure.getCause()) + ")");
    }
    return message.contains("Corrupt database file")
            || message.contains("not a valid DuckDB database file")
            || message.contains("Failure while replaying WAL")
            || message.contains("Serialization Error")
        ? Optional.of("is corrupt (" + Messages.firstLine(failure.getCause()) + ")")
        : Optional.empty();
  }

  /** Deletes a stage file and its spill folder; absent files are fine. */
  static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".wal"));
      Path spill = file.resolveSibling(file.getFileName() + ".tmp");
      if (Files.isDirectory(spill)) {
        try (var entries = Files.list(spill)) {
          for (Path entry : (Iterable<Path>) entries::iterator) {
            Files.deleteIfExists(entry);
          }
        }
        Files.deleteIfExists(spill);
      }
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.FAILED, "cannot delete the stage file " + file + ": " + e.getMessage(), e);
    }
  }

  Path file() {
    return file;
  }

  DuckDBConnection connection() {
    return connection;
  }

  /** What the file holds, if it holds a run at all. */
  Optional<StageMeta> meta() {
    try (Statement statement = connection.createStatement()) {
      try (ResultSet exists = statement.executeQuery(StageSql.META_EXISTS)) {
        exists.next();
        if (exists.getLong(1) == 0) {
          return Optional.empty();
        }
      }
      List<Column> columns = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery(StageSql.READ_COLUMNS)) {
        while (rows.next()) {
          SqlType type =
              new SqlType(SqlType.Kind.valueOf(rows.getString(2)), rows.getInt(3), rows.getInt(4));
          columns.add(new Column(rows.getString(1), type));
        }
      }
      try (ResultSet row = statement.executeQuery(StageSql.READ_META)) {
        if (!row.next()) {
          return Optional.empty();
        }
        StageMeta.Phase phase = StageMeta.Phase.valueOf(row.getString(3));
        Optional<ChangeCounts> counts =
            phase == StageMeta.Phase.DIFFED
                ? Optional.of(
                    new ChangeCounts(
                        row.getLong(4),
                        row.getLong(5),
                        row.getLong(6),
                        row.getLong(7),
                        row.getLong(8)))
                : Optional.empty();
        StageMeta meta = new StageMeta(row.getString(1), row.getString(2), phase, columns, counts);
        sql = new StageSql(meta.columns());
        return Optional.of(meta);
      }
    } catch (SQLException e) {
      throw failed("read the stage's state", e);
    }
  }

  /** Empties the file and prepares it for a new run whose result has these columns. */
  void begin(String runId, String fingerprint, List<Column> columns) {
    sql = null;
    releaseSource();
    try (Statement statement = connection.createStatement()) {
      dropChangeSet();
      for (String table : StageSql.TABLES) {
        statement.execute(StageSql.drop(table));
      }
      statement.execute(StageSql.CREATE_META);
      statement.execute(StageSql.CREATE_COLUMNS);
      try (PreparedStatement insert = connection.prepareStatement(StageSql.INSERT_META)) {
        insert.setString(1, runId);
        insert.setString(2, fingerprint);
        insert.executeUpdate();
      }
      try (PreparedStatement insert = connection.prepareStatement(StageSql.INSERT_COLUMN)) {
        for (int i = 0; i < columns.size(); i++) {
          SqlType type = columns.get(i).type();
          insert.setInt(1, i);
          insert.setString(2, columns.get(i).name());
          insert.setString(3, type.kind().name());
          insert.setInt(4, type.precision());
          insert.setInt(5, type.scale());
          insert.executeUpdate();
        }
      }
      // The result and the target's rows are temporary tables: only the change set must survive
      // the process. In a temporary table DuckDB's appender is about 4 times faster than in the
      // file, where it commits and logs each chunk of 2048 rows. Past the memory limit, temporary
      // tables spill to the stage's spill folder.
      statement.execute(StageSql.createSource(columns));
      statement.execute(StageSql.createTarget(columns));
    } catch (SQLException e) {
      throw failed("prepare the stage", e);
    }
    sql = new StageSql(columns);
  }

  /**
   * Makes {@code src} the table of a query result's DuckDB file, read where it lies until {@link
   * #releaseSource}: the file is attached read-only, and {@code src} becomes a view of it.
   */
  void readSourceInPlace(Path result, String table) {
    releaseSource();
    execute(StageSql.drop(StageSql.SOURCE), "free the result's table");
    execute(StageSql.attach(result.toString(), StageSql.IN_PLACE), "attach the query result");
    readsInPlace = true;
    execute(StageSql.readInPlace(sql().columns(), table), "read the query result");
  }

  /**
   * Lets go of a query result read in place ({@link #readSourceInPlace}), so that its file may be
   * deleted: {@code src} is gone until the next run begins. Does nothing otherwise.
   */
  void releaseSource() {
    if (readsInPlace) {
      execute(StageSql.DROP_SOURCE_VIEW, "free the query result");
      execute(StageSql.DETACH_IN_PLACE, "detach the query result");
      readsInPlace = false;
    }
  }

  /**
   * Drops the change set, a table or the view that numbers its rows by place ({@link
   * StageSql#insertAll}); DuckDB drops neither under the other's name.
   */
  void dropChangeSet() {
    if (changesAreAView()) {
      execute(StageSql.DROP_CHANGES_VIEW, "free the change set");
    } else {
      execute(StageSql.DROP_CHANGES_TABLE, "free the change set");
    }
    execute(StageSql.drop(StageSql.CHANGE_ROWS), "free the change set");
  }

  /**
   * Whether the change set is numbered by the place of its rows ({@link StageSql#insertAll}): read
   * in its stored order, every change is at its number's place by construction.
   */
  boolean changesAreAView() {
    return count(StageSql.CHANGES_ARE_A_VIEW) > 0;
  }

  /** The columns of the run the file holds, read once. */
  List<Column> columns() {
    return sql().columns();
  }

  /** The statements over the run's columns, built once. */
  StageSql sql() {
    if (sql == null && meta().isEmpty()) {
      throw new IllegalStateException("the stage holds no run");
    }
    return sql;
  }

  long count(String query) {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw failed("count rows", e);
    }
  }

  /**
   * Runs a statement with DuckDB keeping rows in the order they flow from operator to operator: a
   * table it writes holds its rows in the statement's order, so a scan in {@link
   * #keepInsertionOrder} reads them back in that order unsorted.
   */
  void executeInOrder(String statementText, String what) {
    keepInsertionOrder(true);
    try {
      execute(statementText, what);
    } finally {
      keepInsertionOrder(false);
    }
  }

  /**
   * Whether the statements planned from now on keep the order of the rows they read
   * (preserve_insertion_order): off by default, since keeping it costs memory on large inserts. A
   * streaming result ends when another statement runs: set it before the query, reset it after.
   */
  void keepInsertionOrder(boolean keep) {
    execute("SET preserve_insertion_order = " + keep, "set the order of rows");
  }

  void execute(String statementText, String what) {
    try (Statement statement = connection.createStatement()) {
      statement.execute(statementText);
    } catch (SQLException e) {
      throw failed(what, e);
    }
  }

  /** The stage could not do {@code what}: the cause, and what to do about it. */
  QsyncException failed(String what, SQLException e) {
    return new QsyncException(
        ErrorKind.FAILED,
        "the stage "
            + file
            + " could not "
            + what
            + ": "
            + e.getMessage()
            + "\nIf the disk is full, free space in stage_dir. "
            + inDoubt(),
        e);
  }

  /**
   * The last line of a failure that leaves the stage in doubt: a run is run again, and the next run
   * resumes from the stage, or starts over by itself when the stage lost what it needs (the file
   * damaged, the change set gone or cut short); a plan makes a stage of its own each time, so it is
   * simply tried again.
   */
  String inDoubt() {
    return caller == Caller.RUN ? RUN_AGAIN : caller.again();
  }

  static final String RUN_AGAIN =
      "Run again: the next run resumes, or starts over by itself if the stage lost what it needs.";

  /** The command the stage works for: what a failure that trying again gets past says to do. */
  Caller caller() {
    return caller;
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw failed("close", e);
    }
  }
}
