package io.qsync.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qsync.diff.ChangeCounts;
import io.qsync.diff.ChangeKind;
import io.qsync.diff.KeyCollation;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stage's SQL as text: its file format, and each statement over a run's columns. */
class StageSqlTest {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", SqlType.of(Kind.VARCHAR)),
          new Column("n", SqlType.of(Kind.INTEGER)),
          new Column("note", SqlType.decimal(40, 2)));
  private static final KeyCollation GENERAL_CI = KeyCollation.of("utf8mb4_general_ci");
  private static final StageSql SQL = new StageSql(COLUMNS);

  @Test
  void theTablesEarlierBuildsWroteAreReadAsTheyWroteThemSoThisBuildResumesTheirStages() {
    // changes is dropped apart (StageFile#dropChangeSet): a table, or the view of
    // qsync_change_rows that a whole result inserted makes; an earlier build's is a table.
    assertThat(StageSql.TABLES)
        .containsExactly(
            "qsync_meta",
            "qsync_columns",
            "src",
            "tgt",
            "qsync_change_rows",
            "qsync_warehouse_changes");
    assertThat(StageSql.CREATE_META)
        .isEqualTo(
            "CREATE TABLE qsync_meta (run_id VARCHAR, fingerprint VARCHAR, phase VARCHAR,"
                + " source_rows BIGINT, inserts BIGINT, updates BIGINT, deletes BIGINT,"
                + " unchanged BIGINT)");
    assertThat(StageSql.CREATE_COLUMNS)
        .isEqualTo(
            "CREATE TABLE qsync_columns (position INTEGER, name VARCHAR, kind VARCHAR,"
                + " precision INTEGER, scale INTEGER)");
    assertThat(StageSql.INSERT_META)
        .isEqualTo(
            "INSERT INTO qsync_meta (run_id, fingerprint, phase) VALUES (?, ?, 'EXTRACTING')");
    assertThat(StageSql.INSERT_COLUMN)
        .isEqualTo("INSERT INTO qsync_columns VALUES (?, ?, ?, ?, ?)");
    assertThat(StageSql.META_EXISTS)
        .isEqualTo(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'qsync_meta'");
    assertThat(StageSql.READ_COLUMNS)
        .isEqualTo("SELECT name, kind, precision, scale FROM qsync_columns ORDER BY position");
    assertThat(StageSql.READ_META)
        .isEqualTo(
            "SELECT run_id, fingerprint, phase, source_rows, inserts, updates, deletes,"
                + " unchanged FROM qsync_meta");
    assertThat(StageSql.recordDiffed(new ChangeCounts(10, 1, 2, 3, 7)))
        .isEqualTo(
            "UPDATE qsync_meta SET phase = 'DIFFED', source_rows = 10, inserts = 1,"
                + " updates = 2, deletes = 3, unchanged = 7");
    assertThat(StageSql.MARK_FROM_WAREHOUSE)
        .isEqualTo("CREATE TABLE IF NOT EXISTS qsync_warehouse_changes (marked BOOLEAN)");
    assertThat(StageSql.FROM_WAREHOUSE)
        .isEqualTo(
            "SELECT count(*) FROM information_schema.tables"
                + " WHERE table_name = 'qsync_warehouse_changes'");
  }

  @Test
  void namesResultColumnsByPositionFoundWhateverTheirCase() {
    assertThat(SQL.column("NOTE")).isEqualTo("c2");
    assertThat(StageSql.index(COLUMNS, "N")).isEqualTo(1);
    assertThatThrownBy(() -> SQL.column("missing"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no column missing in the stage");
  }

  @Test
  void createsTheResultAndTheTargetAsTemporaryTablesInDuckDbTypes() {
    assertThat(StageSql.createSource(COLUMNS))
        .isEqualTo("CREATE TEMPORARY TABLE src (c0 VARCHAR, c1 INTEGER, c2 VARCHAR)");
    assertThat(StageSql.createTarget(COLUMNS))
        .isEqualTo(
            "CREATE TEMPORARY TABLE tgt (c0 VARCHAR, c1 INTEGER, c2 VARCHAR, qsync_dirty BOOLEAN)");
  }

  @Test
  void copiesFromAnAttachedFileWithItsNameQuoted() {
    assertThat(StageSql.attach("/tmp/it's.duckdb"))
        .isEqualTo("ATTACH '/tmp/it''s.duckdb' AS qsync_source (READ_ONLY)");
    assertThat(StageSql.copy("result", "src"))
        .isEqualTo("INSERT INTO temp.src SELECT * FROM qsync_source.main.\"result\"");
  }

  @Test
  void diffsByTheKeyAsTheTargetComparesItAndNumbersInKeyOrder() {
    String values =
        "CASE WHEN s.__in THEN s.c0 ELSE t.c0 END AS c0, CASE WHEN s.__in THEN s.c1 ELSE t.c1 END"
            + " AS c1, CASE WHEN s.__in THEN s.c2 ELSE t.c2 END AS c2";
    String keyed = "strip_accents(lower(rtrim(c0, ' '))) AS __k0, c1 AS __k1";
    String expected =
        "CREATE OR REPLACE TABLE changes AS SELECT row_number() OVER (ORDER BY __k0, __k1) AS"
            + " qsync_seq, qsync_op, c0, c1, c2 FROM ( SELECT CASE WHEN t.__in IS NULL THEN 'I'"
            + " WHEN s.__in IS NULL THEN 'D' ELSE 'U' END AS qsync_op, coalesce(s.__k0, t.__k0) AS"
            + " __k0, coalesce(s.__k1, t.__k1) AS __k1, "
            + values
            + " FROM (SELECT *, true AS __in, "
            + keyed
            + " FROM src) s"
            + " FULL OUTER JOIN (SELECT *, true AS __in, "
            + keyed
            + " FROM tgt) t"
            + " ON s.__k0 = t.__k0 AND s.__k1 = t.__k1"
            + " WHERE (t.__in IS NULL OR s.__in IS NULL OR s.c0 IS DISTINCT FROM t.c0"
            + " OR s.c1 IS DISTINCT FROM t.c1 OR s.c2 IS DISTINCT FROM t.c2 OR t.qsync_dirty)";
    List<KeyCollation> collations = List.of(GENERAL_CI, KeyCollation.EXACT);

    assertThat(SQL.diff(List.of("ID", "n"), collations, true))
        .isEqualTo(expected + ") ORDER BY qsync_seq");
    assertThat(SQL.diff(List.of("ID", "n"), collations, false))
        .as("without deletes, rows only the target holds are left out")
        .isEqualTo(expected + " AND s.__in IS NOT NULL) ORDER BY qsync_seq");
  }

  @Test
  void insertsTheWholeResultInKeyOrderOrInTheSourcesOrder() {
    String numbered =
        "CREATE VIEW changes AS SELECT rowid + 1 AS qsync_seq, qsync_op, c0, c1, c2"
            + " FROM qsync_change_rows";
    assertThat(SQL.insertAll(List.of("n", "id")))
        .containsExactly(
            "CREATE OR REPLACE TABLE qsync_change_rows AS SELECT 'I' AS qsync_op, c0, c1, c2"
                + " FROM (SELECT * FROM src ORDER BY c1, c0)",
            numbered);
    assertThat(SQL.insertAll(List.of()))
        .containsExactly(
            "CREATE OR REPLACE TABLE qsync_change_rows AS SELECT 'I' AS qsync_op, c0, c1, c2"
                + " FROM src",
            numbered);
  }

  @Test
  void numbersAWarehouseChangeSetDeletesFirstThenInKeyOrder() {
    assertThat(SQL.warehouseChangeColumns())
        .containsExactly(
            new Column("_qsync_op", SqlType.of(Kind.VARCHAR)),
            COLUMNS.get(0),
            COLUMNS.get(1),
            COLUMNS.get(2));
    assertThat(SQL.createWarehouseChanges())
        .isEqualTo(
            "CREATE OR REPLACE TEMPORARY TABLE snap"
                + " (c0 VARCHAR, c1 VARCHAR, c2 INTEGER, c3 VARCHAR)");
    assertThat(SQL.numberWarehouseChanges(List.of("id")))
        .isEqualTo(
            "CREATE OR REPLACE TABLE changes AS SELECT row_number() OVER"
                + " (ORDER BY c0 = 'delete' DESC, c1) AS qsync_seq, CASE c0 WHEN 'insert' THEN 'I'"
                + " WHEN 'update' THEN 'U' ELSE 'D' END AS qsync_op, c1 AS c0, c2 AS c1, c3 AS c2"
                + " FROM snap ORDER BY qsync_seq");
  }

  @Test
  void findsNullDuplicateAndCollidingKeysWithACountAndSamples() {
    assertThat(SQL.nullKeys(List.of("id", "n"), 5))
        .isEqualTo(
            "SELECT count(*) OVER (), c0, c1 FROM src WHERE c0 IS NULL OR c1 IS NULL LIMIT 5");
    assertThat(SQL.duplicates(List.of("id"), "src", 5))
        .isEqualTo(
            "SELECT count(*) OVER (), c0 FROM src GROUP BY c0 HAVING count(*) > 1"
                + " ORDER BY c0 LIMIT 5");
    assertThat(SQL.collisions(List.of("id"), List.of(GENERAL_CI), "src", 5))
        .isEqualTo(
            "SELECT count(*) OVER (), string_agg(DISTINCT '''' || CAST(c0 AS VARCHAR) ||"
                + " '''', ' and ') AS rendered FROM src GROUP BY strip_accents(lower(rtrim(c0, ' ')))"
                + " HAVING count(DISTINCT c0) > 1 LIMIT 5");
    assertThat(
            SQL.collisions(List.of("id", "n"), List.of(GENERAL_CI, KeyCollation.EXACT), "src", 2))
        .isEqualTo(
            "SELECT count(*) OVER (), string_agg(DISTINCT '''' || CAST(row(c0, c1) AS"
                + " VARCHAR) || '''', ' and ') AS rendered FROM src GROUP BY"
                + " strip_accents(lower(rtrim(c0, ' '))), c1 HAVING count(DISTINCT row(c0, c1)) > 1"
                + " LIMIT 2");
    assertThat(SQL.withoutNulls(List.of("n", "note")))
        .isEqualTo("(SELECT * FROM src WHERE c1 IS NOT NULL AND c2 IS NOT NULL)");
  }

  @Test
  void readsTheChangeSetInOrder() {
    assertThat(SQL.changesAfter(ChangeRead.VALUES, StageSql.Layout.SORTED))
        .isEqualTo(
            "SELECT qsync_seq, ascii(qsync_op), c0, c1, c2 FROM changes WHERE qsync_seq > ?"
                + " ORDER BY qsync_seq");
    assertThat(SQL.changesAfter(ChangeRead.VALUES, StageSql.Layout.IN_PLACE))
        .isEqualTo(
            "SELECT qsync_seq, ascii(qsync_op), c0, c1, c2 FROM changes WHERE qsync_seq > ?");
    assertThat(SQL.changesAfter(ChangeRead.TEXT_ONLY, StageSql.Layout.IN_PLACE))
        .isEqualTo(
            "SELECT qsync_seq, ascii(qsync_op), "
                + SQL.loadDataText()
                + " FROM changes"
                + " WHERE qsync_seq > ?");
    // The view's rows read from its table, so that the checkpoint's filter is the scan's.
    assertThat(SQL.changesAfter(ChangeRead.TEXT_ONLY, StageSql.Layout.BY_PLACE))
        .isEqualTo(
            "SELECT rowid + 1 AS qsync_seq, ascii(qsync_op), "
                + SQL.loadDataText()
                + " FROM qsync_change_rows WHERE rowid >= ?");
    assertThat(StageSql.notInsertsAfter(7, StageSql.Layout.IN_PLACE))
        .isEqualTo("SELECT count(*) FROM changes WHERE qsync_seq > 7 AND qsync_op <> 'I'");
    assertThat(StageSql.notInsertsAfter(7, StageSql.Layout.BY_PLACE))
        .isEqualTo("SELECT count(*) FROM qsync_change_rows WHERE rowid >= 7 AND qsync_op <> 'I'");
    assertThat(SQL.sample(ChangeKind.DELETE, 3))
        .isEqualTo(
            "SELECT qsync_seq, ascii(qsync_op), c0, c1, c2 FROM changes WHERE qsync_op = 'D'"
                + " ORDER BY qsync_seq LIMIT 3");
    assertThat(StageSql.countChanges(ChangeKind.UPDATE))
        .isEqualTo("SELECT count(*) FROM changes WHERE qsync_op = 'U'");
  }

  @Test
  void anArrowStreamIsInsertedWithEachColumnCastToItsStageTypeAsTheAppenderConvertsIt() {
    assertThat(StageSql.insertArrow("src", COLUMNS, List.of("\"id\"", "\"n\"", "\"note\""), false))
        .isEqualTo(
            "INSERT INTO temp.src SELECT CAST(\"id\" AS VARCHAR), CAST(\"n\" AS INTEGER),"
                + " CAST(\"note\" AS VARCHAR) FROM qsync_arrow_stream");
    assertThat(StageSql.insertArrow("tgt", COLUMNS, List.of("a", "b", "c"), true))
        .endsWith("CAST(c AS VARCHAR), false FROM qsync_arrow_stream");
    assertThatThrownBy(() -> StageSql.insertArrow("src", COLUMNS, List.of("a"), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("1 expressions for the 3 columns of src");
  }

  @Test
  void onlyAViewNamedChangesInTheStageItselfIsTakenForTheChangeSetNumberedByPlace()
      throws SQLException {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE changes (qsync_seq BIGINT)");
      statement.execute("CREATE TEMPORARY VIEW changes AS SELECT 1 AS qsync_seq");
      statement.execute("ATTACH ':memory:' AS qsync_other");
      statement.execute("CREATE VIEW qsync_other.changes AS SELECT 1 AS qsync_seq");
      assertThat(count(statement, StageSql.CHANGES_ARE_A_VIEW)).isZero();

      statement.execute("DROP VIEW temp.changes");
      statement.execute(StageSql.DROP_CHANGES_TABLE);
      statement.execute("CREATE VIEW changes AS SELECT 1 AS qsync_seq");
      assertThat(count(statement, StageSql.CHANGES_ARE_A_VIEW)).isEqualTo(1);
      statement.execute(StageSql.DROP_CHANGES_VIEW);
      assertThat(count(statement, StageSql.CHANGES_ARE_A_VIEW)).isZero();
    }
  }

  private static long count(Statement statement, String sql) throws SQLException {
    try (ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  @Test
  void aNewRowComesAsItsTextAloneAndOtherChangesWithTheirValues() throws SQLException {
    // The driver would make a Java object of every value it fetches: a new row's are left in the
    // stage, since its LOAD DATA text carries them.
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE changes AS SELECT * FROM (VALUES (1, 'I', 'a', 1, 1.50), (2, 'U', 'b', 2,"
              + " 2.50), (3, 'D', 'c', NULL, NULL)) AS t(qsync_seq, qsync_op, c0, c1, c2)");
      try (PreparedStatement changes =
          connection.prepareStatement(
              SQL.changesAfter(ChangeRead.INSERTS_AS_TEXT, StageSql.Layout.SORTED))) {
        changes.setLong(1, 0);
        List<List<Object>> rows = new ArrayList<>();
        try (ResultSet result = changes.executeQuery()) {
          while (result.next()) {
            List<Object> row = new ArrayList<>();
            row.add(ChangeKind.ofCode(result.getInt(2)).name());
            for (int i = 3; i <= 5; i++) {
              row.add(result.getString(i));
            }
            byte[] text = result.getBytes(6);
            row.add(text == null ? null : new String(text, StandardCharsets.UTF_8));
            rows.add(row);
          }
        }
        assertThat(rows)
            .containsExactly(
                Arrays.asList("INSERT", null, null, null, "a\t1\t1.50\n"),
                Arrays.asList("UPDATE", "b", "2", "2.50", null),
                Arrays.asList("DELETE", "c", null, null, null));
      }
    }
  }
}
