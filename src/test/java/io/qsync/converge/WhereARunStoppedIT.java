package io.qsync.converge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.DeleteGuard;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Qsync;
import io.qsync.engine.StatusReport;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that stops before writing records the step it stopped in (the query, a check), with its
 * whole error, so that {@code status} and {@code history} say what happened and which side failed.
 */
@ExtendWith(MariaDbExtension.class)
class WhereARunStoppedIT {
  @TempDir Path dir;

  private Qsync duckDb(TestDatabase database, Warehouse warehouse, DeleteGuard guard) {
    SyncConfig sync =
        TestSyncs.sync("s", "SELECT id, v FROM src", "t")
            .key(List.of("id"))
            .batchSize(100)
            .deleteGuard(guard)
            .build();
    return TestSyncs.qsync(dir, database, warehouse, sync, FaultPoint.NONE);
  }

  private static RunRecord last(Qsync qsync, String sync) {
    return qsync.history(sync, 1).get(0);
  }

  @Test
  void aKeyCheckRecordsStepCheckWithEveryOffendingKey(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("w.duckdb"));
    warehouse.execute(
        "CREATE TABLE src AS SELECT * FROM (VALUES (1, 'a'), (1, 'b'), (2, 'c')) t(id, v)");
    Qsync qsync = duckDb(database, warehouse, DeleteGuard.DEFAULT);

    QsyncException error = catchThrowableOfType(QsyncException.class, () -> qsync.run("s"));

    RunRecord run = last(qsync, "s");
    assertThat(run.phase()).isEqualTo(RunPhase.CHECK);
    assertThat(run.error()).contains(error.getMessage());
    assertThat(error.getMessage()).contains("\n - 1 key(s) on more than one row -> (1)");
  }

  @Test
  void theDeleteGuardRecordsStepCheck(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("w.duckdb"));
    warehouse.execute("CREATE TABLE src AS SELECT i AS id, 'v' AS v FROM range(10) t(i)");
    Qsync qsync = duckDb(database, warehouse, DeleteGuard.DEFAULT);
    qsync.run("s");
    warehouse.execute("DELETE FROM src WHERE id > 1");

    QsyncException error = catchThrowableOfType(QsyncException.class, () -> qsync.run("s"));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(last(qsync, "s").phase()).isEqualTo(RunPhase.CHECK);
    assertThat(database.count("t")).isEqualTo(10);
  }

  @Test
  void aQueryTheWarehouseRefusesRecordsStepQueryNotARejectionByTheDatabase(TestDatabase database) {
    try (BigQueryEmulator emulator = BigQueryEmulator.start("qsync-test")) {
      Qsync qsync =
          BigQuerySyncs.qsync(
              dir,
              database,
              BigQuerySyncs.connection(emulator, 100, Optional.empty()),
              BigQuerySyncs.sync(
                  "SELECT nope FROM missing.table_x", "users", List.of("nope"), Mode.MIRROR),
              FaultPoint.NONE);

      QsyncException error =
          catchThrowableOfType(QsyncException.class, () -> qsync.run(BigQuerySyncs.SYNC));

      assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
      assertThat(error.getMessage())
          .startsWith("sync '" + BigQuerySyncs.SYNC + "': BigQuery connection 'bq'")
          .doesNotContain("change set");
      RunRecord run = last(qsync, BigQuerySyncs.SYNC);
      assertThat(run.phase()).isEqualTo(RunPhase.QUERY);
      StatusReport status = qsync.status().get(0);
      assertThat(status.lastStatus()).isEqualTo("failed");
    }
  }
}
