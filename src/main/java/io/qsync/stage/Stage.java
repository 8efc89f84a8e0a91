package io.qsync.stage;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.ChangeKind;
import io.qsync.diff.KeyCollation;
import io.qsync.diff.KeyProblem;
import io.qsync.row.Column;
import io.qsync.source.DuckDbFileTable;
import io.qsync.row.RowSink;
import io.qsync.row.SqlType;
import io.qsync.row.Unrepresentable;
import io.qsync.duckdb.DuckDbLibrary;
import io.qsync.duckdb.DuckDbValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.StringJoiner;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * A run's local DuckDB file: the query result ({@code src}), the target's current rows ({@code
 * tgt}) and the change set between them ({@code changes}, in key order, numbered from 1). Only the
 * change set is kept in the file ({@code src} and {@code tgt} are temporary tables of the
 * session); it outlives a failed run so the next run can resume from it. Memory is bounded by DuckDB's memory
 * limit: larger data spills to the stage folder.
 *
 * <p>Lifecycle: {@link #open}, {@link #begin} (or {@link #meta} to resume), write rows, {@link
 * #checkKeys}, {@link #diff} or {@link #insertAll}, read {@link #changes}, {@link #close}. Not
 * thread-safe: one run uses one stage.
 */
public final class Stage implements AutoCloseable {
  private static final String MEMORY_LIMIT = "512MB";

  private final Path file;
  private final DuckDBConnection connection;

  private Stage(Path file, DuckDBConnection connection) {
    this.file = file;
    this.connection = connection;
  }

  /** Opens the stage file, creating it and its folder when absent. */
  public static Stage open(Path file) {
    requireNonNull(file, "file is null");
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
        statement.execute("SET preserve_insertion_order = false");
      }
      return new Stage(file, connection);
    } catch (IOException | SQLException e) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "cannot open the stage file " + file + ": " + e.getMessage()
              + "\nCheck that its folder (stage_dir) is writable and has free space.",
          e);
    }
  }

  /** Deletes a stage file and its spill folder; absent files are fine. */
  public static void delete(Path file) {
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

  public Path file() {
    return file;
  }

  /** What the stage holds, if it holds a run at all. */
  public Optional<StageMeta> meta() {
    try (Statement statement = connection.createStatement()) {
      try (ResultSet exists =
          statement.executeQuery(
              "SELECT count(*) FROM information_schema.tables WHERE table_name = 'qsync_meta'")) {
        exists.next();
        if (exists.getLong(1) == 0) {
          return Optional.empty();
        }
      }
      List<Column> columns = new ArrayList<>();
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT name, kind, precision, scale FROM qsync_columns ORDER BY position")) {
        while (rows.next()) {
          SqlType type =
              new SqlType(SqlType.Kind.valueOf(rows.getString(2)), rows.getInt(3), rows.getInt(4));
          columns.add(new Column(rows.getString(1), type));
        }
      }
      try (ResultSet row =
          statement.executeQuery(
              "SELECT run_id, fingerprint, phase, source_rows, inserts, updates, deletes,"
                  + " unchanged FROM qsync_meta")) {
        if (!row.next()) {
          return Optional.empty();
        }
        StageMeta.Phase phase = StageMeta.Phase.valueOf(row.getString(3));
        Optional<ChangeCounts> counts =
            phase == StageMeta.Phase.DIFFED
                ? Optional.of(
                    new ChangeCounts(
                        row.getLong(4), row.getLong(5), row.getLong(6), row.getLong(7),
                        row.getLong(8)))
                : Optional.empty();
        return Optional.of(
            new StageMeta(row.getString(1), row.getString(2), phase, columns, counts));
      }
    } catch (SQLException e) {
      throw failed("read the stage's state", e);
    }
  }

  /** Empties the stage and prepares it for a new run whose result has these columns. */
  public void begin(String runId, String fingerprint, List<Column> columns) {
    try (Statement statement = connection.createStatement()) {
      for (String table : List.of("qsync_meta", "qsync_columns", "src", "tgt", "changes", "qsync_warehouse_changes")) {
        statement.execute("DROP TABLE IF EXISTS " + table);
      }
      statement.execute(
          "CREATE TABLE qsync_meta (run_id VARCHAR, fingerprint VARCHAR, phase VARCHAR,"
              + " source_rows BIGINT, inserts BIGINT, updates BIGINT, deletes BIGINT,"
              + " unchanged BIGINT)");
      statement.execute(
          "CREATE TABLE qsync_columns (position INTEGER, name VARCHAR, kind VARCHAR,"
              + " precision INTEGER, scale INTEGER)");
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO qsync_meta (run_id, fingerprint, phase)"
              + " VALUES (?, ?, 'EXTRACTING')")) {
        insert.setString(1, runId);
        insert.setString(2, fingerprint);
        insert.executeUpdate();
      }
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO qsync_columns VALUES (?, ?, ?, ?, ?)")) {
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
      // the process (a run that stops before the diff starts over). In a temporary table DuckDB's
      // appender is about 4 times faster than in the file, where it commits and logs each chunk
      // of 2048 rows. Past the memory limit, temporary tables spill to the stage's spill folder.
      statement.execute("CREATE TEMPORARY TABLE src (" + columnDefinitions(columns) + ")");
      // qsync_dirty marks a target row holding a value the source's type cannot represent
      // exactly (a hand-edited 7.25 where the query returns whole numbers): it always differs.
      statement.execute(
          "CREATE TEMPORARY TABLE tgt (" + columnDefinitions(columns) + ", qsync_dirty BOOLEAN)");
    } catch (SQLException e) {
      throw failed("prepare the stage", e);
    }
  }

  /**
   * The stage's columns are named by position ({@code c0}, {@code c1}, ...), never by the query's
   * names: a result column may be called anything, including the names of qsync's own columns.
   */
  private static String columnDefinitions(List<Column> columns) {
    StringJoiner definitions = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      definitions.add(positional(i) + " " + columns.get(i).type().duckDbName());
    }
    return definitions.toString();
  }

  static String positional(int index) {
    return "c" + index;
  }

  /** The stage column of a result column, by the result's (case-insensitive) name. */
  private String stageColumn(String name) {
    return positional(index(name));
  }

  private int index(String name) {
    List<Column> columns = columns();
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equalsIgnoreCase(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no column " + name + " in the stage");
  }

  /** A writer of query-result rows into the stage. Close it to make them visible. */
  public StageWriter sourceWriter(List<Column> columns) {
    return new StageWriter("src", columns, false);
  }

  /** A writer of the target's current rows into the stage. */
  public StageWriter targetWriter(List<Column> columns) {
    return new StageWriter("tgt", columns, true);
  }

  /**
   * Copies a query result that is a table in a DuckDB file into the stage's {@code src} with SQL,
   * as {@link #sourceWriter} would have appended it row by row: the same values (each column cast
   * to its {@link SqlType#duckDbName()}, as the appender converts it) in the same order. Fails
   * unless the copy adds up to the table's row count. Returns the rows copied.
   */
  public long copySource(DuckDbFileTable result) {
    return copy(result, "src");
  }

  private long copy(DuckDbFileTable result, String stageTable) {
    String file = result.file().toString().replace("'", "''");
    long copied;
    try (Statement statement = connection.createStatement()) {
      statement.execute("ATTACH '" + file + "' AS qsync_source (READ_ONLY)");
      try {
        // The order matters to append without a key (the change set follows the rowid).
        statement.execute("SET preserve_insertion_order = true");
        copied =
            statement.executeUpdate(
                "INSERT INTO temp." + stageTable + " SELECT * FROM qsync_source.main."
                    + DuckDbValues.quote(result.table()));
      } finally {
        statement.execute("SET preserve_insertion_order = false");
        statement.execute("DETACH DATABASE IF EXISTS qsync_source");
      }
    } catch (SQLException e) {
      throw failed("copy the query result", e);
    }
    if (copied != result.rows()) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "the stage " + file + " copied " + copied + " rows of a query result of " + result.rows()
              + "\nRun again; if it repeats, report it as a bug.");
    }
    return copied;
  }

  /**
   * A writer of a change set the warehouse computed ({@code diff: snapshot}): each row is the
   * change's kind ({@code insert}, {@code update} or {@code delete}), then the result's columns.
   */
  public StageWriter warehouseChangeWriter() {
    createWarehouseChanges();
    return new StageWriter("snap", withKind(columns()), false);
  }

  /** Copies a change set the warehouse computed, as {@link #warehouseChangeWriter} would. */
  public long copyWarehouseChanges(DuckDbFileTable changes) {
    createWarehouseChanges();
    return copy(changes, "snap");
  }

  private void createWarehouseChanges() {
    execute("CREATE OR REPLACE TEMPORARY TABLE snap (" + columnDefinitions(withKind(columns())) + ")",
        "prepare the change set");
  }

  private static List<Column> withKind(List<Column> columns) {
    List<Column> all = new ArrayList<>();
    all.add(new Column("_qsync_op", SqlType.of(SqlType.Kind.VARCHAR)));
    all.addAll(columns);
    return all;
  }

  /**
   * Numbers a change set the warehouse computed: deletes first, then inserts and updates, each in
   * key order. Deletes go first because the warehouse matches keys exactly: a key whose case
   * changed is a delete of the old spelling and an insert of the new one, which a
   * case-insensitive target column holds as one key.
   *
   * @param sourceRows the number of rows in the query result (which stayed in the warehouse)
   */
  public ChangeCounts numberWarehouseChanges(List<String> key, long sourceRows) {
    List<Column> columns = columns();
    StringJoiner shifted = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      shifted.add(positional(i + 1) + " AS " + positional(i));
    }
    StringJoiner order = new StringJoiner(", ");
    order.add("c0 = 'delete' DESC");
    key.forEach(column -> order.add(positional(index(column) + 1)));
    execute(
        "CREATE OR REPLACE TABLE changes AS SELECT row_number() OVER (ORDER BY " + order
            + ") AS qsync_seq, CASE c0 WHEN 'insert' THEN 'I' WHEN 'update' THEN 'U' ELSE 'D' END"
            + " AS qsync_op, " + shifted + " FROM snap ORDER BY qsync_seq",
        "number the change set");
    execute("DROP TABLE IF EXISTS snap", "free the change set copy");
    execute("CREATE TABLE IF NOT EXISTS qsync_warehouse_changes (marked BOOLEAN)", "mark the change set");
    return finishDiff(sourceRows);
  }

  /**
   * Whether the change set came from the warehouse ({@link #numberWarehouseChanges}): diffed
   * against an earlier state rather than the table, so its inserts and updates must be idempotent.
   */
  public boolean changesFromWarehouse() {
    return count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'qsync_warehouse_changes'") > 0;
  }

  public long sourceRows() {
    return count("SELECT count(*) FROM src");
  }

  /**
   * Finds NULL key parts, duplicate keys and keys that collide under the target's collation.
   * Returns every kind found, each with a few samples; empty when the keys are fit to write.
   */
  public List<KeyProblem> checkKeys(List<String> key, List<KeyCollation> collations, int samples) {
    List<KeyProblem> problems = new ArrayList<>();
    String keyList = stageList(key);
    StringJoiner anyNull = new StringJoiner(" OR ");
    key.forEach(column -> anyNull.add(stageColumn(column) + " IS NULL"));
    problems.addAll(
        problem(
            KeyProblem.Kind.NULL_KEY,
            "SELECT count(*) OVER (), " + keyList + " FROM src WHERE " + anyNull + " LIMIT " + samples));
    problems.addAll(repeated(key, collations, samples, "src"));
    return problems;
  }

  /**
   * Values of another unique key of the table (its columns all in the result) that the result
   * holds on more than one row, as the target compares them; rows with a NULL in them are left
   * out, since a unique key holds any number of those. Empty when the values are fit to write.
   */
  public List<KeyProblem> repeatedValues(
      List<String> columns, List<KeyCollation> collations, int samples) {
    StringJoiner noneNull = new StringJoiner(" AND ");
    columns.forEach(column -> noneNull.add(stageColumn(column) + " IS NOT NULL"));
    return repeated(columns, collations, samples, "(SELECT * FROM src WHERE " + noneNull + ")");
  }

  /** Duplicates, and values distinct in the source but one under the collation, in {@code rows}. */
  private List<KeyProblem> repeated(
      List<String> key, List<KeyCollation> collations, int samples, String rows) {
    List<KeyProblem> problems = new ArrayList<>();
    String keyList = stageList(key);
    problems.addAll(
        problem(
            KeyProblem.Kind.DUPLICATE_KEY,
            "SELECT count(*) OVER (), " + keyList + " FROM " + rows + " GROUP BY " + keyList
                + " HAVING count(*) > 1 ORDER BY " + keyList + " LIMIT " + samples));
    if (collations.stream().anyMatch(collation -> !collation.isExact())) {
      String normalised = normalisedList(key, collations, "");
      problems.addAll(
          problem(
              KeyProblem.Kind.COLLATION_COLLISION,
              "SELECT count(*) OVER (), string_agg(DISTINCT '''' || CAST(" + rowOf(key)
                  + " AS VARCHAR) || '''', ' and ') AS rendered FROM " + rows + " GROUP BY "
                  + normalised + " HAVING count(DISTINCT " + rowOf(key) + ") > 1 LIMIT "
                  + samples));
    }
    return problems;
  }

  private List<KeyProblem> problem(KeyProblem.Kind kind, String sql) {
    List<String> found = new ArrayList<>();
    long count = 0;
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        count = rows.getLong(1);
        if (rows.getMetaData().getColumnLabel(2).equals("rendered")) {
          found.add(rows.getString(2));
          continue;
        }
        StringJoiner sample = new StringJoiner(", ", "(", ")");
        for (int i = 2; i <= rows.getMetaData().getColumnCount(); i++) {
          Object value = rows.getObject(i);
          sample.add(KeyProblem.render(value));
        }
        found.add(sample.toString());
      }
    } catch (SQLException e) {
      throw failed("check the keys", e);
    }
    return found.isEmpty() ? List.of() : List.of(new KeyProblem(kind, count, found));
  }

  /**
   * Computes the change set of {@code src} against {@code tgt}, matching rows by key as the target
   * compares keys, and numbers it in key order. Updates are rows whose compared values differ;
   * deletes (when asked for) are target rows whose key left the result.
   */
  public ChangeCounts diff(List<String> key, List<KeyCollation> collations, boolean deletes) {
    List<Column> columns = columns();
    StringJoiner join = new StringJoiner(" AND ");
    StringJoiner keyOut = new StringJoiner(", ");
    for (int i = 0; i < key.size(); i++) {
      join.add("s.__k" + i + " = t.__k" + i);
      keyOut.add("coalesce(s.__k" + i + ", t.__k" + i + ") AS __k" + i);
    }
    StringJoiner differs = new StringJoiner(" OR ", "", " OR t.qsync_dirty");
    StringJoiner values = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      String name = positional(i);
      differs.add("s." + name + " IS DISTINCT FROM t." + name);
      values.add("CASE WHEN s.__in THEN s." + name + " ELSE t." + name + " END AS " + name);
    }
    String keyed = normalisedList(key, collations, "__k");
    String sql =
        "CREATE OR REPLACE TABLE changes AS SELECT row_number() OVER (ORDER BY "
            + keyOrder(key.size()) + ") AS qsync_seq, qsync_op, " + stageNames(columns)
            + " FROM ( SELECT CASE WHEN t.__in IS NULL THEN 'I' WHEN s.__in IS NULL THEN 'D'"
            + " ELSE 'U' END AS qsync_op, " + keyOut + ", " + values
            + " FROM (SELECT *, true AS __in, " + keyed + " FROM src) s"
            + " FULL OUTER JOIN (SELECT *, true AS __in, " + keyed + " FROM tgt) t ON " + join
            + " WHERE (t.__in IS NULL OR s.__in IS NULL OR " + differs + ")"
            + (deletes ? "" : " AND s.__in IS NOT NULL")
            + ") ORDER BY qsync_seq";
    execute(sql, "compute the change set");
    return finishDiff(sourceRows());
  }

  /**
   * Makes the whole result the change set, as inserts: in key order when there is a key, else in
   * the order the source returned the rows. For {@code replace} and {@code append}.
   */
  public ChangeCounts insertAll(List<String> key, long replacedRows) {
    String order = key.isEmpty() ? "rowid" : stageList(key);
    execute(
        "CREATE OR REPLACE TABLE changes AS SELECT row_number() OVER (ORDER BY " + order
            + ") AS qsync_seq, 'I' AS qsync_op, " + stageNames(columns())
            + " FROM src ORDER BY qsync_seq",
        "number the rows");
    ChangeCounts counted = finishDiff(sourceRows());
    return new ChangeCounts(counted.sourceRows(), counted.inserts(), 0, replacedRows, 0);
  }

  private ChangeCounts finishDiff(long sourceRows) {
    long inserts = count("SELECT count(*) FROM changes WHERE qsync_op = 'I'");
    long updates = count("SELECT count(*) FROM changes WHERE qsync_op = 'U'");
    long deletes = count("SELECT count(*) FROM changes WHERE qsync_op = 'D'");
    ChangeCounts counts =
        new ChangeCounts(sourceRows, inserts, updates, deletes, sourceRows - inserts - updates);
    execute(
        "UPDATE qsync_meta SET phase = 'DIFFED', source_rows = " + sourceRows + ", inserts = "
            + inserts + ", updates = " + updates + ", deletes = " + deletes + ", unchanged = "
            + counts.unchanged(),
        "record the change set");
    execute("DROP TABLE IF EXISTS tgt", "free the target copy");
    execute("CHECKPOINT", "flush the stage");
    return counts;
  }

  /** The number of changes in the change set: what the checkpoint runs up to. */
  public long changeSetLength() {
    return count("SELECT count(*) FROM changes");
  }

  /**
   * Opens a cursor over the change set after the given sequence number, in order, reading one
   * batch ahead on a thread of its own.
   */
  public ChangeCursor changes(long afterSeq) {
    List<Column> columns = columns();
    try {
      PreparedStatement statement =
          connection.prepareStatement(
              "SELECT qsync_seq, qsync_op, " + stageNames(columns)
                  + " FROM changes WHERE qsync_seq > ? ORDER BY qsync_seq");
      statement.setFetchSize(2048);
      statement.setLong(1, afterSeq);
      return new ChangeCursor(statement, statement.executeQuery(), columns, true);
    } catch (SQLException e) {
      throw failed("read the change set", e);
    }
  }

  /** Up to {@code limit} changes of one kind, in key order: what {@code plan} shows. */
  public List<Change> sample(ChangeKind kind, int limit) {
    List<Column> columns = columns();
    List<Change> sample = new ArrayList<>();
    String sql =
        "SELECT qsync_seq, qsync_op, " + stageNames(columns) + " FROM changes WHERE qsync_op = '"
            + kind.code() + "' ORDER BY qsync_seq LIMIT " + limit;
    try (PreparedStatement statement = connection.prepareStatement(sql);
        ChangeCursor cursor = new ChangeCursor(statement, statement.executeQuery(), columns)) {
      sample.addAll(cursor.next(limit));
    } catch (SQLException e) {
      throw failed("read the change set", e);
    }
    return sample;
  }

  /** The stage's session, for the checks beside it in this package (see {@link ValueCheck}). */
  Connection connection() {
    return connection;
  }

  /** The columns of the run the stage holds. */
  public List<Column> columns() {
    return meta()
        .map(StageMeta::columns)
        .orElseThrow(() -> new IllegalStateException("the stage holds no run"));
  }

  private long count(String sql) {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw failed("count rows", e);
    }
  }

  private void execute(String sql, String what) {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw failed(what, e);
    }
  }

  private QsyncException failed(String what, SQLException e) {
    return new QsyncException(
        ErrorKind.FAILED,
        "the stage " + file + " could not " + what + ": " + e.getMessage()
            + "\nIf the disk is full, free space in stage_dir; otherwise run again with --restart.",
        e);
  }

  private static String keyOrder(int keyColumns) {
    StringJoiner order = new StringJoiner(", ");
    for (int i = 0; i < keyColumns; i++) {
      order.add("__k" + i);
    }
    return order.toString();
  }

  private String normalisedList(
      List<String> key, List<KeyCollation> collations, String aliasPrefix) {
    StringJoiner list = new StringJoiner(", ");
    for (int i = 0; i < key.size(); i++) {
      String expression = collations.get(i).normalise(stageColumn(key.get(i)));
      list.add(aliasPrefix.isEmpty() ? expression : expression + " AS " + aliasPrefix + i);
    }
    return list.toString();
  }

  private String rowOf(List<String> key) {
    return key.size() == 1 ? stageColumn(key.get(0)) : "row(" + stageList(key) + ")";
  }

  private String stageList(List<String> names) {
    StringJoiner list = new StringJoiner(", ");
    names.forEach(name -> list.add(stageColumn(name)));
    return list.toString();
  }

  private static String stageNames(List<Column> columns) {
    StringJoiner list = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      list.add(positional(i));
    }
    return list.toString();
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw failed("close", e);
    }
  }

  /** Appends rows to one stage table through DuckDB's appender. Not thread-safe. */
  public final class StageWriter implements RowSink, AutoCloseable {
    private final DuckDBAppender appender;
    private final List<SqlType> types;
    private final boolean marksInexact;
    private long rows;

    private StageWriter(String table, List<Column> columns, boolean marksInexact) {
      this.types = columns.stream().map(Column::type).toList();
      this.marksInexact = marksInexact;
      try {
        this.appender = connection.createAppender("temp", DuckDBConnection.DEFAULT_SCHEMA, table);
      } catch (SQLException e) {
        throw failed("write rows", e);
      }
    }

    @Override
    public void accept(Object[] row) {
      try {
        appender.beginRow();
        boolean inexact = false;
        for (int i = 0; i < types.size(); i++) {
          if (row[i] == Unrepresentable.VALUE) {
            inexact = true;
            appender.appendNull();
          } else {
            DuckDbValues.append(appender, row[i], types.get(i));
          }
        }
        if (marksInexact) {
          appender.append(inexact);
        }
        appender.endRow();
        rows++;
      } catch (SQLException e) {
        throw failed("write rows", e);
      }
    }

    public long rows() {
      return rows;
    }

    @Override
    public void close() {
      try {
        appender.close();
      } catch (SQLException e) {
        throw failed("write rows", e);
      }
    }
  }
}
