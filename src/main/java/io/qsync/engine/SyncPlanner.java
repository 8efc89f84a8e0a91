package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.Plural;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.diff.strategy.ChangeSetStrategy;
import io.qsync.diff.strategy.WarehouseDiff;
import io.qsync.source.Source;
import io.qsync.stage.Stage;
import io.qsync.state.RunPhase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code qsync plan} for one sync: the run's path up to its change set, in a stage of its own,
 * writing nothing to the target and leaving any unfinished run alone. Not thread-safe.
 */
final class SyncPlanner {
  private final SyncConfig sync;
  private final Source source;
  private final Destination target;
  private final Path stageDir;
  private final Clock clock;
  private final ChangeSetBuilder changeSets;

  SyncPlanner(
      SyncConfig sync,
      Source source,
      Destination target,
      Path stageDir,
      Clock clock,
      ChangeSetBuilder changeSets) {
    this.sync = requireNonNull(sync, "sync is null");
    this.source = requireNonNull(source, "source is null");
    this.target = requireNonNull(target, "target is null");
    this.stageDir = requireNonNull(stageDir, "stageDir is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.changeSets = requireNonNull(changeSets, "changeSets is null");
  }

  PlanReport plan() {
    Path stageFile =
        stageDir.resolve(sync.name() + ".plan-" + ProcessHandle.current().pid() + ".duckdb");
    Stage.delete(stageFile);
    try (Stage stage = Stage.open(stageFile)) {
      // A source with jobs names the job after the run: each plan is a run of its own.
      String planRun = "plan-" + RunIds.next(clock);
      ChangeSetStrategy strategy = ChangeSetStrategy.of(sync, source, target);
      ChangeSetBuilder.ChangeSet plan;
      try {
        plan = changeSets.build(stage, planRun, strategy, false, true, job -> {});
      } finally {
        if (strategy instanceof WarehouseDiff diff) {
          diff.run(planRun).tables().forEach(diff.state()::drop);
        }
      }
      Map<String, List<PlanReport.Sample>> samples =
          PlanSamples.of(
              stage,
              plan.columns(),
              sync.key(),
              ChangeSetBuilder.KEY_SAMPLES,
              keyValues -> target.findRow(sync.table(), plan.columns(), sync.key(), keyValues));
      List<String> notes = new ArrayList<>(plan.notes());
      DeleteGuardCheck.refusal(sync, plan.counts())
          .ifPresent(refusal -> notes.add("a run would stop here, before writing: " + refusal));
      target
          .runs()
          .unfinished(sync.name(), sync.table())
          .ifPresent(
              run ->
                  notes.add(
                      "run "
                          + run.runId()
                          + " is unfinished ("
                          + run.appliedThrough()
                          + " of "
                          + run.changesTotal()
                          + " "
                          + Plural.noun(run.changesTotal(), "change")
                          + " applied); the next run "
                          + (run.phase().resumable()
                              ? "resumes it"
                              : run.phase() == RunPhase.EXTRACT && source.resumesQueries()
                                  ? "resumes it, reading its query's result again"
                                  : "starts over")));
      return new PlanReport(
          sync.name(),
          sync.mode().configName(),
          sync.table(),
          plan.counts(),
          plan.createStatement(),
          samples,
          notes);
    } finally {
      Stage.delete(stageFile);
    }
  }
}
