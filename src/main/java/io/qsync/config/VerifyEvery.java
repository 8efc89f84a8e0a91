package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How often a {@code diff: snapshot} sync checks its table with {@code qsync verify} after a run,
 * to see (and heal) what its warehouse-side diff cannot: a change made to the table by hand.
 * Exactly one of the two bounds is set. Immutable.
 *
 * @param interval verify after a run when the last verify is at least this old
 * @param runs verify after every this many successful runs
 */
public record VerifyEvery(Optional<Duration> interval, int runs) {
  public VerifyEvery {
    requireNonNull(interval, "interval is null");
    if (interval.isPresent() == (runs > 0)) {
      throw new IllegalArgumentException("give an interval or a number of runs, not both");
    }
    if (runs < 0) {
      throw new IllegalArgumentException("runs must not be negative: " + runs);
    }
  }

  public static VerifyEvery interval(Duration interval) {
    return new VerifyEvery(Optional.of(interval), 0);
  }

  public static VerifyEvery runs(int runs) {
    return new VerifyEvery(Optional.empty(), runs);
  }

  /** As the config file spells it: {@code 7d}, {@code 10 runs}. */
  public String configText() {
    if (interval.isEmpty()) {
      return runs == 1 ? "1 run" : runs + " runs";
    }
    Duration every = interval.get();
    return every.toSeconds() % 86_400 == 0 && every.toNanos() % 1_000_000_000 == 0
        ? every.toDays() + "d"
        : EverySchedule.format(every);
  }
}
