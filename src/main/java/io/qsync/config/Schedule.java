package io.qsync.config;

import java.time.Instant;

/**
 * When {@code qsync serve} starts a sync's runs: a cron expression ({@code schedule:}) or a fixed
 * interval ({@code every:}). Implementations are immutable and thread-safe.
 */
public interface Schedule {
  /** The first time strictly after {@code after} at which a run is due, before any jitter. */
  Instant next(Instant after);

  /** The schedule as a person reads it: {@code every 15m}, {@code 0 3 * * * (UTC)}. */
  String describe();
}
