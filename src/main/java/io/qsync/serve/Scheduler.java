package io.qsync.serve;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.EverySchedule;
import io.qsync.config.Schedule;
import io.qsync.config.SyncConfig;
import io.qsync.config.SyncService;
import io.qsync.engine.RunFailedException;
import io.qsync.engine.RunOptions;
import io.qsync.engine.RunReport;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Decides when each sync of {@code qsync serve} runs and runs it: on its schedule (jitter added),
 * or when asked ({@link #runNow}), never two runs of one sync at a time, at most {@code
 * maxConcurrentRuns} at once, each on a named daemon thread of its own pool. It keeps the {@link
 * SyncBoard} current (next run, running since, last outcome, the history after each run) and tells
 * the {@link RunListener}s of every run.
 *
 * <p>Lifecycle: {@link #configure} with the config's syncs (again on every reload), then either
 * {@link #start} a loop thread that calls {@link #tick} whenever something may be due, or call
 * {@link #tick} yourself (tests, with a manual clock); {@link #stop} takes no new runs, interrupts
 * the runs going on (each stops after its current batch and records itself interrupted) and waits
 * for them, bounded.
 *
 * <p>A scheduled time that comes while the sync still runs is skipped, not queued: the sync runs
 * again at its next time. A run that meets the lock of another process ({@code qsync run}) ends
 * with {@link ErrorKind#LOCK_HELD}, an outcome like any other.
 *
 * <p>Thread-safe.
 */
public final class Scheduler implements RunTrigger {
  /** What {@code schedule} calls a run started by the schedule. */
  public static final String SCHEDULED = "schedule";

  /** How long the loop waits at most before it looks again, whatever the clock says. */
  private static final Duration LONGEST_WAIT = Duration.ofSeconds(1);

  /**
   * Runs one sync to its end, as {@code qsync run} would, and throws what the run throws; an
   * interrupt of the calling thread asks it to stop after its current batch. Called on the runs'
   * threads, for different syncs at once: implementations are thread-safe.
   */
  @FunctionalInterface
  public interface SyncRun {
    RunReport run(String sync, RunOptions options);
  }

  /** A run waiting for a free place. */
  private record Request(String trigger, RunOptions options, Instant at) {}

  /** What the scheduler knows of one sync; guarded by the scheduler. */
  private static final class Plan {
    final SyncConfig sync;
    Optional<Instant> due = Optional.empty();
    Optional<Request> pending = Optional.empty();

    Plan(SyncConfig sync) {
      this.sync = sync;
    }

    SyncService service() {
      return sync.service();
    }
  }

  private final Clock clock;
  private final RandomGenerator random;
  private final SyncRun runner;
  private final SyncBoard board;
  private final HistoryReader history;
  private final List<RunListener> listeners;
  private final ExecutorService pool;

  private final Map<String, Plan> plans = new LinkedHashMap<>();
  private final Set<String> running = new HashSet<>();
  private int maxConcurrentRuns;
  private boolean stopping;
  private Thread loop;

  /**
   * @param random draws each start's jitter
   * @param runner runs one sync (the engine's {@code Qsync.run}; a fake in tests)
   * @param history reads a sync's newest runs after each run, for the board
   */
  public Scheduler(
      Clock clock,
      RandomGenerator random,
      int maxConcurrentRuns,
      SyncRun runner,
      SyncBoard board,
      HistoryReader history,
      List<RunListener> listeners) {
    this.clock = requireNonNull(clock, "clock is null");
    this.random = requireNonNull(random, "random is null");
    this.runner = requireNonNull(runner, "runner is null");
    this.board = requireNonNull(board, "board is null");
    this.history = requireNonNull(history, "history is null");
    this.listeners = List.copyOf(listeners);
    setMaxConcurrentRuns(maxConcurrentRuns);
    AtomicInteger threads = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE, // bounded by maxConcurrentRuns: a run is handed over only then
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            task -> {
              Thread thread = new Thread(task, "qsync-run-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /** How many runs may go at once from now on (a reload may change it). */
  public synchronized void setMaxConcurrentRuns(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("maxConcurrentRuns must be positive: " + limit);
    }
    this.maxConcurrentRuns = limit;
    notifyAll();
  }

  /**
   * Schedules exactly these syncs (the config was loaded or reloaded), and puts them on the board
   * in this order. A sync that stays with the same schedule and jitter keeps its next run; a new or
   * changed one gets a next run from now ({@code every}: its last run's start plus the interval, or
   * now when that has passed or it never ran). A removed sync is no longer scheduled; a run of it
   * going on ends on its own.
   */
  public synchronized void configure(Collection<SyncConfig> syncs) {
    Instant now = clock.instant();
    board.reset(boardEntries(syncs, now));
    Map<String, Plan> next = new LinkedHashMap<>();
    for (SyncConfig sync : syncs) {
      Plan known = plans.get(sync.name());
      Plan plan = new Plan(sync);
      if (known != null) {
        plan.pending = known.pending;
      }
      if (known != null && sameTiming(known.service(), sync.service())) {
        plan.due = known.due;
      } else {
        plan.due = firstDue(sync, now);
      }
      next.put(sync.name(), plan);
    }
    plans.clear();
    plans.putAll(next);
    showNextRuns();
    notifyAll();
  }

  /**
   * The board's entries of these syncs, nothing known of them yet but that they are watched from
   * {@code now}: {@link SyncBoard#reset} with them, then fill in the history, before {@link
   * #configure} (which keeps what the board knows).
   */
  public static List<SyncBoard.Entry> boardEntries(Collection<SyncConfig> syncs, Instant now) {
    List<SyncBoard.Entry> entries = new ArrayList<>();
    for (SyncConfig sync : syncs) {
      entries.add(
          SyncBoard.Entry.of(
                  sync.name(),
                  sync.table(),
                  sync.target(),
                  sync.service().schedule().map(Schedule::describe),
                  sync.service().maxStaleness())
              .withDiff(sync.diff().strategy())
              .withWatchedSince(now));
    }
    return entries;
  }

  private static boolean sameTiming(SyncService known, SyncService fresh) {
    return known.schedule().map(Schedule::describe).equals(fresh.schedule().map(Schedule::describe))
        && known.jitter().equals(fresh.jitter());
  }

  private Optional<Instant> firstDue(SyncConfig sync, Instant now) {
    Optional<Schedule> schedule = sync.service().schedule();
    if (schedule.isEmpty()) {
      return Optional.empty();
    }
    if (schedule.get() instanceof EverySchedule every) {
      Optional<Instant> lastStart =
          board.entry(sync.name()).flatMap(SyncBoard.Entry::lastRun).map(RunRecord::startedAt);
      Instant at = lastStart.map(every::next).filter(now::isBefore).orElse(now);
      return Optional.of(at.plus(jitter(sync.service())));
    }
    return Optional.of(schedule.get().next(now).plus(jitter(sync.service())));
  }

  /** A random delay in [0, jitter). */
  private Duration jitter(SyncService service) {
    long millis = service.jitter().toMillis();
    return millis <= 0 ? Duration.ZERO : Duration.ofMillis(random.nextLong(millis));
  }

  /**
   * Starts what is due now: each sync whose scheduled time has come (skipped when it still runs),
   * then the waiting runs, oldest first, while the limit lets them.
   */
  public synchronized void tick() {
    if (stopping) {
      return;
    }
    Instant now = clock.instant();
    for (Plan plan : plans.values()) {
      if (plan.due.isEmpty() || plan.due.get().isAfter(now)) {
        continue;
      }
      Schedule schedule = plan.service().schedule().orElseThrow();
      boolean busy = running.contains(plan.sync.name()) || plan.pending.isPresent();
      if (!busy) {
        plan.pending = Optional.of(new Request(SCHEDULED, RunOptions.DEFAULT, plan.due.get()));
      }
      if (schedule instanceof EverySchedule every) {
        // the next time follows the run's start; a time missed while it ran keeps the rhythm
        plan.due = busy ? Optional.of(every.next(plan.due.get())) : Optional.empty();
        while (busy && !plan.due.get().isAfter(now)) {
          plan.due = Optional.of(every.next(plan.due.get()));
        }
      } else {
        plan.due = Optional.of(schedule.next(now).plus(jitter(plan.service())));
      }
    }
    List<Plan> waiting =
        plans.values().stream()
            .filter(plan -> plan.pending.isPresent())
            .sorted(Comparator.comparing(plan -> plan.pending.get().at()))
            .toList();
    for (Plan plan : waiting) {
      if (running.size() >= maxConcurrentRuns) {
        break;
      }
      if (running.contains(plan.sync.name())) {
        continue; // a run asked for while one ran starts once that one ends
      }
      Request request = plan.pending.get();
      plan.pending = Optional.empty();
      if (plan.service().schedule().orElse(null) instanceof EverySchedule every) {
        plan.due = Optional.of(every.next(now).plus(jitter(plan.service())));
      }
      start(plan.sync.name(), request, now);
    }
    showNextRuns();
  }

  private void start(String sync, Request request, Instant now) {
    running.add(sync);
    board.update(sync, entry -> entry.withRunningSince(Optional.of(now)));
    pool.execute(() -> runOnThisThread(sync, request));
  }

  private void showNextRuns() {
    for (Plan plan : plans.values()) {
      Optional<Instant> next = plan.pending.map(Request::at).or(() -> plan.due);
      board.update(plan.sync.name(), entry -> entry.withNextRun(next));
    }
  }

  /** The run itself, on a pool thread; never throws. */
  private void runOnThisThread(String sync, Request request) {
    try {
      Instant startedAt = clock.instant();
      listeners.forEach(
          listener -> tell(() -> listener.runStarted(sync, request.trigger(), startedAt)));
      RunOutcome outcome;
      try {
        RunReport report = runner.run(sync, request.options());
        outcome =
            new RunOutcome(
                sync,
                request.trigger(),
                startedAt,
                clock.instant(),
                Optional.of(report.runId()),
                Optional.of(report),
                Optional.empty(),
                Optional.empty());
      } catch (RuntimeException e) {
        QsyncException error =
            e instanceof QsyncException known
                ? known
                : new QsyncException(ErrorKind.INTERNAL, "internal error: " + e, e);
        outcome =
            new RunOutcome(
                sync,
                request.trigger(),
                startedAt,
                clock.instant(),
                e instanceof RunFailedException failed
                    ? Optional.of(failed.runId())
                    : Optional.empty(),
                Optional.empty(),
                Optional.of(String.valueOf(error.getMessage())),
                Optional.of(error.kind()),
                e instanceof RunFailedException failed ? failed.throttledBy() : Map.of());
      }
      RunOutcome finished = outcome;
      board.update(
          sync, entry -> entry.withRunningSince(Optional.empty()).withLastOutcome(finished));
      refreshHistory(sync, finished);
      listeners.forEach(listener -> tell(() -> listener.runFinished(finished)));
    } finally {
      synchronized (this) {
        running.remove(sync);
        notifyAll();
      }
    }
  }

  /** Puts the sync's newest recorded run on the board, or why the history could not be read. */
  private void refreshHistory(String sync, RunOutcome outcome) {
    try {
      Optional<RunRecord> newest = history.history(sync, 1).stream().findFirst().map(RunView::run);
      board.update(
          sync,
          entry -> {
            Optional<Instant> lastSuccess =
                newest
                    .filter(run -> run.status() == RunStatus.SUCCEEDED)
                    .flatMap(RunRecord::finishedAt)
                    .or(
                        () ->
                            outcome.succeeded()
                                ? Optional.of(outcome.finishedAt())
                                : Optional.empty())
                    .or(entry::lastSuccess);
            return entry.withHistory(newest.or(entry::lastRun), lastSuccess, Optional.empty());
          });
    } catch (RuntimeException e) {
      board.update(
          sync,
          entry ->
              entry.withHistory(
                  entry.lastRun(),
                  outcome.succeeded() ? Optional.of(outcome.finishedAt()) : entry.lastSuccess(),
                  Optional.of(String.valueOf(e.getMessage()))));
    }
  }

  /** Calls a listener, which must not throw; if it does, the run goes on regardless. */
  private static void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      // a listener's bug must not stop a run or the others; the listener reports its own errors
    }
  }

  @Override
  public synchronized Answer runNow(String sync, RunOptions options, String trigger) {
    requireNonNull(options, "options is null");
    requireNonNull(trigger, "trigger is null");
    Plan plan = plans.get(sync);
    if (plan == null) {
      return Answer.UNKNOWN_SYNC;
    }
    if (stopping) {
      return Answer.STOPPING;
    }
    if (running.contains(sync) || plan.pending.isPresent()) {
      return Answer.ALREADY_RUNNING;
    }
    plan.pending = Optional.of(new Request(trigger, options, clock.instant()));
    showNextRuns();
    notifyAll();
    return Answer.STARTED;
  }

  /** The syncs running now. */
  public synchronized Set<String> running() {
    return Set.copyOf(running);
  }

  /**
   * Waits until no run goes on, at most {@code timeout}; whether none does. Does not keep new runs
   * from starting.
   */
  public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!running.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** Starts the loop thread, {@code qsync-scheduler}, that ticks whenever something may be due. */
  public synchronized void start() {
    if (loop != null) {
      throw new IllegalStateException("the scheduler runs already");
    }
    loop = new Thread(this::loop, "qsync-scheduler");
    loop.setDaemon(true);
    loop.start();
  }

  private void loop() {
    synchronized (this) {
      while (!stopping) {
        tick();
        try {
          TimeUnit.MILLISECONDS.timedWait(this, untilNextTick().toMillis() + 1);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** How long the loop may wait: until the earliest next run, at most {@link #LONGEST_WAIT}. */
  private Duration untilNextTick() {
    Instant now = clock.instant();
    Duration wait = LONGEST_WAIT;
    for (Plan plan : plans.values()) {
      if (plan.pending.isPresent() && running.size() < maxConcurrentRuns) {
        return Duration.ZERO;
      }
      if (plan.due.isPresent()) {
        Duration until = Duration.between(now, plan.due.get());
        wait = until.compareTo(wait) < 0 ? until : wait;
      }
    }
    return wait.isNegative() ? Duration.ZERO : wait;
  }

  /**
   * Takes no new runs, interrupts the runs going on (each stops after its current batch and records
   * itself interrupted) and waits for them at most {@code timeout}; whether all ended.
   */
  public boolean stop(Duration timeout) throws InterruptedException {
    Thread loopThread;
    synchronized (this) {
      stopping = true;
      plans.values().forEach(plan -> plan.pending = Optional.empty());
      showNextRuns();
      loopThread = loop;
      notifyAll();
    }
    pool.shutdownNow();
    boolean ended = pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (loopThread != null) {
      loopThread.join(Math.max(1, timeout.toMillis()));
    }
    return ended;
  }
}
