package io.qsync.engine;

/**
 * Points in a run where a test can make it fail, to prove that the next run resumes exactly. In
 * production it is {@link #NONE}. Called from the run's thread.
 */
@FunctionalInterface
public interface FaultPoint {
  enum Point {
    /** The whole result is in the stage; {@code value} is its row count. */
    EXTRACTED,
    /** A batch is about to be applied; {@code value} is its last change's sequence number. */
    BEFORE_BATCH,
    /** A batch and its checkpoint committed; {@code value} is its last sequence number. */
    AFTER_BATCH
  }

  /** Throws to make the run fail at this point. */
  void reached(Point point, long value);

  FaultPoint NONE = (point, value) -> {};
}
