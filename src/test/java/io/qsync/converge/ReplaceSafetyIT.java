package io.qsync.converge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.engine.ValidationReport;
import io.qsync.state.RunStatus;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replace} builds a new table and swaps it in with RENAME TABLE: whatever that would break
 * (triggers, which stay with the old table; foreign keys, which CREATE TABLE ... LIKE does not copy
 * and RENAME re-points) is refused before anything is written, and a swap interrupted part-way is
 * finished by the next run, never reported as succeeded while the old table is left behind.
 */
@ExtendWith(MariaDbExtension.class)
class ReplaceSafetyIT {
  @TempDir Path dir;

  private Warehouse warehouse;

  @BeforeEach
  void warehouse() {
    warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute("CREATE TABLE src AS SELECT i AS id, 'v' || i AS v FROM range(1, 51) t(i)");
  }

  private Qsync replace(TestDatabase database, FaultPoint faults) {
    SyncConfig sync =
        TestSyncs.sync("rep", "SELECT id, v FROM src", "rep")
            .key(List.of("id"))
            .mode(Mode.REPLACE)
            .batchSize(20)
            .build();
    return TestSyncs.qsync(dir, database, warehouse, sync, faults);
  }

  private static void createTable(TestDatabase database) {
    database.execute(
        "CREATE TABLE rep (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB",
        "INSERT INTO rep VALUES (1, 'old'), (99, 'gone')");
  }

  private static List<String> tables(TestDatabase database) {
    return database
        .rows(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA ="
                + " DATABASE() AND TABLE_NAME <> '_qsync_runs' ORDER BY TABLE_NAME")
        .stream()
        .map(row -> row.get(0))
        .toList();
  }

  @Test
  void refusesATableWithTriggersBeforeWritingAndKeepsThem(TestDatabase database) {
    createTable(database);
    database.execute(
        "CREATE TABLE audit (id BIGINT)",
        "CREATE TRIGGER rep_deleted AFTER DELETE ON rep FOR EACH ROW INSERT INTO audit VALUES (OLD.id)");
    Qsync qsync = replace(database, FaultPoint.NONE);

    QsyncException error = catchThrowableOfType(QsyncException.class, () -> qsync.run("rep"));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains("rep_deleted (AFTER DELETE)")
        .contains("mode: mirror")
        .contains("Nothing was written")
        .doesNotContain("Run again");
    assertThat(database.rows("SELECT id, v FROM rep ORDER BY id"))
        .containsExactly(List.of("1", "old"), List.of("99", "gone"));
    assertThat(
            database.rows(
                "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS"
                    + " WHERE TRIGGER_SCHEMA = DATABASE()"))
        .containsExactly(List.of("rep_deleted", "rep"));
    assertThat(tables(database)).containsExactly("audit", "rep");
    ValidationReport validation = qsync.validate();
    assertThat(validation.syncs().get(0).problems())
        .anySatisfy(problem -> assertThat(problem).contains("rep_deleted"));
  }

  @Test
  void refusesATableOtherTablesReferenceAndNeverGetsStuck(TestDatabase database) {
    createTable(database);
    database.execute(
        "CREATE TABLE child (id BIGINT PRIMARY KEY, rep_id BIGINT,"
            + " CONSTRAINT child_rep FOREIGN KEY (rep_id) REFERENCES rep (id)) ENGINE=InnoDB",
        "INSERT INTO child VALUES (1, 1)");
    Qsync qsync = replace(database, FaultPoint.NONE);

    for (int attempt = 0; attempt < 2; attempt++) {
      QsyncException error = catchThrowableOfType(QsyncException.class, () -> qsync.run("rep"));
      assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
      assertThat(error.getMessage())
          .contains("child_rep of table child")
          .contains("mode: mirror")
          .doesNotContain("Run again");
    }
    assertThat(tables(database)).containsExactly("child", "rep");
    assertThat(
            database.rows(
                "SELECT REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS"
                    + " WHERE CONSTRAINT_SCHEMA = DATABASE()"))
        .containsExactly(List.of("rep"));
  }

  @Test
  void refusesATableWithForeignKeysOfItsOwnWhichACopyWouldLose(TestDatabase database) {
    database.execute(
        "CREATE TABLE parent (id BIGINT PRIMARY KEY) ENGINE=InnoDB",
        "INSERT INTO parent SELECT seq FROM seq_1_to_100",
        "CREATE TABLE rep (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(20),"
            + " CONSTRAINT rep_parent FOREIGN KEY (id) REFERENCES parent (id)) ENGINE=InnoDB");
    Qsync qsync = replace(database, FaultPoint.NONE);

    QsyncException error = catchThrowableOfType(QsyncException.class, () -> qsync.run("rep"));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains("rep_parent -> parent")
        .contains("copies no foreign keys");
    assertThat(tables(database)).containsExactly("parent", "rep");
  }

  /**
   * Killed between the RENAME and the DROP of the old table: the next run finishes the swap,
   * dropping the old table, before it says the run succeeded.
   */
  @Test
  void finishesASwapKilledBetweenRenameAndDrop(TestDatabase database) {
    createTable(database);
    Qsync crashing =
        replace(
            database,
            (point, value) -> {
              if (point == FaultPoint.Point.AFTER_BATCH && value == 50) {
                throw new IllegalStateException("killed after the last batch");
              }
            });
    catchThrowableOfType(IllegalStateException.class, () -> crashing.run("rep"));
    // What the killed process had done next: the RENAME of the swap, recorded in phase 'swap'.
    database.execute(
        "UPDATE _qsync_runs SET phase = 'swap', status = 'running'",
        "RENAME TABLE rep TO rep__qsync_old, rep__qsync_new TO rep");

    RunReport report = replace(database, FaultPoint.NONE).run("rep");

    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.resumed()).isTrue();
    assertThat(tables(database)).containsExactly("rep");
    assertThat(database.count("rep")).isEqualTo(50);
  }
}
