package io.qsync.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.badinput.Catalogue.Outcome;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bad-input catalogue: one test per bad input, each through {@code qsync run} as a person would
 * type it, each ending in a message that says what is wrong, where, and the fix, the exit code of
 * its class (3 config, 5 needs action, 1 may pass), every table as it was, and no run claiming
 * success. Privileges, names and the delete guard have classes of their own.
 */
@ExtendWith(MariaDbExtension.class)
class BadInputIT {
  @TempDir Path dir;

  private Catalogue scene;
  private Map<String, List<List<String>>> before;

  @BeforeEach
  void scene(TestDatabase database) {
    scene = new Catalogue(dir, database);
    before = scene.snapshot();
  }

  // ---- the config file: exit 3, nothing connected to ----

  @Test
  void malformedYaml() {
    Outcome outcome = scene.runWith(scene.yaml().replace("key: [id]", "key: [id"), "run", "s");
    scene.assertRefused(
        outcome,
        before,
        3,
        "qsync.yaml:12:9: invalid YAML: expected ',' or ']'",
        "check the indentation, colons and quotes here",
        "Fix the config and run `qsync validate`.");
  }

  @Test
  void unknownKeySuggestsTheNearest() {
    Outcome outcome = scene.with("batchsize", "10").run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        3,
        "qsync.yaml:14:5: syncs.s.batchsize:",
        "unknown key 'batchsize' (did you mean 'batch_size'?)");
  }

  @Test
  void wrongType() {
    Outcome outcome = scene.with("batch_size", "lots").run("run", "s");
    scene.assertRefused(
        outcome, before, 3, "syncs.s.batch_size", "expected a positive whole number, got \"lots\"");
  }

  @Test
  void missingKeyColumns() {
    Outcome outcome = scene.with("key", null).run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        3,
        "syncs.s.key",
        "missing required key 'key'",
        "only mode: append may go without");
  }

  // ---- the query and its keys: exit 5, before anything is written ----

  @Test
  void keyColumnAbsentFromTheQuery() {
    Outcome outcome = scene.with("query", "\"SELECT name FROM src\"").run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "sync 's': key column id not in the query result (it returns name)",
        "Add the column to the query's SELECT, or fix the sync's key.");
  }

  @Test
  void aQueryTheWarehouseRejectsNamesTheSyncAndSaysNothingOfAChangeSet() {
    Outcome outcome = scene.with("query", "\"SELECT * FROM srcz\"").run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "sync 's' (query at " + dir.resolve("qsync.yaml") + ":",
        "): DuckDB connection",
        "rejected the query",
        "srcz does not exist",
        "Fix the sync's query");
    // Nothing was staged or written: there is no change set the user could expect to resume.
    assertThat(outcome.err()).doesNotContain("change set");
  }

  @Test
  void validateShowsTheProblemsOfBothSides() {
    Outcome outcome =
        scene.with("query", "\"SELECT * FROM nosuch\"").with("table", "missing").run("validate");

    assertThat(outcome.exitCode()).as(outcome.all()).isEqualTo(5);
    assertThat(outcome.out()).contains("nosuch", "table missing does not exist in");
  }

  @Test
  void nullKey() {
    scene.warehouse().execute("INSERT INTO src VALUES (NULL, 'n')");
    Outcome outcome = scene.run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "sync 's': the query's keys cannot be written (key: id)",
        "1 row(s) with a NULL key part",
        "WHERE key IS NOT NULL",
        "Nothing was written.");
  }

  @Test
  void duplicateKey() {
    scene.warehouse().execute("INSERT INTO src VALUES (2, 'again')");
    Outcome outcome = scene.run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "1 key(s) on more than one row -> (2)",
        "GROUP BY",
        "Nothing was written.");
  }

  @Test
  void keysEqualUnderTheTargetCollation() {
    scene
        .database()
        .execute(
            "CREATE TABLE codes (code VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY,"
                + " name VARCHAR(20))",
            "INSERT INTO codes VALUES ('x', 'keep')");
    before = scene.snapshot();
    Outcome outcome =
        scene
            .with(
                "query",
                "\"SELECT * FROM (VALUES ('Abc', 'a'), ('abc', 'b'), ('x', 'c')) v(code, name)\"")
            .with("table", "codes")
            .with("key", "[code]")
            .run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "equal under the target column's collation",
        "'Abc'",
        "'abc'",
        "COLLATE utf8mb4_nopad_bin");
  }

  // ---- values the table cannot hold: exit 5, before anything is written ----

  @Test
  void aValueTooLongForItsColumn() {
    scene.warehouse().execute("UPDATE src SET name = 'much too long for twenty' WHERE id = 2");
    Outcome outcome = scene.run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "table t",
        "column name (varchar(20)): 1 value: longer than 20 characters",
        "key (id=2): 'much too long for twenty'",
        "nothing was written");
  }

  @Test
  void aNumberOutOfRange() {
    scene.database().execute("ALTER TABLE t ADD COLUMN level TINYINT NULL");
    before = scene.snapshot();
    Outcome outcome =
        scene
            .with(
                "query",
                "\"SELECT id, name, CASE WHEN id = 3 THEN 1000 ELSE 1 END AS level FROM src\"")
            .run("run", "s");
    scene.assertRefused(outcome, before, 5, "key (id=3)", "column level", "1000");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"0000-01-01", "10000-01-01"})
  void aDateMySqlCannotHold(String day) {
    scene.database().execute("ALTER TABLE t ADD COLUMN day DATE NULL");
    before = scene.snapshot();
    Outcome outcome =
        scene
            .with(
                "query",
                "\"SELECT id, name, CASE WHEN id = 3 THEN DATE '"
                    + day
                    + "'"
                    + " ELSE DATE '2026-01-01' END AS day FROM src\"")
            .run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "table t cannot store a value",
        "column day (date): 1 value: outside the" + " years 1000 to 9999",
        "key (id=3): " + (day.startsWith("0000") ? "0001-01-01 (BC)" : day),
        "map them in the query: CASE WHEN day"
            + " BETWEEN DATE '1000-01-01' AND DATE '9999-12-31' THEN day END");
  }

  @Test
  void aZeroDateAlreadyInTheTableIsPutBackNotRefused() {
    scene
        .database()
        .execute(
            "ALTER TABLE t ADD COLUMN day DATE NULL",
            "SET SESSION sql_mode = ''",
            "INSERT INTO t VALUES (2, 'b', '0000-00-00')"); // equal to the source but for the date
    scene.with("query", "\"SELECT id, name, DATE '2026-01-01' AS day FROM src\"");

    Outcome outcome = scene.run("run", "s");

    assertThat(outcome.exitCode()).as(outcome.all()).isZero();
    assertThat(scene.database().rows("SELECT id, name, CAST(day AS CHAR) FROM t ORDER BY id"))
        .containsExactly(
            List.of("1", "a", "2026-01-01"),
            List.of("2", "b", "2026-01-01"),
            List.of("3", "c", "2026-01-01"));
  }

  // ---- a table that cannot hold the result: exit 5, before anything is written ----

  @Test
  void aSourceColumnTheTableLacks() {
    Outcome outcome = scene.with("query", "\"SELECT *, 7 AS extra FROM src\"").run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "table t cannot hold the query result",
        "column extra",
        "is missing from the table",
        "ALTER TABLE `t` ADD COLUMN `extra`",
        "nothing was written");
  }

  @Test
  void aNotNullColumnWithoutDefaultTheQueryOmits() {
    scene.database().execute("ALTER TABLE t ADD COLUMN owner INT NOT NULL");
    before = scene.snapshot();
    Outcome outcome = scene.run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "column owner is NOT NULL without a default, and the query does not" + " return it",
        "ALTER TABLE `t` MODIFY `owner` int(11) NULL",
        "nothing was written");
  }

  @Test
  void aQueryError() {
    Outcome outcome = scene.with("query", "\"SELECT id, name FROM no_such_table\"").run("run", "s");
    scene.assertRefused(outcome, before, 5, "no_such_table");
  }

  // ---- connections ----

  @Test
  void anUnreachableHostFailsFastAndMayPass() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Outcome outcome =
        scene
            .connectAs("jdbc:mariadb://127.0.0.1:" + closedPort + "/x", "root", "")
            .run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        1,
        "connection 'app': cannot connect to jdbc:mariadb://127.0.0.1:" + closedPort,
        "Check that the server runs and the url's host and port.");
  }

  @Test
  void aWrongPassword() {
    Outcome outcome =
        scene.connectAs(scene.database().url(), "root", "wrong-Secret-77").run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "connection 'app'",
        "access denied for user 'root'",
        "Check the user and password");
    assertThat(outcome.all()).doesNotContain("wrong-Secret-77");
  }
}
