package io.qsync.config;

import static io.qsync.config.YamlReader.quote;
import static java.util.Objects.requireNonNull;

import io.qsync.config.YamlReader.Fields;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a {@code retries} block, at the top level (every sync's defaults) or in a sync. Not
 * thread-safe: it reads one file.
 */
final class RetryReader {
  static final ConfigKey<Duration> MAX_TIME =
      ConfigKey.duration(
          "max_time",
          " (0: no retries)",
          RetryConfig.DEFAULT.maxTime(),
          "how long a failing step is retried, from its first failure; at most 1h");
  static final ConfigKey<Long> MAX_ATTEMPTS =
      ConfigKey.withDefault(
          "max_attempts",
          YamlReader::wholeNumber,
          "a whole number from 1 to 100 (1: no retries)",
          (long) RetryConfig.DEFAULT.maxAttempts(),
          "tries per step, the first included");
  static final ConfigKey<Duration> MAX_BACKOFF =
      ConfigKey.duration(
          "max_backoff", RetryConfig.DEFAULT.maxBackoff(), "the longest wait between tries");
  static final ConfigSection SECTION =
      ConfigSection.of("retries.", "", List.of(MAX_TIME, MAX_ATTEMPTS, MAX_BACKOFF));

  /** The longest {@code retries.max_time}: a run holds its lock and stage while it retries. */
  private static final Duration MAX_RETRY_TIME = Duration.ofHours(1);

  private final YamlReader reader;

  RetryReader(YamlReader reader) {
    this.reader = requireNonNull(reader, "reader is null");
  }

  /** The {@code retries} block of {@code parent} over {@code fallback}, key by key. */
  Optional<RetryConfig> read(Fields parent, RetryConfig fallback) {
    Optional<Node> node = parent.value("retries");
    if (node.isEmpty()) {
      return Optional.of(fallback);
    }
    int before = reader.problemCount();
    Optional<Fields> block =
        reader.fields(
            node.get(), parent.pathOf("retries"), YamlReader.mapWithKeys(SECTION.names()));
    if (block.isEmpty()) {
      return Optional.empty();
    }
    Fields fields = block.get();
    reader.rejectUnknownKeys(fields, SECTION.names());
    Optional<Long> attempts = reader.read(fields, MAX_ATTEMPTS, (long) fallback.maxAttempts());
    Optional<Duration> maxBackoff = reader.read(fields, MAX_BACKOFF, fallback.maxBackoff());
    Optional<Duration> maxTime = reader.read(fields, MAX_TIME, fallback.maxTime());
    if (attempts.filter(value -> value < 1 || value > 100).isPresent()) {
      reader.problem(
          fields.valueOrMap("max_attempts"),
          fields.pathOf("max_attempts"),
          "expected a whole number from 1 to 100 (1: no retries), got "
              + quote("" + attempts.get()));
    }
    if (maxTime.filter(value -> value.compareTo(MAX_RETRY_TIME) > 0).isPresent()) {
      reader.problem(
          fields.valueOrMap("max_time"),
          fields.pathOf("max_time"),
          "expected at most 1h (a failover longer than that is an outage: the next run resumes),"
              + " got "
              + maxTime.get().toSeconds()
              + "s");
    }
    return reader.problemCount() > before
        ? Optional.empty()
        : Optional.of(new RetryConfig(attempts.get().intValue(), maxBackoff.get(), maxTime.get()));
  }
}
