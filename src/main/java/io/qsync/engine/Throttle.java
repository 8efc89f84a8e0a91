package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.Sleeper;
import io.qsync.config.SyncConfig;
import io.qsync.config.ThrottleConfig;
import io.qsync.destination.Destination;
import io.qsync.engine.LatencyController.Activity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Keeps one run's writes within what the target can take: sizes the batches, holds the row rate,
 * pauses while the target or a replica is busy or the operator's pause file exists, and stops the
 * run (resumable) at a critical threshold or after {@code max_pause}. The target, once seen clear,
 * is taken as clear for {@code probe_interval} (reading its load costs a round trip, a tenth of a
 * small batch's time), so a pause begins at the first batch after that interval. Tells {@link
 * Progress} when a pause begins, changes reason and ends; sums up waiting time per rule.
 *
 * <p>Self-throttled (the default), it also times a probe query on a session of its own ({@link
 * LatencySampler}) and lets a {@link LatencyController} decide, once a {@link #DECIDE_EVERY}, what
 * share of the time the sync writes: after each batch it waits so long that writing takes that
 * share, and batches aim at the batch time scaled by it. Lifecycle: construct, use, {@link
 * #close()} (stops the probe). Not thread-safe.
 */
final class Throttle implements AutoCloseable {
  /** How often a paused run looks at the target again. */
  static final Duration RECHECK = Duration.ofSeconds(1);

  /** How often the self-throttle decides: ten probe readings. */
  static final Duration DECIDE_EVERY = Duration.ofSeconds(1);

  /**
   * How long the self-throttle looks at the server before a run's first batch: three probe
   * readings, enough to tell an idle server from a busy one, and the probe's baseline while the
   * sync does not write.
   */
  static final Duration FIRST_LOOK = Duration.ofMillis(300);

  /**
   * How long the sync stops writing to learn the probe's baseline: four readings, once other
   * sessions are seen at work, and again every {@link LatencyController#RELEARN}.
   */
  static final Duration LEARN = Duration.ofMillis(400);

  /** The most self-throttle decisions a run report keeps. */
  static final int DECISIONS_KEPT = 100;

  private final ThrottleConfig config;
  private final ThrottlePolicy policy;
  private final Supplier<LoadSample> probe;
  private final BatchSizer sizer;
  private final RateLimiter limiter;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Progress progress;
  private final Map<String, Duration> throttledBy = new LinkedHashMap<>();
  private Duration throttled = Duration.ZERO;
  private boolean wroteBatch;

  /** The self-throttle; null without one. */
  private final LatencyController controller;

  private final Supplier<LatencySampler> samplers;
  private final LongSupplier ownStatements;
  private final String budgetRule;
  private final List<String> decisions = new ArrayList<>();
  private LatencySampler sampler;

  /** When the probe began to watch the run's work before its first batch; null: it did not. */
  private Instant watchedFrom;

  /**
   * Since when the run's work before its first batch has not been paced: {@link #watchedFrom}, or
   * the end of the rest after the last piece {@link #paceWork} paced. The first batch charges only
   * this work: a chunk already rested for is not rested for again.
   */
  private Instant unpacedFrom;

  /** When the last piece of the run's work that {@link #paceWork} paces began. */
  private Instant pieceFrom;

  private long ownAtTake;
  private boolean wroteSinceTake;
  private Duration lastBatch = Duration.ZERO;
  private final Caller caller;
  private Instant startedAt;
  private Instant nextDecision;
  private boolean told;

  /** When the target was last seen clear; null before the first look. */
  private Instant clearAt;

  /**
   * The throttle of one of the sync's writes or reads of its table: the sync's throttle settings
   * and batch size, the target's load and its replicas' lag as the probe.
   */
  static Throttle of(
      SyncConfig sync,
      Destination target,
      Map<String, Destination> replicas,
      Clock clock,
      Sleeper sleeper,
      Progress progress,
      Caller caller) {
    ThrottleConfig config = sync.throttle();
    return new Throttle(
        config,
        sync.batchSize(),
        new ThrottleProbe(config, target, replicas),
        () -> new LatencySampler(target.openLatencyProbe(sync.table(), sync.key())),
        target::statementsRun,
        config.selfThrottled()
            ? CONTROLLERS.computeIfAbsent(
                List.of(sync.name(), target.describeLocation(), config),
                key -> newController(config))
            : null,
        clock,
        sleeper,
        progress,
        caller);
  }

  /**
   * Each sync's self-throttle, per throttle settings, kept from one run to the next in this process
   * (qsync serve, soak), so that on a busy server a run starts at the share and with the baseline
   * the last one ended with, as TCP keeps a path's window. Runs of one sync take turns under its
   * lock.
   */
  private static final Map<List<Object>, LatencyController> CONTROLLERS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static LatencyController newController(ThrottleConfig config) {
    return new LatencyController(
        config.maxLatencyIncrease(), config.maxProbeLatency(), config.idleBelow());
  }

  /** Without the self-throttle. */
  Throttle(
      ThrottleConfig config,
      int batchSize,
      Supplier<LoadSample> probe,
      Clock clock,
      Sleeper sleeper,
      Progress progress,
      Caller caller) {
    this(config, batchSize, probe, null, () -> 0, null, clock, sleeper, progress, caller);
  }

  /**
   * @param samplers starts the probe of the self-throttle, at the first batch; null: no
   *     self-throttle
   * @param ownStatements the statements the run's work session has run so far
   * @param controller the self-throttle's controller; null: none
   * @param caller whose writes or reads are throttled: a stop tells a run that it resumes, and a
   *     verify (which heals too) that it is tried again
   */
  Throttle(
      ThrottleConfig config,
      int batchSize,
      Supplier<LoadSample> probe,
      Supplier<LatencySampler> samplers,
      LongSupplier ownStatements,
      LatencyController controller,
      Clock clock,
      Sleeper sleeper,
      Progress progress,
      Caller caller) {
    this.caller = requireNonNull(caller, "caller is null");
    this.config = requireNonNull(config, "config is null");
    this.samplers = samplers;
    this.ownStatements = requireNonNull(ownStatements, "ownStatements is null");
    this.controller = samplers == null ? null : controller;
    this.budgetRule =
        selfThrottleRule(
            config.maxProbeLatency().isZero()
                ? config.maxLatencyIncrease() + "x its baseline"
                : LatencyController.millis(config.maxProbeLatency()));
    this.policy = new ThrottlePolicy(config);
    this.probe = requireNonNull(probe, "probe is null");
    this.sizer =
        new BatchSizer(
            batchSize,
            config.minBatchSize(batchSize),
            config.maxBatchSize(batchSize),
            config.batchTime());
    this.limiter = new RateLimiter(config.maxRowsPerSecond());
    this.clock = requireNonNull(clock, "clock is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.progress = requireNonNull(progress, "progress is null");
  }

  /**
   * The rule the self-throttle's waits are summed up under: what the wait is for, {@code
   * self-throttle to keep the probe within 1.3x its baseline}, not a state that sounds healthy.
   * Runs stored before named it {@code self-throttle, probe within 1.3x baseline}; the run history
   * reads that name as this one ({@code MySqlRunStore.throttleOf}).
   *
   * @param budget {@code 1.3x its baseline}, {@code 2.00ms}
   */
  static String selfThrottleRule(String budget) {
    return "self-throttle to keep the probe within " + budget;
  }

  /** How many changes the next batch should hold. */
  int nextBatchSize() {
    return sizer.next();
  }

  /**
   * Returns when a batch of {@code rows} may be written: after its turn under the row rate, and
   * once the target is clear (or was seen clear less than {@code probe_interval} ago).
   *
   * @throws QsyncException (FAILED, resumable) at a critical threshold or after max_pause
   */
  void awaitClearance(int rows, long batchEnd) {
    Duration wait = limiter.reserve(rows, clock.instant());
    if (!wait.isZero()) {
      waitFor(wait, "max_rows_per_second " + config.maxRowsPerSecond());
    }
    if (controller != null && rows > 0) {
      govern();
    }
    if (clearAt != null
        && Duration.between(clearAt, clock.instant()).compareTo(config.probeInterval()) < 0) {
      return;
    }
    Instant pauseStarted = null;
    String pausedFor = null;
    while (true) {
      ThrottleDecision decision = policy.decide(probe.get());
      Instant now = clock.instant();
      switch (decision.action()) {
        case GO -> {
          clearAt = now;
          if (pauseStarted != null) {
            progress.resumed(Duration.between(pauseStarted, now));
          }
          return;
        }
        case ABORT ->
            throw new QsyncException(
                ErrorKind.FAILED,
                "throttle: "
                    + decision.reason()
                    + "; stopped before the batch ending at change "
                    + batchEnd
                    + " to spare the target\n"
                    + onceCalmer());
        case PAUSE -> {
          if (pauseStarted == null) {
            pauseStarted = now;
          }
          if (!decision.rule().equals(pausedFor)) {
            progress.paused(decision.reason());
            pausedFor = decision.rule();
          }
          Duration paused = Duration.between(pauseStarted, now);
          if (paused.compareTo(config.maxPause()) >= 0) {
            throw new QsyncException(
                ErrorKind.FAILED,
                "throttle: paused for "
                    + ThrottlePolicy.seconds(paused)
                    + " ("
                    + decision.reason()
                    + ") before the batch ending at change "
                    + batchEnd
                    + "; gave up after"
                    + " max_pause "
                    + ThrottlePolicy.seconds(config.maxPause())
                    + "\n"
                    + onceCalmer());
          }
          pause(RECHECK);
          count(decision.rule(), Duration.between(now, clock.instant()));
        }
        default -> throw new IllegalStateException("unknown action " + decision.action());
      }
    }
  }

  /**
   * The self-throttle's turn before a batch: at the first batch, start the probe (unless it {@link
   * #watchTheRun watched the run} already) and look at the server for {@link #FIRST_LOOK} without
   * writing, then decide, and judge the run's work so far if it watched it; after that, wait out
   * the pause that keeps writing to its share, and decide once a {@link #DECIDE_EVERY}. Every run
   * looks before it writes: the controller is kept from one run to the next, but what it judged
   * then (an idle server, say) may have changed since.
   */
  private void govern() {
    if (startedAt == null) {
      Optional<LatencySampler.Readings> work = Optional.empty();
      Duration worked = Duration.ZERO;
      if (sampler == null) {
        sampler = samplers.get();
      } else {
        work = Optional.of(sampler.take());
        worked = Duration.between(unpacedFrom, clock.instant());
      }
      startedAt = clock.instant();
      wroteSinceTake = false;
      ownAtTake = ownStatements.getAsLong();
      waitFor(FIRST_LOOK, "learning whether other sessions are at work");
      decide();
      if (work.isPresent()) {
        restAfterWork(work.get(), worked);
      }
      return;
    }
    Duration pause = controller.pauseAfter(lastBatch);
    if (!pause.isZero()) {
      waitFor(pause, budgetRule);
    }
    if (!clock.instant().isBefore(nextDecision)) {
      decide();
    }
  }

  /**
   * The self-throttle's probe starts now rather than at the first batch, so that it sees the run's
   * work before it writes (its query, extract, reads of the table and diff): at the first batch, if
   * the server is busy and the probe was over budget meanwhile, the run rests before writing so
   * that this work too takes the self-throttle's share ({@link LatencyController#judgeWork}).
   * Without the self-throttle, or called twice, it does nothing.
   */
  void watchTheRun() {
    if (controller != null && sampler == null) {
      sampler = samplers.get();
      watchedFrom = clock.instant();
      unpacedFrom = watchedFrom;
      pieceFrom = watchedFrom;
      ownAtTake = ownStatements.getAsLong();
    }
  }

  /**
   * A piece of the run's work before its first batch that can pause after it (a chunk of the table
   * read back) just ended: the sync rests so that this work takes the self-throttle's share, as
   * writing does between batches, and decides once a {@link #DECIDE_EVERY} from the probe's
   * readings meanwhile (which are not quiet: the sync worked). The piece is timed from the end of
   * the last one's rest (or from {@link #watchTheRun}); the first batch charges only the work after
   * the last piece's rest, not the pieces again. A piece counts as paced once this run decided or
   * the share (carried from the sync's last run) had it rest; one read before the first decision at
   * a share of 1 rests for nothing and stays unpaced: the next piece that is paced is timed from
   * its start and rests for both, or else the first batch charges it. On an idle server the share
   * is 1 and it never rests. Without the self-throttle, before {@link #watchTheRun} or once the run
   * writes, it does nothing.
   */
  void paceWork() {
    if (controller == null || watchedFrom == null || startedAt != null) {
      return;
    }
    Duration piece = Duration.between(pieceFrom, clock.instant());
    wroteSinceTake = true;
    // A chunk read before the probe's second reading leaves nothing to judge the server by: the
    // decision waits for a later chunk, rather than holding with "no probe reading".
    boolean due = nextDecision == null || !clock.instant().isBefore(nextDecision);
    if (due && sampler.waiting() >= 2) {
      decide(Activity.READING);
    }
    if (nextDecision == null && controller.share() >= 1) {
      return; // nothing to rest for yet: this piece joins the next one (or the first batch's)
    }
    rest(piece);
    pieceFrom = clock.instant();
    unpacedFrom = pieceFrom;
  }

  /**
   * Judges the run's work before the first batch from the probe's readings meanwhile and, over
   * budget, rests until the share, growing as the sync rests ({@link LatencyController#rested}),
   * says that {@code worked} has been made up for.
   */
  private void restAfterWork(LatencySampler.Readings work, Duration worked) {
    List<Duration> sorted = work.latencies().stream().sorted().toList();
    Duration median = sorted.isEmpty() ? Duration.ZERO : sorted.get(sorted.size() / 2);
    Optional<LatencyController.Step> judged =
        controller.judgeWork(median, sorted.size(), worked, clock.instant());
    if (judged.isEmpty()) {
      return;
    }
    note(judged.get());
    rest(worked);
  }

  /**
   * Rests after {@code worked} of the run's work so that it takes the share, in slices of at most
   * {@link #DECIDE_EVERY} as the share grows ({@link LatencyController#rested}): less is owed with
   * each second, so a low share does not keep the sync idle for many times its work (a 0.5 s chunk
   * at 2 %: about 2 s, not 24.5 s).
   */
  private void rest(Duration worked) {
    Duration rested = Duration.ZERO;
    Duration owed = controller.pauseAfter(worked);
    while (rested.compareTo(owed) < 0) {
      Duration rest = owed.minus(rested);
      Duration slice = rest.compareTo(DECIDE_EVERY) < 0 ? rest : DECIDE_EVERY;
      waitFor(slice, budgetRule);
      rested = rested.plus(slice);
      controller.rested(slice);
      owed = controller.pauseAfter(worked);
    }
  }

  private void decide() {
    decide(Activity.WRITING);
  }

  private void decide(Activity doing) {
    LatencyController.Step step = controller.decide(window(), clock.instant(), doing);
    if (step.move() == LatencyController.Move.LEARN) {
      if (step.changed()) {
        note(step); // the server turned busy: told before the learning, not after it
      }
      waitFor(LEARN, step.rule());
      step = controller.decide(window(), clock.instant(), doing);
    }
    note(step);
    sizer.aimAt(controller.batchTime(config.batchTime()));
    nextDecision = clock.instant().plus(DECIDE_EVERY);
  }

  /** What the probe saw since the last decision, with the run's own statements taken out. */
  private LatencyController.Window window() {
    LatencySampler.Readings readings = sampler.take();
    long own = ownStatements.getAsLong();
    long ours = own - ownAtTake;
    ownAtTake = own;
    boolean quiet = !wroteSinceTake;
    wroteSinceTake = false;
    double seconds = readings.span().toNanos() / 1e9;
    double others = seconds <= 0 ? -1 : Math.max(0, readings.otherStatements() - ours) / seconds;
    List<Duration> sorted = readings.latencies().stream().sorted().toList();
    Duration median = sorted.isEmpty() ? Duration.ZERO : sorted.get(sorted.size() / 2);
    return new LatencyController.Window(sorted.size(), median, others, quiet);
  }

  /** Tells the run's first decision, then those that change the throttle's state. */
  private void note(LatencyController.Step step) {
    if (!step.changed() && told) {
      return;
    }
    told = true;
    progress.paced(step.reason());
    if (decisions.size() < DECISIONS_KEPT) {
      // before the first batch (while the table is read in chunks) the time is into the run's
      // work, and said so: "+..." alone is time into the apply step
      decisions.add(
          (startedAt == null
                  ? "before writing, +"
                      + ThrottlePolicy.seconds(Duration.between(watchedFrom, clock.instant()))
                  : "+" + ThrottlePolicy.seconds(Duration.between(startedAt, clock.instant())))
              + " "
              + step.reason());
    }
  }

  /** A batch of {@code rows} committed, {@code took} after it began. */
  void batchDone(int rows, Duration took) {
    wroteBatch = true;
    wroteSinceTake = true;
    lastBatch = took;
    sizer.record(rows, took);
  }

  ThrottleReport report(int retries) {
    return new ThrottleReport(
        throttled,
        throttledBy,
        retries,
        wroteBatch ? sizer.smallest() : 0,
        wroteBatch ? sizer.largest() : 0,
        decisions);
  }

  /** Stops the self-throttle's probe. */
  @Override
  public void close() {
    if (sampler != null) {
      sampler.close();
    }
  }

  /**
   * What to do after the throttle stopped the work: a run resumes after its last committed batch; a
   * verify, or its heal, keeps nothing to resume and is simply tried again: by hand, or by the next
   * run when it was due.
   */
  private String onceCalmer() {
    return switch (caller) {
      case RUN ->
          "Run again once the target is calmer: the run resumes after its last committed batch.";
      default ->
          caller.orNextRun(
              "Try qsync "
                  + caller.command()
                  + " again once the target is calmer (it keeps nothing to resume).");
    };
  }

  /** Waits; an interrupt ends the work as interrupted, saying what the caller does next. */
  private void pause(Duration wait) {
    if (caller == Caller.RUN) {
      sleeper.pause(wait);
      return;
    }
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QsyncException(
          ErrorKind.INTERRUPTED,
          "interrupted while waiting for the throttle\n"
              + caller.orNextRun(
                  "Try qsync " + caller.command() + " again (it keeps nothing to resume)."),
          e);
    }
  }

  private void waitFor(Duration wait, String rule) {
    Instant before = clock.instant();
    pause(wait);
    count(rule, Duration.between(before, clock.instant()));
  }

  private void count(String rule, Duration waited) {
    throttled = throttled.plus(waited);
    throttledBy.merge(rule, waited, Duration::plus);
  }
}
