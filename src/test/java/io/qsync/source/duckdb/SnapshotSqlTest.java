package io.qsync.source.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.diff.KeyCollation;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.source.SnapshotSql;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The snapshot SQL with DuckDB's dialect, run in an in-memory DuckDB. */
class SnapshotSqlTest {
  private static final SnapshotSql SQL = new SnapshotSql(new DuckDbState.Dialect("st"));

  @Test
  void aQueryEndingInASemicolonAndACommentIsWrappedWhole() throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA st");
      statement.execute(
          "CREATE TABLE st.r AS " + SQL.result("SELECT 1 AS id, 'a' AS name; -- done"));

      assertThat(rows(statement, "SELECT id, name, length(_qsync_fp) FROM st.r"))
          .containsExactly(List.of("1", "a", "32"));
    }
  }

  @Test
  void theChangeSetHoldsNewChangedAndGoneKeysAndUpsertsLeaveDeletesOut() throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      beforeAndAfter(
          statement,
          "SELECT * FROM (VALUES (1, 'same'), (2, 'before'), (3, 'gone')) AS v(id, name)",
          "SELECT * FROM (VALUES (1, 'same'), (2, 'after'), (4, NULL)) AS v(id, name)",
          List.of("id"));
      List<String> columns = List.of("id", "name");

      assertThat(
              rows(
                  statement,
                  SQL.changes("new", "state", columns, List.of("id"), true) + " ORDER BY id"))
          .containsExactly(
              List.of("update", "2", "after"),
              List.of("delete", "3", "null"),
              List.of("insert", "4", "null"));
      assertThat(
              rows(
                  statement,
                  SQL.changes("new", "state", columns, List.of("id"), false) + " ORDER BY id"))
          .containsExactly(List.of("update", "2", "after"), List.of("insert", "4", "null"));
    }
  }

  /**
   * The change set in two statements (changed keys, then their rows) is the one statement's, row
   * for row, with a composite key, a key part that changed, NULLs and columns named like the join's
   * aliases, with and without deletes; and the first statement names only keys.
   */
  @Test
  void comparingKeysFirstThenFetchingGivesTheSameChangeSet() throws Exception {
    String query = "SELECT * FROM (VALUES %s) AS v(region, id, changed, r, s)";
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      beforeAndAfter(
          statement,
          query.formatted(
              "('eu', 1, 'a', 'r', NULL), ('eu', 2, 'b', 'r', 's'), ('us', 1, 'c', 'r',"
                  + " 's'), ('us', 2, NULL, NULL, NULL), ('us', 3, 'gone', 'r', 's')"),
          query.formatted(
              "('eu', 1, 'a', 'r', NULL), ('eu', 2, 'b2', 'r', 's'), ('eu', 3, 'c', 'r',"
                  + " 's'), ('us', 2, 'now', NULL, NULL), ('us', 4, 'new', 'r', 's')"),
          List.of("region", "id"));
      List<String> columns = List.of("region", "id", "changed", "r", "s");
      List<String> key = List.of("region", "id");

      for (boolean deletes : List.of(true, false)) {
        statement.execute(
            "CREATE OR REPLACE TABLE st.keys AS " + SQL.changedKeys("new", "state", key, deletes));
        List<List<String>> oneStatement =
            rows(
                statement,
                SQL.changes("new", "state", columns, key, deletes) + " ORDER BY region, id");
        List<List<String>> twoStatements =
            rows(statement, SQL.fetch("keys", "new", columns, key) + " ORDER BY region, id");

        assertThat(twoStatements).as("deletes: %s", deletes).isEqualTo(oneStatement);
        assertThat(oneStatement)
            .as("deletes: %s", deletes)
            .containsExactlyElementsOf(
                deletes
                    ? List.of(
                        List.of("update", "eu", "2", "b2", "r", "s"),
                        List.of("insert", "eu", "3", "c", "r", "s"),
                        List.of("delete", "us", "1", "null", "null", "null"),
                        List.of("update", "us", "2", "now", "null", "null"),
                        List.of("delete", "us", "3", "null", "null", "null"),
                        List.of("insert", "us", "4", "new", "r", "s"))
                    : List.of(
                        List.of("update", "eu", "2", "b2", "r", "s"),
                        List.of("insert", "eu", "3", "c", "r", "s"),
                        List.of("update", "us", "2", "now", "null", "null"),
                        List.of("insert", "us", "4", "new", "r", "s")));
        assertThat(rows(statement, "SELECT column_name FROM (DESCRIBE st.keys)"))
            .containsExactly(List.of(SnapshotSql.OP), List.of("region"), List.of("id"));
      }
    }
  }

  /**
   * Columns named after every alias the snapshot SQL used or uses (q was the row's alias, r and s
   * the join's, qsync_first and qsync_last the colliding keys'): the fingerprint still covers the
   * whole row, and the change set still joins result and state.
   */
  @Test
  void columnsNamedAfterTheSqlsAliasesAreFingerprintedAndJoinedLikeAnyOther() throws Exception {
    String query = "SELECT * FROM (VALUES %s) AS v(id, q, r, s, qsync_first, qsync_last, b)";
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      beforeAndAfter(
          statement,
          query.formatted(
              "(1, 'q', 'r', 's', 'f', 'l', 'v1'), (2, 'q', 'r', 's', 'f', 'l', 'v1'),"
                  + " (3, 'q', 'r', 's', 'f', 'l', 'v1')"),
          query.formatted(
              "(1, 'q', 'r', 's', 'f', 'l', 'v2'), (2, 'q', 'r', 's', 'f', 'l', 'v2'),"
                  + " (3, 'q', 'r', 's', 'f', 'l', 'v1')"),
          List.of("id"));
      List<String> columns = List.of("id", "q", "r", "s", "qsync_first", "qsync_last", "b");

      assertThat(
              rows(
                  statement,
                  SQL.changes("new", "state", columns, List.of("id"), true) + " ORDER BY id"))
          .containsExactly(
              List.of("update", "1", "q", "r", "s", "f", "l", "v2"),
              List.of("update", "2", "q", "r", "s", "f", "l", "v2"));
      assertThat(
              rows(
                  statement,
                  SQL.collidingKeys(
                      "new", List.of("q"), List.of(KeyCollation.of("utf8mb4_general_ci")), 5)))
          .as("three rows share q, but it is one key value, not a collision")
          .isEmpty();
    }
  }

  @Test
  void oneScanFindsRowsWithANullKeyPartAndKeysOnSeveralRows() throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA st");
      statement.execute(
          "CREATE TABLE st.r AS SELECT * FROM (VALUES (1, 'a'), (1, 'a'), (1, 'a'), (2, 'b'),"
              + " (2, 'b'), (3, 'c'), (NULL, 'x'), (NULL, 'x'), (4, NULL), (5, 'd'), (5, 'd'))"
              + " AS v(n, code)");

      // 3 rows with a NULL part, 2 shown; 3 keys on several rows, 2 shown
      assertThat(rows(statement, SQL.keyProblems("r", List.of("n", "code"), 2)))
          .containsExactly(
              List.of("3", "null", "4", "null"),
              List.of("3", "null", "null", "x"),
              List.of("3", "duplicate", "1", "a"),
              List.of("3", "duplicate", "2", "b"));
      assertThat(rows(statement, SQL.keyProblems("r", List.of("code"), 5)))
          .as("one key column")
          .containsExactly(
              List.of("1", "null", "null"),
              List.of("4", "duplicate", "a"),
              List.of("4", "duplicate", "b"),
              List.of("4", "duplicate", "d"),
              List.of("4", "duplicate", "x"));
      assertThat(rows(statement, SQL.keyProblems("r", List.of("n", "code"), 0)))
          .as("no samples asked")
          .isEmpty();
    }
  }

  /**
   * Whatever the SQL names itself (an alias, a column) starts with _qsync_, which no query may use.
   */
  @Test
  void everyNameTheSqlMakesUpIsReserved() {
    List<String> columns = List.of("id", "b");
    List<String> statements =
        List.of(
            SQL.result("SELECT id, b FROM t"),
            SQL.changes("r", "s", columns, List.of("id"), true),
            SQL.state("r", List.of("id")),
            SQL.nullKeys("r", List.of("id"), 5),
            SQL.duplicateKeys("r", List.of("id"), 5),
            SQL.keyProblems("r", List.of("id"), 5),
            SQL.collidingKeys(
                "r", List.of("b"), List.of(KeyCollation.of("utf8mb4_general_ci")), 5));
    Pattern alias = Pattern.compile("(?i)\\bAS\\s+\"?([A-Za-z_][A-Za-z0-9_]*)");
    List<String> madeUp = new ArrayList<>();
    for (String statement : statements) {
      Matcher names = alias.matcher(statement);
      while (names.find()) {
        if (!columns.contains(names.group(1))) {
          madeUp.add(names.group(1));
        }
      }
    }

    assertThat(madeUp)
        .isNotEmpty()
        .allMatch(name -> name.startsWith(SnapshotSql.RESERVED), "starts with _qsync_");
  }

  @Test
  void aQueryColumnNamedLikeQsyncsOwnIsRefusedWithTheRename() {
    assertThat(
            SnapshotSql.reservedNameProblems(
                List.of(
                    new Column("id", SqlType.of(SqlType.Kind.BIGINT)),
                    new Column("_QSYNC_fp", SqlType.of(SqlType.Kind.VARCHAR)))))
        .containsExactly(
            "the query returns a column named _QSYNC_fp, but diff: snapshot names"
                + " columns and aliases of its own _qsync_...; rename it with AS (e.g. QSYNC_fp)");
  }

  /**
   * In a new schema st: the state {@code before}'s rows leave (st.state, from st.old) and the
   * result of {@code after} (st.new).
   */
  private static void beforeAndAfter(
      Statement statement, String before, String after, List<String> key) throws Exception {
    statement.execute("CREATE SCHEMA st");
    statement.execute("CREATE TABLE st.old AS " + SQL.result(before));
    statement.execute("CREATE TABLE st.state AS " + SQL.state("old", key));
    statement.execute("CREATE TABLE st.new AS " + SQL.result(after));
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
