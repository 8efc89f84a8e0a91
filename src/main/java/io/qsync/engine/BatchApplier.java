package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.Sleeper;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.diff.BatchPlan;
import io.qsync.diff.Change;
import io.qsync.row.Column;
import io.qsync.stage.ChangeCursor;
import io.qsync.stage.Stage;
import io.qsync.state.RunRecord;
import io.qsync.state.SyncLock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Applies a run's change set after its checkpoint, one transaction per batch, each batch sized and
 * paused by the throttle, passing errors retried, fault points between batches; then what the
 * batches set aside ({@link Destination.ChangeWriter#finish}). Not thread-safe.
 */
final class BatchApplier {
  private final SyncConfig sync;
  private final Destination target;
  private final Map<String, Destination> replicas;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Progress progress;
  private final FaultPoint faults;
  private final Supplier<BatchRetry> retries;
  private ThrottleReport throttled = ThrottleReport.NONE;

  /** The throttle that began watching the run before {@link #apply}; null: none. */
  private Throttle watching;

  BatchApplier(
      SyncConfig sync,
      Destination target,
      Map<String, Destination> replicas,
      Clock clock,
      Sleeper sleeper,
      Progress progress,
      FaultPoint faults,
      Supplier<BatchRetry> retries) {
    this.sync = requireNonNull(sync, "sync is null");
    this.target = requireNonNull(target, "target is null");
    this.replicas = requireNonNull(replicas, "replicas is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.progress = requireNonNull(progress, "progress is null");
    this.faults = requireNonNull(faults, "faults is null");
    this.retries = requireNonNull(retries, "retries is null");
  }

  /**
   * The run begins its work before writing (query, extract, reads of the table, diff): the
   * self-throttle's probe watches it from now on ({@link Throttle#watchTheRun}), for the {@link
   * #apply} that follows. {@link #stopWatching} stops it if the run ends before that.
   */
  void watchTheRun() {
    stopWatching();
    watching = Throttle.of(sync, target, replicas, clock, sleeper, progress, Caller.RUN);
    watching.watchTheRun();
  }

  /**
   * A piece of the run's work before writing that can pause after it (a chunk of the table read
   * back) ended: rests at the self-throttle's share ({@link Throttle#paceWork}); nothing unless
   * {@link #watchTheRun} began.
   */
  void paceWork() {
    if (watching != null) {
      watching.paceWork();
    }
  }

  /** Stops the probe {@link #watchTheRun} started, if {@link #apply} did not take it over. */
  void stopWatching() {
    if (watching != null) {
      watching.close();
      watching = null;
    }
  }

  /** How long the last {@link #apply} waited to spare the target, and why; batches retried. */
  ThrottleReport throttled() {
    return throttled;
  }

  /**
   * @param resumed whether the change set was computed by an earlier process: the table may have
   *     changed since (a row deleted or added by hand), so rows are written by what it holds now
   * @param notes told what the writer did with rows it set aside
   * @return the run with its new checkpoint
   */
  RunRecord apply(RunRecord run, Stage stage, SyncLock lock, boolean resumed, List<String> notes) {
    throttled = ThrottleReport.NONE;
    List<Column> columns = stage.columns();
    List<String> key = KeyChecks.resolve(sync, columns);
    String table = sync.table();
    if (sync.mode() == Mode.REPLACE) {
      table = target.shadowName(sync.table());
      if (run.appliedThrough() == 0) {
        target.dropTable(table);
        if (target.describe(sync.table()).isPresent()) {
          target.createTableLike(table, sync.table());
        } else {
          target.createTable(table, columns, key);
        }
      }
    }
    Destination.ChangeWriter writer =
        target.writer(table, columns, key, writes(stage, resumed), run.runId(), lock);
    BatchPlan plan = new BatchPlan(run.changesTotal(), run.appliedThrough());
    int batches = run.batchesApplied();
    Throttle throttle =
        watching != null
            ? watching
            : Throttle.of(sync, target, replicas, clock, sleeper, progress, Caller.RUN);
    watching = null;
    BatchRetry retry = retries.get();
    progress.beginAt("apply", plan.totalChanges(), plan.appliedThrough());
    try (ChangeCursor cursor = stage.changes(plan.appliedThrough(), writer.takesInsertText())) {
      while (!plan.done()) {
        List<Change> batch =
            cursor.next(
                (int) (plan.nextBatchEnd(throttle.nextBatchSize()) - plan.appliedThrough()));
        if (batch.isEmpty()) {
          throw new QsyncException(
              ErrorKind.FAILED,
              "run "
                  + run.runId()
                  + ": the stage ends at change "
                  + plan.appliedThrough()
                  + " but the change set has "
                  + plan.totalChanges()
                  + "\nRun again: the next run finds the change set cut short and starts over,"
                  + " computing it anew.");
        }
        long end = batch.get(batch.size() - 1).seq();
        SyncRunner.stopIfInterrupted();
        throttle.awaitClearance(batch.size(), end);
        faults.reached(FaultPoint.Point.BEFORE_BATCH, end);
        long after = plan.appliedThrough();
        Instant began = clock.instant();
        retry.run("batch ending at change " + end, () -> writer.apply(batch, after));
        throttle.batchDone(batch.size(), Duration.between(began, clock.instant()));
        plan = plan.advance(end);
        batches++;
        faults.reached(FaultPoint.Point.AFTER_BATCH, end);
        progress.advance(plan.appliedThrough());
      }
      retry.run(
          "changes set aside until the end of the run",
          () -> writer.finish().ifPresent(notes::add));
    } finally {
      throttle.close();
      throttled = throttle.report(retry.retries());
    }
    progress.end();
    return run.withCheckpoint(plan.appliedThrough(), batches);
  }

  /** What the stage's change set may assume about the table. */
  private Destination.Writes writes(Stage stage, boolean resumed) {
    if (sync.mode() != Mode.MIRROR && sync.mode() != Mode.UPSERT) {
      return Destination.Writes.INSERTS;
    }
    return stage.changesFromWarehouse() || resumed
        ? Destination.Writes.RECONCILED
        : Destination.Writes.DIFFED;
  }
}
