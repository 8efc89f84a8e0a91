package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.Sleeper;
import io.qsync.config.SyncConfig;
import io.qsync.config.ThrottleConfig;
import io.qsync.destination.Destination;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Keeps one run's writes within what the target can take: sizes the batches, holds the row rate,
 * pauses while the target or a replica is busy or the operator's pause file exists, and stops the
 * run (resumable) at a critical threshold or after {@code max_pause}. The target, once seen clear,
 * is taken as clear for {@code probe_interval} (reading its load costs a round trip, a tenth of a
 * small batch's time), so a pause begins at the first batch after that interval. Tells {@link
 * Progress} when a pause begins, changes reason and ends; sums up waiting time per rule. Not
 * thread-safe.
 */
final class Throttle {
  /** How often a paused run looks at the target again. */
  static final Duration RECHECK = Duration.ofSeconds(1);

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
      Progress progress) {
    return new Throttle(
        sync.throttle(),
        sync.batchSize(),
        new ThrottleProbe(sync.throttle(), target, replicas),
        clock,
        sleeper,
        progress);
  }

  Throttle(
      ThrottleConfig config,
      int batchSize,
      Supplier<LoadSample> probe,
      Clock clock,
      Sleeper sleeper,
      Progress progress) {
    this.config = requireNonNull(config, "config is null");
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
      Instant before = clock.instant();
      sleeper.pause(wait);
      count(
          "max_rows_per_second " + config.maxRowsPerSecond(),
          Duration.between(before, clock.instant()));
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
                    + " to spare the target\nRun again once the target is calmer: the run"
                    + " resumes after its last committed batch.");
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
                    + "\nRun again"
                    + " once the target is calmer: the run resumes after its last committed"
                    + " batch.");
          }
          sleeper.pause(RECHECK);
          count(decision.rule(), Duration.between(now, clock.instant()));
        }
        default -> throw new IllegalStateException("unknown action " + decision.action());
      }
    }
  }

  /** A batch of {@code rows} committed, {@code took} after it began. */
  void batchDone(int rows, Duration took) {
    wroteBatch = true;
    sizer.record(rows, took);
  }

  ThrottleReport report(int retries) {
    return new ThrottleReport(
        throttled,
        throttledBy,
        retries,
        wroteBatch ? sizer.smallest() : 0,
        wroteBatch ? sizer.largest() : 0);
  }

  private void count(String rule, Duration waited) {
    throttled = throttled.plus(waited);
    throttledBy.merge(rule, waited, Duration::plus);
  }
}
