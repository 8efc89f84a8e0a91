package io.qsync.destination.mysql;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.TransientException;
import io.qsync.destination.ChangeWriters.Writes;
import io.qsync.destination.Destination;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import io.qsync.row.Column;
import io.qsync.state.SyncLock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes change batches with multi-row statements: deletes first ({@code DELETE ... WHERE key IN
 * (...)}), then inserts and updates ({@code INSERT ... ON DUPLICATE KEY UPDATE}, or a plain INSERT
 * where a duplicate must fail), then the fenced checkpoint, then the lock check, then COMMIT. New
 * rows go in with {@link MySqlLoadData} where there are enough of them; when that load does not
 * take every row exactly, the batch is rolled back and written again with the statements. A
 * rejected value rolls the batch back and is pinned to its row and column by replaying the batch
 * row by row, still uncommitted; {@link MySqlRejection} says why. Each attempt returns how it
 * ended, and the next attempt follows from that. Not thread-safe.
 */
final class MySqlChangeWriter implements Destination.ChangeWriter {
  /** MySQL allows at most 65,535 placeholders in one prepared statement. */
  private static final int MAX_PLACEHOLDERS = 65_535;

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
  private long maxAllowedPacket;
  private final String side;

  /** Whether every key column compares exactly, once looked up. */
  private Boolean exactKeys;

  /** The table's unique keys, read when a duplicate value first needs telling apart. */
  private MySqlUniqueKeys uniqueKeys;

  /**
   * Rows set aside by committed batches, written by {@link #finish}; shared by the writers of one
   * run, as a lost session is replaced by a new writer.
   */
  private final MySqlMovedValues.Pending moved;

  private final MySqlMovedValues movedValues;
  private final MySqlRejection rejection;

  MySqlChangeWriter(
      Connection connection,
      MySqlDialect dialect,
      String table,
      List<Column> columns,
      List<String> key,
      Writes writes,
      String runId,
      SyncLock lock,
      Clock clock,
      String side,
      MySqlMovedValues.Pending setAside) {
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
    this.side = side;
    this.maxRowsPerStatement = Math.max(1, MAX_PLACEHOLDERS / columns.size());
    this.loadData = new MySqlLoadData(table, columns);
    this.allColumns = StatementChunks.all(columns.size());
    this.movedValues = new MySqlMovedValues(connection, table, columns, key);
    this.moved = setAside;
    this.rejection = new MySqlRejection(connection, table, columns, key, keyIndexes, upsert, side);
  }

  /** The changes with the values of rows that came as LOAD DATA text only, decoded. */
  private List<Change> withValues(List<Change> changes) {
    if (changes.stream().allMatch(change -> change.row() != null)) {
      return changes;
    }
    List<Change> valued = new ArrayList<>(changes.size());
    for (Change change : changes) {
      valued.add(
          change.row() != null
              ? change
              : new Change(
                  change.seq(), change.kind(), loadData.values(change.text()), change.text()));
    }
    return valued;
  }

  private static int indexOf(List<Column> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equalsIgnoreCase(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("key column " + name + " is not in the result");
  }

  /** New rows come as LOAD DATA text: {@link MySqlLoadData} sends it as it is. */
  @Override
  public boolean takesInsertText() {
    return true;
  }

  @Override
  public void apply(List<Change> batch, long afterSeq) {
    if (batch.isEmpty()) {
      return;
    }
    checkPacketSize(batch);
    Outcome outcome = applyOnce(batch, afterSeq, Attempt.BULK);
    if (outcome == Outcome.LOAD_DATA_DECLINED) {
      // LOAD DATA did not take every row as sent (and was rolled back): the row-exact statements
      // write the batch, or name the row and column the table rejects.
      outcome = applyOnce(withValues(batch), afterSeq, Attempt.STATEMENTS);
    }
    if (outcome == Outcome.VALUE_MOVES) {
      outcome = applyOnce(withValues(batch), afterSeq, Attempt.ROWS);
    }
    if (outcome != Outcome.COMMITTED) {
      throw new IllegalStateException("a batch written a row at a time ended " + outcome);
    }
  }

  @Override
  public Optional<String> finish() {
    if (moved.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(movedValues.write(moved, this::writeRows, lock, runId));
    } catch (SQLException e) {
      throw MySqlErrors.failed(side, "write the rows set aside until the end of the run", e);
    }
  }

  /** How a batch is written. */
  private enum Attempt {
    /** Multi-row statements, and new rows with LOAD DATA where there are enough of them. */
    BULK,
    /** Multi-row statements only. */
    STATEMENTS,
    /**
     * One statement a row, setting aside rows whose value of another unique key is still held by a
     * row a later change moves it from ({@link MySqlMovedValues}).
     */
    ROWS
  }

  /** How one attempt at a batch ended. */
  private enum Outcome {
    /** The batch and its checkpoint are committed. */
    COMMITTED,
    /** LOAD DATA did not load the rows exactly; the batch was rolled back. */
    LOAD_DATA_DECLINED,
    /**
     * A row collided with another on a unique key other than the sync's; the batch was rolled back,
     * to be written again a row at a time, setting such rows aside.
     */
    VALUE_MOVES
  }

  private Outcome applyOnce(List<Change> batch, long afterSeq, Attempt attempt) {
    long lastSeq = batch.get(batch.size() - 1).seq();
    List<Change> setAside = new ArrayList<>();
    Set<String> collidedOn = new HashSet<>();
    try {
      connection.setAutoCommit(false);
      try {
        if (!write(batch, attempt, setAside, collidedOn)) {
          rollback();
          return Outcome.LOAD_DATA_DECLINED;
        }
        MySqlCheckpoint.advance(connection, runId, afterSeq, lastSeq, clock.instant());
        if (!lock.held()) {
          // Its session ended (a restart, a killed session): the retry takes the lock again,
          // unless another run holds it by then.
          throw new TransientException(
              "run "
                  + runId
                  + " lost its lock before committing batch ending at change "
                  + lastSeq
                  + "; the batch was rolled back\nRun again: the run resumes after its last"
                  + " committed batch.",
              null);
        }
        connection.commit();
        moved.add(setAside, collidedOn);
        return Outcome.COMMITTED;
      } catch (SQLException | RuntimeException e) {
        rollback();
        if (e instanceof SQLException sql && attempt != Attempt.ROWS && movesAValue(sql)) {
          return Outcome.VALUE_MOVES;
        }
        if (e instanceof SQLException sql && MySqlErrors.classify(sql).refusesARow()) {
          throw pinpoint(batch, sql);
        }
        throw e;
      } finally {
        restoreAutoCommit();
      }
    } catch (SQLException e) {
      throw MySqlErrors.failed(side, "apply the batch ending at change " + lastSeq, e);
    }
  }

  /**
   * Whether the error is a duplicate value of a unique key other than the sync's, in a mode that
   * updates rows: a value moving from one row to another (a swap, or a row a later batch changes
   * still holding it), which a row-at-a-time pass can set aside and write last.
   */
  private boolean movesAValue(SQLException e) throws SQLException {
    return e.getErrorCode() == 1062 && writes != Writes.INSERTS && !uniqueKeys().isSyncKey(e);
  }

  private MySqlUniqueKeys uniqueKeys() throws SQLException {
    if (uniqueKeys == null) {
      uniqueKeys = MySqlUniqueKeys.read(connection, table, key);
    }
    return uniqueKeys;
  }

  /**
   * Deletes, then updates, then inserts: a delete or an update may free a value of a unique key
   * that an insert needs; an insert never frees anything. False when LOAD DATA did not load the new
   * rows exactly: the caller rolls the batch back.
   */
  private boolean write(
      List<Change> batch, Attempt attempt, List<Change> setAside, Set<String> collidedOn)
      throws SQLException {
    if (writes == Writes.RECONCILED || attempt != Attempt.BULK) {
      batch = withValues(batch); // looked up by key, or written by statements
    }
    writeDeletes(ofKind(batch, ChangeKind.DELETE));
    Writing writing = writing(batch);
    List<Change> updates = writing.updates();
    List<Change> inserts = writing.inserts();
    if (attempt == Attempt.ROWS) {
      for (Change change : updates) {
        writeRowOrSetAside(change, true, setAside, collidedOn);
      }
      for (Change change : inserts) {
        writeRowOrSetAside(change, false, setAside, collidedOn);
      }
      return true;
    }
    for (List<Change> chunk :
        StatementChunks.split(updates, maxRowsPerStatement, statementBytes(), allColumns)) {
      writeRows(chunk, true);
    }
    // Inserts are plain INSERTs even in upsert modes: a key the diff saw as new must not exist.
    // If it does, the key column's collation equates it with another key (or another writer
    // inserted it meanwhile), and an upsert would silently merge two source rows into one.
    if (attempt == Attempt.BULK && loadData.suits(inserts)) {
      return loadData.load(connection, inserts);
    }
    inserts = withValues(inserts);
    for (List<Change> chunk :
        StatementChunks.split(inserts, maxRowsPerStatement, statementBytes(), allColumns)) {
      writeRows(chunk, false);
    }
    return true;
  }

  /** The rows a batch updates and the rows it inserts, after its deletes. */
  private record Writing(List<Change> updates, List<Change> inserts) {}

  /**
   * What the batch's rows do to the table. With {@link Writes#RECONCILED} by what the table holds
   * now: a key it holds is updated, any other inserted with a plain INSERT (never an upsert, which
   * a second unique key could turn into an update of another row).
   */
  private Writing writing(List<Change> batch) throws SQLException {
    List<Change> updates = ofKind(batch, ChangeKind.UPDATE);
    List<Change> inserts = ofKind(batch, ChangeKind.INSERT);
    if (writes == Writes.DIFFED) {
      List<Change> missing = missingUpdates(updates);
      if (missing.isEmpty()) {
        return new Writing(updates, inserts);
      }
      if (!keysCompareExactly()) {
        throw notFound(missing, updates.size());
      }
      // The keys compare exactly, so these rows were deleted by another writer since the table
      // was read: the table must hold them, so they are written again as new rows.
      List<Change> found = new ArrayList<>(updates);
      found.removeAll(missing);
      List<Change> written = new ArrayList<>(missing);
      written.addAll(inserts);
      written.sort(java.util.Comparator.comparingLong(Change::seq));
      return new Writing(found, written);
    }
    if (writes != Writes.RECONCILED) {
      return new Writing(updates, inserts);
    }
    List<Change> written = new ArrayList<>(updates);
    written.addAll(inserts);
    boolean[] held = presentKeys(written);
    List<Change> heldKeys = new ArrayList<>();
    List<Change> newKeys = new ArrayList<>();
    for (int i = 0; i < written.size(); i++) {
      (held[i] ? heldKeys : newKeys).add(written.get(i));
    }
    return new Writing(heldKeys, newKeys);
  }

  /** Writes one row; a row whose value of another unique key is still taken is set aside. */
  private void writeRowOrSetAside(
      Change change, boolean asUpsert, List<Change> setAside, Set<String> collidedOn)
      throws SQLException {
    try {
      writeRows(List.of(change), asUpsert);
    } catch (SQLException e) {
      if (!movesAValue(e)) {
        throw e;
      }
      setAside.add(change); // MySQL undid the failed statement alone; the transaction goes on
      uniqueKeys().keyName(e).ifPresent(collidedOn::add);
    }
  }

  /**
   * For each change, whether the table holds a row with its key now, as the table compares keys
   * (each key column with its own collation).
   */
  private boolean[] presentKeys(List<Change> changes) throws SQLException {
    boolean[] present = new boolean[changes.size()];
    int perStatement = Math.max(1, Math.min(1000, MAX_PLACEHOLDERS / Math.max(1, key.size())));
    for (int from = 0; from < changes.size(); from += perStatement) {
      List<Change> chunk = changes.subList(from, Math.min(changes.size(), from + perStatement));
      try (PreparedStatement statement =
          connection.prepareStatement(dialect.keysPresent(table, key, chunk.size()))) {
        bindKeys(statement, chunk);
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          for (int i = 0; i < chunk.size(); i++) {
            present[from + i] = rows.getBoolean(i + 1);
          }
        }
      }
    }
    return present;
  }

  private static List<Change> ofKind(List<Change> batch, ChangeKind kind) {
    return batch.stream().filter(change -> change.kind() == kind).toList();
  }

  private void writeDeletes(List<Change> deletes) throws SQLException {
    for (List<Change> chunk :
        StatementChunks.split(deletes, keysPerStatement(), statementBytes(), keyIndexes)) {
      try (PreparedStatement statement =
          connection.prepareStatement(dialect.delete(table, key, chunk.size()))) {
        bindKeys(statement, chunk);
        statement.executeUpdate();
      }
    }
  }

  /**
   * How many bytes of values one statement may carry: half the server's max_allowed_packet, which
   * leaves room for the statement's text around them.
   */
  private long statementBytes() throws SQLException {
    return Math.max(1 << 16, maxAllowedPacket() / 2);
  }

  /** The server's {@code max_allowed_packet}, read once, on first use. */
  private long maxAllowedPacket() throws SQLException {
    if (maxAllowedPacket == 0) {
      try (PreparedStatement statement =
              connection.prepareStatement("SELECT @@max_allowed_packet");
          ResultSet rows = statement.executeQuery()) {
        rows.next();
        maxAllowedPacket = rows.getLong(1);
      }
    }
    return maxAllowedPacket;
  }

  /**
   * A row too large for one statement under the server's {@code max_allowed_packet} can never be
   * written by a statement (the server drops the connection, and a retry fails the same way), and
   * LOAD DATA would store it where no later update could reach it: it is refused before anything of
   * the batch is sent, naming its key, its largest column and the sizes.
   */
  private void checkPacketSize(List<Change> batch) {
    long limit;
    try {
      limit = maxAllowedPacket();
    } catch (SQLException e) {
      throw MySqlErrors.failed(side, "read max_allowed_packet", e);
    }
    long statementText = dialect.upsert(table, columns, 1).length();
    for (Change change : batch) {
      if (change.kind() == ChangeKind.DELETE || statementText + upperBound(change) <= limit) {
        continue; // the upper bound fits: most rows never need the exact count
      }
      change = withValues(List.of(change)).get(0);
      long rowBytes = statementText;
      for (Object value : change.row()) {
        rowBytes += StatementChunks.bytesSent(value);
      }
      if (rowBytes > limit) {
        throw rejection.tooLarge(change, rowBytes, limit);
      }
    }
  }

  /** At most the bytes of the row's values in a statement. */
  private long upperBound(Change change) {
    if (change.row() != null) {
      return StatementChunks.estimate(change.row(), allColumns);
    }
    // Each value's text holds at least its bytes (binary as hex, twice them); a statement escapes
    // a byte in two at most, and takes a scalar in its fixed most.
    return 2L * change.text().length + (long) StatementChunks.SCALAR_BYTES * columns.size();
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
   * The updates that find no row with their key, as the target compares keys: an upsert that finds
   * none would insert a second row instead. Counted first (one statement for many keys), then
   * looked up one by one only when some are missing.
   */
  private List<Change> missingUpdates(List<Change> updates) throws SQLException {
    List<Change> missing = new ArrayList<>();
    for (List<Change> chunk :
        StatementChunks.split(updates, keysPerStatement(), statementBytes(), keyIndexes)) {
      try (PreparedStatement statement =
          connection.prepareStatement(dialect.countKeys(table, key, chunk.size()))) {
        bindKeys(statement, chunk);
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          if (rows.getLong(1) == chunk.size()) {
            continue;
          }
        }
      }
      boolean[] present = presentKeys(chunk);
      for (int i = 0; i < chunk.size(); i++) {
        if (!present[i]) {
          missing.add(chunk.get(i));
        }
      }
    }
    return missing;
  }

  /**
   * Whether every key column compares values exactly (numbers, dates, binary strings, binary NO PAD
   * collations): then a key qsync read from the table is the key the table holds, and an update
   * that finds no row means another writer deleted it.
   */
  private boolean keysCompareExactly() throws SQLException {
    if (exactKeys == null) {
      boolean exact = true;
      try (PreparedStatement statement =
          connection.prepareStatement(
              "SELECT COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS"
                  + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
        statement.setString(1, table);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            String column = rows.getString(1);
            boolean isKey = key.stream().anyMatch(column::equalsIgnoreCase);
            exact &= !isKey || io.qsync.diff.KeyCollation.of(rows.getString(2)).isExact();
          }
        }
      }
      exactKeys = exact;
    }
    return exactKeys;
  }

  /**
   * Updates whose rows the table held when it was read and holds no more, under a key collation
   * qsync only approximates: another writer deleted them, or the collation matches keys differently
   * from qsync's reading of it (MariaDB's swedish_ci keeps 'å' and 'a' apart, say).
   */
  private QsyncException notFound(List<Change> missing, int updates) {
    List<String> keys = new ArrayList<>();
    missing.stream().limit(5).forEach(change -> keys.add(rejection.describeKey(change)));
    return new QsyncException(
        ErrorKind.NEEDS_ACTION,
        "table "
            + table
            + ": "
            + missing.size()
            + " of "
            + updates
            + " updates of this batch find no row with their key ("
            + String.join(", ", keys)
            + (missing.size() > 5 ? ", ..." : "")
            + "); the batch was rolled back\n"
            + "The table held these keys when it was read moments ago: another writer deleted the"
            + " rows since, or the key column's collation matches keys differently from qsync's"
            + " reading of it. If another writer, the next run writes them again; if the"
            + " collation, make the key column compare exactly ("
            + dialect.binaryKeyCollationHint()
            + ") or normalise the key in the query.");
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
   * Replays the batch in the order {@link #write} applies it, a row at a time and uncommitted, to
   * name the row and column the target rejects.
   */
  private QsyncException pinpoint(List<Change> changes, SQLException batchError) {
    List<Change> batch = withValues(changes);
    try {
      connection.setAutoCommit(false);
      for (Change change : ofKind(batch, ChangeKind.DELETE)) {
        try {
          writeDeletes(List.of(change));
        } catch (SQLException rowError) {
          return rejection.explain(change, rowError);
        }
      }
      Writing writing = writing(batch);
      for (List<Change> rows : List.of(writing.updates(), writing.inserts())) {
        for (Change change : rows) {
          try {
            writeRows(List.of(change), upsert && rows == writing.updates());
          } catch (SQLException rowError) {
            return rejection.explain(change, rowError);
          }
        }
      }
    } catch (SQLException e) {
      batchError.addSuppressed(e);
    } finally {
      rollback();
    }
    return rejection.explain(null, batchError);
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
