package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.Plural;
import io.qsync.config.Mode;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.util.Optional;

/**
 * Whether a run starts fresh, resumes the unfinished run of its sync, or starts over after it: a
 * pure decision over facts the runner gathered (the run history, the stage file, the tables), with
 * the reason a person reads. Thread-safe: no state.
 */
final class ResumePolicy {
  private ResumePolicy() {}

  /**
   * What the runner knows before it decides.
   *
   * @param unfinished the sync's unfinished run, if any
   * @param restart {@code --restart} was given
   * @param resumesQueries the source can read a query's result again by its job
   * @param tableExists the sync's table exists
   * @param shadowExists for {@code replace}: the table the run builds exists
   * @param stageFile where the stage is kept, for messages
   * @param stage what the stage file holds; empty when the run's phase does not need it read
   */
  record Facts(
      String sync,
      String table,
      Mode mode,
      Optional<RunRecord> unfinished,
      boolean restart,
      boolean resumesQueries,
      boolean tableExists,
      boolean shadowExists,
      String stageFile,
      Optional<StageFacts> stage) {
    Facts {
      requireNonNull(sync, "sync is null");
      requireNonNull(table, "table is null");
      requireNonNull(mode, "mode is null");
      requireNonNull(unfinished, "unfinished is null");
      requireNonNull(stageFile, "stageFile is null");
      requireNonNull(stage, "stage is null");
    }
  }

  /**
   * What the stage file holds.
   *
   * @param exists the file is there
   * @param runId the run whose change set it holds, if it holds one
   * @param complete its change set is complete (diffed)
   * @param sameDefinition its fingerprint is the sync's definition as it is now
   * @param tableProblem the first reason the table as it is now cannot hold its rows, if any
   * @param damage what is wrong with the file or the run's change set in it (it cannot be read, the
   *     change set's table is gone or cut short), said after "its stage file F"; the change set can
   *     then only be computed anew
   */
  record StageFacts(
      boolean exists,
      Optional<String> runId,
      boolean complete,
      boolean sameDefinition,
      Optional<String> tableProblem,
      Optional<String> damage) {
    static final StageFacts MISSING =
        new StageFacts(false, Optional.empty(), false, false, Optional.empty());

    StageFacts {
      requireNonNull(runId, "runId is null");
      requireNonNull(tableProblem, "tableProblem is null");
      requireNonNull(damage, "damage is null");
    }

    /** A stage file that could be read, its change set whole. */
    StageFacts(
        boolean exists,
        Optional<String> runId,
        boolean complete,
        boolean sameDefinition,
        Optional<String> tableProblem) {
      this(exists, runId, complete, sameDefinition, tableProblem, Optional.empty());
    }

    /** A stage file that exists but is damaged: it cannot be resumed from. */
    static StageFacts damaged(String damage) {
      return new StageFacts(
          true, Optional.empty(), false, false, Optional.empty(), Optional.of(damage));
    }
  }

  /** The decision: one of {@link Fresh}, {@link Resume}, {@link StartOver}, {@link Refuse}. */
  sealed interface Decision permits Fresh, Resume, StartOver, Refuse {}

  /** No unfinished run: a new run. */
  record Fresh() implements Decision {}

  /**
   * Continue {@code previous}: after its checkpoint, or, when it stopped while extracting, by
   * reading its job's result again ({@link #reExtracts}).
   */
  record Resume(RunRecord previous, String note) implements Decision {
    boolean reExtracts() {
      return previous.phase() == RunPhase.EXTRACT;
    }

    long checkpoint() {
      return previous.appliedThrough();
    }
  }

  /**
   * Leave {@code previous} and start a new run.
   *
   * @param abandoned the error to close it with, when it must be closed (a failed run keeps its own
   *     status and error unless {@code --restart} was given)
   * @param dropShadow drop what a {@code replace} had built
   */
  record StartOver(
      RunRecord previous, String why, Optional<String> abandoned, boolean dropShadow, String note)
      implements Decision {}

  /** Stop: starting over would do harm (append rows twice). */
  record Refuse(String message) implements Decision {}

  static Decision decide(Facts facts) {
    if (facts.unfinished().isEmpty()) {
      return new Fresh();
    }
    RunRecord previous = facts.unfinished().get();
    Optional<String> whyNot =
        facts.restart() ? Optional.of("--restart was given") : whyNotResumable(facts, previous);
    if (whyNot.isEmpty()) {
      return new Resume(previous, resumedNote(previous));
    }
    String why = whyNot.get();
    if (appendsTwice(facts, previous)) {
      return new Refuse(
          "sync '"
              + facts.sync()
              + "': run "
              + previous.runId()
              + " appended "
              + previous.appliedThrough()
              + " of "
              + previous.changesTotal()
              + " rows before it stopped, and cannot be resumed ("
              + why
              + ")\n"
              + "Starting over would append those rows again. Delete them from "
              + facts.table()
              + " and run with --restart, or run with --restart to append the whole result"
              + " again.");
    }
    // A killed run still says RUNNING: close it. A failed one keeps its status and error.
    Optional<String> abandoned =
        previous.status() != RunStatus.FAILED || facts.restart()
            ? Optional.of(
                "abandoned: "
                    + why
                    + previous.error().map(error -> "; it had failed: " + error).orElse(""))
            : Optional.empty();
    return new StartOver(
        previous,
        why,
        abandoned,
        facts.restart() || facts.mode() == Mode.REPLACE,
        "did not resume run " + previous.runId() + " (" + why + "); starting over");
  }

  /** Why an unfinished run cannot be continued from its stage, or empty when it can. */
  private static Optional<String> whyNotResumable(Facts facts, RunRecord previous) {
    RunPhase phase = previous.phase();
    if (phase.startsOver()) {
      return Optional.of(
          "it stopped needing action in step '"
              + phase
              + "'; its change"
              + " set is stale once that is fixed");
    }
    if (phase == RunPhase.EXTRACT && !facts.resumesQueries()) {
      return Optional.of("it stopped before its change set was complete");
    }
    // The table the change set was computed against is gone (dropped by hand, restored from a
    // backup under another name): applying the rest of it would write into nothing.
    boolean replace = facts.mode() == Mode.REPLACE;
    boolean building = replace && phase != RunPhase.SWAP;
    if (!building
        && phase != RunPhase.EXTRACT
        && !facts.tableExists()
        && !(replace && facts.shadowExists())) {
      return Optional.of("its table " + facts.table() + " is gone");
    }
    if (phase == RunPhase.SWAP || phase == RunPhase.EXTRACT) {
      return Optional.empty(); // a swap finishes; a source with jobs re-reads its job's result
    }
    StageFacts stage = facts.stage().orElse(StageFacts.MISSING);
    if (!stage.exists()) {
      return Optional.of("its stage file " + facts.stageFile() + " is gone");
    }
    if (stage.damage().isPresent()) {
      // The change set is lost; a new run computes it anew (as when the file is gone), which a
      // diff: snapshot run does against the table, since this run wrote what its state lacks.
      return Optional.of("its stage file " + facts.stageFile() + " " + stage.damage().get());
    }
    if (!stage.runId().equals(Optional.of(previous.runId()))) {
      return Optional.of("the stage file holds another run");
    }
    if (!stage.complete()) {
      return Optional.of("its change set was not complete");
    }
    if (!stage.sameDefinition()) {
      return Optional.of("the sync's definition changed since");
    }
    if (phase == RunPhase.APPLY && !building && stage.tableProblem().isPresent()) {
      return Optional.of(
          "table "
              + facts.table()
              + " changed since and cannot hold its rows"
              + " as it is now ("
              + stage.tableProblem().get()
              + ")");
    }
    if (replace && previous.appliedThrough() > 0 && !facts.shadowExists()) {
      return Optional.of("its shadow table is gone");
    }
    return Optional.empty();
  }

  /**
   * Starting an append over re-appends what the unfinished run already appended: only on purpose
   * (--restart), never because a stage went missing. Once the table itself is gone, nothing
   * appended is left to append twice.
   */
  private static boolean appendsTwice(Facts facts, RunRecord previous) {
    return facts.mode() == Mode.APPEND
        && previous.mode().equals(Mode.APPEND.configName())
        && previous.appliedThrough() > 0
        && !facts.restart()
        && facts.tableExists();
  }

  private static String resumedNote(RunRecord previous) {
    if (previous.phase() == RunPhase.EXTRACT) {
      return "resumed run "
          + previous.runId()
          + ", which stopped while extracting: its query's"
          + " result is read again"
          + previous.sourceJob().map(job -> " (job " + job + ")").orElse("");
    }
    return "resumed run "
        + previous.runId()
        + " after change "
        + previous.appliedThrough()
        + " of "
        + previous.changesTotal()
        + " ("
        + Plural.of(previous.batchesApplied(), "batch")
        + (previous.batchesApplied() == 1 ? " was" : " were")
        + " already committed)";
  }
}
