package io.qsync.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.badinput.Catalogue.Outcome;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the user made in the target database refuses a row: a foreign key (1451, 1452), a CHECK
 * constraint (4025), a trigger that SIGNALs (1644), a row the table already holds (1062 in append
 * mode), and a value larger than the server's {@code max_allowed_packet}. None of these passes by
 * running again: each must stop with exit 5, name the key, the object that refused it and the
 * remedy, never say "Run again", and leave every table as it was.
 */
@ExtendWith(MariaDbExtension.class)
class ServerRefusalsIT {
  /** 17 MiB: more than MariaDB's default max_allowed_packet of 16 MiB. */
  private static final int LARGE_VALUE = 17 * 1024 * 1024;

  @TempDir Path dir;

  private Catalogue scene;
  private Map<String, List<List<String>>> before;

  @BeforeEach
  void scene(TestDatabase database) {
    scene = new Catalogue(dir, database);
  }

  @Test
  void aRowWhoseParentIsMissingNamesTheForeignKeyAndTheKey() {
    scene
        .database()
        .execute(
            "CREATE TABLE owners (id INT NOT NULL PRIMARY KEY)",
            "INSERT INTO owners VALUES (1)",
            "ALTER TABLE t ADD COLUMN owner_id INT NULL,"
                + " ADD CONSTRAINT t_owner FOREIGN KEY (owner_id) REFERENCES owners (id)");
    before = scene.snapshot();

    Outcome outcome =
        scene
            .with(
                "query",
                "\"SELECT id, name, CASE WHEN id = 3 THEN 9 ELSE 1 END AS owner_id FROM src\"")
            .run("run", "s");

    assertRefused(
        outcome,
        "table t",
        "key (id=3)",
        "foreign key t_owner",
        "owner_id",
        "`owners`",
        "Insert the missing rows into `owners` first");
  }

  @Test
  void aDeleteOfARowOtherRowsReferNamesTheForeignKeyAndTheKey() {
    scene
        .database()
        .execute(
            "CREATE TABLE orders (id INT NOT NULL PRIMARY KEY, t_id INT NULL,"
                + " CONSTRAINT orders_t FOREIGN KEY (t_id) REFERENCES t (id))",
            "INSERT INTO orders VALUES (10, 4)");
    before = scene.snapshot();

    Outcome outcome = scene.run("run", "s");

    assertRefused(
        outcome, "table t", "key (id=4)", "foreign key orders_t", "`orders`", "mode: upsert");
  }

  @Test
  void aCheckConstraintNamesItselfAndTheKey() {
    scene.database().execute("ALTER TABLE t ADD CONSTRAINT name_not_c CHECK (name <> 'c')");
    before = scene.snapshot();

    Outcome outcome = scene.run("run", "s");

    assertRefused(
        outcome,
        "table t",
        "key (id=3)",
        "CHECK constraint name_not_c",
        "change the constraint (ALTER TABLE `t` DROP CONSTRAINT `name_not_c`)");
    assertThat(outcome.err()).doesNotContain("Widen");
    assertTheRemedyLetsTheNextRunPass(outcome);
  }

  @Test
  void aColumnsOwnCheckIsLiftedByDefiningTheColumnAgain() {
    // MariaDB names a column's CHECK t.name, and DROP CONSTRAINT does not find it.
    scene.database().execute("ALTER TABLE t MODIFY name VARCHAR(20) NULL CHECK (name <> 'c')");
    before = scene.snapshot();

    Outcome outcome = scene.run("run", "s");

    assertRefused(
        outcome,
        "table t",
        "key (id=3)",
        "change the constraint (ALTER TABLE `t` MODIFY `name` varchar(20) DEFAULT NULL)");
    assertTheRemedyLetsTheNextRunPass(outcome);
  }

  /** Runs the statement the remedy names, as pasted, and then the sync, which must pass. */
  private void assertTheRemedyLetsTheNextRunPass(Outcome outcome) {
    Matcher statement =
        Pattern.compile("change the constraint \\((ALTER TABLE .*)\\)\\.").matcher(outcome.err());
    assertThat(statement.find()).as("a statement in:\n%s", outcome.err()).isTrue();
    scene.database().execute(statement.group(1));

    Outcome next = scene.run("run", "s");

    assertThat(next.exitCode()).as("the next run; output:\n%s", next.all()).isZero();
  }

  @Test
  void aTriggerThatSignalsIsQuotedWithTheKey() {
    scene
        .database()
        .execute(
            "CREATE TRIGGER t_reserved BEFORE INSERT ON t FOR EACH ROW BEGIN"
                + " IF NEW.name = 'b' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'name b is reserved';"
                + " END IF; END");
    before = scene.snapshot();

    Outcome outcome = scene.run("run", "s");

    assertRefused(
        outcome,
        "table t",
        "key (id=2)",
        "name b is reserved",
        "trigger t_reserved",
        "change the trigger");
    assertThat(outcome.err()).doesNotContain("Widen");
  }

  @Test
  void appendIntoATableThatHoldsAKeyAlreadySaysSo() {
    before = scene.snapshot(); // t holds id 1, which the query returns too

    Outcome outcome = scene.with("mode", "append").run("run", "s");

    assertRefused(
        outcome,
        "already holds the key (id=1), which the query returns",
        "Append only inserts",
        "Delete those rows from t",
        "mode: upsert");
    assertThat(outcome.err())
        .doesNotContain("1-0")
        .doesNotContain("Widen")
        .doesNotContain("Make the query return each key once");
  }

  @Test
  void appendThatCommittedBatchesBeforeADuplicateSaysHowMany() {
    scene.database().execute("DELETE FROM t WHERE id = 1", "INSERT INTO t VALUES (2, 'held')");

    Outcome outcome =
        scene
            .with("mode", "append")
            .with("batch_size", "1")
            .with("query", "\"SELECT * FROM src ORDER BY id\"")
            .run("run", "s");

    assertThat(outcome.exitCode()).as(outcome.all()).isEqualTo(5);
    assertThat(outcome.err())
        .contains("already holds the key (id=2), which the query returns")
        .contains("This append committed 1 of its 3 rows")
        .doesNotContain("1-0")
        .doesNotContain("Widen")
        .doesNotContain("Run again");
    assertThat(scene.database().rows("SELECT id, name FROM t ORDER BY id"))
        .containsExactly(List.of("1", "a"), List.of("2", "held"), List.of("4", "gone"));
  }

  @Test
  void aValueLargerThanMaxAllowedPacketIsRefusedBeforeSending() {
    scene.database().execute("ALTER TABLE t MODIFY name LONGTEXT");
    before = scene.snapshot();

    Outcome outcome =
        scene
            .with(
                "query",
                "\"SELECT id, CASE WHEN id = 2 THEN repeat('x', "
                    + LARGE_VALUE
                    + ") ELSE name END AS name"
                    + " FROM src\"")
            .run("run", "s");

    assertRefused(
        outcome,
        "table t",
        "key (id=2)",
        "column name",
        "17,825,792 bytes",
        "max_allowed_packet (16,777,216 bytes)",
        "SET GLOBAL max_allowed_packet = 33554432",
        "shorten the value in the query");
  }

  @Test
  void aValueLargerThanMaxAllowedPacketIsRefusedOnTheLoadDataPathToo() {
    scene.database().execute("ALTER TABLE t MODIFY name LONGTEXT");
    before = scene.snapshot();

    // 97 new rows: enough for LOAD DATA, which would store the large value where a statement
    // cannot, leaving a row that qsync could never update.
    Outcome outcome =
        scene
            .with(
                "query",
                "\"SELECT i::INTEGER AS id, CASE WHEN i = 70 THEN repeat('x', "
                    + LARGE_VALUE
                    + ")"
                    + " ELSE 'n' || i END AS name FROM range(1, 101) r(i)\"")
            .run("run", "s");

    assertRefused(
        outcome, "table t", "key (id=70)", "column name", "17,825,792 bytes", "max_allowed_packet");
  }

  private void assertRefused(Outcome outcome, String... fragments) {
    scene.assertRefused(outcome, before, 5, fragments);
    assertThat(outcome.err())
        .as("a refusal that cannot pass by running again")
        .doesNotContain("Run again")
        .doesNotContain("tried ");
  }
}
