package io.qsync.source.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.source.SnapshotSql;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The snapshot SQL with DuckDB's dialect, run in an in-memory DuckDB. */
class SnapshotSqlTest {
  private static final SnapshotSql SQL = new SnapshotSql(new DuckDbState.Dialect("st"));

  @Test
  void aQueryEndingInASemicolonAndACommentIsWrappedWhole() throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA st");
      statement.execute("CREATE TABLE st.r AS " + SQL.result("SELECT 1 AS id, 'a' AS name; -- done"));

      assertThat(rows(statement, "SELECT id, name, length(_qsync_fp) FROM st.r"))
          .containsExactly(List.of("1", "a", "32"));
    }
  }

  @Test
  void theChangeSetHoldsNewChangedAndGoneKeysAndUpsertsLeaveDeletesOut() throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA st");
      statement.execute("CREATE TABLE st.old AS " + SQL.result(
          "SELECT * FROM (VALUES (1, 'same'), (2, 'before'), (3, 'gone')) AS v(id, name)"));
      statement.execute("CREATE TABLE st.state AS " + SQL.state("old", List.of("id")));
      statement.execute("CREATE TABLE st.new AS " + SQL.result(
          "SELECT * FROM (VALUES (1, 'same'), (2, 'after'), (4, NULL)) AS v(id, name)"));
      List<String> columns = List.of("id", "name");

      assertThat(rows(statement, SQL.changes("new", "state", columns, List.of("id"), true)
          + " ORDER BY id"))
          .containsExactly(
              List.of("update", "2", "after"), List.of("delete", "3", "null"),
              List.of("insert", "4", "null"));
      assertThat(rows(statement, SQL.changes("new", "state", columns, List.of("id"), false)
          + " ORDER BY id"))
          .containsExactly(List.of("update", "2", "after"), List.of("insert", "4", "null"));
    }
  }

  private static List<List<String>> rows(Statement statement, String sql) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (ResultSet result = statement.executeQuery(sql)) {
      int width = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= width; i++) {
          row.add(String.valueOf(result.getObject(i)));
        }
        rows.add(row);
      }
    }
    return rows;
  }
}
