package io.qsync.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A database of its own on the test MariaDB, for one test class: created empty, dropped after. Root
 * user, no password.
 */
public record TestDatabase(String host, int port, String name) {
  /** A database of an embedded server; an empty name for statements that name their database. */
  public static TestDatabase on(io.qsync.tools.demo.EmbeddedMariaDb server, String name) {
    return new TestDatabase("127.0.0.1", server.port(), name);
  }

  public String url() {
    return "jdbc:mariadb://" + host + ":" + port + "/" + name;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), "root", "");
  }

  /** Runs statements, for setting up a scenario. */
  public void execute(String... statements) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every row of a query, each as a list of strings ({@code ResultSet.getString}). */
  public List<List<String>> rows(String sql) {
    try (Connection connection = connect()) {
      return JdbcRows.read(connection, sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether the database holds a table of that name. */
  public boolean hasTable(String table) {
    try (Connection connection = connect();
        var statement =
            connection.prepareStatement(
                "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
      statement.setString(1, table);
      try (ResultSet found = statement.executeQuery()) {
        return found.next();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public long count(String table) {
    return Long.parseLong(rows("SELECT COUNT(*) FROM `" + table + "`").get(0).get(0));
  }
}
