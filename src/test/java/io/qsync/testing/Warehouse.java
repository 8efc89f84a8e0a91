package io.qsync.testing;

import io.qsync.config.DuckDbConnectionConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * A DuckDB warehouse file for a test: the test changes it between runs; qsync opens it read-only.
 * Each call opens and closes its own connection so qsync can open the file in between.
 */
public record Warehouse(Path file) {
  public DuckDbConnectionConfig connection(String name) {
    return new DuckDbConnectionConfig(name, Optional.of(file), List.of());
  }

  public void execute(String... statements) {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every row of a query, as strings, for comparing with the target. */
  public List<List<String>> rows(String sql) {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file)) {
      return JdbcRows.read(connection, sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
