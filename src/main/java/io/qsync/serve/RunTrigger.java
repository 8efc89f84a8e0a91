package io.qsync.serve;

import io.qsync.engine.RunOptions;

/** Starts a run outside the schedule: the status page's "run now". Thread-safe. */
public interface RunTrigger {
  /** What became of a request to run now. */
  enum Answer {
    /** The run was queued; it starts as soon as the concurrency limit lets it. */
    STARTED,
    /** A run of the sync is already running or queued; nothing more was queued. */
    ALREADY_RUNNING,
    /** No sync of that name in the config. */
    UNKNOWN_SYNC,
    /** The service is stopping and takes no new runs. */
    STOPPING
  }

  /** Queues a run of {@code sync} with {@code options}, recording {@code trigger} as its cause. */
  Answer runNow(String sync, RunOptions options, String trigger);
}
