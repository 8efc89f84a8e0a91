package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.Sleeper;
import io.qsync.config.BigQueryConnectionConfig;
import io.qsync.config.ConnectionConfig;
import io.qsync.config.DeleteGuard;
import io.qsync.config.DuckDbConnectionConfig;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.QsyncConfig;
import io.qsync.config.RetryConfig;
import io.qsync.config.SyncConfig;
import io.qsync.config.VerifyEvery;
import io.qsync.destination.Destination;
import io.qsync.destination.mysql.MySqlDestination;
import io.qsync.diff.strategy.WarehouseDiff;
import io.qsync.source.ResultRead;
import io.qsync.source.SnapshotNames;
import io.qsync.source.Source;
import io.qsync.source.WarehouseState;
import io.qsync.source.bigquery.BigQuerySource;
import io.qsync.source.duckdb.DuckDbSource;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The commands of qsync over one validated config: each opens what it needs, does its work, closes
 * everything it opened, and returns a report. Immutable; thread-safe as long as commands for the
 * same sync do not overlap (the sync lock refuses that anyway).
 */
public final class Qsync {
  /** Keys of each kind of difference a scheduled verify shows in the run's report. */
  private static final int VERIFY_EVERY_SAMPLES = 5;

  private final QsyncConfig config;
  private final Clock clock;
  private final Progress progress;
  private final FaultPoint faults;
  private final Sleeper sleeper;

  public Qsync(QsyncConfig config, Clock clock, Progress progress, FaultPoint faults) {
    this(config, clock, progress, faults, Sleeper.system());
  }

  /**
   * @param sleeper how throttle pauses and retry backoffs wait
   */
  public Qsync(
      QsyncConfig config, Clock clock, Progress progress, FaultPoint faults, Sleeper sleeper) {
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.config = requireNonNull(config, "config is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.progress = requireNonNull(progress, "progress is null");
    this.faults = requireNonNull(faults, "faults is null");
  }

  public QsyncConfig config() {
    return config;
  }

  /** Runs one sync: makes its table equal to its query's result. */
  public RunReport run(String syncName) {
    return run(syncName, RunOptions.DEFAULT);
  }

  /** Runs one sync as {@code options} say (restart, lift the delete guard, compare in full). */
  public RunReport run(String syncName, RunOptions options) {
    SyncConfig sync =
        options.allowDeletes()
            ? sync(syncName).toBuilder().deleteGuard(DeleteGuard.NONE).build()
            : sync(syncName);
    RunReport report;
    Map<String, Destination> replicas = new LinkedHashMap<>();
    try (Source source = openSource(sync.source(), Caller.RUN, sync.retries());
        Destination target = openTarget(sync.target())) {
      for (String replica : sync.throttle().replicas()) {
        replicas.put(replica, openTarget(replica));
      }
      report =
          new SyncRunner(
                  sync,
                  source,
                  target,
                  config.stageDir(),
                  clock,
                  progress,
                  faults,
                  replicas,
                  sleeper)
              .run(options);
    } finally {
      replicas.values().forEach(Destination::close);
    }
    return verifyIfDue(sync, report);
  }

  /**
   * After a successful run of a sync with {@code verify_every}, verifies its table when due and
   * heals what differs: the changes made to the table by hand, which a {@code diff: snapshot} run
   * cannot see. A verify that fails fails the command, with the run's success said first; it opens
   * connections of its own ({@link Caller#DUE_VERIFY}), so that a passing failure says what happens
   * next: the verify stays due, and the next run verifies again.
   */
  private RunReport verifyIfDue(SyncConfig sync, RunReport report) {
    Optional<VerifyEvery> every = sync.diff().verifyEvery();
    if (every.isEmpty() || report.status() != RunStatus.SUCCEEDED) {
      return report;
    }
    Map<String, Destination> replicas = new LinkedHashMap<>();
    Optional<String> due = Optional.empty();
    try (Destination target = openTarget(sync.target(), Caller.DUE_VERIFY)) {
      due =
          VerifySchedule.due(
              every.get(),
              target.runs().lastVerify(sync.name(), sync.table()),
              target.runs().succeeded(sync.name(), sync.table(), Math.max(2, every.get().runs())),
              clock.instant());
      if (due.isEmpty()) {
        return report;
      }
      try (Source source = openSource(sync.source(), Caller.DUE_VERIFY, sync.retries())) {
        for (String replica : sync.throttle().replicas()) {
          replicas.put(replica, openTarget(replica, Caller.DUE_VERIFY));
        }
        VerifyReport verify =
            new Verifier(
                    sync,
                    source,
                    target,
                    replicas,
                    clock,
                    sleeper,
                    progress,
                    VERIFY_EVERY_SAMPLES,
                    Caller.DUE_VERIFY)
                .verify(true);
        return report.withVerified(new RunReport.Verified(due.get(), verify));
      }
    } catch (QsyncException e) {
      throw new QsyncException(
          e.kind(),
          "sync '"
              + sync.name()
              + "': the run succeeded (run "
              + report.runId()
              + "), then "
              + due.map(reason -> "the verify of its table that was due (" + reason + ")")
                  .map(verify -> verify + " failed, and stays due: ")
                  .orElse("the check whether a verify of its table is due failed: ")
              + e.getMessage()
              + (NEEDS_A_PERSON.contains(e.kind())
                  ? "\nOnce that is done, the next run "
                      + (due.isPresent() ? "verifies" : "checks again")
                      + "; or verify now: qsync verify --heal "
                      + sync.name()
                  : ""), // a passing failure's own message says that the next run verifies again
          e);
    } finally {
      replicas.values().forEach(Destination::close);
    }
  }

  /** The failures of a due verify that no later run gets past until someone acts. */
  private static final Set<ErrorKind> NEEDS_A_PERSON =
      EnumSet.of(ErrorKind.NEEDS_ACTION, ErrorKind.USAGE, ErrorKind.CONFIG_INVALID);

  /** Shows what a run of the sync would do now, writing nothing. */
  public PlanReport plan(String syncName) {
    return plan(syncName, Optional.empty());
  }

  /**
   * Shows what a run of the sync would do now, writing nothing to the table; with {@code out},
   * saves the plan there for {@code run --plan} to apply exactly.
   */
  public PlanReport plan(String syncName, Optional<Path> out) {
    SyncConfig sync = sync(syncName);
    try (Source source = openSource(sync.source(), Caller.PLAN, sync.retries());
        Destination target = openTarget(sync.target(), Caller.PLAN)) {
      return runner(sync, source, target).plan(out);
    }
  }

  /**
   * Compares the sync's table with its query's current result by checksums computed on both
   * servers, without moving the rows; reads only, and takes no lock.
   *
   * @param samples at most this many keys shown of each kind of difference
   * @param heal then write exactly the differing keys, as a run of the sync would
   */
  public VerifyReport verify(String syncName, int samples, boolean heal) {
    SyncConfig sync = sync(syncName);
    Map<String, Destination> replicas = new LinkedHashMap<>();
    Caller caller = heal ? Caller.HEAL : Caller.VERIFY; // what a failure says to try again
    try (Source source = openSource(sync.source(), caller, sync.retries());
        Destination target = openTarget(sync.target(), caller)) {
      for (String replica : sync.throttle().replicas()) {
        replicas.put(replica, openTarget(replica, caller));
      }
      return new Verifier(sync, source, target, replicas, clock, sleeper, progress, samples, caller)
          .verify(heal);
    } finally {
      replicas.values().forEach(Destination::close);
    }
  }

  /** Opens every sync's source and target and checks that a run could proceed. */
  public ValidationReport validate() {
    List<ValidationReport.SyncCheck> checks = new ArrayList<>();
    for (String sync : config.syncs().keySet()) {
      checks.add(validate(sync));
    }
    return new ValidationReport(config.file(), checks);
  }

  /**
   * Opens one sync's source and target and checks that a run could proceed. A person waits for the
   * answer: passing failures are retried for at most {@link Caller#VALIDATE_RETRY_LIMIT}, each
   * retry shown as progress.
   */
  public ValidationReport.SyncCheck validate(String syncName) {
    SyncConfig sync = sync(syncName);
    try (Source source = openSource(sync.source(), Caller.VALIDATE, sync.retries());
        Destination target = openTarget(sync.target(), Caller.VALIDATE)) {
      return runner(sync, source, target).validate();
    } catch (QsyncException e) {
      return new ValidationReport.SyncCheck(sync.name(), List.of(), List.of(e.getMessage()));
    }
  }

  /** Every sync's newest run. A target that cannot be reached is reported, not thrown. */
  public List<StatusReport> status() {
    List<StatusReport> reports = new ArrayList<>();
    for (SyncConfig sync : config.syncs().values()) {
      try (Destination target = openTarget(sync.target(), Caller.STATUS)) {
        Optional<RunRecord> last =
            target.runs().history(sync.name(), sync.table(), 1).stream().findFirst();
        reports.add(
            new StatusReport(
                sync.name(),
                sync.table(),
                last,
                last.map(
                    run ->
                        Duration.between(
                            run.finishedAt().orElse(run.startedAt()), clock.instant())),
                target.lockHeld(sync.name()),
                Optional.empty()));
      } catch (QsyncException e) {
        reports.add(
            new StatusReport(
                sync.name(),
                sync.table(),
                Optional.empty(),
                Optional.empty(),
                false,
                Optional.of(e.getMessage())));
      }
    }
    return reports;
  }

  /**
   * The sync's runs, newest first; one recorded as running whose lock is free shows as interrupted,
   * as in {@link #status}. What {@code qsync serve} reads for its board and pages: a passing
   * failure says that serve reads the history again itself.
   */
  public List<RunRecord> history(String syncName, int limit) {
    SyncConfig sync = sync(syncName);
    try (Destination target = openTarget(sync.target(), Caller.SERVE)) {
      List<RunRecord> runs = target.runs().history(sync.name(), sync.table(), limit);
      boolean lockHeld =
          runs.stream().anyMatch(run -> run.status() == RunStatus.RUNNING)
              && target.lockHeld(sync.name());
      return runs.stream().map(run -> run.seenWith(lockHeld)).toList();
    }
  }

  /**
   * The time each of these runs of the sync waited for its throttle, per rule, as the run history
   * recorded it; a run that never waited (or whose history table could not take the column) is
   * absent. What {@code qsync serve}'s pages chart, as {@link #history}.
   */
  public Map<String, Map<String, Duration>> throttledBy(
      String syncName, Collection<String> runIds) {
    SyncConfig sync = sync(syncName);
    try (Destination target = openTarget(sync.target(), Caller.SERVE)) {
      return target.runs().throttledBy(runIds);
    }
  }

  /**
   * The bytes the warehouse billed for each of these runs of the sync, per kind of job, as the run
   * history recorded them; a run that billed none (or whose history table could not take the
   * column) is absent.
   */
  public Map<String, Map<String, Long>> bytesBilled(String syncName, Collection<String> runIds) {
    SyncConfig sync = sync(syncName);
    try (Destination target = openTarget(sync.target(), Caller.HISTORY)) {
      return target.runs().bytesBilled(runIds);
    }
  }

  /**
   * How each of these runs of the sync read the warehouse's results (the API, its streams, the rows
   * and why), as the run history recorded them; a run that recorded none is absent.
   */
  public Map<String, List<ResultRead>> reads(String syncName, Collection<String> runIds) {
    SyncConfig sync = sync(syncName);
    try (Destination target = openTarget(sync.target(), Caller.HISTORY)) {
      return target.runs().reads(runIds);
    }
  }

  /**
   * As {@link #history}, with the sync's {@code qsync verify} records among its runs: what {@code
   * qsync history} lists.
   */
  public List<RunRecord> historyWithVerifies(String syncName, int limit) {
    SyncConfig sync = sync(syncName);
    try (Destination target = openTarget(sync.target(), Caller.HISTORY)) {
      List<RunRecord> runs = target.runs().historyWithVerifies(sync.name(), sync.table(), limit);
      boolean lockHeld =
          runs.stream().anyMatch(run -> run.status() == RunStatus.RUNNING)
              && target.lockHeld(sync.name());
      return runs.stream().map(run -> run.seenWith(lockHeld)).toList();
    }
  }

  /**
   * Drops the tables of {@code diff: snapshot} that no sync of this config needs: those of syncs
   * removed from the config, the result and change tables of finished runs, and states older than
   * each sync's current one. Only the state datasets this config's syncs name are looked at.
   *
   * @param dryRun list what would be dropped, drop nothing
   */
  public List<PruneReport> prune(boolean dryRun) {
    Map<String, List<SyncConfig>> byDataset = new LinkedHashMap<>();
    for (SyncConfig sync : config.syncs().values()) {
      sync.diff()
          .stateDataset()
          .ifPresent(
              dataset ->
                  byDataset
                      .computeIfAbsent(sync.source() + "\0" + dataset, key -> new ArrayList<>())
                      .add(sync));
    }
    List<PruneReport> reports = new ArrayList<>();
    for (List<SyncConfig> syncs : byDataset.values()) {
      SyncConfig first = syncs.get(0);
      try (Source source = openSource(first.source(), Caller.PRUNE, first.retries())) {
        WarehouseState state =
            source.state(first.diff().stateDataset().orElseThrow()).orElseThrow();
        Map<String, Set<String>> keep = new LinkedHashMap<>();
        Map<String, SnapshotNames> owners = new LinkedHashMap<>();
        for (SyncConfig sync : syncs) {
          try (Destination target = openTarget(sync.target(), Caller.PRUNE)) {
            SnapshotNames names =
                SnapshotNames.of(sync.name(), target.describeLocation(), sync.table());
            owners.put(sync.name(), names);
            Set<String> kept = new HashSet<>();
            WarehouseDiff.previous(target.runs(), sync)
                .ifPresent(previous -> kept.add(previous.table()));
            target
                .runs()
                .unfinished(sync.name(), sync.table())
                .ifPresent(run -> kept.addAll(names.run(run.runId()).tables()));
            keep.put(sync.name(), kept);
          }
        }
        for (String table : state.tables(SnapshotNames.QSYNC_PREFIX)) {
          Optional<String> owner =
              owners.entrySet().stream()
                  .filter(entry -> entry.getValue().owns(table))
                  .map(Map.Entry::getKey)
                  .findFirst();
          if (owner.isPresent() && keep.get(owner.get()).contains(table)) {
            continue;
          }
          String why =
              owner
                  .map(name -> "sync " + name + " no longer needs it")
                  .orElse("no sync of " + config.file() + " owns it");
          if (!dryRun) {
            state.drop(table);
          }
          reports.add(new PruneReport(state.location(), table, why, !dryRun));
        }
      }
    }
    return reports;
  }

  private SyncRunner runner(SyncConfig sync, Source source, Destination target) {
    return new SyncRunner(sync, source, target, config.stageDir(), clock, progress, faults);
  }

  public SyncConfig sync(String name) {
    return config
        .sync(name)
        .orElseThrow(
            () ->
                new QsyncException(
                    ErrorKind.USAGE,
                    "no sync named '"
                        + name
                        + "' in "
                        + config.file()
                        + "\nKnown syncs: "
                        + String.join(", ", config.syncs().keySet())));
  }

  public Source openSource(String connectionName) {
    return openSource(connectionName, Caller.RUN, RetryConfig.DEFAULT);
  }

  /**
   * @param retries how long a passing failure to open the warehouse (a DuckDB file another process
   *     holds) is waited out
   */
  private Source openSource(String connectionName, Caller caller, RetryConfig retries) {
    ConnectionConfig connection = config.connection(connectionName);
    if (connection instanceof DuckDbConnectionConfig duckDb) {
      return new DuckDbSource(duckDb, caller, retries, sleeper);
    }
    if (connection instanceof BigQueryConnectionConfig bigQuery) {
      return new BigQuerySource(bigQuery, caller, progress);
    }
    throw new QsyncException(
        ErrorKind.CONFIG_INVALID,
        "connection '" + connectionName + "' (type " + connection.type() + ") cannot be a source");
  }

  public Destination openTarget(String connectionName) {
    return openTarget(connectionName, Caller.RUN);
  }

  /**
   * The target of a connection, for {@code caller}: a passing failure that outlasts its retries
   * tells a run that it resumes, and any other command that it is tried again later.
   */
  private Destination openTarget(String connectionName, Caller caller) {
    ConnectionConfig connection = config.connection(connectionName);
    if (connection instanceof MySqlConnectionConfig mySql) {
      return new MySqlDestination(mySql, clock, caller);
    }
    throw new QsyncException(
        ErrorKind.CONFIG_INVALID,
        "connection '" + connectionName + "' (type " + connection.type() + ") cannot be a target");
  }
}
