package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a sync spares the target while it writes: a row rate, a transaction time per batch that sizes
 * the batches, pauses while the target or a replica is busy, an operator's pause file, and when to
 * give up. A value of 0 turns a limit off. Immutable.
 *
 * @param maxRowsPerSecond the most changes written per second; 0: no limit
 * @param batchTime the transaction time a batch aims at, growing or shrinking the batch size
 *     between {@code minBatchSize} and {@code maxBatchSize}; zero: every batch is {@code
 *     batch_size}
 * @param minBatchSize the smallest batch; 0: {@value #DEFAULT_MIN_BATCH_SIZE}, or the sync's batch
 *     size when that is smaller
 * @param maxBatchSize the largest batch; 0: {@value #DEFAULT_MAX_BATCH_FACTOR} times the sync's
 *     batch size, at most {@value #DEFAULT_MAX_BATCH_SIZE} (or the batch size when that is larger)
 * @param maxThreadsRunning pause while the target's {@code Threads_running} is at least this
 * @param criticalThreadsRunning stop the run (resumable) when {@code Threads_running} reaches this
 * @param replicas mysql connections whose replication lag is watched
 * @param maxReplicaLag pause while a replica lags this much or more
 * @param criticalReplicaLag stop the run (resumable) when a replica lags this much
 * @param pauseFile while this file exists, every sync that names it pauses
 * @param maxPause how long one pause may last before the run gives up (resumable)
 * @param probeInterval how long the target, once seen clear, is taken as clear before it is read
 *     again: batches within it go without a look; zero: read it before every batch
 * @param maxLatencyIncrease the self-throttle's budget: the probe query's median may rise to this
 *     multiple of its baseline; 0: no self-throttle (with {@code maxProbeLatency} zero)
 * @param maxProbeLatency the self-throttle's budget as a time the probe's median may reach; zero:
 *     {@code maxLatencyIncrease} governs
 * @param idleBelow statements a second of other sessions under which the target counts as idle and
 *     the self-throttle lets the sync write all the time; 0: never idle
 */
public record ThrottleConfig(
    long maxRowsPerSecond,
    Duration batchTime,
    int minBatchSize,
    int maxBatchSize,
    int maxThreadsRunning,
    int criticalThreadsRunning,
    List<String> replicas,
    Duration maxReplicaLag,
    Duration criticalReplicaLag,
    Optional<Path> pauseFile,
    Duration maxPause,
    Duration probeInterval,
    double maxLatencyIncrease,
    Duration maxProbeLatency,
    double idleBelow) {

  public static final int DEFAULT_MIN_BATCH_SIZE = 10;

  /**
   * How far batches may grow past {@code batch_size} unless {@code max_batch_size} says otherwise:
   * {@code batch_time} governs up to there. Each batch commits with its checkpoint, so on a fast
   * server batches of 1000 spent much of their time committing (a first load of 300,000 rows took
   * 9.0 s in batches of 1000 and 6.4 s in batches of 10,000).
   */
  public static final int DEFAULT_MAX_BATCH_FACTOR = 10;

  /**
   * The largest default {@code max_batch_size}. A batch is held in memory whole, and one more is
   * read ahead: two batches of 10,000 rows of the benchmark's shape are about 45 MB of heap (its
   * live heap went from 10 MB to 55 MB), while commits past 10,000 rows a batch cost little.
   */
  public static final int DEFAULT_MAX_BATCH_SIZE = 10_000;

  /** The self-throttle's default budget: the application's p99 within 1.3 x its own. */
  public static final double DEFAULT_MAX_LATENCY_INCREASE = 1.3;

  /**
   * Statements a second of other sessions under which the target counts as idle. A monitoring
   * scrape or an occasional query stays below it; an application at work does not.
   */
  public static final double DEFAULT_IDLE_BELOW = 10;

  /**
   * The documented defaults: batches sized to 500 ms within 10 and 10 x batch_size, pause at 50
   * threads, look at the target at most once a second, and keep the probe query's median within 1.3
   * x its baseline unless the target is idle.
   */
  public static final ThrottleConfig DEFAULT = builder().build();

  public ThrottleConfig {
    requireNonNull(batchTime, "batchTime is null");
    replicas = List.copyOf(requireNonNull(replicas, "replicas is null"));
    requireNonNull(maxReplicaLag, "maxReplicaLag is null");
    requireNonNull(criticalReplicaLag, "criticalReplicaLag is null");
    requireNonNull(pauseFile, "pauseFile is null");
    requireNonNull(maxPause, "maxPause is null");
    requireNonNull(probeInterval, "probeInterval is null");
    requireNonNull(maxProbeLatency, "maxProbeLatency is null");
    if (maxLatencyIncrease != 0 && !(maxLatencyIncrease > 1)) {
      throw new IllegalArgumentException("max_latency_increase must be 0 or above 1: " + this);
    }
    if (maxRowsPerSecond < 0
        || idleBelow < 0
        || minBatchSize < 0
        || maxBatchSize < 0
        || maxThreadsRunning < 0
        || criticalThreadsRunning < 0) {
      throw new IllegalArgumentException("throttle limits must be 0 or more: " + this);
    }
  }

  /** The smallest batch for a sync whose {@code batch_size} is {@code batchSize}. */
  public int minBatchSize(int batchSize) {
    return minBatchSize > 0 ? minBatchSize : Math.min(DEFAULT_MIN_BATCH_SIZE, batchSize);
  }

  /** The largest batch for a sync whose {@code batch_size} is {@code batchSize}. */
  public int maxBatchSize(int batchSize) {
    if (maxBatchSize > 0) {
      return maxBatchSize;
    }
    long grown = Math.min((long) batchSize * DEFAULT_MAX_BATCH_FACTOR, DEFAULT_MAX_BATCH_SIZE);
    return (int) Math.max(batchSize, grown);
  }

  /** Whether the sync finds its own rate from the probe query's latency. */
  public boolean selfThrottled() {
    return maxLatencyIncrease > 0 || !maxProbeLatency.isZero();
  }

  /** A builder holding the documented defaults ({@link #DEFAULT}). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this throttle, to build a copy with some limits changed. */
  public Builder toBuilder() {
    return new Builder()
        .maxRowsPerSecond(maxRowsPerSecond)
        .batchTime(batchTime)
        .minBatchSize(minBatchSize)
        .maxBatchSize(maxBatchSize)
        .maxThreadsRunning(maxThreadsRunning)
        .criticalThreadsRunning(criticalThreadsRunning)
        .replicas(replicas)
        .maxReplicaLag(maxReplicaLag)
        .criticalReplicaLag(criticalReplicaLag)
        .pauseFile(pauseFile)
        .maxPause(maxPause)
        .probeInterval(probeInterval)
        .maxLatencyIncrease(maxLatencyIncrease)
        .maxProbeLatency(maxProbeLatency)
        .idleBelow(idleBelow);
  }

  /**
   * Builds a {@link ThrottleConfig} from the documented defaults, which {@link ThrottleReader}
   * gives a file without a {@code throttle} block. Not thread-safe.
   */
  public static final class Builder {
    private long maxRowsPerSecond = 0;
    private Duration batchTime = Duration.ofMillis(500);
    private int minBatchSize = 0;
    private int maxBatchSize = 0;
    private int maxThreadsRunning = 50;
    private int criticalThreadsRunning = 0;
    private List<String> replicas = List.of();
    private Duration maxReplicaLag = Duration.ofSeconds(5);
    private Duration criticalReplicaLag = Duration.ZERO;
    private Optional<Path> pauseFile = Optional.empty();
    private Duration maxPause = Duration.ofMinutes(30);
    private Duration probeInterval = Duration.ofSeconds(1);
    private double maxLatencyIncrease = DEFAULT_MAX_LATENCY_INCREASE;
    private Duration maxProbeLatency = Duration.ZERO;
    private double idleBelow = DEFAULT_IDLE_BELOW;

    private Builder() {}

    public Builder maxRowsPerSecond(long value) {
      this.maxRowsPerSecond = value;
      return this;
    }

    public Builder batchTime(Duration value) {
      this.batchTime = value;
      return this;
    }

    public Builder minBatchSize(int value) {
      this.minBatchSize = value;
      return this;
    }

    public Builder maxBatchSize(int value) {
      this.maxBatchSize = value;
      return this;
    }

    public Builder maxThreadsRunning(int value) {
      this.maxThreadsRunning = value;
      return this;
    }

    public Builder criticalThreadsRunning(int value) {
      this.criticalThreadsRunning = value;
      return this;
    }

    public Builder replicas(List<String> value) {
      this.replicas = value;
      return this;
    }

    public Builder maxReplicaLag(Duration value) {
      this.maxReplicaLag = value;
      return this;
    }

    public Builder criticalReplicaLag(Duration value) {
      this.criticalReplicaLag = value;
      return this;
    }

    public Builder pauseFile(Optional<Path> value) {
      this.pauseFile = value;
      return this;
    }

    public Builder maxPause(Duration value) {
      this.maxPause = value;
      return this;
    }

    public Builder probeInterval(Duration value) {
      this.probeInterval = value;
      return this;
    }

    public Builder maxLatencyIncrease(double value) {
      this.maxLatencyIncrease = value;
      return this;
    }

    public Builder maxProbeLatency(Duration value) {
      this.maxProbeLatency = value;
      return this;
    }

    public Builder idleBelow(double value) {
      this.idleBelow = value;
      return this;
    }

    /**
     * The hard limits alone, without the self-throttle: {@code max_latency_increase: 0}, {@code
     * max_probe_latency_ms: 0} and {@code idle_below: 0}.
     */
    public Builder withoutSelfThrottle() {
      return maxLatencyIncrease(0).maxProbeLatency(Duration.ZERO).idleBelow(0);
    }

    public ThrottleConfig build() {
      return new ThrottleConfig(
          maxRowsPerSecond,
          batchTime,
          minBatchSize,
          maxBatchSize,
          maxThreadsRunning,
          criticalThreadsRunning,
          replicas,
          maxReplicaLag,
          criticalReplicaLag,
          pauseFile,
          maxPause,
          probeInterval,
          maxLatencyIncrease,
          maxProbeLatency,
          idleBelow);
    }
  }
}
