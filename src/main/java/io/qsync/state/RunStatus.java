package io.qsync.state;

/** Where a run stands. Stored in run history by name. */
public enum RunStatus {
  /** Running, or killed while running: the next run resumes it. */
  RUNNING,
  SUCCEEDED,
  /** Stopped by an error; the next run resumes it where its stage allows. */
  FAILED,
  /**
   * Stopped by a signal (Ctrl-C, SIGTERM) at a point where it could record so; resumed like a
   * failed run. A run killed outright stays {@link #RUNNING} with its lock free.
   */
  INTERRUPTED,
  /** Given up: replaced by a newer run (--restart, a changed definition, a lost stage). */
  ABANDONED;

  public boolean unfinished() {
    return this == RUNNING || this == FAILED || this == INTERRUPTED;
  }
}
