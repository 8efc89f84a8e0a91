package io.qsync.config;

import static java.util.Objects.requireNonNull;

import io.qsync.config.ConfigRules.ConnectionTypes;
import io.qsync.config.YamlReader.Fields;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a {@code throttle} block, at the top level (every sync's defaults) or in a sync, where each
 * key given replaces the top level's. Not thread-safe: it reads one file.
 */
final class ThrottleReader {
  private static final String WHOLE = "a whole number, 0 or more (0: off)";
  private static final ThrottleConfig DEFAULT = ThrottleConfig.DEFAULT;

  /** A batch size: a whole number from 1 to {@link ConfigLoader#MAX_BATCH_SIZE}. */
  static final ConfigKey.ValueType<Integer> BATCH_SIZE_TYPE =
      (reader, node, path, expected) ->
          reader.wholeNumberUpTo(ConfigLoader.MAX_BATCH_SIZE, node, path, expected);

  static final ConfigKey<Long> MAX_ROWS_PER_SECOND =
      ConfigKey.withDefault(
          "max_rows_per_second",
          YamlReader::wholeNumber,
          WHOLE,
          DEFAULT.maxRowsPerSecond(),
          "the most changes written per second; 0: no limit");
  static final ConfigKey<Duration> BATCH_TIME =
      ConfigKey.duration(
          "batch_time",
          " (0: fixed batches)",
          DEFAULT.batchTime(),
          "the transaction time a batch aims at, growing or shrinking batches within the bounds");
  static final ConfigKey<Integer> MIN_BATCH_SIZE =
      ConfigKey.optional(
          "min_batch_size",
          BATCH_SIZE_TYPE,
          "a positive whole number",
          "`" + ThrottleConfig.DEFAULT_MIN_BATCH_SIZE + "` (or `batch_size` when smaller)",
          "the smallest batch");
  static final ConfigKey<Integer> MAX_BATCH_SIZE =
      ConfigKey.optional(
          "max_batch_size",
          BATCH_SIZE_TYPE,
          "a positive whole number",
          ThrottleConfig.DEFAULT_MAX_BATCH_FACTOR
              + " x `batch_size`, at most "
              + ThrottleConfig.DEFAULT_MAX_BATCH_SIZE
              + " (or `batch_size` when larger)",
          "the largest batch");
  static final ConfigKey<Long> MAX_THREADS_RUNNING =
      ConfigKey.withDefault(
          "max_threads_running",
          YamlReader::wholeNumber,
          WHOLE,
          (long) DEFAULT.maxThreadsRunning(),
          "pause while the target's Threads_running is at least this; 0: not watched");
  static final ConfigKey<Long> CRITICAL_THREADS_RUNNING =
      ConfigKey.withDefault(
          "critical_threads_running",
          YamlReader::wholeNumber,
          WHOLE,
          (long) DEFAULT.criticalThreadsRunning(),
          "stop the run when Threads_running reaches this");
  static final ConfigKey<List<String>> REPLICAS =
      ConfigKey.optional(
          "replicas",
          YamlReader::strings,
          "the name of a mysql connection",
          "none",
          "mysql connections to replicas whose lag is watched");
  static final ConfigKey<Duration> MAX_REPLICA_LAG =
      ConfigKey.duration(
          "max_replica_lag",
          DEFAULT.maxReplicaLag(),
          "pause while a replica lags this much or more");
  static final ConfigKey<Duration> CRITICAL_REPLICA_LAG =
      ConfigKey.duration(
          "critical_replica_lag",
          " (0: off)",
          DEFAULT.criticalReplicaLag(),
          "stop the run when a replica lags this much");
  static final ConfigKey<Path> PAUSE_FILE =
      ConfigKey.optional(
          "pause_file",
          YamlReader::folderPath,
          "a file path",
          "none",
          "while this file exists, the sync pauses");
  static final ConfigKey<Duration> MAX_PAUSE =
      ConfigKey.duration("max_pause", DEFAULT.maxPause(), "a pause longer than this stops the run");
  static final ConfigKey<Duration> PROBE_INTERVAL =
      ConfigKey.duration(
          "probe_interval",
          " (0: before every batch)",
          DEFAULT.probeInterval(),
          "how long the target, once seen clear, counts as clear");

  /** A decimal number, 0 or more: {@code 1.3}, {@code 10}. */
  static final ConfigKey.ValueType<Double> DECIMAL =
      (reader, node, path, expected) ->
          reader
              .text(node, path, expected)
              .flatMap(
                  text ->
                      text.strip().matches("\\d{1,9}(\\.\\d{1,6})?")
                          ? Optional.of(Double.parseDouble(text.strip()))
                          : reader.invalid(node, path, expected, text));

  static final ConfigKey<Double> MAX_LATENCY_INCREASE =
      ConfigKey.withDefault(
          "max_latency_increase",
          DECIMAL,
          "a number above 1, like 1.3 (0: no self-throttle)",
          DEFAULT.maxLatencyIncrease(),
          "how far the probe query's latency may rise over its baseline while the sync writes");
  static final ConfigKey<Double> MAX_PROBE_LATENCY_MS =
      ConfigKey.withDefault(
          "max_probe_latency_ms",
          DECIMAL,
          "milliseconds, like 2 or 0.8 (0: off)",
          DEFAULT.maxProbeLatency().toNanos() / 1e6,
          "the probe query's latency the sync keeps under, instead of max_latency_increase");
  static final ConfigKey<Double> IDLE_BELOW =
      ConfigKey.withDefault(
          "idle_below",
          DECIMAL,
          "statements a second, like 10 (0: never idle)",
          DEFAULT.idleBelow(),
          "other sessions' statements a second under which the target is idle and the sync writes"
              + " at full rate");
  static final ConfigSection SECTION =
      ConfigSection.of(
          "throttle.",
          "",
          List.of(
              MAX_ROWS_PER_SECOND,
              BATCH_TIME,
              MIN_BATCH_SIZE,
              MAX_BATCH_SIZE,
              MAX_THREADS_RUNNING,
              CRITICAL_THREADS_RUNNING,
              REPLICAS,
              MAX_REPLICA_LAG,
              CRITICAL_REPLICA_LAG,
              PAUSE_FILE,
              MAX_PAUSE,
              PROBE_INTERVAL,
              MAX_LATENCY_INCREASE,
              MAX_PROBE_LATENCY_MS,
              IDLE_BELOW));

  /** The most {@code Threads_running} a limit may name. */
  private static final long MAX_THREADS = 100_000;

  private final YamlReader reader;
  private final ConfigRules rules;

  ThrottleReader(YamlReader reader, ConfigRules rules) {
    this.reader = requireNonNull(reader, "reader is null");
    this.rules = requireNonNull(rules, "rules is null");
  }

  /**
   * The {@code throttle} block of {@code parent} over {@code fallback}: each key given replaces the
   * fallback's value, so a sync's block overrides the top level's key by key.
   */
  Optional<ThrottleConfig> read(
      Fields parent, ThrottleConfig fallback, Optional<ConnectionTypes> connections) {
    Optional<Node> node = parent.value("throttle");
    if (node.isEmpty()) {
      return Optional.of(fallback);
    }
    int before = reader.problemCount();
    Optional<Fields> block =
        reader.fields(
            node.get(), parent.pathOf("throttle"), YamlReader.mapWithKeys(SECTION.names()));
    if (block.isEmpty()) {
      return Optional.empty();
    }
    Fields fields = block.get();
    reader.rejectUnknownKeys(fields, SECTION.names());
    Optional<Long> rate = reader.read(fields, MAX_ROWS_PER_SECOND, fallback.maxRowsPerSecond());
    Optional<Duration> batchTime = reader.read(fields, BATCH_TIME, fallback.batchTime());
    Optional<Integer> minBatch = reader.read(fields, MIN_BATCH_SIZE, fallback.minBatchSize());
    Optional<Integer> maxBatch = reader.read(fields, MAX_BATCH_SIZE, fallback.maxBatchSize());
    Optional<Long> threads =
        reader.read(fields, MAX_THREADS_RUNNING, (long) fallback.maxThreadsRunning());
    Optional<Long> criticalThreads =
        reader.read(fields, CRITICAL_THREADS_RUNNING, (long) fallback.criticalThreadsRunning());
    Optional<List<String>> replicas = reader.read(fields, REPLICAS, fallback.replicas());
    Optional<Duration> lag = reader.read(fields, MAX_REPLICA_LAG, fallback.maxReplicaLag());
    Optional<Duration> criticalLag =
        reader.read(fields, CRITICAL_REPLICA_LAG, fallback.criticalReplicaLag());
    Optional<Path> pauseFile =
        fields.has(PAUSE_FILE.name()) ? reader.read(fields, PAUSE_FILE) : fallback.pauseFile();
    Optional<Duration> maxPause = reader.read(fields, MAX_PAUSE, fallback.maxPause());
    Optional<Duration> probeInterval =
        reader.read(fields, PROBE_INTERVAL, fallback.probeInterval());
    Optional<Double> increase =
        reader.read(fields, MAX_LATENCY_INCREASE, fallback.maxLatencyIncrease());
    Optional<Double> probeMillis =
        reader.read(fields, MAX_PROBE_LATENCY_MS, fallback.maxProbeLatency().toNanos() / 1e6);
    Optional<Double> idleBelow = reader.read(fields, IDLE_BELOW, fallback.idleBelow());
    if (increase.isPresent() && increase.get() != 0 && increase.get() <= 1) {
      reader.problem(
          fields.valueOrMap(MAX_LATENCY_INCREASE.name()),
          fields.pathOf(MAX_LATENCY_INCREASE.name()),
          "expected a number above 1 (the probe's latency may rise to this multiple of its"
              + " baseline) or 0 (no self-throttle), got "
              + increase.get());
    }
    replicas.ifPresent(names -> rules.replicasAreMySql(fields, names, connections));
    rules.criticalAbovePause(fields, threads, criticalThreads, lag, criticalLag);
    if (reader.problemCount() > before) {
      return Optional.empty();
    }
    for (ConfigKey<Long> key : List.of(MAX_THREADS_RUNNING, CRITICAL_THREADS_RUNNING)) {
      long value = (key == MAX_THREADS_RUNNING ? threads : criticalThreads).get();
      if (value > MAX_THREADS) {
        reader.problem(
            fields.valueOrMap(key.name()),
            fields.pathOf(key.name()),
            "expected a thread count from 0 to 100000, got " + value);
      }
    }
    return reader.problemCount() > before
        ? Optional.empty()
        : Optional.of(
            ThrottleConfig.builder()
                .maxRowsPerSecond(rate.get())
                .batchTime(batchTime.get())
                .minBatchSize(minBatch.get())
                .maxBatchSize(maxBatch.get())
                .maxThreadsRunning(threads.get().intValue())
                .criticalThreadsRunning(criticalThreads.get().intValue())
                .replicas(replicas.get())
                .maxReplicaLag(lag.get())
                .criticalReplicaLag(criticalLag.get())
                .pauseFile(pauseFile)
                .maxPause(maxPause.get())
                .probeInterval(probeInterval.get())
                .maxLatencyIncrease(increase.get())
                .maxProbeLatency(Duration.ofNanos(Math.round(probeMillis.get() * 1e6)))
                .idleBelow(idleBelow.get())
                .build());
  }
}
