package io.qsync.destination.mysql;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.TransientException;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import io.qsync.row.Column;
import io.qsync.state.SyncLock;
import io.qsync.destination.Destination;
import io.qsync.destination.ChangeWriters.Writes;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.Optional;
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
final class MySqlChangeWriter implements Destination.ChangeWriter {
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

  MySqlChangeWriter(
      Connection connection, MySqlDialect dialect, String table, List<Column> columns,
      List<String> key, Writes writes, String runId, SyncLock lock, Clock clock,
      String side, MySqlMovedValues.Pending setAside) {
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
    checkPacketSize(batch);
    try {
      applyOnce(batch, afterSeq, Attempt.BULK);
    } catch (LoadDataDeclined declined) {
      // LOAD DATA did not take every row as sent (and was rolled back): the row-exact statements
      // write the batch, or name the row and column the table rejects.
      try {
        applyOnce(batch, afterSeq, Attempt.STATEMENTS);
      } catch (ValueMoves moves) {
        applyOnce(batch, afterSeq, Attempt.ROWS);
      }
    } catch (ValueMoves moves) {
      applyOnce(batch, afterSeq, Attempt.ROWS);
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
      throw MySqlErrors.failed(
          side, "write the rows set aside until the end of the run", e);
    }
  }

  /** How a batch is written. */
  private enum Attempt {
    /** Multi-row statements, and new rows with LOAD DATA where there are enough of them. */
    BULK,
    /** Multi-row statements only. */
    STATEMENTS,
    /**
     * One statement a row, setting aside rows whose value of another unique key is still held by
     * a row a later change moves it from ({@link MySqlMovedValues}).
     */
    ROWS
  }

  /** Thrown inside a batch's transaction when LOAD DATA did not load the rows exactly. */
  private static final class LoadDataDeclined extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LoadDataDeclined() {
      super("LOAD DATA did not load the batch's rows exactly", null, false, false);
    }
  }

  /**
   * Thrown inside a batch's transaction when a row collided with another on a unique key other
   * than the sync's: the batch is written again a row at a time, setting such rows aside.
   */
  private static final class ValueMoves extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ValueMoves() {
      super("a value of another unique key moves between rows", null, false, false);
    }
  }

  private void applyOnce(List<Change> batch, long afterSeq, Attempt attempt) {
    long lastSeq = batch.get(batch.size() - 1).seq();
    List<Change> setAside = new ArrayList<>();
    Set<String> collidedOn = new HashSet<>();
    try {
      connection.setAutoCommit(false);
      try {
        write(batch, attempt, setAside, collidedOn);
        MySqlCheckpoint.advance(connection, runId, afterSeq, lastSeq, clock.instant());
        if (!lock.held()) {
          // Its session ended (a restart, a killed session): the retry takes the lock again,
          // unless another run holds it by then.
          throw new TransientException(
              "run " + runId + " lost its lock before committing batch ending at change " + lastSeq
                  + "; the batch was rolled back\nRun again: the run resumes after its last"
                  + " committed batch.", null);
        }
        connection.commit();
        moved.add(setAside, collidedOn);
      } catch (SQLException | RuntimeException e) {
        rollback();
        if (e instanceof SQLException sql && attempt != Attempt.ROWS && movesAValue(sql)) {
          throw new ValueMoves();
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
   * that an insert needs; an insert never frees anything.
   */
  private void write(
      List<Change> batch, Attempt attempt, List<Change> setAside, Set<String> collidedOn)
      throws SQLException {
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
      return;
    }
    for (List<Change> chunk : StatementChunks.split(updates, maxRowsPerStatement, statementBytes(), allColumns)) {
      writeRows(chunk, true);
    }
    // Inserts are plain INSERTs even in upsert modes: a key the diff saw as new must not exist.
    // If it does, the key column's collation equates it with another key (or another writer
    // inserted it meanwhile), and an upsert would silently merge two source rows into one.
    if (attempt == Attempt.BULK && loadData.suits(inserts)) {
      if (!loadData.load(connection, inserts)) {
        throw new LoadDataDeclined();
      }
      return;
    }
    for (List<Change> chunk : StatementChunks.split(inserts, maxRowsPerStatement, statementBytes(), allColumns)) {
      writeRows(chunk, false);
    }
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
   * leaves room for the statement's text around them.
   */
  private long statementBytes() throws SQLException {
    return Math.max(1 << 16, maxAllowedPacket() / 2);
  }

  /** The server's {@code max_allowed_packet}, read once, on first use. */
  private long maxAllowedPacket() throws SQLException {
    if (maxAllowedPacket == 0) {
      try (PreparedStatement statement = connection.prepareStatement("SELECT @@max_allowed_packet");
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
   * LOAD DATA would store it where no later update could reach it: it is refused before anything
   * of the batch is sent, naming its key, its largest column and the sizes.
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
      if (change.kind() == ChangeKind.DELETE
          || statementText + StatementChunks.estimate(change.row(), allColumns) <= limit) {
        continue; // the upper bound fits: most rows never need the exact count
      }
      long rowBytes = statementText;
      int largest = 0;
      long largestBytes = -1;
      for (int i = 0; i < columns.size(); i++) {
        long bytes = StatementChunks.bytesSent(change.row()[i]);
        rowBytes += bytes;
        if (bytes > largestBytes) {
          largest = i;
          largestBytes = bytes;
        }
      }
      if (rowBytes > limit) {
        throw new QsyncException(
            ErrorKind.NEEDS_ACTION,
            String.format(Locale.ROOT,
                "table %s on %s: the row with key %s needs %,d bytes in one statement, more than"
                    + " the server's max_allowed_packet (%,d bytes) allows; its column %s holds"
                    + " %,d bytes (source type %s). Nothing of this batch was written.%n%s",
                table, side, describeKey(change), rowBytes, limit, columns.get(largest).name(),
                valueBytes(change.row()[largest]), columns.get(largest).type(),
                packetRemedy(rowBytes)));
      }
    }
  }

  /** The size of a value as the user knows it: a string's UTF-8 bytes, a binary's length. */
  private static long valueBytes(Object value) {
    if (value instanceof String text) {
      return text.getBytes(StandardCharsets.UTF_8).length;
    }
    return value instanceof byte[] bytes ? bytes.length : StatementChunks.bytesSent(value);
  }

  /** Raise the limit to the next power of two that holds the row, up to the server's 1 GiB. */
  private static String packetRemedy(long rowBytes) {
    long maximum = 1L << 30;
    String shorten = "shorten the value in the query (e.g. LEFT(column, n)) or filter the row out.";
    if (rowBytes > maximum) {
      return "The server cannot take more than 1 GiB in one packet: " + shorten;
    }
    long raised = Long.highestOneBit(rowBytes - 1) << 1;
    return "Raise max_allowed_packet on the server (SET GLOBAL max_allowed_packet = " + raised
        + ", and in its config file so that a restart keeps it), or " + shorten;
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
   * The updates that find no row with their key, as the target compares keys: an upsert that
   * finds none would insert a second row instead. Counted first (one statement for many keys),
   * then looked up one by one only when some are missing.
   */
  private List<Change> missingUpdates(List<Change> updates) throws SQLException {
    List<Change> missing = new ArrayList<>();
    for (List<Change> chunk : StatementChunks.split(updates, keysPerStatement(), statementBytes(), keyIndexes)) {
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
   * Whether every key column compares values exactly (numbers, dates, binary strings, binary NO
   * PAD collations): then a key qsync read from the table is the key the table holds, and an
   * update that finds no row means another writer deleted it.
   */
  private boolean keysCompareExactly() throws SQLException {
    if (exactKeys == null) {
      boolean exact = true;
      try (PreparedStatement statement = connection.prepareStatement(
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
   * qsync only approximates: another writer deleted them, or the collation matches keys
   * differently from qsync's reading of it (MariaDB's swedish_ci keeps 'å' and 'a' apart, say).
   */
  private QsyncException notFound(List<Change> missing, int updates) {
    List<String> keys = new ArrayList<>();
    missing.stream().limit(5).forEach(change -> keys.add(describeKey(change)));
    return new QsyncException(
        ErrorKind.NEEDS_ACTION,
        "table " + table + ": " + missing.size() + " of " + updates
            + " updates of this batch find no row with their key (" + String.join(", ", keys)
            + (missing.size() > 5 ? ", ..." : "") + "); the batch was rolled back\n"
            + "The table held these keys when it was read moments ago: another writer deleted the"
            + " rows since, or the key column's collation matches keys differently from qsync's"
            + " reading of it. If another writer, the next run writes them again; if the"
            + " collation, make the key column compare exactly (" + dialect.binaryKeyCollationHint()
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
  private QsyncException pinpoint(List<Change> batch, SQLException batchError) {
    try {
      connection.setAutoCommit(false);
      for (Change change : ofKind(batch, ChangeKind.DELETE)) {
        try {
          writeDeletes(List.of(change));
        } catch (SQLException rowError) {
          return rejected(change, rowError);
        }
      }
      Writing writing = writing(batch);
      for (List<Change> rows : List.of(writing.updates(), writing.inserts())) {
        for (Change change : rows) {
          try {
            writeRows(List.of(change), upsert && rows == writing.updates());
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
    MySqlErrors.Cause cause = MySqlErrors.classify(error);
    if (!cause.refusesARow()) {
      // The replay failed otherwise (the connection broke, a lock wait): that is the error.
      return MySqlErrors.failed(side, "apply the batch (replaying it row by row)", error);
    }
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
    String refusal = "the target rejected " + where + (column == null ? "" : " in column " + column) + value;
    String remedy =
        switch (cause) {
          case FOREIGN_KEY -> {
            Optional<MySqlErrors.ForeignKey> foreignKey = MySqlErrors.foreignKey(error.getMessage());
            refusal = "the foreign key " + foreignKey.map(found -> found.name() + " ").orElse("")
                + "refuses " + where + foreignKeyValues(change, foreignKey, error.getErrorCode());
            yield MySqlErrors.foreignKeyRemedy(error.getErrorCode(), foreignKey, "this row");
          }
          case CHECK_CONSTRAINT -> {
            Optional<String> name = MySqlErrors.checkConstraint(error.getMessage());
            refusal = "the CHECK constraint " + name.map(found -> found + " ").orElse("") + "refuses " + where;
            yield "Fix the row in the query (or filter it out), or change the constraint"
                + name.map(found -> " (ALTER TABLE " + MySqlDialect.quote(table) + " DROP CONSTRAINT "
                    + MySqlDialect.quote(found) + ")").orElse("") + ".";
          }
          case TRIGGER -> {
            List<String> triggers = triggersOfTable();
            refusal = (triggers.size() == 1 ? "trigger " + triggers.get(0)
                : "a trigger" + (triggers.isEmpty() ? "" : " (one of " + String.join(", ", triggers) + ")"))
                + " refused " + where + " with its own message";
            yield "Fix the row in the query (or filter it out), or change the trigger.";
          }
          default -> switch (error.getErrorCode()) {
            case 1062, 1586, 1859, 1169 -> duplicateRemedy(change);
            case 1048, 1263 -> "Return a value for the column, or allow NULL in it.";
            case 1292, 1411 -> "MySQL DATETIME holds years 1000-9999 and no zero dates; fix the value in the query.";
            default -> "Widen the column (ALTER TABLE ... MODIFY) or fix the value in the query.";
          };
        };
    String subject = "table " + table + " on " + side + ": " + refusal;
    if (error.getErrorCode() == 1062 && !upsert && change != null && keyIndexes.length > 0) {
      subject = "table " + table + " on " + side + " already holds the key " + describeKey(change)
          + ", which the query returns";
    }
    return new QsyncException(
        ErrorKind.NEEDS_ACTION,
        subject + ": " + error.getMessage()
            + "\nNothing of this batch was written. " + remedy,
        error);
  }

  /** What to do about a duplicate key: in append (plain INSERTs) the table held the key before. */
  private String duplicateRemedy(Change change) {
    if (upsert) {
      return "Another row of the table already holds this value of a unique key (named in"
          + " the message): a second unique key of the table that the query's rows"
          + " collide on, a key column whose collation equates keys qsync saw as"
          + " different ('s' and 'ß' under utf8mb4_general_ci), or another writer."
          + " Make the values unique in the query, or the key column binary (COLLATE"
          + " utf8mb4_bin), then run again.";
    }
    if (keyIndexes.length == 0) {
      return "Another row already holds this value of a unique index of the table (named in the"
          + " message): a row from before this run, or an earlier row of the query. Delete that"
          + " row from " + table + " or make the query's values unique; or give the sync a key"
          + " and use mode: upsert to update such rows.";
    }
    String which = change == null ? "those keys" : "the row with key " + describeKey(change);
    return "Append only inserts, and the table holds rows with keys the query returns. Delete"
        + " those rows from " + table + " (" + which + ", and any other the query returns), or use"
        + " mode: upsert (or mirror) to update them instead.";
  }

  /** " (owner_id=9)": the row's values of the foreign key's columns, when they are in the row. */
  private String foreignKeyValues(Change change, Optional<MySqlErrors.ForeignKey> foreignKey, int code) {
    if (change == null || foreignKey.isEmpty() || code != 1452) {
      return "";
    }
    StringJoiner values = new StringJoiner(", ", " (", ")");
    values.setEmptyValue("");
    for (String name : foreignKey.get().columns()) {
      for (int i = 0; i < columns.size(); i++) {
        if (columns.get(i).name().equalsIgnoreCase(name)) {
          values.add(name + "=" + preview(change.row()[i]));
        }
      }
    }
    return values.toString();
  }

  /** The table's triggers, as "t_check BEFORE INSERT", from information_schema; none if unknown. */
  private List<String> triggersOfTable() {
    List<String> triggers = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION FROM information_schema.TRIGGERS"
                + " WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ?"
                + " ORDER BY TRIGGER_NAME")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          triggers.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3));
        }
      }
    } catch (SQLException e) {
      return List.of(); // naming the triggers is a help, not a need
    }
    return triggers;
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
