package io.qsync.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.badinput.Catalogue.Outcome;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sync user missing one of the README's grants: each test creates a MariaDB user of its own with
 * all but one privilege, runs the sync as that user, and drops the user afterwards. The run must
 * stop with exit 5, name the privilege's refusal and point at the grants, and leave every table as
 * it was. (GET_LOCK needs no privilege on MariaDB; what a user without history access cannot do is
 * record and fence its run in {@code _qsync_runs}, so "the lock" here is that table.)
 */
@ExtendWith(MariaDbExtension.class)
class PrivilegesIT {
  private static final String PASSWORD = "Pw-for-tests-1";

  @TempDir Path dir;

  private Catalogue scene;
  private TestDatabase database;
  private String user;
  private Map<String, List<List<String>>> before;

  @BeforeEach
  void scene(TestDatabase testDatabase) {
    database = testDatabase;
    scene = new Catalogue(dir, database);
    user = "qsync_np_" + UUID.randomUUID().toString().substring(0, 8);
    // An account of one host, not '%': a GRANT naming the user alone ('user'@'%') would miss it.
    database.execute("CREATE USER " + account() + " IDENTIFIED BY '" + PASSWORD + "'");
    scene.connectAs(database.url(), user, PASSWORD);
  }

  @AfterEach
  void dropUser() {
    database.execute("DROP USER IF EXISTS " + account());
  }

  /** The account the tests connect as, from 127.0.0.1 (the url's host). */
  private String account() {
    return "'" + user + "'@'127.0.0.1'";
  }

  private void grant(String privileges, String table) {
    database.execute(
        "GRANT " + privileges + " ON `" + database.name() + "`." + table + " TO " + account());
  }

  private void grantHistory() {
    grant("SELECT, INSERT, UPDATE, CREATE", "`_qsync_runs`");
  }

  @Test
  void withoutInsert() {
    grant("SELECT, UPDATE, DELETE", "`t`");
    grantHistory();
    before = scene.snapshot();
    Outcome outcome = scene.run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "connection 'app' (jdbc:mariadb://",
        "): could not ",
        "INSERT command denied to user '" + user + "'",
        "Grant it: GRANT INSERT ON `" + database.name() + "`.`t` TO " + account(),
        "Grant the user the privileges the README's \"Grants\" section lists.");
  }

  @Test
  void withoutDelete() {
    grant("SELECT, INSERT, UPDATE", "`t`");
    grantHistory();
    before = scene.snapshot();
    Outcome outcome = scene.run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "connection 'app' (jdbc:mariadb://",
        "): could not ",
        "DELETE command denied to user '" + user + "'",
        "Grant it: GRANT DELETE ON `" + database.name() + "`.`t` TO " + account(),
        "Grant the user the privileges the README's \"Grants\" section lists.");
  }

  @Test
  void withoutCreateWhenTheTableMustBeCreated() {
    grant("SELECT, INSERT, UPDATE, DELETE", "`t`");
    grantHistory();
    before = scene.snapshot();
    Outcome outcome = scene.with("table", "fresh").with("create_table", "true").run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "connection 'app' (jdbc:mariadb://",
        "): could not ",
        "could not create table fresh",
        "CREATE command denied to user '" + user + "'",
        "Grant it: GRANT CREATE ON `" + database.name() + "`.`fresh` TO " + account(),
        "Grant the user the privileges the README's \"Grants\" section lists.");
  }

  @Test
  void withoutAccessToTheRunHistoryThatFencesTheLock() {
    grant("SELECT, INSERT, UPDATE, DELETE", "`t`");
    before = scene.snapshot();
    Outcome outcome = scene.run("run", "s");
    scene.assertRefused(
        outcome,
        before,
        5,
        "connection 'app' (jdbc:mariadb://",
        "): could not ",
        "could not create `_qsync_runs`",
        "CREATE command denied to user '" + user + "'",
        "Grant it: GRANT CREATE ON `" + database.name() + "`.`_qsync_runs` TO " + account(),
        "Grant the user the privileges the README's \"Grants\" section lists.");
  }

  @Test
  void runsWithoutCreateWhenTheRunHistoryExists() {
    scene.connectAs(database.url(), "root", "");
    assertThat(scene.run("run", "s").exitCode()).isZero();
    scene.warehouse().execute("INSERT INTO src VALUES (5, 'e')");
    scene.connectAs(database.url(), user, PASSWORD);
    grant("SELECT, INSERT, UPDATE, DELETE", "`t`");
    grant("SELECT, INSERT, UPDATE", "`_qsync_runs`");

    Outcome outcome = scene.run("run", "s");

    assertThat(outcome.exitCode()).as("exit code; output:\n%s", outcome.all()).isZero();
    assertThat(database.rows("SELECT id FROM t ORDER BY id"))
        .containsExactly(List.of("1"), List.of("2"), List.of("3"), List.of("5"));
  }

  @Test
  void validateNamesEachMissingPrivilegeWithAGrantThatWorksPasted() {
    grant("SELECT", "`t`");

    Outcome validate = scene.run("validate");

    assertThat(validate.exitCode()).as(validate.all()).isEqualTo(5);
    String grantOnTable =
        "GRANT INSERT, UPDATE, DELETE ON `" + database.name() + "`.`t` TO " + account() + ";";
    String grantOnHistory =
        "GRANT SELECT, INSERT, UPDATE, CREATE ON `"
            + database.name()
            + "`.`_qsync_runs` TO "
            + account()
            + ";";
    assertThat(validate.out()).contains("NOT READY", grantOnTable, grantOnHistory);
    database.execute(grantOnTable, grantOnHistory);

    Outcome again = scene.run("validate");

    assertThat(again.exitCode()).as(again.all()).isZero();
    Outcome run = scene.run("run", "s");
    assertThat(run.exitCode()).as(run.all()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mirror", "upsert", "append"})
  void eachModeRunsWithTheGrantsValidateNames(String mode) {
    grant("SELECT", "`t`"); // to connect to the database at all
    scene.with("mode", mode).with("query", "\"SELECT * FROM src WHERE id > 1\"");

    Outcome validate = scene.run("validate");

    List<String> grants =
        validate
            .out()
            .lines()
            .map(String::strip)
            .filter(line -> line.startsWith("GRANT "))
            .toList();
    assertThat(grants).as(validate.all()).isNotEmpty();
    database.execute(grants.toArray(String[]::new));
    assertThat(scene.run("validate").exitCode()).isZero();
    Outcome run = scene.run("run", "s", "--allow-deletes");
    assertThat(run.exitCode()).as(run.all()).isZero();
  }

  @Test
  void replaceRunsWithTheGrantsValidateNames() {
    grant("SELECT", "`t`");
    scene.with("mode", "replace");

    Outcome validate = scene.run("validate");

    assertThat(validate.exitCode()).as(validate.all()).isEqualTo(5);
    List<String> grants =
        validate
            .out()
            .lines()
            .map(String::strip)
            .filter(line -> line.startsWith("GRANT "))
            .toList();
    assertThat(grants)
        .contains(
            "GRANT CREATE, INSERT, ALTER, DROP ON `"
                + database.name()
                + "`.* TO "
                + account()
                + ";");
    database.execute(grants.toArray(String[]::new));

    assertThat(scene.run("validate").exitCode()).isZero();
    Outcome run = scene.run("run", "s");
    assertThat(run.exitCode()).as(run.all()).isZero();
    assertThat(database.rows("SELECT id FROM t ORDER BY id"))
        .containsExactly(List.of("1"), List.of("2"), List.of("3"));
  }
}
