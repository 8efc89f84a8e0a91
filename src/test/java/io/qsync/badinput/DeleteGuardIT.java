package io.qsync.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.badinput.Catalogue.Outcome;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard against a broken upstream: an empty result must not empty a table ({@code
 * allow_empty}), and no run may delete more than {@code max_delete_fraction} of it, unless the
 * config or one run's {@code --allow-deletes} says so. {@code plan} says when a run would stop.
 */
@ExtendWith(MariaDbExtension.class)
class DeleteGuardIT {
  @TempDir Path dir;

  private Catalogue scene;
  private TestDatabase database;
  private Map<String, List<List<String>>> before;

  @BeforeEach
  void scene(TestDatabase testDatabase) {
    database = testDatabase;
    scene = new Catalogue(dir, database);
    // ten rows in the table, of which the source (ids 1-3) keeps three
    database.execute("INSERT INTO t SELECT seq, 'x' FROM seq_5_to_12");
    before = scene.snapshot();
  }

  @Test
  void anEmptyResultInMirrorModeDoesNotEmptyTheTable() {
    scene.with("query", "\"SELECT * FROM src WHERE false\"");

    Outcome refused = scene.run("run", "s");

    scene.assertRefused(
        refused,
        before,
        5,
        "sync 's': the query returned no rows, and a mirror run would delete all"
            + " 10 rows of table t; nothing was written (allow_empty is false)",
        "set allow_empty: true on the sync, or run once with --allow-deletes");
    assertThat(database.rows("SELECT status FROM `_qsync_runs`"))
        .containsExactly(List.of("failed"));

    Outcome plan = scene.run("plan", "s");
    assertThat(plan.exitCode()).as(plan.all()).isZero();
    assertThat(plan.out())
        .contains("a run would stop here, before writing: sync 's': the query returned no rows");

    Outcome allowed = scene.run("run", "s", "--allow-deletes");
    assertThat(allowed.exitCode()).as(allowed.all()).isZero();
    assertThat(database.count("t")).isZero();
  }

  @Test
  void allowEmptyInTheConfigLetsAnEmptyResultEmptyTheTable() {
    Outcome outcome =
        scene
            .with("query", "\"SELECT * FROM src WHERE false\"")
            .with("allow_empty", "true")
            .run("run", "s");

    assertThat(outcome.exitCode()).as(outcome.all()).isZero();
    assertThat(database.count("t")).isZero();
  }

  @Test
  void aRunDeletingMoreThanMaxDeleteFractionStopsBeforeWriting() {
    Outcome refused = scene.run("run", "s");

    scene.assertRefused(
        refused,
        before,
        5,
        "sync 's': this run would delete 9 rows of the 10 rows in table t (90%),"
            + " more than max_delete_fraction 0.5 (50%) allows; nothing was written",
        "qsync plan s",
        "run once with --allow-deletes, or raise max_delete_fraction");

    Outcome raised = scene.with("max_delete_fraction", "0.9").run("run", "s");
    assertThat(raised.exitCode()).as(raised.all()).isZero();
    assertThat(database.rows("SELECT id, name FROM t ORDER BY id"))
        .containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("3", "c"));
  }

  @Test
  void aReplaceLosingMoreThanMaxDeleteFractionStopsBeforeBuildingItsShadow() {
    scene.with("mode", "replace");

    Outcome refused = scene.run("run", "s");

    scene.assertRefused(
        refused,
        before,
        5,
        "the new copy has 3 rows where table t has 10 rows: replacing it would"
            + " lose 7 rows (70%), more than max_delete_fraction 0.5");
    Outcome plan = scene.run("plan", "s");
    assertThat(plan.out()).contains("a run would stop here, before writing:");

    Outcome allowed = scene.run("run", "s", "--allow-deletes");
    assertThat(allowed.exitCode()).as(allowed.all()).isZero();
    assertThat(database.count("t")).isEqualTo(3);
  }
}
