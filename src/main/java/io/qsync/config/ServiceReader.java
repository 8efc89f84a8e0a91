package io.qsync.config;

import static java.util.Objects.requireNonNull;

import io.qsync.config.YamlReader.Fields;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the keys of a sync that only {@code qsync serve} uses: {@code schedule} or {@code every},
 * {@code jitter}, {@code max_staleness} and {@code alerts} (over the top level's). Not thread-safe:
 * it reads one file.
 */
final class ServiceReader {
  private static final String CRON_EXPECTED =
      "a cron expression of 5 fields, minute hour day-of-month month day-of-week (UTC), like"
          + " \"0 3 * * *\", or @hourly, @daily, @weekly, @monthly, @yearly";

  static final ConfigKey<Schedule> SCHEDULE =
      ConfigKey.optional(
          "schedule",
          ServiceReader::cron,
          CRON_EXPECTED,
          "none",
          "when `qsync serve` runs the sync, as cron in UTC; or `every`");
  static final ConfigKey<Schedule> EVERY =
      ConfigKey.optional(
          "every",
          ServiceReader::every,
          "a duration of 1s or more, like 15m, 1h or 30s",
          "none",
          "run the sync this long after its last run started; or `schedule`");
  static final ConfigKey<Duration> JITTER =
      ConfigKey.duration(
          "jitter",
          " (0: none)",
          Duration.ZERO,
          "delay each scheduled start by a random time up to this, less than the interval");
  static final ConfigKey<Duration> MAX_STALENESS =
      ConfigKey.optional(
          "max_staleness",
          ServiceReader::positiveDuration,
          "a duration of 1s or more, like 2h",
          "none",
          "how old the last success may grow before the sync is stale");
  static final ConfigKey<YamlReader.Fields> ALERTS =
      ConfigKey.block(
          "alerts",
          YamlReader.mapWithKeys(AlertsReader.SECTION.names()),
          "the top level's alerts",
          "the sync's webhooks, key by key over the top level's");

  static final List<ConfigKey<?>> KEYS = List.of(SCHEDULE, EVERY, JITTER, MAX_STALENESS, ALERTS);

  /** How many firings of a cron schedule are looked at for its shortest interval. */
  private static final int GAPS_CHECKED = 500;

  private final YamlReader reader;
  private final AlertsReader alertsReader;

  ServiceReader(YamlReader reader) {
    this.reader = requireNonNull(reader, "reader is null");
    this.alertsReader = new AlertsReader(reader);
  }

  /** The sync's service keys, its alerts over {@code defaultAlerts}. */
  Optional<SyncService> read(Fields fields, Alerts defaultAlerts) {
    int before = reader.problemCount();
    Optional<Schedule> cron = reader.read(fields, SCHEDULE);
    Optional<Schedule> every = reader.read(fields, EVERY);
    if (fields.has(SCHEDULE.name()) && fields.has(EVERY.name())) {
      reader.problem(
          fields.valueOrMap(EVERY.name()),
          fields.pathOf(EVERY.name()),
          "give schedule (cron) or every (an interval), not both; remove one of them");
    }
    Optional<Schedule> schedule = cron.or(() -> every);
    Optional<Duration> jitter = reader.read(fields, JITTER);
    Optional<Duration> maxStaleness = reader.read(fields, MAX_STALENESS);
    Optional<Alerts> alerts = alertsReader.read(fields, defaultAlerts);
    if (jitter.filter(value -> !value.isZero()).isPresent()) {
      Node node = fields.valueOrMap(JITTER.name());
      String path = fields.pathOf(JITTER.name());
      if (!fields.has(SCHEDULE.name()) && !fields.has(EVERY.name())) {
        reader.problem(
            node,
            path,
            "jitter delays scheduled runs, and the sync has no schedule; add schedule or every,"
                + " or remove jitter");
      } else if (schedule.isPresent()) {
        Duration interval = shortestInterval(schedule.get());
        if (jitter.get().compareTo(interval) >= 0) {
          reader.problem(
              node,
              path,
              "expected a jitter less than the schedule's "
                  + (schedule.get() instanceof EverySchedule ? "" : "shortest ")
                  + "interval, "
                  + EverySchedule.format(interval)
                  + ", got "
                  + EverySchedule.format(jitter.get())
                  + "; a jitter that long would let runs overtake each other");
        }
      }
    }
    return reader.problemCount() > before
        ? Optional.empty()
        : Optional.of(new SyncService(schedule, jitter.get(), maxStaleness, alerts.get()));
  }

  private static Duration shortestInterval(Schedule schedule) {
    if (schedule instanceof EverySchedule every) {
      return every.interval();
    }
    return ((CronSchedule) schedule)
        .shortestGap(Instant.parse("2024-01-01T00:00:00Z"), GAPS_CHECKED);
  }

  private static Optional<Schedule> cron(
      YamlReader reader, Node node, String path, String expected) {
    return reader
        .nonBlank(node, path, expected)
        .flatMap(
            text -> {
              try {
                return Optional.of(CronSchedule.parse(text));
              } catch (IllegalArgumentException e) {
                return reader.reject(
                    node,
                    path,
                    "expected "
                        + expected
                        + ", got "
                        + YamlReader.quote(text)
                        + ": "
                        + e.getMessage());
              }
            });
  }

  private static Optional<Schedule> every(
      YamlReader reader, Node node, String path, String expected) {
    return positiveDuration(reader, node, path, expected).map(EverySchedule::new);
  }

  /** A duration of at least 1s. */
  private static Optional<Duration> positiveDuration(
      YamlReader reader, Node node, String path, String expected) {
    return reader
        .duration(node, path, expected)
        .flatMap(
            duration ->
                duration.compareTo(EverySchedule.MINIMUM) >= 0
                    ? Optional.of(duration)
                    : reader.reject(
                        node,
                        path,
                        "expected " + expected + ", got " + EverySchedule.format(duration)));
  }
}
