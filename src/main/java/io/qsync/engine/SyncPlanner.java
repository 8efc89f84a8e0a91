package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.diff.strategy.ChangeSetStrategy;
import io.qsync.diff.strategy.WarehouseDiff;
import io.qsync.row.Column;
import io.qsync.source.Source;
import io.qsync.stage.Stage;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.verify.BucketSum;
import io.qsync.verify.RowShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

  /**
   * @param out where to save the plan ({@code --out}): its change set and what it was computed
   *     against, for {@code qsync run SYNC --plan FILE} to apply exactly
   */
  PlanReport plan(Optional<Path> out) {
    if (out.isPresent() && sync.mode() != Mode.MIRROR && sync.mode() != Mode.UPSERT) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "sync '"
              + sync.name()
              + "': a saved plan applies a mirror or upsert sync's change set, and this sync's"
              + " mode is "
              + sync.mode().configName()
              + " (its run rebuilds or appends to the table); nothing was written\nReview it with"
              + " qsync plan "
              + sync.name()
              + " (without --out), then run it: qsync run "
              + sync.name());
    }
    Path stageFile =
        stageDir.resolve(sync.name() + ".plan-" + ProcessHandle.current().pid() + ".duckdb");
    Stage.delete(stageFile);
    try {
      PlanReport report;
      try (Stage stage = Stage.open(stageFile, Caller.PLAN)) {
        report = plan(stage, out);
      }
      out.ifPresent(file -> save(stageFile, file));
      return report;
    } finally {
      Stage.delete(stageFile);
    }
  }

  private PlanReport plan(Stage stage, Optional<Path> out) {
    // A source with jobs names the job after the run: each plan is a run of its own. A saved
    // plan's id is also the id of the run that applies it, so the run history names the plan.
    String planRun = RunRecord.PLAN_RUN_PREFIX + RunIds.next(clock);
    Instant createdAt = clock.instant();
    Optional<Against> before = out.map(file -> against());
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
    Optional<String> guard = DeleteGuardCheck.refusal(sync, plan.counts());
    guard.ifPresent(refusal -> notes.add("a run would stop here, before writing: " + refusal));
    Optional<SavedPlan> saved = Optional.empty();
    if (before.isPresent()) {
      Against against = before.get();
      Optional<BucketSum> tableAfter = PlanFingerprints.table(target, sync, against.shape());
      if (!tableAfter.equals(against.table())) {
        throw new QsyncException(
            ErrorKind.FAILED,
            "sync '"
                + sync.name()
                + "': table "
                + sync.table()
                + " in the database changed while the plan was being made, so the plan could"
                + " not say what its change set was computed against; no plan was saved\nMake"
                + " the plan again once nothing else writes to the table: qsync plan "
                + sync.name()
                + " --out "
                + out.orElseThrow());
      }
      SavedPlan kept =
          new SavedPlan(
              SavedPlan.FORMAT,
              planRun,
              sync.name(),
              sync.table(),
              sync.mode().configName(),
              PlanFingerprints.definition(sync, plan.columns(), target),
              createdAt,
              plan.counts(),
              stage.changeSetLength(),
              plan.createStatement().isPresent(),
              PlanFingerprints.shapeHash(against.described()),
              against.source(),
              against.table());
      stage.keepFacts(kept.facts());
      saved = Optional.of(kept);
      if (against.source().isEmpty()) {
        notes.add(
            "this warehouse cannot fingerprint the query's result yet, so qsync run --plan"
                + " checks only that the table did not change since the plan; the result may"
                + " have moved on, and the next plain run catches up with it");
      }
      if (guard.isPresent()) {
        notes.add(
            "applying this reviewed plan goes through the delete guard: qsync run "
                + sync.name()
                + " --plan "
                + out.get());
      }
    }
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
        notes,
        out.map(Path::toString),
        saved.map(SavedPlan::id));
  }

  /**
   * What a saved plan is computed against, taken before its change set: the query's columns as the
   * warehouse describes them, and the fingerprints of its result and of the table.
   */
  private record Against(
      List<Column> described,
      RowShape shape,
      Optional<BucketSum> source,
      Optional<BucketSum> table) {}

  private Against against() {
    List<Column> described = source.describe(sync.query());
    RowShape shape = PlanFingerprints.shape(sync, described, target);
    return new Against(
        described,
        shape,
        PlanFingerprints.source(source, sync, shape),
        PlanFingerprints.table(target, sync, shape));
  }

  /** Moves the closed stage, which holds the change set and the plan's facts, to {@code file}. */
  private void save(Path stageFile, Path file) {
    try {
      Path folder = file.toAbsolutePath().getParent();
      if (folder != null) {
        Files.createDirectories(folder);
      }
      Files.move(stageFile, file, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "sync '"
              + sync.name()
              + "': the plan could not be saved to "
              + file
              + ": "
              + e
              + "\nChoose a file in a folder you can write to: qsync plan "
              + sync.name()
              + " --out FILE");
    }
  }
}
