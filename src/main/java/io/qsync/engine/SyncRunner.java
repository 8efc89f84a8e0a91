package io.qsync.engine;

import static io.qsync.Messages.firstLine;
import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.Sha256;
import io.qsync.Sleeper;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.diff.BatchPlan;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.ChangeKind;
import io.qsync.diff.KeyCollation;
import io.qsync.diff.KeyProblem;
import io.qsync.row.Column;
import io.qsync.row.RowSink;
import io.qsync.source.SnapshotNames;
import io.qsync.source.Source;
import io.qsync.source.SourceResult;
import io.qsync.row.Unrepresentable;
import io.qsync.stage.ChangeCursor;
import io.qsync.stage.Stage;
import io.qsync.stage.StageMeta;
import io.qsync.stage.ValueCheck;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.state.RunStore;
import io.qsync.state.SyncLock;
import io.qsync.destination.Destination;
import io.qsync.destination.DestinationColumn;
import io.qsync.destination.DestinationTable;
import io.qsync.destination.ValueRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One run of one sync, top to bottom: lock, resume or start, query, plan the schema, extract into
 * the stage, check keys, diff, apply in checkpointed batches, finish. {@link #plan} walks the same
 * path up to the change set and writes nothing. Not thread-safe: one runner per run.
 */
public final class SyncRunner {
  private static final int KEY_SAMPLES = 5;
  private static final DateTimeFormatter RUN_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final SyncConfig sync;
  private final Source source;
  private final Destination target;
  private final Path stageDir;
  private final Clock clock;
  private final Progress progress;
  private final FaultPoint faults;
  private final Map<String, Destination> replicas;
  private final Sleeper sleeper;
  private ThrottleReport throttled = ThrottleReport.NONE;
  private boolean full;
  /** Whether this is {@link #plan}, which also says what the warehouse diff would scan. */
  private boolean planning;
  /**
   * The step the run is in, finer than its recorded phase while it makes the change set: a run that
   * stops there needing action records where (the query, the table, a check).
   */
  private RunPhase step = RunPhase.EXTRACT;
  /** The warehouse side of {@code diff: snapshot}, made on first use; empty for diff: target. */
  private Optional<SnapshotDiff> snapshot;

  public SyncRunner(
      SyncConfig sync, Source source, Destination target, Path stageDir, Clock clock, Progress progress,
      FaultPoint faults) {
    this(sync, source, target, stageDir, clock, progress, faults, Map.of(), Sleeper.system());
  }

  /**
   * @param replicas the replicas the sync's throttle watches, by connection name
   * @param sleeper how throttle pauses and retry backoffs wait
   */
  public SyncRunner(
      SyncConfig sync, Source source, Destination target, Path stageDir, Clock clock, Progress progress,
      FaultPoint faults, Map<String, Destination> replicas, Sleeper sleeper) {
    this.replicas = Map.copyOf(requireNonNull(replicas, "replicas is null"));
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.sync = requireNonNull(sync, "sync is null");
    this.source = requireNonNull(source, "source is null");
    this.target = requireNonNull(target, "target is null");
    this.stageDir = requireNonNull(stageDir, "stageDir is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.progress = requireNonNull(progress, "progress is null");
    this.faults = requireNonNull(faults, "faults is null");
  }

  /** Makes the target table equal to the query result, resuming an unfinished run if any. */
  public RunReport run(boolean restart) {
    return run(restart, false);
  }

  /**
   * Makes the target table equal to the query result. An unfinished run is resumed first: its
   * change set is applied after its checkpoint; then, for {@code mirror} and {@code upsert}, a
   * fresh run compares the table with the query's current result again ({@link
   * RunReport#caughtUp()}), so the command ends with the table equal to the result as it is now,
   * not as it was when the resumed run first ran its query.
   *
   * @param full compare the whole result with the table even where a {@code diff: snapshot}
   *     state could be used, and rebuild the state from this run
   */
  public RunReport run(boolean restart, boolean full) {
    this.full = full;
    Instant started = clock.instant();
    RunStore runs = target.runs();
    // A restart or failover while the run takes its lock is ridden out like one during a batch.
    BatchRetry steps = retry();
    steps.run("prepare the run history", runs::prepare);
    try (SyncLock lock =
        steps.call("take the lock of sync '" + sync.name() + "'",
            () -> target.lock(sync.name(), sync.lockTimeout()))) {
      Path stageFile = stageFile(stageDir, sync.name(), target.describeLocation(), sync.table());
      List<String> notes = new ArrayList<>();
      Optional<RunRecord> unfinished = runs.unfinished(sync.name());
      Optional<RunRecord> resumable = Optional.empty();
      if (unfinished.isPresent()) {
        RunRecord previous = unfinished.get();
        Optional<String> whyNot = restart ? Optional.of("--restart was given") : whyNotResumable(previous, stageFile);
        if (whyNot.isEmpty()) {
          resumable = unfinished;
        } else {
          refuseToAppendTwice(previous, whyNot.get(), restart);
          // A killed run still says RUNNING: close it. A failed one keeps its status and error.
          if (previous.status() != RunStatus.FAILED || restart) {
            runs.update(
                previous.finished(
                    RunStatus.ABANDONED,
                    clock.instant(),
                    Optional.of(
                        "abandoned: " + whyNot.get()
                            + previous.error().map(error -> "; it had failed: " + error).orElse(""))));
          }
          notes.add("did not resume run " + previous.runId() + " (" + whyNot.get() + "); starting over");
          Stage.delete(stageFile);
          if (restart || sync.mode() == Mode.REPLACE) {
            target.dropTable(target.shadowName(sync.table()));
          }
        }
      }
      if (resumable.isEmpty()) {
        RunRecord run = RunRecord.started(
            newRunId(), sync.name(), sync.table(), sync.mode().configName(), clock.instant(),
            host(), pid(), lock.sessionId());
        runs.insert(run);
        return execute(run, Optional.empty(), lock, stageFile, started, notes);
      }
      RunRecord previous = resumable.get();
      RunRecord run = previous.resumedBy(host(), pid(), lock.sessionId());
      runs.update(run);
      if (run.phase() == RunPhase.EXTRACT) {
        notes.add("resumed run " + run.runId() + ", which stopped while extracting: its query's"
            + " result is read again" + run.sourceJob().map(job -> " (job " + job + ")").orElse(""));
      } else {
        notes.add(
            "resumed run " + run.runId() + " after change " + run.appliedThrough() + " of "
                + run.changesTotal() + " (" + Plural.of(run.batchesApplied(), "batch")
                + (run.batchesApplied() == 1 ? " was" : " were") + " already committed)");
      }
      RunReport resumed = execute(run, Optional.of(previous), lock, stageFile, started, notes);
      String firstRead = run.startedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
      if (run.phase() == RunPhase.EXTRACT) {
        // Its change set was made just now against the table, from its job's result: reading the
        // result again instead of querying again is what spares a second bill.
        return resumed.withNote("the table holds the query's result as run " + run.runId()
            + "'s job computed it (" + firstRead + "); the next run brings it up to date");
      }
      if (sync.mode() != Mode.MIRROR && sync.mode() != Mode.UPSERT) {
        // replace would rebuild the whole table again, append would append the result twice
        return resumed.withNote("the table holds the query's result as run " + run.runId()
            + " first read it (" + firstRead + "); the next run brings it up to date");
      }
      // The resumed change set was computed when the run first ran its query; the result and the
      // table may both have changed since. A fresh run compares them again.
      RunRecord fresh = RunRecord.started(
          newRunId(), sync.name(), sync.table(), sync.mode().configName(), clock.instant(),
          host(), pid(), lock.sessionId());
      runs.insert(fresh);
      List<String> freshNotes = new ArrayList<>();
      RunReport caughtUp = execute(fresh, Optional.empty(), lock, stageFile, clock.instant(), freshNotes);
      return resumed
          .withNote("then compared the table with the query's current result again, as run "
              + fresh.runId() + ": " + caughtUp.counts().describe())
          .withCaughtUp(caughtUp);
    }
  }

  private RunReport execute(
      RunRecord initial, Optional<RunRecord> previousAttempt, SyncLock lock, Path stageFile,
      Instant started, List<String> notes) {
    RunStore runs = target.runs();
    RunRecord run = initial;
    long resumedAfter = run.appliedThrough();
    boolean resumed = run.resumes() > 0;
    step = run.phase();
    try {
      if (run.phase() != RunPhase.SWAP) {
        try (Stage stage = Stage.open(stageFile)) {
          if (run.phase() == RunPhase.EXTRACT) {
            run = prepare(run, stage, notes);
          }
          if (run.phase() == RunPhase.APPLY) {
            run = apply(run, stage, lock, resumed && initial.phase() != RunPhase.EXTRACT, notes);
          }
          if (snapshot().isPresent()) {
            run = advanceState(run, stage.columns(), notes);
          }
        }
      }
      if (sync.mode() == Mode.REPLACE) {
        run = run.withPhase(RunPhase.SWAP);
        runs.update(run);
        swap();
      }
      run = run.finished(RunStatus.SUCCEEDED, clock.instant(), Optional.empty());
      RunRecord succeeded = run;
      retry().run("record run " + run.runId() + " as succeeded", () -> runs.update(succeeded));
      Stage.delete(stageFile);
      if (snapshot().isPresent()) {
        SnapshotDiff diff = snapshot().get();
        notes.addAll(diff.cleanUp(diff.previous(runs).map(SnapshotDiff.Previous::table)));
      }
      return new RunReport(
          sync.name(), run.runId(), RunStatus.SUCCEEDED, sync.mode().configName(), sync.table(),
          run.counts().orElse(ChangeCounts.NONE), resumed, resumedAfter,
          run.batchesApplied() - initial.batchesApplied(),
          Duration.between(started, clock.instant()), notes, throttled);
    } catch (RuntimeException e) {
      RuntimeException reported = e;
      RunPhase phase = run.phase();
      if (e instanceof QsyncException error && error.kind() == ErrorKind.INTERRUPTED) {
        reported = interrupted(run, error);
      } else if (e instanceof QsyncException error && error.kind() == ErrorKind.NEEDS_ACTION) {
        if (sync.mode() != Mode.APPEND && (phase == RunPhase.EXTRACT || phase == RunPhase.APPLY)) {
          // The change set is stale once a person fixes the data: the next run diffs afresh.
          // (Writes are idempotent, so whatever this run committed is simply compared again.)
          Stage.delete(stageFile);
          phase = phase == RunPhase.APPLY ? RunPhase.REJECTED : step;
          reported = amended(error, "The next run computes a fresh change set.");
        } else if (phase == RunPhase.APPLY) {
          reported = amended(error, appendCommitted(run));
        }
      } else if (e instanceof QsyncException error && error.kind() == ErrorKind.FAILED
          && previousAttempt.isPresent() && sameFailure(previousAttempt.get(), error)) {
        reported = failedTwice(previousAttempt.get(), error);
      }
      recordFailure(run.runId(), phase, reported);
      throw reported;
    }
  }

  /**
   * Stops the run at a point where it can stop cleanly (between batches, between steps) once the
   * process was asked to stop (Ctrl-C, SIGTERM: see the CLI's shutdown hook), or its thread was
   * interrupted otherwise.
   */
  private static void stopIfInterrupted() {
    if (Thread.currentThread().isInterrupted()) {
      throw new QsyncException(ErrorKind.INTERRUPTED, "interrupted");
    }
  }

  /** What an interrupted run says: how far it got, and that the next run resumes it. */
  private QsyncException interrupted(RunRecord run, QsyncException cause) {
    RunRecord recorded = target.runs().find(run.runId()).orElse(run);
    String where = recorded.phase().resumable() || run.phase().resumable()
        ? String.format(Locale.ROOT, "after change %,d of %,d (the batches before it are"
            + " committed); the next `qsync run %s` resumes it", recorded.appliedThrough(),
            run.changesTotal(), sync.name())
        : run.sourceJob().isPresent() && source.resumesQueries()
            ? "while making its change set; the next `qsync run " + sync.name() + "` reads the"
                + " result of its job again"
            : "while making its change set, before writing anything; the next `qsync run "
                + sync.name() + "` starts over";
    return new QsyncException(
        ErrorKind.INTERRUPTED,
        "interrupted: run " + run.runId() + " of sync '" + sync.name() + "' stopped " + where,
        cause);
  }

  /**
   * Whether a resumed run failed as the attempt before it did: the same message, but for numbers
   * (times, counts, connection ids).
   */
  private static boolean sameFailure(RunRecord previous, QsyncException error) {
    return previous.status() == RunStatus.FAILED
        && previous.error().isPresent()
        && withoutNumbers(firstLine(previous.error().get())).equals(withoutNumbers(firstLine(error.getMessage())));
  }

  private static String withoutNumbers(String text) {
    return text.replaceAll("\\(tried \\d+ times\\)", "").replaceAll("\\d+", "#").strip();
  }

  /**
   * A failure that came back on the resume the same way it ended the attempt before is not passing
   * by itself: say so, and what {@code --restart} would do instead of resuming once more.
   */
  private QsyncException failedTwice(RunRecord previous, QsyncException error) {
    return new QsyncException(
        ErrorKind.NEEDS_ACTION,
        error.getMessage() + "\nRun " + previous.runId() + " failed this way before it was resumed,"
            + " and again now: this does not look like it will pass by itself. Fix what the error"
            + " names; or run with --restart, which abandons run " + previous.runId()
            + " (the batches it committed stay in the table) and starts a new run from a fresh"
            + " query.",
        error);
  }

  /**
   * {@code replace}: swaps the complete new table in for the old one, once nothing the swap
   * would break has appeared on the table since the run began, and drops the old table. Safe to
   * do again after a failure or crash part-way ({@link Destination#swap}).
   */
  private void swap() {
    String shadow = target.shadowName(sync.table());
    if (target.describe(shadow).isPresent() && target.describe(sync.table()).isPresent()) {
      refuseToReplace(target.replaceProblems(sync.table()),
          "The new table is complete in " + shadow + "; once the table is fixed, the next run"
              + " swaps it in without writing it again.");
    }
    target.swap(sync.table(), shadow);
  }

  private void refuseToReplace(List<String> problems, String after) {
    if (!problems.isEmpty()) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "sync '" + sync.name() + "': mode replace cannot swap a new copy in for table "
              + sync.table() + ":\n - " + String.join("\n - ", problems) + "\n" + after);
    }
  }

  /**
   * Advances the warehouse state to this run's result, once the target holds every change, and
   * records it in the run history before the run is marked succeeded. A run whose result table is
   * gone (expired while it was stopped) succeeds without a state: the next run compares in full.
   */
  private RunRecord advanceState(RunRecord run, List<Column> columns, List<String> notes) {
    SnapshotDiff diff = snapshot().orElseThrow();
    RunStore runs = target.runs();
    run = run.withPhase(RunPhase.STATE);
    runs.update(run);
    faults.reached(FaultPoint.Point.BEFORE_STATE, run.appliedThrough());
    SnapshotNames.Run tables = diff.run(run.runId());
    List<String> key = resolveKey(columns);
    if (diff.state().describe(tables.result()).isEmpty()) {
      notes.add("this run's result table " + tables.result() + " is gone, so its state could not"
          + " be kept; the next run compares the whole result with the table");
      return run;
    }
    progress.begin("advance state", -1);
    diff.state().advance(tables, key);
    progress.end();
    runs.recordDiffState(run.runId(), SnapshotDiff.recorded(tables, columns, key));
    faults.reached(FaultPoint.Point.STATE_RECORDED, run.appliedThrough());
    return run;
  }

  private Optional<SnapshotDiff> snapshot() {
    if (snapshot == null) {
      snapshot = SnapshotDiff.of(sync, source, target);
    }
    return snapshot;
  }

  /**
   * Starting an append over re-appends what the unfinished run already appended: only on
   * purpose (--restart), never because a stage went missing.
   */
  private void refuseToAppendTwice(RunRecord previous, String whyNot, boolean restart) {
    boolean appended = previous.mode().equals(Mode.APPEND.configName());
    if (sync.mode() != Mode.APPEND || !appended || previous.appliedThrough() == 0 || restart
        || target.describe(sync.table()).isEmpty()) {
      return; // nothing appended is left to append twice once the table itself is gone
    }
    throw new QsyncException(
        ErrorKind.NEEDS_ACTION,
        "sync '" + sync.name() + "': run " + previous.runId() + " appended "
            + previous.appliedThrough() + " of " + previous.changesTotal()
            + " rows before it stopped, and cannot be resumed (" + whyNot + ")\n"
            + "Starting over would append those rows again. Delete them from " + sync.table()
            + " and run with --restart, or run with --restart to append the whole result again.");
  }

  /**
   * What an append that stopped on a row the table refused had committed, and what a resumed or
   * restarted run then does: the refusal itself says what to fix.
   */
  private String appendCommitted(RunRecord run) {
    long committed =
        target.runs().find(run.runId()).map(RunRecord::appliedThrough).orElse(run.appliedThrough());
    if (committed == 0) {
      return "This append committed none of its " + run.changesTotal() + " rows (run "
          + run.runId() + "); once fixed, the next run appends them.";
    }
    return "This append committed " + committed + " of its " + run.changesTotal() + " rows (run "
        + run.runId() + "); once fixed, the next run appends the rest after them (with --restart"
        + " it would append all " + run.changesTotal() + " again).";
  }

  /** Records why a run stopped, unless the target is unreachable (then the run stays RUNNING). */
  private static QsyncException amended(QsyncException error, String remedy) {
    return new QsyncException(error.kind(), error.getMessage() + "\n" + remedy, error);
  }

  /**
   * Records the failure in history, in the given phase: one that {@link RunPhase#startsOver()} when
   * the run's stage was dropped, so that status and plan do not promise a resume. The whole
   * message is kept (up to the column's size), so that {@code status} can show all of it.
   */
  private void recordFailure(String runId, RunPhase phase, RuntimeException error) {
    try {
      RunStore runs = target.runs();
      runs.find(runId)
          .ifPresent(
              current ->
                  runs.update(
                      current
                          .withPhase(phase)
                          .finished(
                              error instanceof QsyncException known
                                      && known.kind() == ErrorKind.INTERRUPTED
                                  ? RunStatus.INTERRUPTED
                                  : RunStatus.FAILED,
                              clock.instant(),
                              Optional.of(truncated(error)))));
    } catch (RuntimeException unrecorded) {
      error.addSuppressed(unrecorded);
    }
  }

  private static String truncated(Throwable error) {
    String message = String.valueOf(error.getMessage());
    return message.length() > 4000 ? message.substring(0, 4000) : message;
  }

  /** Why an unfinished run cannot be continued from its stage, or empty when it can. */
  private Optional<String> whyNotResumable(RunRecord previous, Path stageFile) {
    if (previous.phase().startsOver()) {
      return Optional.of("it stopped needing action in step '" + previous.phase() + "'; its change"
          + " set is stale once that is fixed");
    }
    if (previous.phase() == RunPhase.EXTRACT && !source.resumesQueries()) {
      return Optional.of("it stopped before its change set was complete");
    }
    // The table the change set was computed against is gone (dropped by hand, restored from a
    // backup under another name): applying the rest of it would write into nothing.
    boolean building = sync.mode() == Mode.REPLACE && previous.phase() != RunPhase.SWAP;
    if (!building && previous.phase() != RunPhase.EXTRACT && target.describe(sync.table()).isEmpty()
        && !(sync.mode() == Mode.REPLACE && target.describe(target.shadowName(sync.table())).isPresent())) {
      return Optional.of("its table " + sync.table() + " is gone");
    }
    if (previous.phase() == RunPhase.SWAP || previous.phase() == RunPhase.EXTRACT) {
      return Optional.empty(); // a swap finishes; a source with jobs re-reads its job's result
    }
    if (!Files.exists(stageFile)) {
      return Optional.of("its stage file " + stageFile + " is gone");
    }
    try (Stage stage = Stage.open(stageFile)) {
      Optional<StageMeta> meta = stage.meta();
      if (meta.isEmpty() || !meta.get().runId().equals(previous.runId())) {
        return Optional.of("the stage file holds another run");
      }
      if (meta.get().phase() != StageMeta.Phase.DIFFED) {
        return Optional.of("its change set was not complete");
      }
      if (!meta.get().fingerprint().equals(fingerprint(meta.get().columns()))) {
        return Optional.of("the sync's definition changed since");
      }
      if (previous.phase() == RunPhase.APPLY && !building) {
        Optional<DestinationTable> table = target.describe(sync.table());
        if (table.isPresent()) {
          List<String> problems = target.schemaProblems(
              table.get(), meta.get().columns(), resolveKey(meta.get().columns()),
              sync.mode().needsKey());
          if (!problems.isEmpty()) {
            return Optional.of("table " + sync.table() + " changed since and cannot hold its rows"
                + " as it is now (" + firstLine(problems.get(0)) + ")");
          }
        }
      }
    }
    if (sync.mode() == Mode.REPLACE
        && previous.appliedThrough() > 0
        && target.describe(target.shadowName(sync.table())).isEmpty()) {
      return Optional.of("its shadow table is gone");
    }
    return Optional.empty();
  }

  /** Query, schema, extract, key checks and diff: the run's change set, in the stage. */
  private RunRecord prepare(RunRecord run, Stage stage, List<String> notes) {
    RunStore runs = target.runs();
    run = run.withPhase(RunPhase.EXTRACT);
    runs.update(run);
    RunRecord[] recorded = {run};
    ChangeSetPlan plan = changeSet(stage, run.runId(), job -> {
      recorded[0] = recorded[0].withSourceJob(job);
      runs.update(recorded[0]);
    });
    run = recorded[0];
    notes.addAll(plan.sourceNotes());
    step = RunPhase.CHECK;
    DeleteGuardCheck.refusal(sync, plan.counts()).ifPresent(refusal -> {
      throw new QsyncException(ErrorKind.NEEDS_ACTION, refusal);
    });
    plan.createStatement().ifPresent(statement -> {
      target.createTable(sync.table(), plan.columns(), sync.key());
      notes.add("created table " + sync.table());
    });
    run = run.withChangeSet(plan.counts(), stage.changeSetLength()).withPhase(RunPhase.APPLY);
    runs.update(run);
    return run;
  }

  /** The parts of a change set the caller needs beyond the stage's contents. */
  private record ChangeSetPlan(
      List<Column> columns, ChangeCounts counts, Optional<String> createStatement,
      List<String> sourceNotes) {}

  /** @param jobStarted told where the source keeps the result, before any row is read */
  private ChangeSetPlan changeSet(
      Stage stage, String runId, java.util.function.Consumer<Optional<String>> jobStarted) {
    Optional<SnapshotDiff> diff = snapshot();
    step = RunPhase.QUERY;
    try (SourceResult result =
        diff.isPresent()
            ? diff.get().materialize(runId)
            : source.query(sync.query(), runId)) {
      if (result.job().isPresent()) {
        jobStarted.accept(result.job());
      }
      List<Column> columns = result.columns();
      step = RunPhase.CHECK;
      List<String> key = resolveKey(columns);
      Optional<DestinationTable> existing = target.describe(sync.table());
      Optional<String> createStatement = Optional.empty();
      if (existing.isPresent() && sync.mode() == Mode.REPLACE) {
        refuseToReplace(target.replaceProblems(sync.table()), "Nothing was written.");
      }
      if (existing.isPresent()) {
        List<String> problems =
            target.schemaProblems(existing.get(), columns, key, sync.mode().needsKey());
        if (!problems.isEmpty()) {
          throw new QsyncException(
              ErrorKind.NEEDS_ACTION,
              "sync '" + sync.name() + "': table " + sync.table() + " cannot hold the query result ("
                  + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n - "
                  + String.join("\n - ", problems)
                  + "\nChange the table as shown, or the query; nothing was written.");
        }
      } else if (!sync.createTable()) {
        throw new QsyncException(
            ErrorKind.NEEDS_ACTION,
            "sync '" + sync.name() + "': table " + sync.table() + " does not exist in "
                + target.describeLocation() + "\nSet create_table: true on the sync, or create it:\n"
                + target.createTableStatement(sync.table(), columns, key));
      } else {
        createStatement = Optional.of(target.createTableStatement(sync.table(), columns, key));
      }
      List<KeyCollation> collations = collations(existing, columns, key);

      stage.begin(runId, fingerprint(columns), columns);
      List<String> notes = new ArrayList<>();
      if (diff.isPresent()) {
        Optional<String> whyFull =
            diff.get().whyFull(target.runs(), full, existing.isPresent(), columns, key);
        if (whyFull.isEmpty()) {
          step = RunPhase.QUERY;
          ChangeCounts counts =
              warehouseChanges(diff.get(), stage, runId, result, key, existing, collations, notes);
          step = RunPhase.CHECK;
          checkValues(stage, existing, columns, key);
          return new ChangeSetPlan(columns, counts, createStatement, withSourceNotes(result, notes));
        }
        notes.add("compared the whole result with the table (" + whyFull.get() + "); this run's"
            + " result becomes the state the next run compares with in the warehouse");
      }
      step = RunPhase.QUERY;
      progress.begin("extract", result.totalRows().orElse(-1));
      if (result.duckDbFile().isPresent()) {
        progress.advance(stage.copySource(result.duckDbFile().get()));
      } else {
        try (Stage.StageWriter writer = stage.sourceWriter(columns)) {
          result.read(0, counting(writer));
          progress.advance(writer.rows());
        }
      }
      progress.end();
      faults.reached(FaultPoint.Point.EXTRACTED, stage.sourceRows());
      stopIfInterrupted();

      step = RunPhase.CHECK;
      if (!key.isEmpty()) {
        checkKeys(stage.checkKeys(key, collations, KEY_SAMPLES), key, existing);
      }
      if (existing.isPresent()) {
        checkOtherUniqueKeys(stage, existing.get(), columns, key);
      }
      step = RunPhase.READ;
      ChangeCounts counts;
      switch (sync.mode()) {
        case MIRROR, UPSERT -> {
          if (existing.isPresent()) {
            progress.begin("read target", -1);
            try (Stage.StageWriter writer = stage.targetWriter(columns)) {
              target.readRows(sync.table(), columns, counting(representableKeys(writer, columns, key)));
              progress.advance(writer.rows());
            }
            progress.end();
          }
          progress.begin("diff", -1);
          // A table this run creates holds nothing: every row is an insert, and the join with
          // an empty target copy would only cost time (0.6 s per 300,000 rows).
          counts =
              existing.isPresent()
                  ? stage.diff(key, collations, sync.mode() == Mode.MIRROR)
                  : stage.insertAll(key, 0);
          progress.end();
        }
        case REPLACE ->
            counts = stage.insertAll(key, existing.isPresent() ? target.countRows(sync.table()) : 0);
        case APPEND -> counts = stage.insertAll(key, 0);
        default -> throw new IllegalStateException("unknown mode " + sync.mode());
      }
      step = RunPhase.CHECK;
      checkValues(stage, existing, columns, key);
      return new ChangeSetPlan(columns, counts, createStatement, withSourceNotes(result, notes));
    }
  }

  /**
   * The change set is complete: stop before writing (or creating the table) when a value in it
   * is one the table would not store as the query returns it.
   */
  private void checkValues(
      Stage stage, Optional<DestinationTable> existing, List<Column> columns, List<String> key) {
    List<ValueRule> rules =
        target.valueRules(sync.table(), existing, columns, key, source.dialect());
    ValueCheck.require(
        stage, rules, key, KEY_SAMPLES, "sync '" + sync.name() + "': table " + sync.table());
  }

  /** The source's notes (retries, a query run again), which it knows once the rows are read. */
  private static List<String> withSourceNotes(SourceResult result, List<String> notes) {
    List<String> all = new ArrayList<>(result.notes());
    all.addAll(notes);
    return all;
  }

  /**
   * {@code diff: snapshot}: checks the keys and computes the change set in the warehouse, against
   * the state of the last successful run, and brings only the changes into the stage.
   */
  private ChangeCounts warehouseChanges(
      SnapshotDiff diff, Stage stage, String runId, SourceResult result, List<String> key,
      Optional<DestinationTable> existing, List<KeyCollation> collations, List<String> notes) {
    SnapshotDiff.Previous previous = diff.previous(target.runs()).orElseThrow();
    SnapshotNames.Run run = diff.run(runId);
    step = RunPhase.CHECK;
    checkKeys(diff.state().checkKeys(run, key, collations, KEY_SAMPLES), key, existing);
    step = RunPhase.QUERY;
    boolean deletes = sync.mode() == Mode.MIRROR;
    if (planning) {
      diff.state().diffBytes(run, previous.table(), key, deletes).ifPresent(bytes -> notes.add(
          String.format(Locale.ROOT, "the diff query scans %,d bytes in %s (dry run)", bytes,
              diff.state().location())));
    }
    progress.begin("changes", -1);
    long transferred;
    try (SourceResult changes = diff.state().changes(run, previous.table(), key, deletes)) {
      if (changes.duckDbFile().isPresent()) {
        transferred = stage.copyWarehouseChanges(changes.duckDbFile().get());
      } else {
        try (Stage.StageWriter writer = stage.warehouseChangeWriter()) {
          changes.read(0, counting(writer));
          transferred = writer.rows();
        }
      }
      notes.addAll(changes.notes());
    }
    progress.advance(transferred);
    progress.end();
    long sourceRows = result.totalRows().orElseThrow(() -> new IllegalStateException(
        "a warehouse state's result knows its row count"));
    ChangeCounts counts = stage.numberWarehouseChanges(key, sourceRows);
    faults.reached(FaultPoint.Point.EXTRACTED, transferred);
    notes.add(String.format(Locale.ROOT,
        "compared in the warehouse with the state of run %s: %,d changed row%s of %,d left %s",
        previous.run().runId(), transferred, transferred == 1 ? "" : "s", sourceRows,
        diff.state().location()));
    notes.add(SnapshotDiff.tableNotRead(previous, counts));
    return counts;
  }

  /**
   * A target row whose key the query's type cannot represent (300 in a column the query fills
   * with TINYINT, a zero date) can be neither matched nor deleted: stop before writing.
   */
  private RowSink representableKeys(RowSink sink, List<Column> columns, List<String> key) {
    List<Integer> keyIndexes = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      String name = columns.get(i).name();
      if (key.stream().anyMatch(name::equalsIgnoreCase)) {
        keyIndexes.add(i);
      }
    }
    return row -> {
      for (int index : keyIndexes) {
        if (row[index] == Unrepresentable.VALUE) {
          Column column = columns.get(index);
          throw new QsyncException(
              ErrorKind.NEEDS_ACTION,
              "sync '" + sync.name() + "': table " + sync.table() + " holds a row whose key column "
                  + column.name() + " has a value the query's type " + column.type()
                  + " cannot represent (out of its range, or a zero date), so qsync can neither"
                  + " match nor delete it; nothing was written\nCast the key column in the query"
                  + " to the table's type, or fix that row.");
        }
      }
      sink.accept(row);
    };
  }

  private RowSink counting(RowSink sink) {
    return new RowSink() {
      private long rows;

      @Override
      public void accept(Object[] row) {
        sink.accept(row);
        if (++rows % 1024 == 0) {
          progress.advance(rows);
        }
      }
    };
  }

  /** The key as the result spells it; every key column must be in the result. */
  private List<String> resolveKey(List<Column> columns) {
    List<String> resolved = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String keyColumn : sync.key()) {
      columns.stream()
          .filter(column -> column.name().equalsIgnoreCase(keyColumn))
          .findFirst()
          .ifPresentOrElse(column -> resolved.add(column.name()), () -> missing.add(keyColumn));
    }
    if (!missing.isEmpty()) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "sync '" + sync.name() + "': key column" + (missing.size() == 1 ? " " : "s ")
              + String.join(", ", missing) + " not in the query result (it returns "
              + String.join(", ", columns.stream().map(Column::name).toList()) + ")\n"
              + "Add the column to the query's SELECT, or fix the sync's key.");
    }
    return resolved;
  }

  /**
   * How the target compares each key column: by the existing column's collation, or, for a table
   * qsync creates, by the binary collation it gives string keys.
   */
  private List<KeyCollation> collations(
      Optional<DestinationTable> existing, List<Column> columns, List<String> key) {
    List<KeyCollation> collations = new ArrayList<>();
    for (String keyColumn : key) {
      Optional<String> collation =
          existing.isPresent()
              ? existing.get().column(keyColumn).flatMap(DestinationColumn::collation)
              : columns.stream()
                  .filter(column -> column.name().equals(keyColumn))
                  .findFirst()
                  .filter(column -> column.type().kind() == io.qsync.row.SqlType.Kind.VARCHAR)
                  .map(column -> target.createdKeyCollation());
      collations.add(KeyCollation.of(collation.orElse(null)));
    }
    return collations;
  }

  private void checkKeys(
      List<KeyProblem> problems, List<String> key, Optional<DestinationTable> existing) {
    if (problems.isEmpty()) {
      return;
    }
    StringBuilder message = new StringBuilder("sync '" + sync.name() + "': the query's keys cannot be written");
    message.append(" (key: ").append(String.join(", ", key)).append("):");
    List<String> remedies = new ArrayList<>();
    for (KeyProblem problem : problems) {
      switch (problem.kind()) {
        case NULL_KEY -> {
          message.append("\n - ").append(problem.count()).append(" row(s) with a NULL key part -> ");
          remedies.add("filter NULL keys out in the query (WHERE key IS NOT NULL)");
        }
        case DUPLICATE_KEY -> {
          message.append("\n - ").append(problem.count()).append(" key(s) on more than one row -> ");
          remedies.add("make the query return one row per key (GROUP BY or QUALIFY row_number() = 1)");
        }
        case COLLATION_COLLISION -> {
          message.append("\n - ").append(problem.count())
              .append(" key(s) distinct in the query but equal under the target column's collation -> ");
          List<String> statements = new ArrayList<>();
          existing.ifPresent(table -> key.forEach(column -> table.column(column)
              .filter(described -> described.collation().isPresent()
                  && !KeyCollation.of(described.collation().get()).isExact())
              .ifPresent(described -> statements.add(target.exactKeyStatement(table, column)))));
          remedies.add(
              "make the key column compare exactly (case, accents and trailing spaces)"
                  + (statements.isEmpty() ? "" : ": " + String.join("; ", statements))
                  + ", or normalise the key in the query");
        }
      }
      message.append(String.join(", ", problem.samples()));
    }
    message.append("\nNothing was written. To fix: ").append(String.join("; ", remedies)).append('.');
    throw new QsyncException(ErrorKind.NEEDS_ACTION, message.toString());
  }

  /**
   * A value the result holds twice in another unique key of the table (its columns all returned
   * by the query) could never be written: stop before writing, naming it. (Values that merely
   * move between rows are fine: the writer sets such rows aside and writes them last.)
   */
  private void checkOtherUniqueKeys(
      Stage stage, DestinationTable table, List<Column> columns, List<String> key) {
    List<String> problems = new ArrayList<>();
    for (List<String> unique : table.uniqueKeys()) {
      boolean isSyncKey = unique.size() == key.size()
          && unique.stream().allMatch(column -> key.stream().anyMatch(column::equalsIgnoreCase));
      boolean returned = unique.stream().allMatch(
          column -> columns.stream().anyMatch(result -> result.name().equalsIgnoreCase(column)));
      if (isSyncKey || !returned || unique.isEmpty()) {
        continue;
      }
      List<String> names = unique.stream().map(column -> columns.stream()
          .filter(result -> result.name().equalsIgnoreCase(column)).findFirst().orElseThrow().name())
          .toList();
      List<KeyCollation> collations = collations(Optional.of(table), columns, names);
      for (KeyProblem problem : stage.repeatedValues(names, collations, KEY_SAMPLES)) {
        problems.add(problem.count() + " value(s) of unique key (" + String.join(", ", names)
            + ") on more than one row of the result"
            + (problem.kind() == KeyProblem.Kind.COLLATION_COLLISION
                ? " under the column's collation" : "")
            + " -> " + String.join(", ", problem.samples()));
      }
    }
    if (!problems.isEmpty()) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "sync '" + sync.name() + "': table " + sync.table() + " has a unique key the query's"
              + " result breaks:\n - " + String.join("\n - ", problems)
              + "\nNothing was written. Make those values unique in the query, or drop the"
              + " unique key from the table.");
    }
  }

  /**
   * Applies the change set after the run's checkpoint, one transaction per batch, then what the
   * batches set aside ({@link Destination.ChangeWriter#finish}).
   *
   * @param resumed whether the change set was computed by an earlier process: the table may have
   *     changed since (a row deleted or added by hand), so rows are written by what it holds now
   */
  private RunRecord apply(
      RunRecord run, Stage stage, SyncLock lock, boolean resumed, List<String> notes) {
    step = RunPhase.APPLY;
    List<Column> columns = stage.columns();
    List<String> key = resolveKey(columns);
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
        new Throttle(
            sync.throttle(), sync.batchSize(), new ThrottleProbe(sync.throttle(), target, replicas),
            clock, sleeper, progress);
    BatchRetry retry = retry();
    progress.begin("apply", plan.totalChanges());
    progress.advance(plan.appliedThrough());
    try (ChangeCursor cursor = stage.changes(plan.appliedThrough())) {
      while (!plan.done()) {
        List<Change> batch =
            cursor.next((int) (plan.nextBatchEnd(throttle.nextBatchSize()) - plan.appliedThrough()));
        if (batch.isEmpty()) {
          throw new QsyncException(
              ErrorKind.FAILED,
              "run " + run.runId() + ": the stage ends at change " + plan.appliedThrough()
                  + " but the change set has " + plan.totalChanges()
                  + "\nRun again with --restart to rebuild the change set.");
        }
        long end = batch.get(batch.size() - 1).seq();
        stopIfInterrupted();
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
      retry.run("changes set aside until the end of the run", () -> writer.finish().ifPresent(notes::add));
    } finally {
      throttled = throttle.report(retry.retries());
    }
    progress.end();
    return run.withCheckpoint(plan.appliedThrough(), batches);
  }

  /** Retries of passing errors, as the sync's {@code retries} settings say. */
  private BatchRetry retry() {
    return new BatchRetry(
        sync.retries(), sleeper, clock, () -> ThreadLocalRandom.current().nextDouble(), progress);
  }

  /** What the stage's change set may assume about the table. */
  private Destination.Writes writes(Stage stage, boolean resumed) {
    if (sync.mode() != Mode.MIRROR && sync.mode() != Mode.UPSERT) {
      return Destination.Writes.INSERTS;
    }
    return stage.changesFromWarehouse() || resumed ? Destination.Writes.RECONCILED : Destination.Writes.DIFFED;
  }

  /** Checks that the source answers, the query describes and the table can hold the result. */
  public ValidationReport.SyncCheck validate() {
    List<String> notes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try {
      List<Column> columns = source.describe(sync.query());
      notes.add("query returns " + Plural.of(columns.size(), "column") + ": "
          + String.join(", ", columns.stream().map(column -> column.name() + " " + column.type()).toList()));
      List<String> key = resolveKey(columns);
      Optional<DestinationTable> existing = target.describe(sync.table());
      if (existing.isPresent()) {
        problems.addAll(target.schemaProblems(existing.get(), columns, key, sync.mode().needsKey()));
        if (sync.mode() == Mode.REPLACE) {
          problems.addAll(target.replaceProblems(sync.table()));
        }
        notes.add("table " + sync.table() + " exists in " + target.describeLocation());
      } else if (sync.createTable()) {
        notes.add("table " + sync.table() + " does not exist yet; the first run creates it");
      } else {
        problems.add("table " + sync.table() + " does not exist in " + target.describeLocation()
            + "; set create_table: true or create it:\n" + target.createTableStatement(sync.table(), columns, key));
      }
      snapshot().ifPresent(diff -> {
        notes.add("diff: snapshot keeps the state in " + diff.state().location()
            + "; the warehouse computes each run's change set there");
        problems.addAll(diff.problems());
      });
    } catch (QsyncException e) {
      problems.add(e.getMessage());
    }
    return new ValidationReport.SyncCheck(sync.name(), notes, problems);
  }

  /** What a run would do now; writes nothing to the target and leaves any unfinished run alone. */
  public PlanReport plan() {
    Path stageFile = stageDir.resolve(sync.name() + ".plan-" + ProcessHandle.current().pid() + ".duckdb");
    Stage.delete(stageFile);
    try (Stage stage = Stage.open(stageFile)) {
      // A source with jobs names the job after the run: each plan is a run of its own.
      planning = true;
      String planRun = "plan-" + newRunId();
      ChangeSetPlan plan;
      try {
        plan = changeSet(stage, planRun, job -> {});
      } finally {
        snapshot().ifPresent(diff -> diff.run(planRun).tables().forEach(diff.state()::drop));
      }
      Map<String, List<PlanReport.Sample>> samples = PlanSamples.of(stage, plan.columns(),
          sync.key(), KEY_SAMPLES,
          keyValues -> target.findRow(sync.table(), plan.columns(), sync.key(), keyValues));
      List<String> notes = new ArrayList<>(plan.sourceNotes());
      DeleteGuardCheck.refusal(sync, plan.counts())
          .ifPresent(refusal -> notes.add("a run would stop here, before writing: " + refusal));
      target.runs().unfinished(sync.name()).ifPresent(
          run -> notes.add("run " + run.runId() + " is unfinished (" + run.appliedThrough() + " of "
              + run.changesTotal() + " " + Plural.noun(run.changesTotal(), "change")
              + " applied); the next run "
              + (run.phase().resumable()
                  ? "resumes it"
                  : run.phase() == RunPhase.EXTRACT && source.resumesQueries()
                      ? "resumes it, reading its query's result again" : "starts over")));
      return new PlanReport(
          sync.name(), sync.mode().configName(), sync.table(), plan.counts(), plan.createStatement(),
          samples, notes);
    } finally {
      Stage.delete(stageFile);
    }
  }

  /**
   * A hash of what the change set depends on: a resumed run uses its stage only while the
   * definition that produced it is unchanged.
   */
  String fingerprint(List<Column> columns) {
    StringBuilder text = new StringBuilder();
    text.append(sync.query()).append('\0').append(sync.table()).append('\0')
        .append(sync.mode()).append('\0').append(sync.key()).append('\0').append(sync.source());
    columns.forEach(column -> text.append('\0').append(column));
    return Sha256.hex(text.toString()).substring(0, 32);
  }

  /**
   * Where a sync keeps its stage between a failure and the resumption. The name carries a hash of
   * the target and table, so two configs sharing a folder (staging and production, say) with a
   * sync of the same name never take each other's stage.
   */
  public static Path stageFile(Path stageDir, String syncName, String targetLocation, String table) {
    return stageDir.resolve(syncName + "-" + Sha256.hex(targetLocation + "\0" + table).substring(0, 8) + ".duckdb");
  }

  private String newRunId() {
    return RUN_ID_TIME.format(clock.instant()) + "-"
        + String.format(Locale.ROOT, "%06x", ThreadLocalRandom.current().nextInt(1 << 24));
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown-host";
    }
  }

  private static long pid() {
    return ProcessHandle.current().pid();
  }
}
