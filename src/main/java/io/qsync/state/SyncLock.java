package io.qsync.state;

/**
 * Holds a sync for one run: while held, no other run of the same sync can start. Released on
 * {@link #close()}, and by the database when the process dies.
 */
public interface SyncLock extends AutoCloseable {
  /** Whether the lock is still held; a batch commits only while it is. */
  boolean held();

  /** The id of the database session that holds the lock, recorded so others can name the holder. */
  long sessionId();

  @Override
  void close();
}
