package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Where {@code qsync serve} posts an alert about a sync. The URLs are secrets (a Slack webhook's
 * path is its password): they are never shown. Immutable.
 *
 * @param onFailure posted when a run fails
 * @param onStale posted when the sync's last success grows older than its {@code max_staleness}
 */
public record Alerts(Optional<Secret> onFailure, Optional<Secret> onStale) {
  public static final Alerts NONE = new Alerts(Optional.empty(), Optional.empty());

  public Alerts {
    requireNonNull(onFailure, "onFailure is null");
    requireNonNull(onStale, "onStale is null");
  }
}
