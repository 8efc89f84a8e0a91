package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.Messages;
import io.qsync.QsyncException;
import io.qsync.Sha256;
import io.qsync.Sleeper;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.destination.DestinationTable;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.strategy.ChangeSetStrategy;
import io.qsync.diff.strategy.WarehouseDiff;
import io.qsync.row.Column;
import io.qsync.source.ResultRead;
import io.qsync.source.SnapshotNames;
import io.qsync.source.Source;
import io.qsync.stage.Stage;
import io.qsync.stage.StageMeta;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.state.RunStore;
import io.qsync.state.SyncLock;
import io.qsync.verify.RowShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One run of one sync, as the list of its steps: lock, resume or start ({@link ResumePolicy}),
 * prepare the change set ({@link ChangeSetBuilder}), apply it ({@link BatchApplier}), advance the
 * warehouse state, swap, finish; a failure is recorded as {@link RunFailures} classifies it. {@link
 * #plan} ({@link SyncPlanner}) walks the same path up to the change set and writes nothing; {@link
 * #validate} ({@link SyncValidator}) only reads. Not thread-safe: one runner per run.
 */
public final class SyncRunner {
  private final SyncConfig sync;
  private final Source source;
  private final Destination target;
  private final Path stageDir;
  private final Clock clock;
  private final Progress progress;
  private final FaultPoint faults;
  private final Sleeper sleeper;
  private final ChangeSetBuilder changeSets;
  private final BatchApplier batches;
  private RunOptions options = RunOptions.DEFAULT;

  /**
   * The step the run is in, finer than its recorded phase while it makes the change set: a run that
   * stops there needing action records where (the query, the table, a check).
   */
  private RunPhase step = RunPhase.EXTRACT;

  /** How the sync's change set is made, made on first use. */
  private ChangeSetStrategy strategy;

  public SyncRunner(
      SyncConfig sync,
      Source source,
      Destination target,
      Path stageDir,
      Clock clock,
      Progress progress,
      FaultPoint faults) {
    this(sync, source, target, stageDir, clock, progress, faults, Map.of(), Sleeper.system());
  }

  /**
   * @param replicas the replicas the sync's throttle watches, by connection name
   * @param sleeper how throttle pauses and retry backoffs wait
   */
  public SyncRunner(
      SyncConfig sync,
      Source source,
      Destination target,
      Path stageDir,
      Clock clock,
      Progress progress,
      FaultPoint faults,
      Map<String, Destination> replicas,
      Sleeper sleeper) {
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.sync = requireNonNull(sync, "sync is null");
    this.source = requireNonNull(source, "source is null");
    this.target = requireNonNull(target, "target is null");
    this.stageDir = requireNonNull(stageDir, "stageDir is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.progress = requireNonNull(progress, "progress is null");
    this.faults = requireNonNull(faults, "faults is null");
    this.batches =
        new BatchApplier(
            sync,
            target,
            Map.copyOf(requireNonNull(replicas, "replicas is null")),
            clock,
            sleeper,
            progress,
            faults,
            this::retry);
    this.changeSets =
        new ChangeSetBuilder(
            sync, source, target, progress, faults, batches::paceWork, now -> step = now);
  }

  /**
   * Makes the target table equal to the query result. An unfinished run is resumed first: its
   * change set is applied after its checkpoint; then, for {@code mirror} and {@code upsert}, a
   * fresh run compares the table with the query's current result again ({@link
   * RunReport#caughtUp()}), so the command ends with the table equal to the result as it is now,
   * not as it was when the resumed run first ran its query.
   *
   * @throws RunFailedException when the run failed: its run id, phase and checkpoint with the error
   */
  public RunReport run(RunOptions options) {
    this.options = requireNonNull(options, "options is null");
    if (options.plan().isPresent()) {
      return runPlan(options.plan().get());
    }
    Instant started = clock.instant();
    RunStore runs = target.runs();
    try (SyncLock lock = lock(runs)) {
      Path stageFile = stageFile(stageDir, sync.name(), target.describeLocation(), sync.table());
      List<String> notes = new ArrayList<>();
      ResumePolicy.Decision decision =
          ResumePolicy.decide(resumeFacts(runs.unfinished(sync.name(), sync.table()), stageFile));
      if (decision instanceof ResumePolicy.Refuse refuse) {
        throw new QsyncException(ErrorKind.NEEDS_ACTION, refuse.message());
      }
      if (decision instanceof ResumePolicy.Resume resume) {
        return resume(resume, lock, stageFile, started, notes);
      }
      if (decision instanceof ResumePolicy.StartOver over) {
        startOver(over, stageFile, notes);
      }
      return execute(newRun(lock), Optional.empty(), lock, stageFile, started, notes);
    }
  }

  /**
   * Applies exactly the change set of the saved plan in {@code file} through the run's own apply
   * step, once the plan is this sync's, young enough, and nothing it was computed against moved:
   * the query's result and the table, by their fingerprints. The run takes the plan's id as its
   * own. A run of the plan that stopped part-way is resumed after its checkpoint, without checking
   * the table its own batches changed; once a run applied the plan, it is not applied again.
   */
  private RunReport runPlan(Path file) {
    Instant started = clock.instant();
    Path copy = stageDir.resolve(sync.name() + ".plan-read-" + RunIds.pid() + ".duckdb");
    Stage.delete(copy);
    try {
      SavedPlan plan;
      List<Column> columns;
      copyPlan(file, copy);
      Stage opened;
      try {
        opened = Stage.open(copy);
      } catch (QsyncException e) {
        throw new QsyncException(
            ErrorKind.NEEDS_ACTION,
            file
                + " is not a qsync plan (DuckDB cannot open it: "
                + Messages.firstLine(e)
                + "); nothing was written\nMake one with: qsync plan "
                + sync.name()
                + " --out "
                + file,
            e);
      }
      try (Stage stage = opened) {
        plan = SavedPlan.of(stage.facts(), file);
        columns = stage.columns();
      }
      refuse(
          plan.notFor(
              sync.name(), sync.table(), PlanFingerprints.definition(sync, columns, target), file));
      RunStore runs = target.runs();
      try (SyncLock lock = lock(runs)) {
        Path stageFile = stageFile(stageDir, sync.name(), target.describeLocation(), sync.table());
        List<String> notes = new ArrayList<>();
        notes.add(
            "applied plan "
                + file
                + " (made "
                + plan.createdAt().truncatedTo(ChronoUnit.SECONDS)
                + "), exactly as reviewed; the run's id is the plan's");
        Optional<RunRecord> unfinished = runs.unfinished(sync.name(), sync.table());
        if (unfinished.isPresent()
            && unfinished.get().runId().equals(plan.id())
            && !options.restart()) {
          // This plan's own run, stopped part-way: its batches changed the table, so the table is
          // not checked again; the rest of the plan's change set is applied after the checkpoint.
          if (!stageHolds(stageFile, plan.id())) {
            Stage.delete(stageFile);
            copyPlan(copy, stageFile);
          }
          ResumePolicy.Decision decision = ResumePolicy.decide(resumeFacts(unfinished, stageFile));
          if (decision instanceof ResumePolicy.Resume resume) {
            return resume(resume, lock, stageFile, started, notes);
          }
          throw new QsyncException(
              ErrorKind.NEEDS_ACTION,
              "sync '"
                  + sync.name()
                  + "': run "
                  + plan.id()
                  + ", which applies plan "
                  + file
                  + ", stopped where it cannot resume ("
                  + unfinished.get().phase().name().toLowerCase(Locale.ROOT)
                  + (decision instanceof ResumePolicy.Refuse refusal
                      ? ": " + Messages.firstLine(refusal.message())
                      : "")
                  + "); nothing more was written\nFinish the sync with a plain run, which"
                  + " compares the table with the query again: qsync run "
                  + sync.name());
        }
        Optional<RunRecord> applied = runs.find(plan.id());
        if (applied.isPresent()) {
          throw new QsyncException(
              ErrorKind.NEEDS_ACTION,
              "sync '"
                  + sync.name()
                  + "': plan "
                  + file
                  + " was already used by run "
                  + plan.id()
                  + " ("
                  + applied.get().status().name().toLowerCase(Locale.ROOT)
                  + "); a plan is applied once, and nothing was written\nMake a new plan:"
                  + " qsync plan "
                  + sync.name()
                  + " --out "
                  + file);
        }
        if (unfinished.isPresent()) {
          ResumePolicy.Decision decision = ResumePolicy.decide(resumeFacts(unfinished, stageFile));
          if (decision instanceof ResumePolicy.Refuse refuse) {
            throw new QsyncException(ErrorKind.NEEDS_ACTION, refuse.message());
          }
          if (decision instanceof ResumePolicy.Resume) {
            throw new QsyncException(
                ErrorKind.NEEDS_ACTION,
                "sync '"
                    + sync.name()
                    + "': run "
                    + unfinished.get().runId()
                    + " is unfinished, and its change set comes first; plan "
                    + file
                    + " was not applied, and nothing was written\nFinish that run (qsync run "
                    + sync.name()
                    + ") and make a new plan, or abandon it: qsync run "
                    + sync.name()
                    + " --plan "
                    + file
                    + " --restart");
          }
          if (decision instanceof ResumePolicy.StartOver over) {
            startOver(over, stageFile, notes);
          }
        }
        refuse(plan.tooOld(clock.instant(), options.maxPlanAge(), file));
        List<Column> described = source.describe(sync.query());
        RowShape shape = PlanFingerprints.shape(sync, described, target);
        refuse(
            plan.moved(
                PlanFingerprints.shapeHash(described),
                plan.source().isPresent()
                    ? PlanFingerprints.source(source, sync, shape)
                    : Optional.empty(),
                PlanFingerprints.table(target, sync, shape),
                file));
        Stage.delete(stageFile);
        copyPlan(copy, stageFile);
        if (plan.createsTable() && target.describe(sync.table()).isEmpty()) {
          target.createTable(sync.table(), columns, sync.key());
          notes.add("created table " + sync.table());
        }
        RunRecord run =
            started(plan.id(), lock)
                .withChangeSet(plan.counts(), plan.changesTotal())
                .withPhase(RunPhase.APPLY);
        runs.insert(run);
        return execute(run, Optional.empty(), lock, stageFile, started, notes);
      }
    } finally {
      Stage.delete(copy);
    }
  }

  private static void refuse(Optional<String> refusal) {
    if (refusal.isPresent()) {
      throw new QsyncException(ErrorKind.NEEDS_ACTION, refusal.get());
    }
  }

  /** Whether the stage file holds the change set of run {@code runId}. */
  private static boolean stageHolds(Path stageFile, String runId) {
    if (!Files.exists(stageFile)) {
      return false;
    }
    try (Stage stage = Stage.open(stageFile)) {
      return stage.meta().map(meta -> meta.runId().equals(runId)).orElse(false);
    }
  }

  /** Copies a plan file (a stage file that keeps a plan's facts) to {@code to}. */
  private void copyPlan(Path from, Path to) {
    try {
      Files.createDirectories(to.toAbsolutePath().getParent());
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchFileException e) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "sync '"
              + sync.name()
              + "': there is no plan file "
              + from
              + "\nMake one with: qsync plan "
              + sync.name()
              + " --out "
              + from);
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "sync '"
              + sync.name()
              + "': plan "
              + from
              + " could not be copied to "
              + to
              + ": "
              + e
              + "\nCheck that the file is readable and stage_dir writable, with free space.");
    }
  }

  /** What {@link ResumePolicy} decides on: the unfinished run, its stage, the tables. */
  private ResumePolicy.Facts resumeFacts(Optional<RunRecord> unfinished, Path stageFile) {
    boolean tableExists = false;
    boolean shadowExists = false;
    Optional<ResumePolicy.StageFacts> stage = Optional.empty();
    if (unfinished.isPresent() && !options.restart()) {
      RunPhase phase = unfinished.get().phase();
      tableExists = target.describe(sync.table()).isPresent();
      shadowExists =
          sync.mode() == Mode.REPLACE
              && target.describe(target.shadowName(sync.table())).isPresent();
      if (!phase.startsOver() && phase != RunPhase.EXTRACT && phase != RunPhase.SWAP) {
        stage = Optional.of(stageFacts(unfinished.get(), stageFile));
      }
    }
    return new ResumePolicy.Facts(
        sync.name(),
        sync.table(),
        sync.mode(),
        unfinished,
        options.restart(),
        source.resumesQueries(),
        tableExists,
        shadowExists,
        stageFile.toString(),
        stage);
  }

  private ResumePolicy.StageFacts stageFacts(RunRecord previous, Path stageFile) {
    if (!Files.exists(stageFile)) {
      return ResumePolicy.StageFacts.MISSING;
    }
    Stage opened;
    try {
      opened = Stage.open(stageFile);
    } catch (QsyncException e) {
      // Replaced by another file, or corrupt: the change set it held can only be computed anew.
      // Any other failure (a lock another process holds, a full disk) may pass and leaves the
      // change set where it is for the next run to resume.
      return ResumePolicy.StageFacts.damaged(Stage.damage(stageFile, e).orElseThrow(() -> e));
    }
    try (Stage stage = opened) {
      Optional<StageMeta> meta = stage.meta();
      if (meta.isEmpty()) {
        return new ResumePolicy.StageFacts(true, Optional.empty(), false, false, Optional.empty());
      }
      List<Column> columns = meta.get().columns();
      boolean ours = meta.get().runId().equals(previous.runId());
      boolean complete = meta.get().phase() == StageMeta.Phase.DIFFED;
      boolean same = meta.get().fingerprint().equals(ChangeSetBuilder.fingerprint(sync, columns));
      Optional<String> tableProblem = Optional.empty();
      if (ours
          && complete
          && same
          && previous.phase() == RunPhase.APPLY
          && sync.mode() != Mode.REPLACE) {
        Optional<DestinationTable> table = target.describe(sync.table());
        if (table.isPresent()) {
          tableProblem =
              target
                  .schemaProblems(
                      table.get(),
                      columns,
                      KeyChecks.resolve(sync, columns),
                      sync.mode().needsKey())
                  .stream()
                  .findFirst()
                  .map(Messages::firstLine);
        }
      }
      Optional<String> damage =
          ours && complete ? stage.changeSetDamage(previous.changesTotal()) : Optional.empty();
      return new ResumePolicy.StageFacts(
          true, Optional.of(meta.get().runId()), complete, same, tableProblem, damage);
    }
  }

  /** Leaves the unfinished run: closes it if it still says running, drops its stage. */
  private void startOver(ResumePolicy.StartOver over, Path stageFile, List<String> notes) {
    over.abandoned()
        .ifPresent(
            error ->
                target
                    .runs()
                    .update(
                        over.previous()
                            .finished(RunStatus.ABANDONED, clock.instant(), Optional.of(error))));
    notes.add(over.note());
    Stage.delete(stageFile);
    if (over.dropShadow()) {
      target.dropTable(target.shadowName(sync.table()));
    }
  }

  /**
   * Prepares the run history and takes the sync's lock; a restart or failover meanwhile is ridden
   * out like one during a batch.
   */
  private SyncLock lock(RunStore runs) {
    BatchRetry retry = retry();
    retry.run("prepare the run history", runs::prepare);
    return retry.call(
        "take the lock of sync '" + sync.name() + "'",
        () -> target.lock(sync.name(), sync.lockTimeout()));
  }

  private RunRecord newRun(SyncLock lock) {
    RunRecord run = started(RunIds.next(clock), lock);
    target.runs().insert(run);
    return run;
  }

  /** A run of this sync by this process, starting now under {@code lock}. */
  private RunRecord started(String runId, SyncLock lock) {
    return RunRecord.started(
        runId,
        sync.name(),
        sync.table(),
        sync.mode().configName(),
        clock.instant(),
        RunIds.host(),
        RunIds.pid(),
        lock.sessionId());
  }

  /**
   * Finishes the unfinished run; then, for {@code mirror} and {@code upsert}, compares the table
   * with the query's current result again in a fresh run.
   */
  private RunReport resume(
      ResumePolicy.Resume resume,
      SyncLock lock,
      Path stageFile,
      Instant started,
      List<String> notes) {
    RunRecord previous = resume.previous();
    RunRecord run = previous.resumedBy(RunIds.host(), RunIds.pid(), lock.sessionId());
    target.runs().update(run);
    notes.add(resume.note());
    RunReport resumed = execute(run, Optional.of(previous), lock, stageFile, started, notes);
    String firstRead = run.startedAt().truncatedTo(ChronoUnit.SECONDS).toString();
    if (options.plan().isPresent()) {
      // A plan is applied exactly: what the query returns now waits for the next plain run.
      return resumed;
    }
    if (resume.reExtracts()) {
      // Its change set was made just now against the table, from its job's result: reading the
      // result again instead of querying again is what spares a second bill.
      return resumed.withNote(
          "the table holds the query's result as run "
              + run.runId()
              + "'s job computed it ("
              + firstRead
              + "); the next run brings it up to date");
    }
    if (sync.mode() != Mode.MIRROR && sync.mode() != Mode.UPSERT) {
      // replace would rebuild the whole table again, append would append the result twice
      return resumed.withNote(
          "the table holds the query's result as run "
              + run.runId()
              + " first read it ("
              + firstRead
              + "); the next run brings it up to date");
    }
    // The resumed change set was computed when the run first ran its query; the result and the
    // table may both have changed since. A fresh run compares them again.
    RunRecord fresh = newRun(lock);
    RunReport caughtUp =
        execute(fresh, Optional.empty(), lock, stageFile, clock.instant(), new ArrayList<>());
    return resumed
        .withNote(
            (sync.diff().snapshot()
                    ? "then compared the query's current result with the state of the last"
                        + " successful run in the warehouse again (not with the table: qsync run"
                        + " --full does that), as run "
                    : "then compared the table with the query's current result again, as run ")
                + fresh.runId()
                + ": "
                + caughtUp.counts().describe())
        .withCaughtUp(caughtUp);
  }

  /** The run's steps from where {@code initial} stands: prepare, apply, state, swap, finish. */
  private RunReport execute(
      RunRecord initial,
      Optional<RunRecord> previousAttempt,
      SyncLock lock,
      Path stageFile,
      Instant started,
      List<String> notes) {
    RunRecord run = initial;
    boolean resumed = run.resumes() > 0;
    step = run.phase();
    Map<String, Long> billedBefore = source.bytesBilled();
    int readsBefore = source.reads().size();
    try {
      if (run.phase() != RunPhase.SWAP) {
        try (Stage stage = Stage.open(stageFile)) {
          if (run.phase() == RunPhase.EXTRACT) {
            batches.watchTheRun();
            run = prepare(run, stage, notes);
          }
          if (run.phase() == RunPhase.APPLY) {
            step = RunPhase.APPLY;
            try {
              run =
                  batches.apply(
                      run, stage, lock, resumed && initial.phase() != RunPhase.EXTRACT, notes);
            } finally {
              // The run waits only while it applies: its throttled time is final once the batches
              // end, committed, failed or interrupted.
              recordThrottle(run.runId(), notes);
            }
          }
          if (warehouse().isPresent()) {
            run = advanceState(run, stage, notes);
          }
        }
      }
      if (sync.mode() == Mode.REPLACE) {
        run = run.withPhase(RunPhase.SWAP);
        target.runs().update(run);
        swap();
      }
      run = finish(run, stageFile, notes);
      List<ResultRead> reads = recordReads(run.runId(), readsBefore, notes);
      // Before the report is built: a history that refuses them adds a note the report must carry.
      Map<String, Long> billed = recordBytesBilled(run.runId(), billedBefore, notes);
      return RunReport.builder(
              sync.name(),
              run.runId(),
              RunStatus.SUCCEEDED,
              sync.mode().configName(),
              sync.table(),
              run.counts().orElse(ChangeCounts.NONE))
          .resumed(resumed)
          .resumedAfter(initial.appliedThrough())
          .batches(run.batchesApplied() - initial.batchesApplied())
          .duration(Duration.between(started, clock.instant()))
          .notes(notes)
          .throttle(batches.throttled())
          .bytesBilled(billed)
          .reads(reads)
          .build();
    } catch (RuntimeException e) {
      recordBytesBilled(run.runId(), billedBefore, notes);
      recordReads(run.runId(), readsBefore, notes);
      throw failed(run, previousAttempt, stageFile, e);
    } finally {
      batches.stopWatching();
    }
  }

  /**
   * The bytes the source's jobs billed since {@code before}, per kind of job, added to the run's
   * history (a failed attempt's too, so that a resumed run's history sums both). Only shown: when
   * it cannot be written the run goes on, with a note.
   */
  private Map<String, Long> recordBytesBilled(
      String runId, Map<String, Long> before, List<String> notes) {
    Map<String, Long> billed = new LinkedHashMap<>();
    source
        .bytesBilled()
        .forEach(
            (kind, bytes) -> {
              long more = bytes - before.getOrDefault(kind, 0L);
              if (more > 0 || !before.containsKey(kind)) {
                billed.put(kind, more);
              }
            });
    if (billed.isEmpty()) {
      return billed;
    }
    try {
      target.runs().addBytesBilled(runId, billed);
    } catch (RuntimeException e) {
      notes.add(
          "the bytes this run's warehouse jobs billed could not be kept in the run history ("
              + Messages.firstLine(e)
              + ")");
    }
    return billed;
  }

  /**
   * The results the source read since its {@code before}th read, each with the API that read it and
   * why, added to the run's history (a failed attempt's too: a resumed run that reads again adds
   * its own), and returned for the run's report. Only shown: when they cannot be written the run
   * goes on, with a note.
   */
  private List<ResultRead> recordReads(String runId, int before, List<String> notes) {
    List<ResultRead> all = source.reads();
    List<ResultRead> reads = List.copyOf(all.subList(Math.min(before, all.size()), all.size()));
    if (reads.isEmpty()) {
      return reads;
    }
    try {
      target.runs().addReads(runId, reads);
    } catch (RuntimeException e) {
      notes.add(
          "how this run read the warehouse's results could not be kept in the run history ("
              + Messages.firstLine(e)
              + ")");
    }
    return reads;
  }

  /**
   * Adds the time the batches waited, per throttle rule, to the run's history, for the status page.
   * Only shown, never read by a run: when it cannot be written the run goes on, with a note.
   */
  private void recordThrottle(String runId, List<String> notes) {
    Map<String, Duration> throttledBy = batches.throttled().throttledBy();
    if (throttledBy.isEmpty()) {
      return;
    }
    try {
      target.runs().addThrottled(runId, throttledBy);
    } catch (RuntimeException e) {
      notes.add(
          "the time this run waited for the throttle could not be kept in the run history ("
              + Messages.firstLine(e)
              + "); the status page shows none for it");
    }
  }

  /** Query, schema, extract, key checks and diff: the run's change set, in the stage. */
  private RunRecord prepare(RunRecord run, Stage stage, List<String> notes) {
    RunStore runs = target.runs();
    run = run.withPhase(RunPhase.EXTRACT);
    runs.update(run);
    RunRecord[] recorded = {run};
    ChangeSetBuilder.ChangeSet changeSet =
        changeSets.build(
            stage,
            run.runId(),
            strategy(),
            options.full(),
            false,
            job -> {
              recorded[0] = recorded[0].withSourceJob(job);
              runs.update(recorded[0]);
            });
    run = recorded[0];
    notes.addAll(changeSet.notes());
    step = RunPhase.CHECK;
    DeleteGuardCheck.refusal(sync, changeSet.counts())
        .ifPresent(
            refusal -> {
              throw new QsyncException(ErrorKind.NEEDS_ACTION, refusal);
            });
    changeSet
        .createStatement()
        .ifPresent(
            statement -> {
              target.createTable(sync.table(), changeSet.columns(), sync.key());
              notes.add("created table " + sync.table());
            });
    run = run.withChangeSet(changeSet.counts(), stage.changeSetLength()).withPhase(RunPhase.APPLY);
    runs.update(run);
    return run;
  }

  /**
   * Advances the warehouse state to this run's result, once the target holds every change, and
   * records it in the run history before the run is marked succeeded. A run that compared with the
   * state in the warehouse and changed nothing keeps that state instead, recording it as its own:
   * the state in force stays the same table, which the clean-up after success keeps. A run whose
   * result table is gone (expired while it was stopped) succeeds without a state: the next run
   * compares in full.
   */
  private RunRecord advanceState(RunRecord run, Stage stage, List<String> notes) {
    WarehouseDiff diff = warehouse().orElseThrow();
    RunStore runs = target.runs();
    run = run.withPhase(RunPhase.STATE);
    runs.update(run);
    faults.reached(FaultPoint.Point.BEFORE_STATE, run.appliedThrough());
    Optional<WarehouseDiff.Previous> kept =
        diff.keptState(stage.changesFromWarehouse(), stage.changeSetLength());
    if (kept.isPresent()) {
      runs.recordDiffState(run.runId(), kept.get().recorded());
      notes.add(
          "nothing changed, so the state this run compared with ("
              + kept.get().table()
              + ") stays in force: no new state was written");
      faults.reached(FaultPoint.Point.STATE_RECORDED, run.appliedThrough());
      return run;
    }
    SnapshotNames.Run tables = diff.run(run.runId());
    List<Column> columns = stage.columns();
    List<String> key = KeyChecks.resolve(sync, columns);
    if (diff.state().describe(tables.result()).isEmpty()) {
      notes.add(
          "this run's result table "
              + tables.result()
              + " is gone, so its state could not"
              + " be kept; the next run compares the whole result with the table");
      return run;
    }
    progress.begin("advance state", -1);
    diff.state().advance(tables, key);
    progress.end();
    runs.recordDiffState(run.runId(), WarehouseDiff.recorded(tables, columns, key));
    faults.reached(FaultPoint.Point.STATE_RECORDED, run.appliedThrough());
    return run;
  }

  /**
   * {@code replace}: swaps the complete new table in for the old one, once nothing the swap would
   * break has appeared on the table since the run began, and drops the old table. Safe to do again
   * after a failure or crash part-way ({@link Destination#swap}).
   */
  private void swap() {
    String shadow = target.shadowName(sync.table());
    if (target.describe(shadow).isPresent() && target.describe(sync.table()).isPresent()) {
      ChangeSetBuilder.refuseToReplace(
          sync,
          target.replaceProblems(sync.table()),
          "The new table is complete in "
              + shadow
              + "; once the table is fixed, the next run"
              + " swaps it in without writing it again.");
    }
    target.swap(sync.table(), shadow);
  }

  /** Records the run as succeeded, drops its stage and the warehouse tables it no longer needs. */
  private RunRecord finish(RunRecord run, Path stageFile, List<String> notes) {
    RunStore runs = target.runs();
    RunRecord succeeded = run.finished(RunStatus.SUCCEEDED, clock.instant(), Optional.empty());
    retry().run("record run " + run.runId() + " as succeeded", () -> runs.update(succeeded));
    Stage.delete(stageFile);
    warehouse()
        .ifPresent(
            diff ->
                notes.addAll(diff.cleanUp(diff.previous(runs).map(WarehouseDiff.Previous::table))));
    return succeeded;
  }

  /**
   * Records a failure as {@link RunFailures} classifies it (unless the target is unreachable: then
   * the run stays RUNNING), and returns what the run throws: the error with its run.
   */
  private RuntimeException failed(
      RunRecord run, Optional<RunRecord> previousAttempt, Path stageFile, RuntimeException e) {
    RunFailures.Outcome outcome =
        RunFailures.classify(
            new RunFailures.Failure(
                e,
                sync.name(),
                sync.mode(),
                run,
                step,
                previousAttempt,
                Thread.currentThread().isInterrupted(),
                source.resumesQueries(),
                () -> target.runs().find(run.runId()).orElse(run)));
    if (outcome.discardStage()) {
      Stage.delete(stageFile);
    }
    RuntimeException error = outcome.error();
    RunRecord recorded = run;
    try {
      RunStore runs = target.runs();
      Optional<RunRecord> current = runs.find(run.runId());
      if (current.isPresent()) {
        recorded =
            current
                .get()
                .withPhase(outcome.phase())
                .finished(outcome.status(), clock.instant(), Optional.of(truncated(error)));
        runs.update(recorded);
      }
    } catch (RuntimeException unrecorded) {
      error.addSuppressed(unrecorded);
    }
    return RunFailedException.of(
        error,
        run.runId(),
        outcome.phase(),
        Math.max(recorded.appliedThrough(), run.appliedThrough()),
        run.changesTotal(),
        batches.throttled().throttledBy());
  }

  /**
   * The whole message is kept (up to the column's size), so that {@code status} can show all of it.
   */
  private static String truncated(Throwable error) {
    String message = String.valueOf(error.getMessage());
    return message.length() > 4000 ? message.substring(0, 4000) : message;
  }

  /**
   * Stops the run at a point where it can stop cleanly (between batches, between steps) once the
   * process was asked to stop (Ctrl-C, SIGTERM: see the CLI's shutdown hook), or its thread was
   * interrupted otherwise.
   */
  static void stopIfInterrupted() {
    if (Thread.currentThread().isInterrupted()) {
      throw new QsyncException(ErrorKind.INTERRUPTED, "interrupted");
    }
  }

  private ChangeSetStrategy strategy() {
    if (strategy == null) {
      strategy = ChangeSetStrategy.of(sync, source, target);
    }
    return strategy;
  }

  /** The warehouse side of {@code diff: snapshot}; empty for {@code diff: target}. */
  private Optional<WarehouseDiff> warehouse() {
    return sync.diff().snapshot() ? Optional.of((WarehouseDiff) strategy()) : Optional.empty();
  }

  /** Retries of passing errors, as the sync's {@code retries} settings say. */
  private BatchRetry retry() {
    return new BatchRetry(
        sync.retries(), sleeper, clock, () -> ThreadLocalRandom.current().nextDouble(), progress);
  }

  /** Checks that the source answers, the query describes and the table can hold the result. */
  public ValidationReport.SyncCheck validate() {
    return new SyncValidator(sync, source, target).validate();
  }

  /** What a run would do now; writes nothing to the target and leaves any unfinished run alone. */
  public PlanReport plan() {
    return plan(Optional.empty());
  }

  /**
   * What a run would do now, as {@link #plan()}; with {@code out}, also saves the plan there: its
   * change set and what it was computed against, for {@code run --plan} ({@link RunOptions#plan()})
   * to apply exactly.
   */
  public PlanReport plan(Optional<Path> out) {
    return new SyncPlanner(sync, source, target, stageDir, clock, changeSets).plan(out);
  }

  /**
   * Where a sync keeps its stage between a failure and the resumption. The name carries a hash of
   * the target and table, so two configs sharing a folder (staging and production, say) with a sync
   * of the same name never take each other's stage.
   */
  public static Path stageFile(
      Path stageDir, String syncName, String targetLocation, String table) {
    return stageDir.resolve(
        syncName + "-" + Sha256.hex(targetLocation + "\0" + table).substring(0, 8) + ".duckdb");
  }
}
