package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How {@code qsync serve} treats one sync: when it runs it, how old its last success may grow, and
 * whom it tells. {@code qsync run} ignores all of it. Immutable.
 *
 * @param schedule when runs start; none: the sync runs only when asked ("run now", {@code qsync
 *     run})
 * @param jitter each start is delayed by a random time up to this, so syncs on one schedule do not
 *     all start at once
 * @param maxStaleness how old the last success may be before the sync counts as stale
 * @param alerts the sync's webhooks, over the top level's
 */
public record SyncService(
    Optional<Schedule> schedule, Duration jitter, Optional<Duration> maxStaleness, Alerts alerts) {
  public static final SyncService NONE =
      new SyncService(Optional.empty(), Duration.ZERO, Optional.empty(), Alerts.NONE);

  public SyncService {
    requireNonNull(schedule, "schedule is null");
    requireNonNull(jitter, "jitter is null");
    requireNonNull(maxStaleness, "maxStaleness is null");
    requireNonNull(alerts, "alerts is null");
  }
}
