package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.diff.ChangeCounts;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(MariaDbExtension.class)
class MirrorSyncIT {
  @TempDir Path dir;

  private Qsync qsync(TestDatabase database, Warehouse warehouse, Mode mode, String... key) {
    SyncConfig sync =
        TestSyncs.sync("targets", "SELECT * FROM targets", "experiment_targets")
            .key(List.of(key))
            .mode(mode)
            .batchSize(3)
            .build();
    return TestSyncs.qsync(dir, database, warehouse, sync);
  }

  @Test
  void mirrorsInsertsUpdatesDeletesAndPutsBackDrift(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(
        "CREATE TABLE targets (user_id BIGINT, variant VARCHAR, score DECIMAL(10,3),"
            + " seen_at TIMESTAMP, eligible BOOLEAN)",
        "INSERT INTO targets VALUES (1, 'control', 1.5, '2026-01-02 03:04:05.123456', true),"
            + " (2, '실험 🧪', NULL, NULL, false), (3, 'b', 2.25, '1999-12-31 23:59:59', NULL),"
            + " (4, 'c', 0, '2026-06-01 00:00:00', true)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "user_id");

    RunReport first = qsync.run("targets");
    assertThat(first.counts()).isEqualTo(new ChangeCounts(4, 4, 0, 0, 0));
    assertThat(first.batches()).isEqualTo(2);
    assertThat(rows(database)).isEqualTo(warehouse.rows(ORDERED));

    warehouse.execute(
        "UPDATE targets SET variant = 'treatment' WHERE user_id = 1",
        "DELETE FROM targets WHERE user_id = 3",
        "INSERT INTO targets VALUES (5, 'new', 9.999, '2030-01-01 00:00:00.000001', false)");
    database.execute("UPDATE experiment_targets SET eligible = 1 WHERE user_id = 2");

    RunReport second = qsync.run("targets");
    assertThat(second.counts()).isEqualTo(new ChangeCounts(4, 1, 2, 1, 1));
    assertThat(rows(database)).isEqualTo(warehouse.rows(ORDERED));

    RunReport third = qsync.run("targets");
    assertThat(third.counts()).isEqualTo(new ChangeCounts(4, 0, 0, 0, 4));
    assertThat(qsync.history("targets", 10)).hasSize(3);
  }

  @Test
  void refusesDuplicateKeysBeforeWriting(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(
        "CREATE TABLE targets (user_id VARCHAR, v INTEGER)",
        "INSERT INTO targets VALUES ('a', 1), ('A', 2), ('b', 3), ('b', 4), (NULL, 5)");
    database.execute(
        "CREATE TABLE experiment_targets (user_id VARCHAR(20) PRIMARY KEY, v INT)",
        "INSERT INTO experiment_targets VALUES ('z', 1)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "user_id");

    assertThatThrownBy(() -> qsync.run("targets"))
        .isInstanceOfSatisfying(
            QsyncException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NEEDS_ACTION))
        .hasMessageContaining("NULL key")
        .hasMessageContaining("('b')")
        .hasMessageContaining("collation")
        .hasMessageContaining("'A'");
    assertThat(database.rows("SELECT user_id, v FROM experiment_targets"))
        .containsExactly(List.of("z", "1"));
  }

  @Test
  void runsAQueryThatEndsInASemicolonAndAComment(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(
        "CREATE TABLE targets (user_id BIGINT, variant VARCHAR)",
        "INSERT INTO targets VALUES (1, 'a;b')");
    SyncConfig sync =
        TestSyncs.sync("targets", "SELECT * FROM targets; -- every target\n", "experiment_targets")
            .key(List.of("user_id"))
            .batchSize(3)
            .build();
    Qsync qsync = TestSyncs.qsync(dir, database, warehouse, sync);

    assertThat(qsync.validate().ok()).isTrue();
    assertThat(qsync.run("targets").counts().inserts()).isEqualTo(1);
    assertThat(database.rows("SELECT user_id, variant FROM experiment_targets"))
        .containsExactly(List.of("1", "a;b"));
  }

  private static final String ORDERED =
      "SELECT user_id, variant, CAST(score AS VARCHAR), strftime(seen_at, '%Y-%m-%d %H:%M:%S.%f'),"
          + " CAST(eligible::INT AS VARCHAR) FROM targets ORDER BY user_id";

  private static List<List<String>> rows(TestDatabase database) {
    return database.rows(
        "SELECT user_id, variant, CAST(score AS CHAR), DATE_FORMAT(seen_at, '%Y-%m-%d %H:%i:%s.%f'),"
            + " CAST(eligible AS CHAR) FROM experiment_targets ORDER BY user_id");
  }
}
