package io.qsync.destination.mysql;

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

/**
 * Which privileges a run needs that the account qsync logs in as lacks, each with the GRANT that
 * lifts it: what {@code qsync validate} says before a run would stop half-way. Reads the account's
 * grants from information_schema (USER_PRIVILEGES, SCHEMA_PRIVILEGES, TABLE_PRIVILEGES, for {@code
 * CURRENT_USER()}); privileges that come through a role are not listed there, so with a role active
 * nothing is said. Not thread-safe (one connection).
 */
final class MySqlPrivilegeCheck {
  private MySqlPrivilegeCheck() {}

  /**
   * @param onTable the privileges the run needs on {@code table} (held on it, its database or
   *     globally)
   * @param onDatabase the privileges the run needs on the whole database (replace mode's shadow
   *     table)
   */
  static List<String> problems(
      Connection connection, String table, List<String> onTable, List<String> onDatabase)
      throws SQLException {
    String account;
    String database;
    String role = null;
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT CURRENT_USER(), DATABASE()")) {
      rows.next();
      String currentUser = rows.getString(1);
      if (!MySqlAccounts.isAccount(currentUser)) {
        return List.of(); // a server without privileges (--skip-grant-tables): nothing to check
      }
      account = MySqlAccounts.quote(currentUser);
      database = rows.getString(2);
    }
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT CURRENT_ROLE()")) {
      rows.next();
      role = rows.getString(1);
    } catch (SQLException e) {
      // a server without roles
    }
    if (database == null || (role != null && !role.equalsIgnoreCase("NONE"))) {
      return List.of();
    }
    List<String> problems = new ArrayList<>();
    Set<String> onWholeDatabase = held(connection, account, null);
    lacking(problems, account, database, table, held(connection, account, table), onTable);
    lacking(problems, account, database, null, onWholeDatabase, onDatabase);
    String history = MySqlRunStore.TABLE.replace("`", "");
    lacking(
        problems,
        account,
        database,
        history,
        held(connection, account, history),
        exists(connection, history)
            ? List.of("SELECT", "INSERT", "UPDATE")
            : List.of("SELECT", "INSERT", "UPDATE", "CREATE"));
    return problems;
  }

  private static void lacking(
      List<String> problems,
      String account,
      String database,
      String table,
      Set<String> held,
      List<String> needed) {
    if (held.contains("ALL PRIVILEGES")) {
      return;
    }
    List<String> missing = needed.stream().filter(privilege -> !held.contains(privilege)).toList();
    if (missing.isEmpty()) {
      return;
    }
    String object =
        MySqlDialect.quote(database) + "." + (table == null ? "*" : MySqlDialect.quote(table));
    String privileges = String.join(", ", missing);
    problems.add(
        "the account "
            + account
            + " lacks "
            + privileges
            + " on "
            + object
            + ", which a run needs\n"
            + MySqlErrors.grant(privileges, object, account)
            + ";");
  }

  /**
   * The privileges {@code account} holds on {@code table} of the current database (null: on the
   * database as a whole), counting those held on the database and globally.
   */
  private static Set<String> held(Connection connection, String account, String table)
      throws SQLException {
    String sql =
        "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?"
            + " UNION SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES"
            + " WHERE GRANTEE = ? AND DATABASE() LIKE TABLE_SCHEMA"
            + (table == null
                ? ""
                : " UNION SELECT PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES"
                    + " WHERE GRANTEE = ? AND TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?");
    Set<String> held = new HashSet<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, account);
      statement.setString(2, account);
      if (table != null) {
        statement.setString(3, account);
        statement.setString(4, table);
      }
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          held.add(rows.getString(1).toUpperCase(Locale.ROOT));
        }
      }
    }
    return held;
  }

  private static boolean exists(Connection connection, String table) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                + " AND TABLE_NAME = ?")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1) > 0;
      }
    }
  }
}
