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
 * Names are data, never SQL: a table or column name built to break out of its quotes is created and
 * written under exactly that name, and no other table is touched. (Names with backticks, spaces and
 * Hangul work end to end: SchemaIT#anOddTableAndColumnNamesWorkEndToEnd.)
 */
@ExtendWith(MariaDbExtension.class)
class NamesIT {
  private static final String ATTACK = "x`; DROP TABLE victim; -- ' \" \\";

  @TempDir Path dir;

  private Catalogue scene;
  private TestDatabase database;

  @BeforeEach
  void scene(TestDatabase testDatabase) {
    database = testDatabase;
    scene = new Catalogue(dir, database);
    database.execute(
        "CREATE TABLE victim (id INT PRIMARY KEY)", "INSERT INTO victim VALUES (1), (2)");
  }

  private static String yamlString(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  @Test
  void anInjectionThroughTheTableNameIsATableName() {
    Map<String, List<List<String>>> before = scene.snapshot();

    Outcome outcome =
        scene.with("table", yamlString(ATTACK)).with("create_table", "true").run("run", "s");

    assertThat(outcome.exitCode()).as(outcome.all()).isZero();
    Map<String, List<List<String>>> after = scene.snapshot();
    assertThat(after).containsAllEntriesOf(before).containsOnlyKeys(List.of("t", "victim", ATTACK));
    assertThat(after.get(ATTACK))
        .containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("3", "c"));
    assertThat(scene.run("run", "s").exitCode()).as("a rerun").isZero();
  }

  @Test
  void anInjectionThroughAColumnNameIsAColumnName() {
    Map<String, List<List<String>>> before = scene.snapshot();
    String column = ATTACK.replace("\"", "\"\""); // as DuckDB spells it inside "..."

    Outcome outcome =
        scene
            .with("query", yamlString("SELECT id AS \"" + column + "\", name FROM src"))
            .with("key", "[" + yamlString(ATTACK) + "]")
            .with("table", "fresh")
            .with("create_table", "true")
            .run("run", "s");

    assertThat(outcome.exitCode()).as(outcome.all()).isZero();
    Map<String, List<List<String>>> after = scene.snapshot();
    assertThat(after).containsAllEntriesOf(before).containsOnlyKeys("t", "victim", "fresh");
    assertThat(
            database.rows(
                "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                    + " AND TABLE_NAME = 'fresh' ORDER BY ORDINAL_POSITION"))
        .containsExactly(List.of(ATTACK), List.of("name"));
    assertThat(after.get("fresh")).hasSize(3);
  }
}
