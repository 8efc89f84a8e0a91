package io.qsync.destination;

import io.qsync.state.SyncLock;
import java.time.Duration;

/** One run of a sync at a time: the lock a run holds from start to finish. */
public interface SyncLocks {
  /**
   * Takes the sync's lock, waiting at most {@code timeout}.
   *
   * @throws io.qsync.QsyncException of kind LOCK_HELD naming the run that holds it
   */
  SyncLock lock(String sync, Duration timeout);

  /**
   * Whether some session holds the sync's lock now. A run recorded as running whose lock is free
   * was killed or lost its connection: the next run resumes it.
   */
  boolean lockHeld(String sync);
}
