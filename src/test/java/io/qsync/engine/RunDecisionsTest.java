package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.Diff;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.testing.FakeDestination;
import io.qsync.testing.FakeDestination.Applied;
import io.qsync.testing.FakeSource;
import io.qsync.testing.ManualClock;
import io.qsync.testing.TestSyncs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's decisions (resume, the delete guard, what a failure records, the lock) on an
 * in-memory source and destination: fast, and about the decisions only. That a database path works
 * (a checkpoint committed with its batch, a lock that dies with its session) is what the MariaDB
 * integration tests show.
 */
class RunDecisionsTest {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", SqlType.of(SqlType.Kind.BIGINT)),
          new Column("v", SqlType.of(SqlType.Kind.VARCHAR)));

  @TempDir Path stageDir;

  private final ManualClock clock = new ManualClock();
  private final FakeDestination destination = new FakeDestination();
  private final FakeSource source = new FakeSource(COLUMNS);

  @Test
  void resumesAFailedApplyAfterItsCheckpoint() {
    source.returning(rows(1, 6));
    destination.failBatchAfter(2, new QsyncException(ErrorKind.FAILED, "the server went away"));

    QsyncException failed =
        catchThrowableOfType(
            QsyncException.class, () -> runner(Mode.MIRROR).run(RunOptions.DEFAULT));

    assertThat(failed.kind()).isEqualTo(ErrorKind.FAILED);
    RunRecord first = onlyRun();
    assertThat(first.status()).isEqualTo(RunStatus.FAILED);
    assertThat(first.phase()).isEqualTo(RunPhase.APPLY);
    assertThat(first.appliedThrough()).isEqualTo(2);
    assertThat(destination.applied()).containsExactly(new Applied(first.runId(), "t", 0, 2));

    clock.advance(Duration.ofMinutes(1));
    RunReport report = runner(Mode.MIRROR).run(RunOptions.DEFAULT);

    assertThat(report.runId()).isEqualTo(first.runId());
    assertThat(report.resumed()).isTrue();
    assertThat(report.resumedAfter()).isEqualTo(2);
    assertThat(destination.applied())
        .containsExactly(
            new Applied(first.runId(), "t", 0, 2),
            new Applied(first.runId(), "t", 2, 4),
            new Applied(first.runId(), "t", 4, 6));
    assertThat(destination.runs().find(first.runId()).orElseThrow().status())
        .isEqualTo(RunStatus.SUCCEEDED);
    assertThat(destination.rows("t")).hasSize(6);
    // The resumed change set came from the stage; only the fresh run that caught up queried again.
    assertThat(source.queries()).isEqualTo(2);
    assertThat(report.caughtUp()).isPresent();
  }

  @Test
  void theDeleteGuardStopsBeforeAnythingIsWritten() {
    destination.withTable("t", COLUMNS, List.of("id"), rows(1, 10));
    source.returning(rows(1, 2));

    QsyncException refused =
        catchThrowableOfType(
            QsyncException.class, () -> runner(Mode.MIRROR).run(RunOptions.DEFAULT));

    assertThat(refused.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(refused.getMessage()).contains("max_delete_fraction", "nothing was written");
    assertThat(destination.applied()).isEmpty();
    assertThat(destination.rows("t")).hasSize(10);
    RunRecord run = onlyRun();
    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.phase()).isEqualTo(RunPhase.CHECK);
  }

  @Test
  void aRowTheTableRefusesIsRecordedAsRejectedAndTheNextRunStartsOver() {
    source.returning(rows(1, 4));
    destination.failBatchAfter(
        0, new QsyncException(ErrorKind.NEEDS_ACTION, "table t refuses the row with key (id=1)"));

    QsyncException refused =
        catchThrowableOfType(
            QsyncException.class, () -> runner(Mode.UPSERT).run(RunOptions.DEFAULT));

    assertThat(refused.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(refused.getMessage()).endsWith("The next run computes a fresh change set.");
    RunRecord rejected = onlyRun();
    assertThat(rejected.status()).isEqualTo(RunStatus.FAILED);
    assertThat(rejected.phase()).isEqualTo(RunPhase.REJECTED);
    assertThat(rejected.error())
        .hasValueSatisfying(
            error -> assertThat(error).startsWith("table t refuses the row with key (id=1)"));

    clock.advance(Duration.ofMinutes(1));
    RunReport next = runner(Mode.UPSERT).run(RunOptions.DEFAULT);

    assertThat(next.resumed()).isFalse();
    assertThat(next.runId()).isNotEqualTo(rejected.runId());
    assertThat(next.notes())
        .anyMatch(note -> note.startsWith("did not resume run " + rejected.runId()));
    assertThat(destination.rows("t")).hasSize(4);
    assertThat(source.queries()).isEqualTo(2);
  }

  @Test
  void aLockHeldByAnotherRunRefusesBeforeAnythingElse() {
    destination.withTable("t", COLUMNS, List.of("id"), rows(1, 3)).lockedByAnotherRun("s");
    source.returning(rows(1, 5));

    QsyncException refused =
        catchThrowableOfType(
            QsyncException.class, () -> runner(Mode.MIRROR).run(RunOptions.DEFAULT));

    assertThat(refused.kind()).isEqualTo(ErrorKind.LOCK_HELD);
    assertThat(destination.runs().all()).isEmpty();
    assertThat(source.queries()).isZero();
    assertThat(destination.applied()).isEmpty();
    assertThat(destination.rows("t")).hasSize(3);
  }

  @Test
  void aDestinationWithoutRowHashesHasItsTableReadWholeAndTheReportSaysWhy() {
    destination.withTable("t", COLUMNS, List.of("id"), rows(1, 4));
    source.returning(rows(1, 5));

    RunReport report =
        runner(Mode.MIRROR, Diff.TARGET.withCompare(Diff.Compare.HASHES)).run(RunOptions.DEFAULT);

    assertThat(report.notes())
        .contains(
            "diff: target read the table's 4 rows whole (this destination computes no row"
                + " hashes)");
    assertThat(report.counts().inserts()).isEqualTo(1);
    assertThat(report.counts().unchanged()).isEqualTo(4);
  }

  private SyncRunner runner(Mode mode) {
    return runner(mode, Diff.TARGET);
  }

  private SyncRunner runner(Mode mode, Diff diff) {
    SyncConfig sync =
        TestSyncs.sync("s", "SELECT id, v FROM r", "t")
            .key(List.of("id"))
            .mode(mode)
            .batchSize(2)
            .lockTimeout(Duration.ofSeconds(1))
            .throttle(TestSyncs.fixedBatches())
            .diff(diff)
            .build();
    return new SyncRunner(
        sync,
        source,
        destination,
        stageDir,
        clock,
        Progress.silent(),
        FaultPoint.NONE,
        Map.of(),
        clock::advance);
  }

  private RunRecord onlyRun() {
    assertThat(destination.runs().all()).hasSize(1);
    return destination.runs().all().get(0);
  }

  /** Rows {@code (id, 'v<id>')} for ids {@code from} to {@code to}. */
  private static List<Object[]> rows(long from, long to) {
    List<Object[]> rows = new ArrayList<>();
    for (long id = from; id <= to; id++) {
      rows.add(new Object[] {id, "v" + id});
    }
    return rows;
  }
}
