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
    AFTER_BATCH,
    /**
     * Every change is applied; the warehouse state is about to advance ({@code diff: snapshot}).
     */
    BEFORE_STATE,
    /** The state advanced and is recorded; the run is about to be marked succeeded. */
    STATE_RECORDED
  }

  /** Throws to make the run fail at this point. */
  void reached(Point point, long value);

  FaultPoint NONE = (point, value) -> {};
}
