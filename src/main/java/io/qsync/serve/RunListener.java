package io.qsync.serve;

import java.time.Instant;

/**
 * Told of every run {@code qsync serve} starts and of how it ended: the metrics and the alerts
 * listen. Called on the run's own thread, so an implementation must return quickly and never throw;
 * implementations are thread-safe (runs of different syncs end side by side).
 */
public interface RunListener {
  /** A run of {@code sync} starts now, for {@code trigger} ({@code schedule}, {@code run now}). */
  default void runStarted(String sync, String trigger, Instant at) {}

  /** A run ended, successfully or not. */
  default void runFinished(RunOutcome outcome) {}
}
