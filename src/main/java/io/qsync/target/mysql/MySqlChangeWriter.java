package io.qsync.target.mysql;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import io.qsync.source.Column;
import io.qsync.state.SyncLock;
import io.qsync.target.Target;
import io.qsync.target.Target.Writes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes change batches with multi-row statements: deletes first ({@code DELETE ... WHERE key IN
 * (...)}), then inserts and updates ({@code INSERT ... ON DUPLICATE KEY UPDATE}, or a plain INSERT
 * where a duplicate must fail), then the fenced checkpoint, then the lock check, then COMMIT. New
 * rows go in with {@link MySqlLoadData} where there are enough of them; when that load does not
 * take every row exactly, the batch is rolled back and written again with the statements. A
 * rejected value rolls the batch back and is pinned to its row and column by replaying the batch
 * row by row, still uncommitted. Not thread-safe.
 */
final class MySqlChangeWriter implements Target.ChangeWriter {
  /** MySQL allows at most 65,535 placeholders in one prepared statement. */
  private static final int MAX_PLACEHOLDERS = 65_535;

  private static final Pattern COLUMN_IN_MESSAGE = Pattern.compile("(?i)column ((?:[`'][^`']*[`']\\.?)+)");

  private final Connection connection;
  private final MySqlDialect dialect;
  private final String table;
  private final List<Column> columns;
  private final List<String> key;
  private final int[] keyIndexes;
  private final Writes writes;
  private final boolean upsert;
  private final String runId;
  private final SyncLock lock;
  private final Clock clock;
  private final int maxRowsPerStatement;
  private final MySqlLoadData loadData;
  private final int[] allColumns;
  private long statementBytes;
  private final String connectionName;

  MySqlChangeWriter(
      Connection connection, MySqlDialect dialect, String table, List<Column> columns,
      List<String> key, Writes writes, String runId, SyncLock lock, Clock clock,
      String connectionName) {
    this.connection = connection;
    this.dialect = dialect;
    this.table = table;
    this.columns = List.copyOf(columns);
    this.key = List.copyOf(key);
    this.keyIndexes = new int[key.size()];
    for (int i = 0; i < key.size(); i++) {
      keyIndexes[i] = indexOf(columns, key.get(i));
    }
    this.writes = writes;
    this.upsert = writes != Writes.INSERTS;
    this.runId = runId;
    this.lock = lock;
    this.clock = clock;
    this.connectionName = connectionName;
    this.maxRowsPerStatement = Math.max(1, MAX_PLACEHOLDERS / columns.size());
    this.loadData = new MySqlLoadData(table, columns);
    this.allColumns = StatementChunks.all(columns.size());
  }

  private static int indexOf(List<Column> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equalsIgnoreCase(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("key column " + name + " is not in the result");
  }

  @Override
  public void apply(List<Change> batch, long afterSeq) {
    if (batch.isEmpty()) {
      return;
    }
    try {
      applyOnce(batch, afterSeq, true);
    } catch (LoadDataDeclined declined) {
      // LOAD DATA did not take every row as sent (and was rolled back): the row-exact statements
      // write the batch, or name the row and column the table rejects.
      applyOnce(batch, afterSeq, false);
    }
  }

  /** Thrown inside a batch's transaction when LOAD DATA did not load the rows exactly. */
  private static final class LoadDataDeclined extends RuntimeException {
    LoadDataDeclined() {
      super("LOAD DATA did not load the batch's rows exactly", null, false, false);
    }
  }

  private void applyOnce(List<Change> batch, long afterSeq, boolean loadDataAllowed) {
    long lastSeq = batch.get(batch.size() - 1).seq();
    try {
      connection.setAutoCommit(false);
      try {
        write(batch, loadDataAllowed);
        advanceCheckpoint(afterSeq, lastSeq);
        if (!lock.held()) {
          throw new QsyncException(
              ErrorKind.FAILED,
              "run " + runId + " lost its lock before committing batch ending at change " + lastSeq
                  + "; the batch was rolled back\nRun again: the run resumes after its last"
                  + " committed batch.");
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        rollback();
        if (e instanceof SQLException sql && MySqlErrors.isDataError(sql)) {
          throw pinpoint(batch, sql);
        }
        throw e;
      } finally {
        restoreAutoCommit();
      }
    } catch (SQLException e) {
      throw MySqlErrors.failed(connectionName, "apply the batch ending at change " + lastSeq, e);
    }
  }

  /**
   * Deletes, then updates, then inserts: a delete or an update may free a value of a unique key
   * that an insert needs; an insert never frees anything.
   */
  private void write(List<Change> batch, boolean loadDataAllowed) throws SQLException {
    writeDeletes(ofKind(batch, ChangeKind.DELETE));
    List<Change> updates = ofKind(batch, ChangeKind.UPDATE);
    for (List<Change> chunk : StatementChunks.split(updates, maxRowsPerStatement, statementBytes(), allColumns)) {
      if (writes == Writes.DIFFED) {
        checkUpdatesFindTheirRows(chunk);
      }
      writeRows(chunk, true);
    }
    // Inserts are plain INSERTs even in upsert modes: a key the diff saw as new must not exist.
    // If it does, the key column's collation equates it with another key (or another writer
    // inserted it meanwhile), and an upsert would silently merge two source rows into one.
    // A change set diffed against an earlier state cannot know that (see Writes.IDEMPOTENT).
    List<Change> inserts = ofKind(batch, ChangeKind.INSERT);
    if (writes == Writes.IDEMPOTENT) {
      for (List<Change> chunk : StatementChunks.split(inserts, maxRowsPerStatement, statementBytes(), allColumns)) {
        writeRows(chunk, true);
      }
      return;
    }
    if (loadDataAllowed && loadData.suits(inserts)) {
      if (!loadData.load(connection, inserts)) {
        throw new LoadDataDeclined();
      }
      return;
    }
    for (List<Change> chunk : StatementChunks.split(inserts, maxRowsPerStatement, statementBytes(), allColumns)) {
      writeRows(chunk, false);
    }
  }

  private static List<Change> ofKind(List<Change> batch, ChangeKind kind) {
    return batch.stream().filter(change -> change.kind() == kind).toList();
  }

  private void writeDeletes(List<Change> deletes) throws SQLException {
    for (List<Change> chunk : StatementChunks.split(deletes, keysPerStatement(), statementBytes(), keyIndexes)) {
      try (PreparedStatement statement =
          connection.prepareStatement(dialect.delete(table, key, chunk.size()))) {
        bindKeys(statement, chunk);
        statement.executeUpdate();
      }
    }
  }

  /**
   * How many bytes of values one statement may carry: half the server's max_allowed_packet, which
   * leaves room for the statement's text around them. Read once, on first use.
   */
  private long statementBytes() throws SQLException {
    if (statementBytes == 0) {
      try (PreparedStatement statement = connection.prepareStatement("SELECT @@max_allowed_packet");
          ResultSet rows = statement.executeQuery()) {
        rows.next();
        statementBytes = Math.max(1 << 16, rows.getLong(1) / 2);
      }
    }
    return statementBytes;
  }

  private int keysPerStatement() {
    return Math.max(1, MAX_PLACEHOLDERS / Math.max(1, key.size()));
  }

  private void bindKeys(PreparedStatement statement, List<Change> changes) throws SQLException {
    int index = 1;
    for (Change change : changes) {
      for (int keyIndex : keyIndexes) {
        MySqlValues.bind(statement, index++, change.row()[keyIndex], columns.get(keyIndex).type());
      }
    }
  }

  /**
   * Every update must find its row, as the target compares keys: an upsert that finds none inserts
   * a second row instead, which happens when the key column's collation tells apart keys that
   * qsync's reading of it matched (MariaDB's swedish_ci keeps 'å' and 'a' apart, say).
   */
  private void checkUpdatesFindTheirRows(List<Change> updates) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(dialect.countKeys(table, key, updates.size()))) {
      bindKeys(statement, updates);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        long found = rows.getLong(1);
        if (found != updates.size()) {
          throw new QsyncException(
              ErrorKind.NEEDS_ACTION,
              "table " + table + ": " + (updates.size() - found) + " of " + updates.size()
                  + " updates of this batch find no row with their key (first: "
                  + describeKey(updates.get(0)) + "); the batch was rolled back\n"
                  + "The key column's collation matches keys differently from qsync's reading of"
                  + " it, or another writer changed keys during the run. Make the key column"
                  + " binary (COLLATE utf8mb4_bin) or normalise the key in the query, then run"
                  + " again.");
        }
      }
    }
  }

  private int writeRows(List<Change> rows, boolean asUpsert) throws SQLException {
    String sql =
        asUpsert
            ? dialect.upsert(table, columns, rows.size())
            : dialect.insert(table, columns, rows.size()).toString();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int index = 1;
      for (Change change : rows) {
        Object[] row = change.row();
        for (int i = 0; i < row.length; i++) {
          MySqlValues.bind(statement, index++, row[i], columns.get(i).type());
        }
      }
      return statement.executeUpdate();
    }
  }

  /**
   * The checkpoint moves from exactly {@code afterSeq}: if another process moved it, this batch is
   * not the next one any more, and committing it could apply changes twice.
   */
  private void advanceCheckpoint(long afterSeq, long lastSeq) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "UPDATE " + MySqlRunStore.TABLE + " SET applied_through = ?, batches_applied ="
                + " batches_applied + 1, updated_at = ? WHERE run_id = ? AND applied_through = ?")) {
      statement.setLong(1, lastSeq);
      statement.setTimestamp(2, Timestamp.from(clock.instant()));
      statement.setString(3, runId);
      statement.setLong(4, afterSeq);
      if (statement.executeUpdate() != 1) {
        throw new QsyncException(
            ErrorKind.FAILED,
            "run " + runId + ": the checkpoint is no longer at change " + afterSeq
                + " (another process applied this batch); the batch was rolled back\n"
                + "Check `qsync status` and run again.");
      }
    }
  }

  /**
   * Replays the batch in the order {@link #write} applies it, a row at a time and uncommitted, to
   * name the row and column the target rejects.
   */
  private QsyncException pinpoint(List<Change> batch, SQLException batchError) {
    try {
      connection.setAutoCommit(false);
      writeDeletes(ofKind(batch, ChangeKind.DELETE));
      for (ChangeKind kind : List.of(ChangeKind.UPDATE, ChangeKind.INSERT)) {
        for (Change change : ofKind(batch, kind)) {
          try {
            writeRows(List.of(change), upsert && (kind == ChangeKind.UPDATE || writes == Writes.IDEMPOTENT));
          } catch (SQLException rowError) {
            return rejected(change, rowError);
          }
        }
      }
    } catch (SQLException e) {
      batchError.addSuppressed(e);
    } finally {
      rollback();
    }
    return rejected(null, batchError);
  }

  private QsyncException rejected(Change change, SQLException error) {
    String column = columnOf(error.getMessage());
    String where = change == null ? "a row" : "the row with key " + describeKey(change);
    String value = "";
    if (change != null && column != null) {
      for (int i = 0; i < columns.size(); i++) {
        if (columns.get(i).name().equalsIgnoreCase(column)) {
          value = " (value " + preview(change.row()[i]) + ", source type " + columns.get(i).type() + ")";
        }
      }
    }
    String remedy =
        switch (error.getErrorCode()) {
          case 1062 ->
              upsert
                  ? "Another row of the table already holds this value of a unique key (named in"
                      + " the message): a second unique key of the table that the query's rows"
                      + " collide on, a key column whose collation equates keys qsync saw as"
                      + " different ('s' and 'ß' under utf8mb4_general_ci), or another writer."
                      + " Make the values unique in the query, or the key column binary (COLLATE"
                      + " utf8mb4_bin), then run again."
                  : "Make the query return each key once, or use a mode with a key (mirror, upsert).";
          case 1048 -> "Return a value for the column, or allow NULL in it.";
          case 1292, 1411 -> "MySQL DATETIME holds years 1000-9999 and no zero dates; fix the value in the query.";
          default -> "Widen the column (ALTER TABLE ... MODIFY) or fix the value in the query.";
        };
    return new QsyncException(
        ErrorKind.NEEDS_ACTION,
        "table " + table + ": the target rejected " + where
            + (column == null ? "" : " in column " + column) + value + ": " + error.getMessage()
            + "\nNothing of this batch was written. " + remedy,
        error);
  }

  private String describeKey(Change change) {
    StringJoiner described = new StringJoiner(", ", "(", ")");
    if (keyIndexes.length == 0) {
      return "#" + change.seq();
    }
    for (int i = 0; i < keyIndexes.length; i++) {
      described.add(key.get(i) + "=" + preview(change.row()[keyIndexes[i]]));
    }
    return described.toString();
  }

  private static String preview(Object value) {
    if (value == null) {
      return "NULL";
    }
    String text = value instanceof byte[] bytes ? "<" + bytes.length + " bytes>" : value.toString();
    text = text.length() > 60 ? text.substring(0, 57) + "..." : text;
    return value instanceof String ? "'" + text + "'" : text;
  }

  private static String columnOf(String message) {
    if (message == null) {
      return null;
    }
    Matcher matcher = COLUMN_IN_MESSAGE.matcher(message);
    if (!matcher.find()) {
      return null;
    }
    // MariaDB names a column `db`.`table`.`column`, MySQL 'column': take the last part.
    String[] parts = matcher.group(1).split("[`']\\.[`']");
    return parts[parts.length - 1].replaceAll("[`']", "");
  }

  /**
   * Ends the batch's transaction mode. On a connection that broke during the batch this fails too,
   * and must not hide why the batch failed ("Connection is closed" instead of the reset); on one
   * that broke after the commit, the next batch reports it.
   */
  private void restoreAutoCommit() {
    try {
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      // The connection is gone; the error that broke it is already on its way, or comes next.
    }
  }

  private void rollback() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // The connection is gone; the server rolled the transaction back when it went.
    }
  }

}
