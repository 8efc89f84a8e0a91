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

  /** The run with the source's job recorded. */
  public RunRecord withSourceJob(Optional<String> newSourceJob) {
    return toBuilder().sourceJob(newSourceJob).build();
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
        Optional.empty(),
        Optional.empty());
  }

  public RunRecord withPhase(RunPhase newPhase) {
    return toBuilder().phase(newPhase).build();
  }

  /**
   * The run with its change set known: its counts, and its length (the rows to apply, which in
   * {@code replace} mode are the inserts alone: the old rows go with the old table).
   */
  public RunRecord withChangeSet(ChangeCounts newCounts, long newChangesTotal) {
    return toBuilder().counts(Optional.of(newCounts)).changesTotal(newChangesTotal).build();
  }

  public RunRecord withCheckpoint(long newAppliedThrough, int newBatchesApplied) {
    return toBuilder().appliedThrough(newAppliedThrough).batchesApplied(newBatchesApplied).build();
  }

  /** The run taken up again by a new process. */
  public RunRecord resumedBy(String newHost, long newPid, long newConnectionId) {
    return toBuilder()
        .status(RunStatus.RUNNING)
        .finishedAt(Optional.empty())
        .resumes(resumes + 1)
        .host(newHost)
        .pid(newPid)
        .connectionId(newConnectionId)
        .error(Optional.empty())
        .build();
  }

  public RunRecord finished(RunStatus newStatus, Instant at, Optional<String> newError) {
    return toBuilder()
        .status(newStatus)
        .phase(newStatus == RunStatus.SUCCEEDED ? RunPhase.DONE : phase)
        .finishedAt(Optional.of(at))
        .error(newError)
        .build();
  }

  /**
   * The run as a person should see it when its lock is free: a run recorded as running whose lock
   * no session holds was killed or lost its connection, and is {@link RunStatus#INTERRUPTED}.
   */
  public RunRecord seenWith(boolean lockHeld) {
    if (status != RunStatus.RUNNING || lockHeld) {
      return this;
    }
    return toBuilder().status(RunStatus.INTERRUPTED).build();
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

  private Builder toBuilder() {
    return new Builder(this);
  }

  /** A copy of a run with some parts changed; what the {@code with} methods build on. */
  private static final class Builder {
    private final String runId;
    private final String sync;
    private final String table;
    private final String mode;
    private RunStatus status;
    private RunPhase phase;
    private final Instant startedAt;
    private Optional<Instant> finishedAt;
    private Optional<ChangeCounts> counts;
    private long changesTotal;
    private long appliedThrough;
    private int batchesApplied;
    private int resumes;
    private String host;
    private long pid;
    private long connectionId;
    private Optional<String> error;
    private Optional<String> sourceJob;

    Builder(RunRecord run) {
      runId = run.runId;
      sync = run.sync;
      table = run.table;
      mode = run.mode;
      status = run.status;
      phase = run.phase;
      startedAt = run.startedAt;
      finishedAt = run.finishedAt;
      counts = run.counts;
      changesTotal = run.changesTotal;
      appliedThrough = run.appliedThrough;
      batchesApplied = run.batchesApplied;
      resumes = run.resumes;
      host = run.host;
      pid = run.pid;
      connectionId = run.connectionId;
      error = run.error;
      sourceJob = run.sourceJob;
    }

    Builder status(RunStatus value) {
      status = value;
      return this;
    }

    Builder phase(RunPhase value) {
      phase = value;
      return this;
    }

    Builder finishedAt(Optional<Instant> value) {
      finishedAt = value;
      return this;
    }

    Builder counts(Optional<ChangeCounts> value) {
      counts = value;
      return this;
    }

    Builder changesTotal(long value) {
      changesTotal = value;
      return this;
    }

    Builder appliedThrough(long value) {
      appliedThrough = value;
      return this;
    }

    Builder batchesApplied(int value) {
      batchesApplied = value;
      return this;
    }

    Builder resumes(int value) {
      resumes = value;
      return this;
    }

    Builder host(String value) {
      host = value;
      return this;
    }

    Builder pid(long value) {
      pid = value;
      return this;
    }

    Builder connectionId(long value) {
      connectionId = value;
      return this;
    }

    Builder error(Optional<String> value) {
      error = value;
      return this;
    }

    Builder sourceJob(Optional<String> value) {
      sourceJob = value;
      return this;
    }

    RunRecord build() {
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
          sourceJob);
    }
  }
}
