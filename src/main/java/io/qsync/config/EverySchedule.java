package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * A run every {@code interval} ({@code every: 15m}): {@link #next} after {@code t} is {@code t +
 * interval}; the scheduler passes the last run's start, so runs keep their rhythm whatever they
 * last. Immutable and thread-safe.
 */
public record EverySchedule(Duration interval) implements Schedule {
  /** The shortest interval: a shorter one would run a sync back to back. */
  public static final Duration MINIMUM = Duration.ofSeconds(1);

  public EverySchedule {
    requireNonNull(interval, "interval is null");
    if (interval.compareTo(MINIMUM) < 0) {
      throw new IllegalArgumentException("interval must be at least 1s: " + interval);
    }
  }

  @Override
  public Instant next(Instant after) {
    return after.plus(interval);
  }

  /** {@code every 15m}: the interval in the largest unit that divides it. */
  @Override
  public String describe() {
    return "every " + format(interval);
  }

  /** A duration as the config writes it: {@code 2h}, {@code 15m}, {@code 90s}, {@code 1500ms}. */
  static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis == 0) {
      return "0s";
    }
    if (millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
