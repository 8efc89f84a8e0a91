package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source query that fails after part of its result has streamed must fail the run: a result that
 * merely ends early would make a mirror delete every row it did not reach.
 */
@ExtendWith(MariaDbExtension.class)
class SourceFailureIT {
  /** 54,000 source rows: enough that DuckDB streams some chunks before it reaches the error. */
  private static final TargetsData DATA = new TargetsData(60_000, 60_000);

  @TempDir Path dir;

  /**
   * With one DuckDB thread (a legitimate {@code setup: SET threads = 1}, and the default on a
   * one-CPU machine) DuckDB 1.4.4's JDBC driver ends a streamed result silently, after a few
   * thousand rows, when the query fails further on; with more threads it does so now and then
   * (about 1 query in 20 on a 2-CPU machine). A source that streamed the query straight into the
   * stage took that for the whole result, and this mirror run deleted about 16,000 rows.
   */
  @Test
  void queryFailingMidStreamFailsTheRunAndWritesNothing(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    DATA.createWarehouse(warehouse);
    DATA.createTarget(database);
    List<List<String>> before = TargetsData.tableRows(database, TargetsData.TABLE);
    SyncSetup setup =
        SyncSetup.targets(dir, database, warehouse, Mode.MIRROR)
            .withBatchSize(5000)
            .withSourceSetup("SET threads = 1");
    Qsync qsync = new Qsync(setup.config(), Clock.systemUTC(), Progress.silent(), FaultPoint.NONE);
    TargetsData.failExtractAt(warehouse, DATA.lastSourceKey());

    Throwable thrown = catchThrowable(() -> qsync.run(TargetsData.SYNC));

    SameRows.assertSame(
        before,
        TargetsData.tableRows(database, TargetsData.TABLE),
        "the table before the run",
        "the table after a run whose query failed");
    assertThat(thrown)
        .as("the run whose query failed part-way")
        .isInstanceOf(QsyncException.class)
        .hasMessageContaining("warehouse worker lost while streaming the result");
    assertThat(RunHistory.only(database).status()).isEqualTo("failed");

    TargetsData.failExtractAt(warehouse, null);
    RunReport report = qsync.run(TargetsData.SYNC);
    assertThat(report.counts()).isEqualTo(DATA.mirrorCounts());
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }
}
