package io.qsync.state;

/**
 * Holds a sync for one run: while held, no other run of the same sync can start. Released on {@link
 * #close()}, and by the database when the process dies.
 */
public interface SyncLock extends AutoCloseable {
  /** Whether the lock is still held; a batch commits only while it is. */
  boolean held();

  /** The id of the database session that holds the lock, recorded so others can name the holder. */
  long sessionId();

  /**
   * Takes the lock again after the session that held it ended (a server restart, a killed session),
   * unless another run holds it now: whether it is held again. The caller must then check that no
   * other run took its work over while the lock was free. Where the lock cannot be taken again,
   * false.
   */
  default boolean retake() {
    return held();
  }

  @Override
  void close();
}
