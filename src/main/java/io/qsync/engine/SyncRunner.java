package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.diff.BatchPlan;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.ChangeKind;
import io.qsync.diff.KeyCollation;
import io.qsync.diff.KeyProblem;
import io.qsync.source.Column;
import io.qsync.source.RowSink;
import io.qsync.source.SnapshotNames;
import io.qsync.source.Source;
import io.qsync.source.SourceResult;
import io.qsync.source.Unrepresentable;
import io.qsync.stage.ChangeCursor;
import io.qsync.stage.Stage;
import io.qsync.stage.StageMeta;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.state.RunStore;
import io.qsync.state.SyncLock;
import io.qsync.target.Target;
import io.qsync.target.TargetColumn;
import io.qsync.target.TargetTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
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
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final SyncConfig sync;
  private final Source source;
  private final Target target;
  private final Path stageDir;
  private final Clock clock;
  private final Progress progress;
  private final FaultPoint faults;
  private final Map<String, Target> replicas;
  private final Sleeper sleeper;
  private ThrottleReport throttled = ThrottleReport.NONE;
  private boolean full;
  /** Whether this is {@link #plan}, which also says what the warehouse diff would scan. */
  private boolean planning;
  /** The warehouse side of {@code diff: snapshot}, made on first use; empty for diff: target. */
  private Optional<SnapshotDiff> snapshot;

  public SyncRunner(
      SyncConfig sync, Source source, Target target, Path stageDir, Clock clock, Progress progress,
      FaultPoint faults) {
    this(sync, source, target, stageDir, clock, progress, faults, Map.of(), Sleeper.system());
  }

  /**
   * @param replicas the replicas the sync's throttle watches, by connection name
   * @param sleeper how throttle pauses and retry backoffs wait
   */
  public SyncRunner(
      SyncConfig sync, Source source, Target target, Path stageDir, Clock clock, Progress progress,
      FaultPoint faults, Map<String, Target> replicas, Sleeper sleeper) {
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
   * @param full compare the whole result with the table even where a {@code diff: snapshot}
   *     state could be used, and rebuild the state from this run
   */
  public RunReport run(boolean restart, boolean full) {
    this.full = full;
    Instant started = clock.instant();
    RunStore runs = target.runs();
    runs.prepare();
    try (SyncLock lock = target.lock(sync.name(), sync.lockTimeout())) {
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
          if (previous.status() == RunStatus.RUNNING || restart) {
            runs.update(
                previous.finished(
                    RunStatus.ABANDONED,
                    clock.instant(),
                    Optional.of(
                        "abandoned: " + whyNot.get()
                            + previous.error().map(error -> "; it had failed: " + error).orElse(""))));
          }
          notes.add("did not resume run " + previous.runId() + " (" + whyNot.get() + "); starting over");
          if (restart) {
            Stage.delete(stageFile);
            target.dropTable(target.shadowName(sync.table()));
          }
        }
      }
      RunRecord run =
          resumable
              .map(previous -> previous.resumedBy(host(), pid(), lock.sessionId()))
              .orElseGet(
                  () ->
                      RunRecord.started(
                          newRunId(), sync.name(), sync.table(), sync.mode().configName(),
                          clock.instant(), host(), pid(), lock.sessionId()));
      if (resumable.isPresent() && run.phase().equals("extract")) {
        runs.update(run);
        notes.add("resumed run " + run.runId() + ", which stopped while extracting: its query's"
            + " result is read again" + run.sourceJob().map(job -> " (job " + job + ")").orElse(""));
      } else if (resumable.isPresent()) {
        runs.update(run);
        notes.add(
            "resumed run " + run.runId() + " after change " + run.appliedThrough() + " of "
                + run.changesTotal() + " (" + run.batchesApplied() + " batches were already committed)");
      } else {
        runs.insert(run);
      }
      return execute(run, lock, stageFile, started, notes);
    }
  }

  private RunReport execute(
      RunRecord initial, SyncLock lock, Path stageFile, Instant started, List<String> notes) {
    RunStore runs = target.runs();
    RunRecord run = initial;
    long resumedAfter = run.appliedThrough();
    boolean resumed = run.resumes() > 0;
    try {
      if (!run.phase().equals("swap")) {
        try (Stage stage = Stage.open(stageFile)) {
          if (!run.phase().equals("apply") && !run.phase().equals("state")) {
            run = prepare(run, stage, notes);
          }
          if (!run.phase().equals("state")) {
            run = apply(run, stage, lock);
          }
          if (snapshot().isPresent()) {
            run = advanceState(run, stage.columns(), notes);
          }
        }
      }
      if (sync.mode() == Mode.REPLACE) {
        String shadow = target.shadowName(sync.table());
        boolean swapped = run.phase().equals("swap") && target.describe(shadow).isEmpty();
        run = run.withPhase("swap");
        runs.update(run);
        if (!swapped) {
          target.swap(sync.table(), shadow);
        }
      }
      run = run.finished(RunStatus.SUCCEEDED, clock.instant(), Optional.empty());
      runs.update(run);
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
      String phase = run.phase();
      if (e instanceof QsyncException error && error.kind() == ErrorKind.NEEDS_ACTION) {
        if (sync.mode() != Mode.APPEND) {
          // The change set is stale once a person fixes the data: the next run diffs afresh.
          // (Writes are idempotent, so whatever this run committed is simply compared again.)
          Stage.delete(stageFile);
          // A source that finds its query again would re-read the same rejected result: start anew.
          phase = run.phase().equals("apply") || source.resumesQueries() ? "rejected" : run.phase();
          reported = amended(error, "The next run computes a fresh change set.");
        } else if (run.phase().equals("apply")) {
          reported =
              amended(
                  error,
                  "This append committed changes 1-" + target.runs().find(run.runId())
                      .map(RunRecord::appliedThrough).orElse(run.appliedThrough())
                      + " of run " + run.runId() + ". Widen the column and run again to"
                      + " resume; or delete those rows, fix the query and run with --restart.");
        }
      }
      recordFailure(run.runId(), phase, reported);
      throw reported;
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
    run = run.withPhase("state");
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
    if (sync.mode() != Mode.APPEND || !appended || previous.appliedThrough() == 0 || restart) {
      return;
    }
    throw new QsyncException(
        ErrorKind.NEEDS_ACTION,
        "sync '" + sync.name() + "': run " + previous.runId() + " appended "
            + previous.appliedThrough() + " of " + previous.changesTotal()
            + " rows before it stopped, and cannot be resumed (" + whyNot + ")\n"
            + "Starting over would append those rows again. Delete them from " + sync.table()
            + " and run with --restart, or run with --restart to append the whole result again.");
  }

  /** Records why a run stopped, unless the target is unreachable (then the run stays RUNNING). */
  private static QsyncException amended(QsyncException error, String remedy) {
    return new QsyncException(error.kind(), error.getMessage() + "\n" + remedy, error);
  }

  /**
   * Records the failure in history, in the given phase: {@code rejected} when the run's stage was
   * dropped, so that status and plan do not promise a resume.
   */
  private void recordFailure(String runId, String phase, RuntimeException error) {
    try {
      RunStore runs = target.runs();
      runs.find(runId)
          .ifPresent(
              current ->
                  runs.update(
                      current
                          .withPhase(phase)
                          .finished(
                              RunStatus.FAILED, clock.instant(), Optional.of(firstLine(error)))));
    } catch (RuntimeException unrecorded) {
      error.addSuppressed(unrecorded);
    }
  }

  private static String firstLine(Throwable error) {
    String message = String.valueOf(error.getMessage());
    return message.length() > 2000 ? message.substring(0, 2000) : message;
  }

  /** Why an unfinished run cannot be continued from its stage, or empty when it can. */
  private Optional<String> whyNotResumable(RunRecord previous, Path stageFile) {
    if (previous.phase().equals("swap")) {
      return Optional.empty();
    }
    if (previous.phase().equals("extract") && source.resumesQueries()) {
      return Optional.empty(); // the source finds the run's query (a job) again and re-reads it
    }
    if (previous.phase().equals("rejected")) {
      return Optional.of("it failed on data that had to be fixed; its change set is stale");
    }
    if (!previous.phase().equals("apply") && !previous.phase().equals("state")) {
      return Optional.of("it stopped in step '" + previous.phase() + "', before its change set was complete");
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
    run = run.withPhase("extract");
    runs.update(run);
    RunRecord[] recorded = {run};
    ChangeSetPlan plan = changeSet(stage, run.runId(), job -> {
      recorded[0] = recorded[0].withSourceJob(job);
      runs.update(recorded[0]);
    });
    run = recorded[0];
    notes.addAll(plan.sourceNotes());
    DeleteGuardCheck.refusal(sync, plan.counts()).ifPresent(refusal -> {
      throw new QsyncException(ErrorKind.NEEDS_ACTION, refusal);
    });
    plan.createStatement().ifPresent(statement -> {
      target.createTable(sync.table(), plan.columns(), sync.key());
      notes.add("created table " + sync.table());
    });
    run = run.withChangeSet(plan.counts(), stage.changeSetLength()).withPhase("apply");
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
    try (SourceResult result =
        diff.isPresent()
            ? diff.get().materialize(runId)
            : source.query(sync.query(), runId)) {
      if (result.job().isPresent()) {
        jobStarted.accept(result.job());
      }
      List<Column> columns = result.columns();
      List<String> key = resolveKey(columns);
      Optional<TargetTable> existing = target.describe(sync.table());
      Optional<String> createStatement = Optional.empty();
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
          ChangeCounts counts = warehouseChanges(diff.get(), stage, runId, result, key, collations, notes);
          return new ChangeSetPlan(columns, counts, createStatement, withSourceNotes(result, notes));
        }
        notes.add("compared the whole result with the table (" + whyFull.get() + "); this run's"
            + " result becomes the state the next run compares with in the warehouse");
      }
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

      if (!key.isEmpty()) {
        checkKeys(stage.checkKeys(key, collations, KEY_SAMPLES), key);
      }
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
      return new ChangeSetPlan(columns, counts, createStatement, withSourceNotes(result, notes));
    }
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
      List<KeyCollation> collations, List<String> notes) {
    SnapshotDiff.Previous previous = diff.previous(target.runs()).orElseThrow();
    SnapshotNames.Run run = diff.run(runId);
    checkKeys(diff.state().checkKeys(run, key, collations, KEY_SAMPLES), key);
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
  private static List<KeyCollation> collations(
      Optional<TargetTable> existing, List<Column> columns, List<String> key) {
    List<KeyCollation> collations = new ArrayList<>();
    for (String keyColumn : key) {
      Optional<String> collation =
          existing.isPresent()
              ? existing.get().column(keyColumn).flatMap(TargetColumn::collation)
              : columns.stream()
                  .filter(column -> column.name().equals(keyColumn))
                  .findFirst()
                  .filter(column -> column.type().kind() == io.qsync.source.SqlType.Kind.VARCHAR)
                  .map(column -> "utf8mb4_bin");
      collations.add(KeyCollation.of(collation.orElse(null)));
    }
    return collations;
  }

  private void checkKeys(List<KeyProblem> problems, List<String> key) {
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
          remedies.add(
              "make the key column case-sensitive (COLLATE utf8mb4_bin) or normalise the key in the query");
        }
      }
      message.append(String.join(", ", problem.samples()));
    }
    message.append("\nNothing was written. To fix: ").append(String.join("; ", remedies)).append('.');
    throw new QsyncException(ErrorKind.NEEDS_ACTION, message.toString());
  }

  /** Applies the change set after the run's checkpoint, one transaction per batch. */
  private RunRecord apply(RunRecord run, Stage stage, SyncLock lock) {
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
    Target.ChangeWriter writer =
        target.writer(table, columns, key, writes(stage), run.runId(), lock);
    BatchPlan plan = new BatchPlan(run.changesTotal(), run.appliedThrough());
    int batches = run.batchesApplied();
    Throttle throttle =
        new Throttle(
            sync.throttle(), sync.batchSize(), new ThrottleProbe(sync.throttle(), target, replicas),
            clock, sleeper, progress);
    BatchRetry retry =
        new BatchRetry(sync.retries(), sleeper, ThreadLocalRandom.current()::nextDouble, progress);
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
    } finally {
      throttled = throttle.report(retry.retries());
    }
    progress.end();
    return run.withCheckpoint(plan.appliedThrough(), batches);
  }

  /** What the stage's change set may assume about the table. */
  private Target.Writes writes(Stage stage) {
    if (sync.mode() != Mode.MIRROR && sync.mode() != Mode.UPSERT) {
      return Target.Writes.INSERTS;
    }
    return stage.changesFromWarehouse() ? Target.Writes.IDEMPOTENT : Target.Writes.DIFFED;
  }

  /** Checks that the source answers, the query describes and the table can hold the result. */
  public ValidationReport.SyncCheck validate() {
    List<String> notes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try {
      List<Column> columns = source.describe(sync.query());
      notes.add("query returns " + columns.size() + " columns: "
          + String.join(", ", columns.stream().map(column -> column.name() + " " + column.type()).toList()));
      List<String> key = resolveKey(columns);
      Optional<TargetTable> existing = target.describe(sync.table());
      if (existing.isPresent()) {
        problems.addAll(target.schemaProblems(existing.get(), columns, key, sync.mode().needsKey()));
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
      Map<String, List<Map<String, Object>>> samples = new LinkedHashMap<>();
      for (ChangeKind kind : ChangeKind.values()) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Change change : stage.sample(kind, KEY_SAMPLES)) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 0; i < plan.columns().size(); i++) {
            row.put(plan.columns().get(i).name(), change.row()[i]);
          }
          rows.add(row);
        }
        samples.put(kind.name().toLowerCase(Locale.ROOT), rows);
      }
      List<String> notes = new ArrayList<>(plan.sourceNotes());
      DeleteGuardCheck.refusal(sync, plan.counts())
          .ifPresent(refusal -> notes.add("a run would stop here, before writing: " + refusal));
      target.runs().unfinished(sync.name()).ifPresent(
          run -> notes.add("run " + run.runId() + " is unfinished (" + run.appliedThrough() + " of "
              + run.changesTotal() + " changes applied); the next run "
              + (run.phase().equals("apply") || run.phase().equals("swap")
                  ? "resumes it"
                  : run.phase().equals("extract") && source.resumesQueries()
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
    return hash(text.toString()).substring(0, 32);
  }

  /**
   * Where a sync keeps its stage between a failure and the resumption. The name carries a hash of
   * the target and table, so two configs sharing a folder (staging and production, say) with a
   * sync of the same name never take each other's stage.
   */
  public static Path stageFile(Path stageDir, String syncName, String targetLocation, String table) {
    return stageDir.resolve(syncName + "-" + hash(targetLocation + "\0" + table).substring(0, 8) + ".duckdb");
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
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
