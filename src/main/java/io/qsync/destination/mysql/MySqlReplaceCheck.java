package io.qsync.destination.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code replace} mode would break in a table: it builds a new table ({@code CREATE TABLE ...
 * LIKE}, which copies columns, indexes and CHECK constraints) and swaps it in with {@code RENAME
 * TABLE}. Triggers stay with the renamed old table and are dropped with it; {@code LIKE} copies no
 * foreign keys, so the table's own foreign keys would vanish; and the foreign keys of other tables
 * that reference it follow the rename to the old table, which then cannot be dropped. None of that
 * may happen silently, so such a table is refused before anything is written. Not thread-safe.
 */
final class MySqlReplaceCheck {
  private MySqlReplaceCheck() {}

  /**
   * Every reason {@code replace} cannot swap a new copy in for {@code table}, each with its remedy;
   * empty when it can.
   */
  static List<String> problems(Connection connection, String table) throws SQLException {
    List<String> problems = new ArrayList<>();
    List<String> triggers =
        triggers(connection, table).stream()
            .map(trigger -> trigger.name() + " (" + trigger.timing() + " " + trigger.event() + ")")
            .toList();
    if (!triggers.isEmpty()) {
      problems.add(
          "table "
              + table
              + " has trigger"
              + (triggers.size() == 1 ? " " : "s ")
              + String.join(", ", triggers)
              + ": replace mode swaps a new table in with RENAME"
              + " TABLE, and MySQL keeps triggers with the old table, which is dropped; row"
              + " triggers would not fire for the rows the swap replaces either\n   -> use mode:"
              + " mirror, which writes the rows in place (the triggers fire for each change), or"
              + " drop the trigger"
              + (triggers.size() == 1 ? "" : "s"));
    }
    List<String> outbound = new ArrayList<>();
    List<String> inbound = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME,"
                + " UNIQUE_CONSTRAINT_SCHEMA FROM information_schema.REFERENTIAL_CONSTRAINTS"
                + " WHERE (CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ?)"
                + " OR (UNIQUE_CONSTRAINT_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME = ?)"
                + " ORDER BY CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME")) {
      statement.setString(1, table);
      statement.setString(2, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          String child = rows.getString(2);
          String constraint = rows.getString(3);
          boolean sameSchema = rows.getString(1).equals(rows.getString(5));
          if (sameSchema && child.equals(table)) {
            outbound.add(constraint + " -> " + rows.getString(4));
          }
          if (!sameSchema || rows.getString(4).equals(table)) {
            String childName = sameSchema ? child : rows.getString(1) + "." + child;
            inbound.add(constraint + " of table " + childName);
          }
        }
      }
    }
    if (!outbound.isEmpty()) {
      problems.add(
          "table "
              + table
              + " has foreign key"
              + (outbound.size() == 1 ? " " : "s ")
              + String.join(", ", outbound)
              + ": replace mode builds the new table with CREATE"
              + " TABLE ... LIKE, which copies no foreign keys, so the table would lose them\n"
              + "   -> use mode: mirror, which writes the rows in place and keeps the table's"
              + " constraints");
    }
    if (!inbound.isEmpty()) {
      problems.add(
          "table "
              + table
              + " is referenced by foreign key"
              + (inbound.size() == 1 ? " " : "s ")
              + String.join(", ", inbound)
              + ": RENAME TABLE would leave "
              + (inbound.size() == 1 ? "that table" : "those tables")
              + " pointing at the old"
              + " table, which then cannot be dropped\n   -> use mode: mirror, which writes the rows"
              + " in place");
    }
    return problems;
  }

  /** A trigger of a table: its name, when it fires (BEFORE, AFTER) and on what (INSERT, ...). */
  record Trigger(String name, String timing, String event) {}

  /** The table's triggers, by name, from information_schema. */
  static List<Trigger> triggers(Connection connection, String table) throws SQLException {
    List<Trigger> triggers = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION FROM information_schema.TRIGGERS"
                + " WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ?"
                + " ORDER BY TRIGGER_NAME")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          triggers.add(new Trigger(rows.getString(1), rows.getString(2), rows.getString(3)));
        }
      }
    }
    return triggers;
  }
}
