package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.Sleeper;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.destination.ChangeWriters;
import io.qsync.destination.Destination;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.ChangeKind;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.state.RunStore;
import io.qsync.state.SyncLock;
import io.qsync.verify.HashedRow;
import io.qsync.verify.RowChecksums;
import io.qsync.verify.RowComparison;
import io.qsync.verify.RowShape;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code qsync verify --heal}: writes exactly the keys a verify found differing, as a run of the
 * sync does: under the sync's lock, recorded in the run history, the delete guard checked first,
 * batch by batch through the run's writer (each batch one transaction with the run's checkpoint)
 * and its throttle. Rows the table lacks or holds differently are written with the query's current
 * values; rows the query no longer returns are deleted ({@code mirror}; {@code upsert} keeps them).
 * Not thread-safe.
 */
final class Healer {
  /** How a heal's run id starts, to tell it in the history from the sync's own runs. */
  static final String HEAL_RUN_PREFIX = "heal-";

  private final SyncConfig sync;
  private final Destination target;
  private final Map<String, Destination> replicas;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Progress progress;

  /** {@code verify --heal}, or a run's due verify: what a failure says happens next. */
  private final Caller caller;

  Healer(
      SyncConfig sync,
      Destination target,
      Map<String, Destination> replicas,
      Clock clock,
      Sleeper sleeper,
      Progress progress,
      Caller caller) {
    this.sync = requireNonNull(sync, "sync is null");
    this.target = requireNonNull(target, "target is null");
    this.replicas = requireNonNull(replicas, "replicas is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.progress = requireNonNull(progress, "progress is null");
    this.caller = requireNonNull(caller, "caller is null");
  }

  /**
   * What a heal wrote: how many keys it wrote or deleted, and the run it recorded them as (empty
   * when there was nothing to write).
   */
  record Healed(long keys, Optional<String> runId) {
    Healed {
      requireNonNull(runId, "runId is null");
    }

    static final Healed NOTHING = new Healed(0, Optional.empty());
  }

  /**
   * Writes the differences, recorded in the run history as a run whose id starts with {@code
   * heal-}, so {@code qsync history} tells it from the sync's own runs.
   *
   * @param unchangedSince the newest run the verify saw; if another run came since, the table may
   *     have changed and nothing is written
   */
  Healed heal(
      VerifyReport report,
      List<RowComparison> found,
      RowShape shape,
      RowChecksums warehouse,
      RowChecksums table,
      Supplier<Optional<String>> newestRun,
      Optional<String> unchangedSince) {
    if (sync.mode() != Mode.MIRROR && sync.mode() != Mode.UPSERT) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "sync '"
              + sync.name()
              + "' (mode "
              + sync.mode().configName()
              + "): verify --heal writes the differing keys of mirror and upsert syncs only\nA"
              + " run of the sync rebuilds the table: qsync run "
              + sync.name());
    }
    List<String> write = new ArrayList<>();
    List<String> delete = new ArrayList<>();
    for (RowComparison comparison : found) {
      comparison.missing().stream().map(HashedRow::key).forEach(write::add);
      comparison.different().stream().map(row -> row.warehouse().key()).forEach(write::add);
      if (sync.mode() == Mode.MIRROR) {
        comparison.extra().stream().map(HashedRow::key).forEach(delete::add);
      }
    }
    if (write.isEmpty() && delete.isEmpty()) {
      return Healed.NOTHING;
    }
    ChangeCounts counts =
        new ChangeCounts(
            report.warehouseRows(),
            report.missing(),
            report.different(),
            delete.size(),
            Math.max(0, report.warehouseRows() - report.missing() - report.different()));
    DeleteGuardCheck.refusal(sync, counts)
        .ifPresent(
            refusal -> {
              throw new QsyncException(
                  ErrorKind.NEEDS_ACTION, refusal + "\n(verify --heal wrote nothing.)");
            });
    List<Change> changes = new ArrayList<>();
    for (Object[] row : warehouse.values(write)) {
      changes.add(new Change(changes.size() + 1, ChangeKind.UPDATE, row));
    }
    for (Object[] row : table.values(delete)) {
      changes.add(new Change(changes.size() + 1, ChangeKind.DELETE, row));
    }
    RunStore runs = target.runs();
    String runId = HEAL_RUN_PREFIX + RunIds.next(clock);
    try (SyncLock lock = target.lock(sync.name(), sync.lockTimeout())) {
      if (!newestRun.get().equals(unchangedSince)) {
        throw new QsyncException(
            ErrorKind.FAILED,
            "sync '"
                + sync.name()
                + "': a run of the sync finished after the verify read table "
                + sync.table()
                + "; verify --heal wrote nothing, since what it found may be stale\n"
                + caller.orNextRun("Verify again: qsync verify --heal " + sync.name()));
      }
      // A diff: snapshot sync's next run compares with the state of the last successful run: the
      // heal carries that state on, since it only brought the table closer to the query's result
      // (which the next run compares with the state again); without it, the next run would fall
      // back to reading the whole table.
      Optional<String> state =
          sync.diff().snapshot()
              ? runs.lastSucceeded(sync.name(), sync.table())
                  .flatMap(last -> runs.diffState(last.runId()))
              : Optional.empty();
      RunRecord run =
          RunRecord.started(
                  runId,
                  sync.name(),
                  sync.table(),
                  sync.mode().configName(),
                  clock.instant(),
                  RunIds.host(),
                  RunIds.pid(),
                  lock.sessionId())
              .withChangeSet(counts, changes.size())
              .withPhase(RunPhase.APPLY);
      runs.insert(run);
      try {
        apply(changes, shape, run.runId(), lock);
        state.ifPresent(kept -> runs.recordDiffState(run.runId(), kept));
        runs.update(
            run.withPhase(RunPhase.DONE)
                .finished(RunStatus.SUCCEEDED, clock.instant(), Optional.empty()));
      } catch (RuntimeException e) {
        runs.update(
            run.finished(RunStatus.FAILED, clock.instant(), Optional.ofNullable(e.getMessage())));
        throw e;
      }
    }
    return new Healed(changes.size(), Optional.of(runId));
  }

  private void apply(List<Change> changes, RowShape shape, String runId, SyncLock lock) {
    ChangeWriters.ChangeWriter writer =
        target.writer(
            sync.table(),
            shape.columns(),
            sync.key(),
            ChangeWriters.Writes.RECONCILED,
            runId,
            lock);
    Throttle throttle = Throttle.of(sync, target, replicas, clock, sleeper, progress, caller);
    int applied = 0;
    progress.begin("heal", changes.size());
    try {
      while (applied < changes.size()) {
        int size = Math.min(throttle.nextBatchSize(), changes.size() - applied);
        List<Change> batch = changes.subList(applied, applied + size);
        throttle.awaitClearance(size, applied + size);
        Instant began = clock.instant();
        writer.apply(batch, applied);
        throttle.batchDone(size, Duration.between(began, clock.instant()));
        applied += size;
        progress.advance(applied);
      }
      writer.finish();
    } finally {
      throttle.close();
      progress.end();
    }
  }
}
