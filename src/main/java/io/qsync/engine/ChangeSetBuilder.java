package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.Sha256;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.destination.DestinationTable;
import io.qsync.destination.ValueRule;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.strategy.ChangeSetStrategy;
import io.qsync.row.Column;
import io.qsync.source.Source;
import io.qsync.source.SourceResult;
import io.qsync.stage.Stage;
import io.qsync.stage.ValueCheck;
import io.qsync.state.RunPhase;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A run's change set, in its stage: query, schema check, extract, key checks, diff (by the sync's
 * {@link ChangeSetStrategy}), value checks. Writes nothing to the table but, when the run creates
 * it, nothing at all. Not thread-safe.
 */
final class ChangeSetBuilder {
  static final int KEY_SAMPLES = 5;

  /**
   * What the caller needs beyond the stage's contents.
   *
   * @param createStatement the table's CREATE TABLE when the run creates it
   * @param notes the source's notes (retries, a query run again), then the comparison's
   */
  record ChangeSet(
      List<Column> columns,
      ChangeCounts counts,
      Optional<String> createStatement,
      List<String> notes) {}

  private final SyncConfig sync;
  private final Destination target;
  private final Source source;
  private final Progress progress;
  private final FaultPoint faults;
  private final Consumer<RunPhase> step;
  private final KeyChecks keys;
  private final Runnable paceWork;

  /**
   * @param paceWork called between pieces of the run's work that can pause (chunks of the table
   *     read back): rests as the throttle asks
   * @param step told the step the run is in, finer than its recorded phase: a run that stops here
   *     needing action records where (the query, the table, a check)
   */
  ChangeSetBuilder(
      SyncConfig sync,
      Source source,
      Destination target,
      Progress progress,
      FaultPoint faults,
      Runnable paceWork,
      Consumer<RunPhase> step) {
    this.sync = requireNonNull(sync, "sync is null");
    this.source = requireNonNull(source, "source is null");
    this.target = requireNonNull(target, "target is null");
    this.progress = requireNonNull(progress, "progress is null");
    this.faults = requireNonNull(faults, "faults is null");
    this.paceWork = requireNonNull(paceWork, "paceWork is null");
    this.step = requireNonNull(step, "step is null");
    this.keys = new KeyChecks(sync, target);
  }

  /**
   * @param full compare the whole result with the table even where a warehouse state could be used
   * @param dryRun a plan: also say what the comparison would scan
   * @param jobStarted told where the source keeps the result, before any row is read
   */
  ChangeSet build(
      Stage stage,
      String runId,
      ChangeSetStrategy strategy,
      boolean full,
      boolean dryRun,
      Consumer<Optional<String>> jobStarted) {
    step.accept(RunPhase.QUERY);
    try (SourceResult result = named(() -> strategy.result(runId));
        // Closed first: the stage lets go of a result it reads in place before its file goes.
        Stage.SourceRelease released = stage::releaseSource) {
      if (result.job().isPresent()) {
        jobStarted.accept(result.job());
      }
      List<Column> columns = result.columns();
      step.accept(RunPhase.CHECK);
      List<String> key = KeyChecks.resolve(sync, columns);
      Optional<DestinationTable> existing = target.describe(sync.table());
      Optional<String> createStatement = checkSchema(existing, columns, key);
      ChangeSetStrategy.Comparison comparison =
          new ChangeSetStrategy.Comparison(
              runId, columns, key, existing, keys.collations(existing, columns, key), dryRun);

      stage.begin(runId, fingerprint(sync, columns), columns);
      List<String> notes = new ArrayList<>();
      ChangeSetStrategy diff = strategy.comparing(comparison, full, notes);
      if (diff.extracts()) {
        step.accept(RunPhase.QUERY);
        named(
            () -> {
              extract(stage, result, columns);
              return null;
            });
      }
      step.accept(RunPhase.CHECK);
      keys.require(diff.keyProblems(stage, comparison, KEY_SAMPLES), key, existing);
      if (diff.extracts() && existing.isPresent()) {
        keys.requireOtherUniqueKeys(stage, existing.get(), columns, key);
      }
      step.accept(diff.extracts() ? RunPhase.READ : RunPhase.QUERY);
      ChangeCounts counts = diff.changes(stage, result, comparison, steps(), notes);
      if (!diff.extracts()) {
        faults.reached(FaultPoint.Point.EXTRACTED, counts.changes());
      }
      step.accept(RunPhase.CHECK);
      checkValues(stage, existing, columns, key);
      List<String> all = new ArrayList<>(result.notes());
      all.addAll(notes);
      return new ChangeSet(columns, counts, createStatement, all);
    }
  }

  /**
   * The table can hold the result, or the run may create it (its CREATE TABLE, returned): stop
   * before anything is extracted otherwise.
   */
  private Optional<String> checkSchema(
      Optional<DestinationTable> existing, List<Column> columns, List<String> key) {
    if (existing.isPresent() && sync.mode() == Mode.REPLACE) {
      refuseToReplace(sync, target.replaceProblems(sync.table()), "Nothing was written.");
    }
    if (existing.isPresent()) {
      List<String> problems =
          target.schemaProblems(existing.get(), columns, key, sync.mode().needsKey());
      if (!problems.isEmpty()) {
        throw new QsyncException(
            ErrorKind.NEEDS_ACTION,
            "sync '"
                + sync.name()
                + "': table "
                + sync.table()
                + " cannot hold the query result ("
                + problems.size()
                + " problem"
                + (problems.size() == 1 ? "" : "s")
                + "):\n - "
                + String.join("\n - ", problems)
                + "\nChange the table as shown, or the query; nothing was written.");
      }
      return Optional.empty();
    }
    if (!sync.createTable()) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "sync '"
              + sync.name()
              + "': table "
              + sync.table()
              + " does not exist in "
              + target.describeLocation()
              + "\nSet create_table: true on the sync, or create it:\n"
              + target.createTableStatement(sync.table(), columns, key));
    }
    return Optional.of(target.createTableStatement(sync.table(), columns, key));
  }

  /** The query's whole result into the stage. */
  /**
   * {@code call}, which runs or reads the query, with the sync named in what it throws: the
   * warehouse's message names the connection and the query's text, not which sync's query it was.
   */
  private <T> T named(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (QsyncException e) {
      String prefix = "sync '" + sync.name() + "'";
      // A subclass (a passing error) is rethrown as it is: its callers tell it by its class.
      if (e.getClass() != QsyncException.class
          || e.getMessage() == null
          || e.getMessage().startsWith(prefix)) {
        throw e;
      }
      String where = sync.queryAt().isEmpty() ? "" : " (query at " + sync.queryAt() + ")";
      throw new QsyncException(e.kind(), prefix + where + ": " + e.getMessage(), e);
    }
  }

  private void extract(Stage stage, SourceResult result, List<Column> columns) {
    progress.begin("extract", result.totalRows().orElse(-1));
    if (result.duckDbFile().isPresent()) {
      progress.advance(stage.readSourceInPlace(result.duckDbFile().get()));
    } else {
      try (Stage.StageWriter writer = stage.sourceWriter(columns)) {
        result.read(0, steps().counting(writer));
        progress.advance(writer.rows());
      }
    }
    progress.end();
    faults.reached(FaultPoint.Point.EXTRACTED, stage.sourceRows());
    SyncRunner.stopIfInterrupted();
  }

  /** The run's progress, as the comparison reports its steps. */
  private ChangeSetStrategy.Steps steps() {
    return new ChangeSetStrategy.Steps() {
      @Override
      public void begin(String name, long total) {
        progress.begin(name, total);
      }

      @Override
      public void advance(long done) {
        progress.advance(done);
      }

      @Override
      public void end() {
        progress.end();
      }

      @Override
      public void between() {
        paceWork.run();
      }
    };
  }

  /**
   * The change set is complete: stop before writing (or creating the table) when a value in it is
   * one the table would not store as the query returns it.
   */
  private void checkValues(
      Stage stage, Optional<DestinationTable> existing, List<Column> columns, List<String> key) {
    List<ValueRule> rules =
        target.valueRules(sync.table(), existing, columns, key, source.dialect());
    ValueCheck.require(
        stage, rules, key, KEY_SAMPLES, "sync '" + sync.name() + "': table " + sync.table());
  }

  /**
   * {@code replace} refuses to build a new copy, or to swap it in, while the table has what a swap
   * would break ({@link Destination#replaceProblems}).
   */
  static void refuseToReplace(SyncConfig sync, List<String> problems, String after) {
    if (!problems.isEmpty()) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "sync '"
              + sync.name()
              + "': mode replace cannot swap a new copy in for table "
              + sync.table()
              + ":\n - "
              + String.join("\n - ", problems)
              + "\n"
              + after);
    }
  }

  /**
   * A hash of what the change set depends on: a resumed run uses its stage only while the
   * definition that produced it is unchanged.
   */
  static String fingerprint(SyncConfig sync, List<Column> columns) {
    StringBuilder text = new StringBuilder();
    text.append(sync.query())
        .append('\0')
        .append(sync.table())
        .append('\0')
        .append(sync.mode())
        .append('\0')
        .append(sync.key())
        .append('\0')
        .append(sync.source());
    columns.forEach(column -> text.append('\0').append(column));
    return Sha256.hex(text.toString()).substring(0, 32);
  }
}
