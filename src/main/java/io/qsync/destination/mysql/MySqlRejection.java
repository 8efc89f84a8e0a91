package io.qsync.destination.mysql;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.Change;
import io.qsync.row.Column;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Explains why MySQL refused a row of a batch: the row's key, the column and value the message
 * names, the constraint, trigger or unique key that refused it, and the remedy for the mode the
 * sync writes in. Reads the table's triggers when one refused the row, and a column's definition
 * when its CHECK did. Not thread-safe.
 */
final class MySqlRejection {
  private static final Pattern COLUMN_IN_MESSAGE =
      Pattern.compile("(?i)column ((?:[`'][^`']*[`']\\.?)+)");

  private final Connection connection;
  private final String table;
  private final List<Column> columns;
  private final List<String> key;
  private final int[] keyIndexes;
  private final boolean upsert;
  private final String side;

  /**
   * @param keyIndexes where each key column is among {@code columns}
   * @param upsert whether the batch updates rows (every mode but {@code append} and {@code
   *     replace}); a duplicate key means something else then
   * @param side the connection, for messages: its name and where it points
   */
  MySqlRejection(
      Connection connection,
      String table,
      List<Column> columns,
      List<String> key,
      int[] keyIndexes,
      boolean upsert,
      String side) {
    this.connection = connection;
    this.table = table;
    this.columns = List.copyOf(columns);
    this.key = List.copyOf(key);
    this.keyIndexes = keyIndexes.clone();
    this.upsert = upsert;
    this.side = side;
  }

  /**
   * Why the table refused {@code change} (null when the row is unknown) with {@code error}: the
   * row's key, the column and its value where the message names one, and the remedy; any other
   * failure of the replay as itself.
   */
  QsyncException explain(Change change, SQLException error) {
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
          value =
              " (value "
                  + preview(change.row()[i])
                  + ", source type "
                  + columns.get(i).type()
                  + ")";
        }
      }
    }
    String refusal =
        "the target rejected " + where + (column == null ? "" : " in column " + column) + value;
    String remedy =
        switch (cause) {
          case FOREIGN_KEY -> {
            Optional<MySqlErrors.ForeignKey> foreignKey =
                MySqlErrors.foreignKey(error.getMessage());
            refusal =
                "the foreign key "
                    + foreignKey.map(found -> found.name() + " ").orElse("")
                    + "refuses "
                    + where
                    + foreignKeyValues(change, foreignKey, error.getErrorCode());
            yield MySqlErrors.foreignKeyRemedy(error.getErrorCode(), foreignKey, "this row");
          }
          case CHECK_CONSTRAINT -> {
            Optional<String> name = MySqlErrors.checkConstraint(error.getMessage());
            refusal =
                "the CHECK constraint "
                    + name.map(found -> found + " ").orElse("")
                    + "refuses "
                    + where;
            yield "Fix the row in the query (or filter it out), or change the constraint"
                + name.map(found -> " (" + liftCheck(found) + ")").orElse("")
                + ".";
          }
          case TRIGGER -> {
            List<String> triggers = triggersOfTable();
            refusal =
                (triggers.size() == 1
                        ? "trigger " + triggers.get(0)
                        : "a trigger"
                            + (triggers.isEmpty()
                                ? ""
                                : " (one of " + String.join(", ", triggers) + ")"))
                    + " refused "
                    + where
                    + " with its own message";
            yield "Fix the row in the query (or filter it out), or change the trigger.";
          }
          default ->
              switch (error.getErrorCode()) {
                case 1062, 1586, 1859, 1169 -> duplicateRemedy(change);
                case 1048, 1263 -> "Return a value for the column, or allow NULL in it.";
                case 1292, 1411 ->
                    "MySQL DATETIME holds years 1000-9999 and no zero dates; fix the value in the query.";
                default ->
                    "Widen the column (ALTER TABLE ... MODIFY) or fix the value in the query.";
              };
        };
    String subject = "table " + table + " on " + side + ": " + refusal;
    if (error.getErrorCode() == 1062 && !upsert && change != null && keyIndexes.length > 0) {
      subject =
          "table "
              + table
              + " on "
              + side
              + " already holds the key "
              + describeKey(change)
              + ", which the query returns";
    }
    return new QsyncException(
        ErrorKind.NEEDS_ACTION,
        subject + ": " + error.getMessage() + "\nNothing of this batch was written. " + remedy,
        error);
  }

  /**
   * A row too large for one statement under the server's {@code max_allowed_packet}, refused before
   * anything of its batch is sent: its key, its largest column and the sizes.
   *
   * @param rowBytes what the row needs in one statement
   * @param limit the server's max_allowed_packet
   */
  QsyncException tooLarge(Change change, long rowBytes, long limit) {
    int largest = 0;
    long largestBytes = -1;
    for (int i = 0; i < columns.size(); i++) {
      long bytes = StatementChunks.bytesSent(change.row()[i]);
      if (bytes > largestBytes) {
        largest = i;
        largestBytes = bytes;
      }
    }
    return new QsyncException(
        ErrorKind.NEEDS_ACTION,
        String.format(
            Locale.ROOT,
            "table %s on %s: the row with key %s needs %,d bytes in one statement, more than"
                + " the server's max_allowed_packet (%,d bytes) allows; its column %s holds"
                + " %,d bytes (source type %s). Nothing of this batch was written.%n%s",
            table,
            side,
            describeKey(change),
            rowBytes,
            limit,
            columns.get(largest).name(),
            valueBytes(change.row()[largest]),
            columns.get(largest).type(),
            packetRemedy(rowBytes)));
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
    return "Raise max_allowed_packet on the server (SET GLOBAL max_allowed_packet = "
        + raised
        + ", and in its config file so that a restart keeps it), or "
        + shorten;
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
          + " row from "
          + table
          + " or make the query's values unique; or give the sync a key"
          + " and use mode: upsert to update such rows.";
    }
    String which = change == null ? "those keys" : "the row with key " + describeKey(change);
    return "Append only inserts, and the table holds rows with keys the query returns. Delete"
        + " those rows from "
        + table
        + " ("
        + which
        + ", and any other the query returns), or use"
        + " mode: upsert (or mirror) to update them instead.";
  }

  /**
   * The statement that lifts the CHECK constraint {@code name} (as the refusal names it). MariaDB
   * names a column's own CHECK {@code table.column}; DROP CONSTRAINT does not find it, and it goes
   * by defining the column again without it: the column's definition as SHOW CREATE TABLE shows it,
   * its CHECK taken out. A table's CHECK (every CHECK on MySQL 8) is dropped by its name.
   */
  private String liftCheck(String name) {
    String prefix = table + ".";
    if (!name.startsWith(prefix)) {
      return "ALTER TABLE "
          + MySqlDialect.quote(table)
          + " DROP CONSTRAINT "
          + MySqlDialect.quote(name);
    }
    String column = name.substring(prefix.length());
    String definition =
        columnWithoutCheck(column)
            .orElse(MySqlDialect.quote(column) + " <its definition without the CHECK>");
    return "ALTER TABLE " + MySqlDialect.quote(table) + " MODIFY " + definition;
  }

  /**
   * "`name` varchar(20) DEFAULT NULL": the column's line of SHOW CREATE TABLE without its CHECK
   * clause (MariaDB's information_schema.CHECK_CONSTRAINTS, LEVEL 'Column'); empty when either is
   * not to be read.
   */
  private Optional<String> columnWithoutCheck(String column) {
    try {
      String clause = null;
      try (PreparedStatement statement =
          connection.prepareStatement(
              "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
                  + " WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ?"
                  + " AND CONSTRAINT_NAME = ? AND LEVEL = 'Column'")) {
        statement.setString(1, table);
        statement.setString(2, column);
        try (ResultSet rows = statement.executeQuery()) {
          if (rows.next()) {
            clause = rows.getString(1);
          }
        }
      }
      if (clause == null) {
        return Optional.empty();
      }
      String check = " CHECK (" + clause + ")";
      String start = MySqlDialect.quote(column) + " ";
      try (Statement statement = connection.createStatement();
          ResultSet rows =
              statement.executeQuery("SHOW CREATE TABLE " + MySqlDialect.quote(table))) {
        rows.next();
        for (String line : rows.getString(2).split("\n")) {
          String definition = line.strip().replaceFirst(",$", "");
          if (definition.startsWith(start) && definition.contains(check)) {
            return Optional.of(definition.replace(check, ""));
          }
        }
      }
      return Optional.empty();
    } catch (SQLException e) {
      return Optional.empty(); // the statement is a help; the constraint's name is said above
    }
  }

  /** " (owner_id=9)": the row's values of the foreign key's columns, when they are in the row. */
  private String foreignKeyValues(
      Change change, Optional<MySqlErrors.ForeignKey> foreignKey, int code) {
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
    try {
      return MySqlReplaceCheck.triggers(connection, table).stream()
          .map(trigger -> trigger.name() + " " + trigger.timing() + " " + trigger.event())
          .toList();
    } catch (SQLException e) {
      return List.of(); // naming the triggers is a help, not a need
    }
  }

  /** "(id=7)", or "#seq" for a sync without a key: the row, for messages. */
  String describeKey(Change change) {
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
}
