package io.qsync.destination.mysql;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.Change;
import io.qsync.row.Column;
import io.qsync.state.SyncLock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Writes, after a run's last batch, the rows its batches set aside because a value of another
 * unique key of the table was still held by another row: a value that moves from one row to
 * another, which MySQL checks row by row, never at the end of a statement or transaction.
 *
 * <p>One transaction, in two steps. First each row is written as usual: most values were freed by
 * the later batches that moved them. What still collides moves in a cycle ({@code (1,'a'),(2,'b')}
 * becoming {@code (1,'b'),(2,'a')}), which no order of updates can write: those rows are copied
 * whole (every stored column, so an {@code id} or a {@code created_at} the query does not return
 * stays as it was) into a temporary table, deleted, given their new values there, and inserted
 * back. A value that still collides after that is held twice in the query's result (or by a row the
 * run does not change): the transaction rolls back and the run stops, naming both rows.
 *
 * <p>Deleting and inserting fires the table's DELETE and INSERT triggers instead of its UPDATE ones
 * (the run's report says so). Foreign keys of other tables that reference the table are not
 * cascaded: their checks are off for the delete and the insert of the same rows, and the rows come
 * back with the same values in every referenced column; a foreign key that references a column the
 * query changes makes the run stop instead. Not thread-safe.
 */
final class MySqlMovedValues {
  /** Writes rows with the writer's statements: an upsert, or a plain INSERT. */
  @FunctionalInterface
  interface RowWriter {
    void write(List<Change> rows, boolean asUpsert) throws SQLException;
  }

  /**
   * The rows a run's batches set aside and the unique keys they collided on; shared by the writers
   * of one run, as a lost session is replaced by a new writer. Not thread-safe.
   */
  static final class Pending {
    private final List<Change> rows = new ArrayList<>();
    private final Set<String> keys = new java.util.TreeSet<>();

    void add(List<Change> setAside, Set<String> collidedOn) {
      rows.addAll(setAside);
      keys.addAll(collidedOn);
    }

    boolean isEmpty() {
      return rows.isEmpty();
    }
  }

  private static final String MOVING = "`qsync_moving`";

  private final Connection connection;
  private final String table;
  private final List<Column> columns;
  private final List<String> key;
  private final int[] keyIndexes;

  MySqlMovedValues(Connection connection, String table, List<Column> columns, List<String> key) {
    this.connection = connection;
    this.table = table;
    this.columns = List.copyOf(columns);
    this.key = List.copyOf(key);
    this.keyIndexes = new int[key.size()];
    for (int i = 0; i < key.size(); i++) {
      for (int c = 0; c < columns.size(); c++) {
        if (columns.get(c).name().equalsIgnoreCase(key.get(i))) {
          keyIndexes[i] = c;
        }
      }
    }
  }

  /**
   * Writes {@code rows} (changes that insert or update) in one transaction, committed only while
   * {@code lock} is held. Returns the note for the run's report.
   */
  String write(Pending pending, RowWriter writer, SyncLock lock, String runId) throws SQLException {
    List<Change> rows = List.copyOf(pending.rows);
    MySqlUniqueKeys uniqueKeys = MySqlUniqueKeys.read(connection, table, key);
    connection.setAutoCommit(false);
    try {
      List<Change> held = new ArrayList<>();
      List<Change> fresh = new ArrayList<>();
      boolean[] present = present(rows);
      for (int i = 0; i < rows.size(); i++) {
        (present[i] ? held : fresh).add(rows.get(i));
      }
      List<Change> cycle = new ArrayList<>();
      for (Change change : held) {
        if (!writeOne(writer, change, true, uniqueKeys)) {
          cycle.add(change);
        }
      }
      List<Change> stillNew = new ArrayList<>();
      for (Change change : fresh) {
        if (!writeOne(writer, change, false, uniqueKeys)) {
          stillNew.add(change);
        }
      }
      if (!cycle.isEmpty()) {
        rewrite(cycle, uniqueKeys);
      }
      for (Change change : stillNew) {
        try {
          writer.write(List.of(change), false);
        } catch (SQLException e) {
          throw collisionOr(change, e, uniqueKeys);
        }
      }
      if (!lock.held()) {
        // Its session ended (a restart, a killed session): the retry takes the lock again.
        throw new io.qsync.TransientException(
            "run "
                + runId
                + " lost its lock before committing the rows set aside until the end of"
                + " the run; they were rolled back\nRun again: the run resumes and writes them.",
            null);
      }
      connection.commit();
      String names = String.join(", ", pending.keys);
      pending.rows.clear();
      pending.keys.clear();
      return rows.size()
          + " row"
          + (rows.size() == 1 ? "" : "s")
          + " took a value of unique key"
          + (pending.keys.size() > 1 ? "s " : " ")
          + names
          + " that another row gave up later in the run, and were written after the last"
          + " batch"
          + (cycle.isEmpty()
              ? ""
              : "; "
                  + cycle.size()
                  + " of them, whose values moved"
                  + " in a cycle, as a delete and an insert of the whole row in one transaction (the"
                  + " table's DELETE and INSERT triggers fired for them, not its UPDATE ones)");
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // The connection is gone; the server rolled the transaction back.
      }
      throw e;
    } finally {
      dropMoving();
      try {
        connection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // The connection is gone; the error that broke it is on its way.
      }
    }
  }

  /** Writes one row; false when a value of another unique key is still taken. */
  private boolean writeOne(RowWriter writer, Change change, boolean asUpsert, MySqlUniqueKeys keys)
      throws SQLException {
    try {
      writer.write(List.of(change), asUpsert);
      return true;
    } catch (SQLException e) {
      if (e.getErrorCode() == 1062 && !keys.isSyncKey(e)) {
        return false; // MySQL undid this statement alone; the transaction goes on
      }
      throw e;
    }
  }

  /**
   * Rewrites rows whose values move in a cycle: each whole row is copied aside, deleted, given its
   * new values, and inserted back.
   */
  private void rewrite(List<Change> cycle, MySqlUniqueKeys uniqueKeys) throws SQLException {
    List<String> stored = storedColumns();
    List<String> inbound = inboundReferences();
    Set<String> written = new HashSet<>();
    columns.forEach(column -> written.add(column.name().toLowerCase(Locale.ROOT)));
    for (String reference : inbound) {
      String column = reference.substring(0, reference.indexOf(' '));
      if (written.contains(column.toLowerCase(Locale.ROOT))) {
        throw new QsyncException(
            ErrorKind.NEEDS_ACTION,
            "table "
                + table
                + ": "
                + cycle.size()
                + " rows trade values of a unique key among"
                + " themselves (first: "
                + describeKey(cycle.get(0))
                + "), which MySQL can only"
                + " write by deleting and inserting them again, but foreign key "
                + reference
                + " references a column the query writes, so the rows it references cannot be"
                + " taken out even for a moment\nNothing of this step was written (the batches"
                + " before it stay committed). Drop the foreign key or the unique key, or change"
                + " the values in two runs (first to values no other row holds).");
      }
    }
    StringJoiner storedList = new StringJoiner(", ");
    stored.forEach(column -> storedList.add(MySqlDialect.quote(column)));
    String keyCondition = keyCondition();
    try (Statement statement = connection.createStatement()) {
      // CREATE TEMPORARY TABLE does not commit the transaction (DDL on other tables would).
      statement.execute("DROP TEMPORARY TABLE IF EXISTS " + MOVING);
      statement.execute(
          "CREATE TEMPORARY TABLE "
              + MOVING
              + " AS SELECT "
              + storedList
              + " FROM "
              + MySqlDialect.quote(table)
              + " WHERE 1 = 0");
      if (!inbound.isEmpty()) {
        statement.execute("SET SESSION foreign_key_checks = 0");
      }
    }
    try {
      for (Change change : cycle) {
        try (PreparedStatement copy =
            connection.prepareStatement(
                "INSERT INTO "
                    + MOVING
                    + " SELECT "
                    + storedList
                    + " FROM "
                    + MySqlDialect.quote(table)
                    + " WHERE "
                    + keyCondition)) {
          bindKey(copy, 1, change);
          copy.executeUpdate();
        }
        try (PreparedStatement delete =
            connection.prepareStatement(
                "DELETE FROM " + MySqlDialect.quote(table) + " WHERE " + keyCondition)) {
          bindKey(delete, 1, change);
          delete.executeUpdate();
        }
        StringJoiner assignments = new StringJoiner(", ");
        columns.forEach(column -> assignments.add(MySqlDialect.quote(column.name()) + " = ?"));
        try (PreparedStatement update =
            connection.prepareStatement(
                "UPDATE " + MOVING + " SET " + assignments + " WHERE " + keyCondition)) {
          int index = 1;
          for (int i = 0; i < columns.size(); i++) {
            MySqlValues.bind(update, index++, change.row()[i], columns.get(i).type());
          }
          bindKey(update, index, change);
          update.executeUpdate();
        }
      }
      for (Change change : cycle) {
        try (PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO "
                    + MySqlDialect.quote(table)
                    + " ("
                    + storedList
                    + ") SELECT "
                    + storedList
                    + " FROM "
                    + MOVING
                    + " WHERE "
                    + keyCondition)) {
          bindKey(insert, 1, change);
          insert.executeUpdate();
        } catch (SQLException e) {
          throw collisionOr(change, e, uniqueKeys);
        }
      }
    } finally {
      if (!inbound.isEmpty()) {
        try (Statement statement = connection.createStatement()) {
          statement.execute("SET SESSION foreign_key_checks = 1");
        }
      }
    }
  }

  /**
   * A row whose value of another unique key is held by a row the run leaves with it (the query's
   * result holds the value twice, or the other row is not the query's to change) stops the run; any
   * other error goes on as it is.
   */
  private SQLException collisionOr(Change change, SQLException error, MySqlUniqueKeys uniqueKeys) {
    if (error.getErrorCode() != 1062 || uniqueKeys.isSyncKey(error)) {
      return error;
    }
    String index = uniqueKeys.keyName(error).orElse("?");
    String value = MySqlUniqueKeys.value(error).orElse("?");
    String holder =
        holder(change, uniqueKeys.columns().getOrDefault(index, List.of()))
            .map(key -> ", which the row with key " + key + " holds")
            .orElse("");
    throw new QsyncException(
        ErrorKind.NEEDS_ACTION,
        "table "
            + table
            + ": the row with key "
            + describeKey(change)
            + " needs '"
            + value
            + "' in unique key "
            + index
            + holder
            + ", and no change of this run frees it: the"
            + " query's result holds that value twice, or a row the query does not return holds"
            + " it\nNothing of this step was written (the batches before it stay committed). Make"
            + " the values of "
            + index
            + " unique in the query's result, delete the other row,"
            + " or drop the unique key "
            + index
            + " from the table.",
        error);
  }

  /** The key of the row that holds {@code change}'s values of a unique key, if one is found. */
  private java.util.Optional<String> holder(Change change, List<String> indexColumns) {
    if (indexColumns.isEmpty()) {
      return java.util.Optional.empty();
    }
    StringJoiner condition = new StringJoiner(" AND ");
    List<Integer> positions = new ArrayList<>();
    for (String indexColumn : indexColumns) {
      int position = -1;
      for (int c = 0; c < columns.size(); c++) {
        if (columns.get(c).name().equalsIgnoreCase(indexColumn)) {
          position = c;
        }
      }
      if (position < 0) {
        return java.util.Optional.empty();
      }
      positions.add(position);
      condition.add(MySqlDialect.quote(indexColumn) + " = ?");
    }
    StringJoiner keyList = new StringJoiner(", ");
    key.forEach(column -> keyList.add(MySqlDialect.quote(column)));
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT "
                + keyList
                + " FROM "
                + MySqlDialect.quote(table)
                + " WHERE "
                + condition
                + " LIMIT 1")) {
      int index = 1;
      for (int position : positions) {
        MySqlValues.bind(statement, index++, change.row()[position], columns.get(position).type());
      }
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return java.util.Optional.empty();
        }
        StringJoiner described = new StringJoiner(", ", "(", ")");
        for (int i = 0; i < key.size(); i++) {
          described.add(key.get(i) + "=" + rows.getString(i + 1));
        }
        return java.util.Optional.of(described.toString());
      }
    } catch (SQLException e) {
      return java.util.Optional.empty(); // the message is complete without it
    }
  }

  private boolean[] present(List<Change> rows) throws SQLException {
    boolean[] present = new boolean[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      try (PreparedStatement statement =
          connection.prepareStatement(
              "SELECT EXISTS (SELECT 1 FROM "
                  + MySqlDialect.quote(table)
                  + " WHERE "
                  + keyCondition()
                  + ")")) {
        bindKey(statement, 1, rows.get(i));
        try (ResultSet result = statement.executeQuery()) {
          result.next();
          present[i] = result.getBoolean(1);
        }
      }
    }
    return present;
  }

  /** The table's columns that hold stored values (every one but generated columns), in order. */
  private List<String> storedColumns() throws SQLException {
    List<String> stored = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT COLUMN_NAME, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                + " AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          String extra = String.valueOf(rows.getString(2)).toLowerCase(Locale.ROOT);
          boolean generated =
              extra.contains("generated")
                  || extra.contains("virtual")
                  || extra.contains("stored")
                  || extra.contains("persistent");
          if (!generated) {
            stored.add(rows.getString(1));
          }
        }
      }
    }
    return stored;
  }

  /**
   * The foreign keys of other tables that reference this one: {@code "column (constraint of
   * table)"} for each referenced column.
   */
  private List<String> inboundReferences() throws SQLException {
    List<String> references = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT REFERENCED_COLUMN_NAME, CONSTRAINT_NAME, TABLE_SCHEMA, TABLE_NAME"
                + " FROM information_schema.KEY_COLUMN_USAGE WHERE REFERENCED_TABLE_SCHEMA = DATABASE()"
                + " AND REFERENCED_TABLE_NAME = ?")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          references.add(
              rows.getString(1)
                  + " ("
                  + rows.getString(2)
                  + " of table "
                  + rows.getString(3)
                  + "."
                  + rows.getString(4)
                  + ")");
        }
      }
    }
    return references;
  }

  private String keyCondition() {
    StringJoiner condition = new StringJoiner(" AND ");
    key.forEach(column -> condition.add(MySqlDialect.quote(column) + " = ?"));
    return condition.toString();
  }

  private void bindKey(PreparedStatement statement, int first, Change change) throws SQLException {
    int index = first;
    for (int keyIndex : keyIndexes) {
      MySqlValues.bind(statement, index++, change.row()[keyIndex], columns.get(keyIndex).type());
    }
  }

  private String describeKey(Change change) {
    StringJoiner described = new StringJoiner(", ", "(", ")");
    for (int i = 0; i < keyIndexes.length; i++) {
      Object value = change.row()[keyIndexes[i]];
      described.add(key.get(i) + "=" + (value instanceof String ? "'" + value + "'" : value));
    }
    return described.toString();
  }

  private void dropMoving() {
    try (Statement statement = connection.createStatement()) {
      statement.execute("DROP TEMPORARY TABLE IF EXISTS " + MOVING);
    } catch (SQLException ignored) {
      // Gone with the session, if the session is gone.
    }
  }
}
