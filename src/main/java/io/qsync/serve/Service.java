package io.qsync.serve;

import static java.util.Objects.requireNonNull;

import io.qsync.QsyncException;
import io.qsync.config.QsyncConfig;
import io.qsync.config.SyncConfig;
import io.qsync.engine.Qsync;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * {@code qsync serve} without its command line: the engine over the current config, the {@link
 * SyncBoard}, the {@link Scheduler} and the {@link Readiness}; the parts the status page, the
 * metrics and the alerts use are its accessors, and their {@link RunListener}s are added before
 * {@link #start}.
 *
 * <p>Lifecycle: construct, {@link #addListener}, {@link #start} (reads each sync's history, then
 * schedules), {@link #reload} or {@link #reloadFailed} as the config file changes, {@link #stop}.
 * Thread-safe.
 */
public final class Service {
  /** How many runs of a sync's history are searched for its last success at start. */
  private static final int HISTORY_SEARCHED = 100;

  /** How often each sync's newest run is read again (a manual run, a target gone or back). */
  public static final Duration HISTORY_REFRESH = Duration.ofSeconds(30);

  private final Function<QsyncConfig, Qsync> engines;
  private final Clock clock;
  private final AtomicReference<Qsync> engine = new AtomicReference<>();
  private final SyncBoard board = new SyncBoard();
  private final ServiceReadiness readiness = new ServiceReadiness(board);
  private final List<RunListener> listeners = new CopyOnWriteArrayList<>();
  private final Scheduler scheduler;
  private final HistoryReader history;
  private final ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "qsync-history");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * @param engines builds the engine over a config (the CLI's, which runs silently)
   * @param random draws the schedules' jitter
   */
  public Service(
      QsyncConfig config,
      Function<QsyncConfig, Qsync> engines,
      Clock clock,
      RandomGenerator random) {
    this.engines = requireNonNull(engines, "engines is null");
    this.clock = requireNonNull(clock, "clock is null");
    engine.set(engines.apply(requireNonNull(config, "config is null")));
    this.history = new TargetHistory(engine::get);
    // the scheduler only puts each sync's newest run on the board: no throttle figures needed
    HistoryReader newestRuns =
        (sync, limit) ->
            engine.get().history(sync, limit).stream()
                .map(run -> new RunView(run, Map.of()))
                .toList();
    RunListener everyListener =
        new RunListener() {
          @Override
          public void runStarted(String sync, String trigger, Instant at) {
            listeners.forEach(listener -> tell(() -> listener.runStarted(sync, trigger, at)));
          }

          @Override
          public void runFinished(RunOutcome outcome) {
            listeners.forEach(listener -> tell(() -> listener.runFinished(outcome)));
          }
        };
    this.scheduler =
        new Scheduler(
            clock,
            random,
            config.serve().maxConcurrentRuns(),
            (sync, options) -> engine.get().run(sync, options),
            board,
            newestRuns,
            List.of(everyListener));
  }

  /** Calls one listener; one that throws (a bug) must not keep the others from hearing. */
  private static void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      // the listener's own bug; the run and the other listeners go on
    }
  }

  /** Tells {@code listener} of every run from now on (metrics, alerts, the log). */
  public void addListener(RunListener listener) {
    listeners.add(requireNonNull(listener, "listener is null"));
  }

  /**
   * Reads each sync's history onto the board (a target that cannot be reached is noted), then
   * schedules the syncs.
   */
  public void start() {
    Collection<SyncConfig> syncs = config().syncs().values();
    board.reset(Scheduler.boardEntries(syncs, clock.instant()));
    syncs.forEach(sync -> readHistory(sync.name()));
    scheduler.configure(syncs);
    scheduler.start();
    refresher.scheduleWithFixedDelay(
        this::refresh,
        HISTORY_REFRESH.toMillis(),
        HISTORY_REFRESH.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Runs {@code config} from now on: new syncs get their history read and are scheduled, removed
   * ones are no longer; runs going on finish with the config they started with.
   */
  public void reload(QsyncConfig config) {
    Set<String> known = new HashSet<>();
    board.entries().forEach(entry -> known.add(entry.sync()));
    engine.set(engines.apply(config));
    Collection<SyncConfig> syncs = config.syncs().values();
    board.reset(Scheduler.boardEntries(syncs, clock.instant()));
    syncs.stream()
        .map(SyncConfig::name)
        .filter(name -> !known.contains(name))
        .forEach(this::readHistory);
    scheduler.setMaxConcurrentRuns(config.serve().maxConcurrentRuns());
    scheduler.configure(syncs);
    readiness.reloaded();
  }

  /**
   * Reads each sync's newest run again: a manual {@code qsync run} shows on the board, and a target
   * that stopped (or started again) answering shows in the readiness. A sync running in this
   * process is left to its run's end.
   */
  public void refresh() {
    for (SyncBoard.Entry entry : board.entries()) {
      if (Thread.currentThread().isInterrupted()) {
        return; // stopping
      }
      if (!entry.running()) {
        readHistory(entry.sync());
      }
    }
  }

  /** A changed config failed to load: the old one keeps running, and readiness says why. */
  public void reloadFailed(String problems) {
    readiness.reloadFailed(problems);
  }

  /** The sync's newest run and last success, or why its target could not be read. */
  private void readHistory(String sync) {
    try {
      List<RunRecord> runs = engine.get().history(sync, HISTORY_SEARCHED);
      Optional<Instant> lastSuccess =
          runs.stream()
              .filter(run -> run.status() == RunStatus.SUCCEEDED)
              .findFirst()
              .flatMap(RunRecord::finishedAt);
      Optional<RunRecord> newest = runs.stream().findFirst();
      // a run that ended while this was read may be on the board already: keep the newer
      board.update(
          sync,
          entry ->
              entry.withHistory(
                  entry
                      .lastRun()
                      .filter(
                          known ->
                              newest.isEmpty()
                                  || known.startedAt().isAfter(newest.get().startedAt()))
                      .or(() -> newest),
                  Stream.of(lastSuccess, entry.lastSuccess())
                      .flatMap(Optional::stream)
                      .max(Comparator.naturalOrder()),
                  Optional.empty()));
    } catch (RuntimeException e) {
      // a QsyncException says what is wrong with the target; anything else is a bug, still shown
      String why = e instanceof QsyncException ? e.getMessage() : "internal error: " + e;
      board.update(
          sync, entry -> entry.withHistory(entry.lastRun(), entry.lastSuccess(), Optional.of(why)));
    }
  }

  /**
   * Takes no new runs, interrupts the runs going on and waits for them at most {@code timeout};
   * whether all ended.
   */
  public boolean stop(Duration timeout) throws InterruptedException {
    refresher.shutdownNow();
    return scheduler.stop(timeout);
  }

  /** The config running now. */
  public QsyncConfig config() {
    return engine.get().config();
  }

  public SyncBoard board() {
    return board;
  }

  /** "Run now", for the status page. */
  public RunTrigger trigger() {
    return scheduler;
  }

  /** The syncs' run histories with each run's throttled time, for the status page. */
  public HistoryReader history() {
    return history;
  }

  public Readiness readiness() {
    return readiness;
  }
}
