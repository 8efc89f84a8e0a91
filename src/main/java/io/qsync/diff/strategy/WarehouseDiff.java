package io.qsync.diff.strategy;

import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.Sha256;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.ChangeQuery;
import io.qsync.diff.KeyProblem;
import io.qsync.row.Column;
import io.qsync.source.SnapshotNames;
import io.qsync.source.SnapshotSql;
import io.qsync.source.Source;
import io.qsync.source.SourceResult;
import io.qsync.source.WarehouseState;
import io.qsync.stage.Stage;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code diff: snapshot} side of one run: where its warehouse tables are, which state it
 * compares with, and whether it may (or must compare in full instead, and why). The target's run
 * history is the state's pointer: the sync's last successful run records the state table it left
 * ({@code "<table> <schema>"}), written after its last batch committed and before it is marked
 * succeeded, so the state never runs ahead of the target. The comparison itself is {@link
 * WarehouseState}'s SQL. Not thread-safe: one per run.
 */
public final class WarehouseDiff implements ChangeSetStrategy {
  /**
   * The state in force: the last successful run, which recorded it; its table, and the schema its
   * fingerprints were made under; and the run that made it, which is the recording run unless runs
   * that changed nothing kept an earlier run's state in force (their own, by record).
   */
  public record Previous(RunRecord run, String table, String schema, String madeBy) {
    /** How the state is recorded in the run history. */
    public String recorded() {
      return table + " " + schema;
    }
  }

  /** How many successful runs back the run that made the state in force is looked for. */
  private static final int MADE_BY_LOOKBACK = 100;

  private final SyncConfig sync;
  private final WarehouseState state;
  private final SnapshotNames names;
  private final Destination target;

  private final Source source;

  /** How this run compares: set by {@link #comparing}. */
  private boolean full;

  private WarehouseDiff(
      SyncConfig sync,
      Source source,
      WarehouseState state,
      SnapshotNames names,
      Destination target) {
    this.source = source;
    this.sync = sync;
    this.state = state;
    this.names = names;
    this.target = target;
  }

  /** The warehouse side of a sync with {@code diff: snapshot}. */
  static WarehouseDiff of(SyncConfig sync, Source source, Destination target) {
    String dataset = sync.diff().stateDataset().orElseThrow();
    WarehouseState state =
        source
            .state(dataset)
            .orElseThrow(
                () ->
                    new QsyncException(
                        ErrorKind.NEEDS_ACTION,
                        "sync '"
                            + sync.name()
                            + "': its source '"
                            + sync.source()
                            + "' cannot keep a state"
                            + " for diff: snapshot\nUse a bigquery or duckdb source, or diff: target."));
    return new WarehouseDiff(
        sync,
        source,
        state,
        SnapshotNames.of(sync.name(), target.describeLocation(), sync.table()),
        target);
  }

  public WarehouseState state() {
    return state;
  }

  public SnapshotNames names() {
    return names;
  }

  public SnapshotNames.Run run(String runId) {
    return names.run(runId);
  }

  /**
   * What keeps the sync's query from being compared in the warehouse (see {@link
   * WarehouseState#problems}), found before any job that costs money; empty when there is none.
   */
  public List<String> problems() {
    return state.problems(sync.query(), sync.key());
  }

  /**
   * Runs the sync's query into the run's result table (or finds it again), after refusing a query
   * the warehouse could not compare: nothing is run, or billed, for it.
   */
  @Override
  public SourceResult result(String runId) {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "sync '"
              + sync.name()
              + "': diff: snapshot"
              + " cannot compare the query's rows in "
              + state.location()
              + ":\n - "
              + String.join("\n - ", problems)
              + "\nNothing was run. Change the query as shown, or use"
              + " diff: target.");
    }
    return state.materialize(sync.query(), run(runId));
  }

  /** The state the sync's last successful run left, if it left one. */
  public Optional<Previous> previous(RunStore runs) {
    return previous(runs, sync);
  }

  /** The state a sync's last successful run left, if it left one. */
  public static Optional<Previous> previous(RunStore runs, SyncConfig sync) {
    return runs.lastSucceeded(sync.name(), sync.table())
        .flatMap(
            run ->
                runs.diffState(run.runId())
                    .map(recorded -> recorded.split(" ", 2))
                    .filter(parts -> parts.length == 2)
                    .map(
                        parts ->
                            new Previous(
                                run, parts[0], parts[1], madeBy(runs, sync, run, parts[0]))));
  }

  /**
   * The id of the run that made {@code stateTable}: {@code recorder}, or the earlier successful run
   * whose state runs that changed nothing kept; the id as the table's name spells it when that run
   * is too far back in the history.
   */
  private static String madeBy(
      RunStore runs, SyncConfig sync, RunRecord recorder, String stateTable) {
    String id = SnapshotNames.stateTableId(stateTable);
    if (SnapshotNames.tableId(recorder.runId()).equals(id)) {
      return recorder.runId();
    }
    return runs.succeeded(sync.name(), sync.table(), MADE_BY_LOOKBACK).stream()
        .map(RunRecord::runId)
        .filter(runId -> SnapshotNames.tableId(runId).equals(id))
        .findFirst()
        .orElse(id);
  }

  /**
   * Why this run must compare the whole result with the table instead of with the previous state,
   * or empty when the state may be trusted.
   *
   * @param tableExists whether the target table exists now
   */
  Optional<String> whyFull(
      RunStore runs, boolean full, boolean tableExists, List<Column> columns, List<String> key) {
    if (full) {
      return Optional.of("--full was given");
    }
    if (!tableExists) {
      return Optional.of("the table does not exist yet");
    }
    if (!runs.recordsDiffState()) {
      return Optional.of(
          "the run history table _qsync_runs has no diff_state column (qsync may not"
              + " ALTER it), so no state can be recorded");
    }
    Optional<RunRecord> last = runs.lastSucceeded(sync.name(), sync.table());
    if (last.isEmpty()) {
      return Optional.of("no run of this sync has succeeded yet");
    }
    Optional<Previous> previous = previous(runs);
    if (previous.isEmpty()) {
      return Optional.of(
          "the last successful run "
              + last.get().runId()
              + " left no state"
              + " (it ran with diff: target, or lost its result table)");
    }
    Previous found = previous.get();
    if (!found.schema().equals(schema(columns, key))) {
      return Optional.of(
          "the query's columns, the key or the fingerprint changed since run "
              + found.run().runId());
    }
    if (state.describe(found.table()).isEmpty()) {
      return Optional.of(
          "the state of run "
              + found.madeBy()
              + " ("
              + state.location()
              + "."
              + found.table()
              + (found.madeBy().equals(found.run().runId())
                  ? ""
                  : ", kept in force by the runs since, which changed nothing, up to run "
                      + found.run().runId())
              + ") is gone: it was dropped, or expired. Nothing to do for this run; if states keep"
              + " vanishing, stop what drops tables in "
              + state.location()
              + " (on BigQuery, the dataset's default table expiration, or a job that drops"
              + " tables)");
    }
    // A run that stopped part-way and was not resumed (its stage lost, or --restart) wrote rows
    // that the state does not hold: a row it wrote that the query has since taken back to the
    // state's value would be in no change set against the state. Only the table says. Looked for
    // by time, however many runs failed since (an outage of a sync that runs every minute).
    Optional<RunRecord> partlyApplied =
        runs.stoppedPartWaySince(sync.name(), sync.table(), found.run().startedAt());
    if (partlyApplied.isPresent()) {
      return Optional.of(
          "run "
              + partlyApplied.get().runId()
              + " stopped part-way after writing "
              + Plural.of(partlyApplied.get().appliedThrough(), "change")
              + " and was not resumed, so the state of run "
              + found.madeBy()
              + " does not say what the table holds");
    }
    long expected = found.run().counts().map(counts -> counts.sourceRows()).orElse(-1L);
    long rows = target.countRows(sync.table());
    boolean mirror = sync.mode() == Mode.MIRROR;
    if (mirror ? rows != expected : rows < expected) {
      return Optional.of(
          "the table holds "
              + Plural.of(rows, "row")
              + ", but run "
              + found.run().runId()
              + " left "
              + expected
              + (mirror ? "" : " or more")
              + ": it was changed outside qsync");
    }
    return Optional.empty();
  }

  /**
   * This strategy when the state can be trusted; otherwise the target diff, over this run's result
   * in the warehouse, which then becomes the state the next run compares with.
   */
  @Override
  public ChangeSetStrategy comparing(Comparison comparison, boolean full, List<String> notes) {
    Optional<String> whyFull =
        whyFull(
            target.runs(),
            full,
            comparison.existing().isPresent(),
            comparison.columns(),
            comparison.key());
    if (whyFull.isEmpty()) {
      return this;
    }
    notes.add(
        "compared the whole result with the table ("
            + whyFull.get()
            + "); this run's"
            + " result becomes the state the next run compares with in the warehouse");
    return new TargetDiff(sync, source, target);
  }

  @Override
  public boolean extracts() {
    return false;
  }

  @Override
  public List<KeyProblem> keyProblems(Stage stage, Comparison comparison, int samples) {
    return state.checkKeys(
        run(comparison.runId()), comparison.key(), comparison.collations(), samples);
  }

  /**
   * Computes the change set in the warehouse, against the state of the last successful run, in one
   * query or in two steps as {@link ChangeQuery} chooses, and brings only the changes into the
   * stage.
   */
  @Override
  public ChangeCounts changes(
      Stage stage, SourceResult result, Comparison comparison, Steps steps, List<String> notes) {
    Previous previous = previous(target.runs()).orElseThrow();
    SnapshotNames.Run run = run(comparison.runId());
    List<String> key = comparison.key();
    ChangeQuery query =
        ChangeQuery.after(previous.run().runId(), previous.run().counts(), state.whyOneQuery(run));
    Asked asked = new Asked(run, previous.table(), key, sync.mode() == Mode.MIRROR);
    steps.begin("changes", -1);
    long transferred =
        query.twoSteps()
            ? inTwoSteps(asked, query, stage, comparison.dryRun(), steps, notes)
            : inOneQuery(asked, query, stage, comparison.dryRun(), steps, notes);
    steps.advance(transferred);
    steps.end();
    long sourceRows =
        result
            .totalRows()
            .orElseThrow(
                () -> new IllegalStateException("a warehouse state's result knows its row count"));
    ChangeCounts counts = stage.numberWarehouseChanges(key, sourceRows);
    notes.add(
        String.format(
            Locale.ROOT,
            "compared in the warehouse with the state of run %s: %,d changed row%s of %,d left %s",
            previous.madeBy(),
            transferred,
            transferred == 1 ? "" : "s",
            sourceRows,
            state.location()));
    notes.add(tableNotRead(previous, counts));
    return counts;
  }

  /** What a change set is asked of the warehouse for. */
  private record Asked(
      SnapshotNames.Run run, String stateTable, List<String> key, boolean deletes) {}

  /** What a step of the change set would scan (a dry run), where the warehouse can say. */
  private OptionalLong scans(Asked asked, WarehouseState.Step step) {
    return state.diffBytes(asked.run(), asked.stateTable(), asked.key(), asked.deletes(), step);
  }

  /**
   * The change set in one statement, which reads every column of the result. Returns its rows.
   *
   * @param dryRun say what the statement scans (a plan)
   */
  private long inOneQuery(
      Asked asked,
      ChangeQuery query,
      Stage stage,
      boolean dryRun,
      Steps steps,
      List<String> notes) {
    if (dryRun) {
      scans(asked, WarehouseState.Step.CHANGES).ifPresent(bytes -> notes.add(diffBytesNote(bytes)));
    }
    long transferred;
    try (SourceResult changes =
        state.changes(asked.run(), asked.stateTable(), asked.key(), asked.deletes())) {
      transferred = intoStage(stage, changes, steps, notes);
    }
    notes.add("compared and fetched the changed rows in one query (" + query.reason() + ")");
    return transferred;
  }

  /**
   * The change set in two steps: keys and fingerprints compared, then, only when some key changed,
   * the result's columns of the changed keys fetched. Returns its rows.
   *
   * @param dryRun say what the steps scan, together (a plan)
   */
  private long inTwoSteps(
      Asked asked,
      ChangeQuery query,
      Stage stage,
      boolean dryRun,
      Steps steps,
      List<String> notes) {
    long[] scanned = {0};
    if (dryRun) {
      scans(asked, WarehouseState.Step.COMPARE).ifPresent(bytes -> scanned[0] += bytes);
    }
    long changedKeys =
        state.compare(asked.run(), asked.stateTable(), asked.key(), asked.deletes()).orElse(-1);
    long transferred;
    if (changedKeys == 0) {
      try (Stage.StageWriter writer = stage.warehouseChangeWriter()) {
        transferred = writer.rows();
      }
      notes.add(
          "compared keys and fingerprints only ("
              + query.reason()
              + "): nothing changed, so no row's columns were read");
    } else {
      if (dryRun) {
        scans(asked, WarehouseState.Step.FETCH).ifPresent(bytes -> scanned[0] += bytes);
      }
      try (SourceResult changes = state.fetch(asked.run(), asked.key())) {
        transferred = intoStage(stage, changes, steps, notes);
      }
      notes.add(
          String.format(
              Locale.ROOT,
              "compared keys and fingerprints first (%s), then fetched the columns of the"
                  + " %,d changed row%s",
              query.reason(),
              transferred,
              transferred == 1 ? "" : "s"));
    }
    if (dryRun && scanned[0] > 0) {
      notes.add(diffBytesNote(scanned[0]));
    }
    return transferred;
  }

  /** Copies a change set the warehouse computed into the stage; returns its rows. */
  private static long intoStage(
      Stage stage, SourceResult changes, Steps steps, List<String> notes) {
    long transferred;
    if (changes.duckDbFile().isPresent()) {
      transferred = stage.copyWarehouseChanges(changes.duckDbFile().get());
    } else {
      try (Stage.StageWriter writer = stage.warehouseChangeWriter()) {
        changes.read(0, steps.counting(writer));
        transferred = writer.rows();
      }
    }
    notes.addAll(changes.notes());
    return transferred;
  }

  private String diffBytesNote(long bytes) {
    return String.format(
        Locale.ROOT, "the diff query scans %,d bytes in %s (dry run)", bytes, state.location());
  }

  /**
   * The state this run leaves in force when it wrote no new one: the state it compared with, when
   * it compared with it in the warehouse and nothing changed (a new state would hold the same keys
   * and fingerprints, and writing it would read the result's again). Empty when the run must write
   * its own state.
   *
   * @param fromWarehouse the run's change set was computed in the warehouse ({@link #changes})
   * @param changes the length of the run's change set
   */
  public Optional<Previous> keptState(boolean fromWarehouse, long changes) {
    if (!fromWarehouse || changes > 0) {
      return Optional.empty();
    }
    return previous(target.runs());
  }

  /**
   * What a run that compared with the state must say beside its counts: it read none of the table's
   * rows, so its "unchanged" rows are the state's word, not a comparison with the table.
   */
  static String tableNotRead(Previous previous, ChangeCounts counts) {
    return String.format(
        Locale.ROOT,
        "the table was not read: its %,d unchanged rows are what the"
            + " state of run %s says it holds (the row count matches); edits made in the table since,"
            + " by hand or by another writer, are not seen: qsync run --full compares with the table"
            + " and heals them",
        counts.unchanged(),
        previous.madeBy());
  }

  /**
   * What a state's fingerprints depend on: the fingerprint's version, the result's columns and
   * types, and the key. A state made under another is not compared with.
   */
  static String schema(List<Column> columns, List<String> key) {
    StringBuilder text = new StringBuilder("fp" + SnapshotSql.FINGERPRINT_VERSION);
    columns.forEach(
        column -> text.append('\0').append(column.name()).append(' ').append(column.type()));
    text.append('\0').append(String.join(",", key));
    return Sha256.hex(text.toString()).substring(0, 16);
  }

  /** How a run's state is recorded in the run history. */
  public static String recorded(SnapshotNames.Run run, List<Column> columns, List<String> key) {
    return run.state() + " " + schema(columns, key);
  }

  /**
   * Drops what the sync no longer needs once a run succeeded: every table of the sync but the state
   * to keep and the tables of plans that may be running (a plan holds no lock). That includes the
   * results and change sets of runs that failed and were not resumed. Best effort: a table that
   * cannot be dropped is left for {@code qsync prune}, and the returned notes say so.
   */
  public List<String> cleanUp(Optional<String> keep) {
    List<String> notes = new ArrayList<>();
    try {
      for (String table : state.tables(names.prefix())) {
        boolean kept = keep.map(table::equals).orElse(false);
        boolean plan =
            table.startsWith(names.prefix() + "result_plan_")
                || table.startsWith(names.prefix() + "keys_plan_")
                || table.startsWith(names.prefix() + "changes_plan_");
        if (!kept && !plan) {
          state.drop(table);
        }
      }
    } catch (QsyncException e) {
      notes.add(
          "could not drop old tables in "
              + state.location()
              + " ("
              + e.getMessage().lines().findFirst().orElse("")
              + "); qsync prune drops them later");
    }
    return notes;
  }
}
