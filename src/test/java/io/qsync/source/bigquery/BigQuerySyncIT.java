package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.DeleteGuard;
import io.qsync.config.Mode;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.engine.ValidationReport;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** type: bigquery end to end: Google's client against the emulator, into the test MariaDB. */
@ExtendWith(MariaDbExtension.class)
class BigQuerySyncIT {
  @TempDir Path dir;
  private BigQueryEmulator emulator;

  @BeforeEach
  void start() {
    emulator = BigQueryEmulator.start("qsync-test");
    emulator.execute(
        "CREATE SCHEMA shop",
        "CREATE TABLE shop.users AS SELECT range AS user_id, 'user ' || range AS name,"
            + " range % 7 = 0 AS vip FROM range(2500)");
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private Qsync qsync(TestDatabase database, String query, int pageSize, Optional<String> staging) {
    return BigQuerySyncs.qsync(
        dir,
        database,
        BigQuerySyncs.connection(emulator, pageSize, staging),
        BigQuerySyncs.sync(query, "users", List.of("user_id"), Mode.MIRROR),
        FaultPoint.NONE);
  }

  @Test
  void mirrorsAResultReadInPagesThatDoNotDivideIt(TestDatabase database) {
    Qsync qsync =
        qsync(
            database,
            "SELECT user_id, name, vip FROM `qsync-test.shop.users`",
            300,
            Optional.empty());

    RunReport first = qsync.run(BigQuerySyncs.SYNC);

    assertThat(first.counts()).isEqualTo(new ChangeCounts(2500, 2500, 0, 0, 0));
    assertThat(database.count("users")).isEqualTo(2500);
    assertThat(
            database.rows(
                "SELECT user_id, name, vip FROM users WHERE user_id IN (0, 2499) ORDER BY user_id"))
        .containsExactly(
            List.of("0", "user 0", "1"), List.of("2499", "user 2499", "1")); // 2499 = 7 * 357
    assertThat(emulator.queriesRun()).isEqualTo(1);
    assertThat(emulator.requests("tabledata.list")).isEqualTo(9); // ceil(2500 / 300)
    assertThat(emulator.rowsServed()).isEqualTo(2500);
    assertThat(database.rows("SELECT source_job FROM _qsync_runs").get(0).get(0))
        .startsWith("qsync-test:US.qsync_")
        .contains(" -> qsync-test." + BigQueryEmulator.ANONYMOUS_DATASET + ".");

    emulator.execute(
        "UPDATE shop.users SET name = 'renamed' WHERE user_id = 5",
        "DELETE FROM shop.users WHERE user_id = 6");
    RunReport second = qsync.run(BigQuerySyncs.SYNC);
    assertThat(second.counts()).isEqualTo(new ChangeCounts(2499, 0, 1, 1, 2498));
    RunReport third = qsync.run(BigQuerySyncs.SYNC);
    assertThat(third.counts()).isEqualTo(new ChangeCounts(2499, 0, 0, 0, 2499));
  }

  @Test
  void validateDescribesTheQueryWithADryRunAndRunsNoQuery(TestDatabase database) {
    Qsync qsync =
        qsync(database, "SELECT user_id, name, vip FROM shop.users", 1000, Optional.empty());

    ValidationReport report = qsync.validate();

    assertThat(report.syncs().get(0).problems()).isEmpty();
    assertThat(report.syncs().get(0).notes().get(0))
        .isEqualTo("query returns 3 columns: user_id BIGINT, name VARCHAR, vip BOOLEAN");
    assertThat(emulator.queriesRun()).isZero();
    assertThat(emulator.jobIds()).isEmpty();
  }

  @Test
  void aRunHistoryTableFromBeforeSourceJobsGainsTheColumn(TestDatabase database) {
    database.execute(
        "CREATE TABLE `_qsync_runs` (run_id VARCHAR(64) NOT NULL PRIMARY KEY,"
            + " sync_name VARCHAR(191) NOT NULL, target_table VARCHAR(64) NOT NULL,"
            + " mode VARCHAR(16) NOT NULL, status VARCHAR(16) NOT NULL, phase VARCHAR(16) NOT NULL,"
            + " started_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NULL, finished_at DATETIME(6) NULL,"
            + " source_rows BIGINT NULL, inserted BIGINT NULL, updated BIGINT NULL,"
            + " deleted BIGINT NULL, unchanged BIGINT NULL, changes_total BIGINT NOT NULL DEFAULT 0,"
            + " applied_through BIGINT NOT NULL DEFAULT 0, batches_applied INT NOT NULL DEFAULT 0,"
            + " resumes INT NOT NULL DEFAULT 0, host VARCHAR(255) NOT NULL, pid BIGINT NOT NULL,"
            + " connection_id BIGINT NOT NULL, error TEXT NULL, KEY by_sync (sync_name, started_at))",
        "INSERT INTO `_qsync_runs` (run_id, sync_name, target_table, mode, status, phase, started_at,"
            + " finished_at, host, pid, connection_id) VALUES ('20200101T000000Z-000001', '"
            + BigQuerySyncs.SYNC
            + "', 'users', 'mirror', 'succeeded', 'done', '2020-01-01', '2020-01-01',"
            + " 'old-host', 1, 1)");
    Qsync qsync = qsync(database, "SELECT user_id, name FROM shop.users", 1000, Optional.empty());
    assertThat(qsync.history(BigQuerySyncs.SYNC, 5)).hasSize(1);

    qsync.run(BigQuerySyncs.SYNC);

    assertThat(
            database.rows("SELECT run_id, source_job IS NULL FROM _qsync_runs ORDER BY started_at"))
        .extracting(row -> row.get(1))
        .containsExactly("1", "0");
    assertThat(qsync.history(BigQuerySyncs.SYNC, 5).get(0).sourceJob())
        .get()
        .asString()
        .contains("qsync_");
  }

  @Test
  void anEmptyResultEmptiesTheTable(TestDatabase database) {
    qsync(database, "SELECT user_id, name FROM shop.users", 1000, Optional.empty())
        .run(BigQuerySyncs.SYNC);
    // allow_empty: an empty result may empty the table (the delete guard refuses it otherwise).
    Qsync empty =
        BigQuerySyncs.qsync(
            dir,
            database,
            BigQuerySyncs.connection(emulator, 1000, Optional.empty()),
            BigQuerySyncs.sync(
                    "SELECT user_id, name FROM shop.users WHERE user_id < 0",
                    "users",
                    List.of("user_id"),
                    Mode.MIRROR)
                .toBuilder()
                .deleteGuard(DeleteGuard.NONE)
                .build(),
            FaultPoint.NONE);

    RunReport report = empty.run(BigQuerySyncs.SYNC);

    assertThat(report.counts()).isEqualTo(new ChangeCounts(0, 0, 0, 2500, 0));
    assertThat(database.count("users")).isZero();
  }

  @Test
  void writesTheResultToTheStagingDatasetWhenOneIsNamed(TestDatabase database) {
    emulator.createDataset("qsync_staging");
    Qsync qsync =
        qsync(database, "SELECT user_id, name FROM shop.users", 1000, Optional.of("qsync_staging"));

    qsync.run(BigQuerySyncs.SYNC);

    assertThat(database.count("users")).isEqualTo(2500);
    assertThat(database.rows("SELECT source_job FROM _qsync_runs").get(0).get(0))
        .contains(" -> qsync-test.qsync_staging.qsync_");
    assertThat(emulator.requests("tables.patch")).as("the table's expiration is set").isEqualTo(1);
  }
}
