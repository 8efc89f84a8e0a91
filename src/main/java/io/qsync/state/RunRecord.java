package io.qsync.state;

import static java.util.Objects.requireNonNull;

import io.qsync.diff.ChangeCounts;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One run as run history keeps it. Immutable; {@code with*} methods return changed copies.
 *
 * @param phase the step the run is in or stopped in
 * @param counts the change set's counts, once known
 * @param changesTotal the change set's length; the checkpoint runs up to it
 * @param appliedThrough the checkpoint: the last change committed
 * @param resumes how many times the run was resumed after a failure
 * @param error the error that stopped the run, as shown to the user (never a secret)
 * @param sourceJob where the query's result lives at the source, for a source with jobs (a BigQuery
 *     job id, its location and result table), so that a resumed run reads it again
 */
public record RunRecord(
    String runId,
    String sync,
    String table,
    String mode,
    RunStatus status,
    RunPhase phase,
    Instant startedAt,
    Optional<Instant> finishedAt,
    Optional<ChangeCounts> counts,
    long changesTotal,
    long appliedThrough,
    int batchesApplied,
    int resumes,
    String host,
    long pid,
    long connectionId,
    Optional<String> error,
    Optional<String> sourceJob) {

  /**
   * The {@code mode} of a record that is a {@code qsync verify}, not a run: it changed nothing, so
   * the run store leaves it out of the runs a new run resumes or builds on.
   */
  public static final String VERIFY = "verify";

  /**
   * How the id of a run that applies a saved plan starts: the plan's id, which {@code qsync plan
   * --out} made and {@code qsync run --plan} takes as its run id.
   */
  public static final String PLAN_RUN_PREFIX = "plan-";

  public RunRecord {
    requireNonNull(runId, "runId is null");
    requireNonNull(sync, "sync is null");
    requireNonNull(table, "table is null");
    requireNonNull(mode, "mode is null");
    requireNonNull(status, "status is null");
    requireNonNull(phase, "phase is null");
    requireNonNull(startedAt, "startedAt is null");
    requireNonNull(finishedAt, "finishedAt is null");
    requireNonNull(counts, "counts is null");
    requireNonNull(host, "host is null");
    requireNonNull(error, "error is null");
    requireNonNull(sourceJob, "sourceJob is null");
  }

  /** A run without a source job. */
  public RunRecord(
      String runId,
      String sync,
      String table,
      String mode,
      RunStatus status,
      RunPhase phase,
      Instant startedAt,
      Optional<Instant> finishedAt,
      Optional<ChangeCounts> counts,
      long changesTotal,
      long appliedThrough,
      int batchesApplied,
      int resumes,
      String host,
      long pid,
      long connectionId,
      Optional<String> error) {
    this(
        runId,
        sync,
        table,
        mode,
        status,
        phase,
        startedAt,
        finishedAt,
        counts,
        changesTotal,
        appliedThrough,
        batchesApplied,
        resumes,
        host,
        pid,
        connectionId,
        error,
        Optional.empty());
  }

  /** The run with the source's job recorded. */
  public RunRecord withSourceJob(Optional<String> newSourceJob) {
    return new RunRecord(
        runId,
        sync,
        table,
        mode,
        status,
        phase,
        startedAt,
        finishedAt,
        counts,
        changesTotal,
        appliedThrough,
        batchesApplied,
        resumes,
        host,
        pid,
        connectionId,
        error,
        newSourceJob);
  }

  public static RunRecord started(
      String runId,
      String sync,
      String table,
      String mode,
      Instant now,
      String host,
      long pid,
      long connectionId) {
    return new RunRecord(
        runId,
        sync,
        table,
        mode,
        RunStatus.RUNNING,
        RunPhase.EXTRACT,
        now,
        Optional.empty(),
        Optional.empty(),
        0,
        0,
        0,
        0,
        host,
        pid,
        connectionId,
        Optional.empty());
  }

  public RunRecord withPhase(RunPhase newPhase) {
    return new RunRecord(
        runId,
        sync,
        table,
        mode,
        status,
        newPhase,
        startedAt,
        finishedAt,
        counts,
        changesTotal,
        appliedThrough,
        batchesApplied,
        resumes,
        host,
        pid,
        connectionId,
        error,
        sourceJob);
  }

  /**
   * The run with its change set known: its counts, and its length (the rows to apply, which in
   * {@code replace} mode are the inserts alone: the old rows go with the old table).
   */
  public RunRecord withChangeSet(ChangeCounts newCounts, long newChangesTotal) {
    return new RunRecord(
        runId,
        sync,
        table,
        mode,
        status,
        phase,
        startedAt,
        finishedAt,
        Optional.of(newCounts),
        newChangesTotal,
        appliedThrough,
        batchesApplied,
        resumes,
        host,
        pid,
        connectionId,
        error,
        sourceJob);
  }

  public RunRecord withCheckpoint(long newAppliedThrough, int newBatchesApplied) {
    return new RunRecord(
        runId,
        sync,
        table,
        mode,
        status,
        phase,
        startedAt,
        finishedAt,
        counts,
        changesTotal,
        newAppliedThrough,
        newBatchesApplied,
        resumes,
        host,
        pid,
        connectionId,
        error,
        sourceJob);
  }

  /** The run taken up again by a new process. */
  public RunRecord resumedBy(String newHost, long newPid, long newConnectionId) {
    return new RunRecord(
        runId,
        sync,
        table,
        mode,
        RunStatus.RUNNING,
        phase,
        startedAt,
        Optional.empty(),
        counts,
        changesTotal,
        appliedThrough,
        batchesApplied,
        resumes + 1,
        newHost,
        newPid,
        newConnectionId,
        Optional.empty(),
        sourceJob);
  }

  public RunRecord finished(RunStatus newStatus, Instant at, Optional<String> newError) {
    return new RunRecord(
        runId,
        sync,
        table,
        mode,
        newStatus,
        newStatus == RunStatus.SUCCEEDED ? RunPhase.DONE : phase,
        startedAt,
        Optional.of(at),
        counts,
        changesTotal,
        appliedThrough,
        batchesApplied,
        resumes,
        host,
        pid,
        connectionId,
        newError,
        sourceJob);
  }

  /**
   * The run as a person should see it when its lock is free: a run recorded as running whose lock
   * no session holds was killed or lost its connection, and is {@link RunStatus#INTERRUPTED}.
   */
  public RunRecord seenWith(boolean lockHeld) {
    if (status != RunStatus.RUNNING || lockHeld) {
      return this;
    }
    return new RunRecord(
        runId,
        sync,
        table,
        mode,
        RunStatus.INTERRUPTED,
        phase,
        startedAt,
        finishedAt,
        counts,
        changesTotal,
        appliedThrough,
        batchesApplied,
        resumes,
        host,
        pid,
        connectionId,
        error,
        sourceJob);
  }

  /** Whether this run applies a saved plan ({@code qsync run --plan FILE}). */
  public boolean appliesPlan() {
    return runId.startsWith(PLAN_RUN_PREFIX);
  }

  /** Whether this records a {@code qsync verify} rather than a run. */
  public boolean isVerify() {
    return mode.equals(VERIFY);
  }

  public Optional<Duration> duration() {
    return finishedAt.map(end -> Duration.between(startedAt, end));
  }
}
