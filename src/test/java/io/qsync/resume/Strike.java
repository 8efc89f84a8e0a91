package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.engine.FaultPoint.Point;
import io.qsync.testing.TestDatabase;

/**
 * Where a run's failure strikes, and what the run leaves behind. Batches are counted from 1; {@link
 * #K} is the batch a mid-apply failure strikes at.
 */
enum Strike {
  /** The warehouse query fails part-way through its result, while the run extracts it. */
  MID_EXTRACT,
  /** The whole result is in the stage; the change set is not built yet. */
  AFTER_EXTRACT,
  /** Before the first batch: the change set is complete, nothing is applied. */
  BEFORE_FIRST_BATCH,
  /** Before batch K: K-1 batches committed. */
  BEFORE_BATCH,
  /** After batch K and its checkpoint committed. */
  AFTER_BATCH,
  /** After the last batch committed, before the run is recorded as finished. */
  AFTER_LAST_BATCH,
  /**
   * Inside batch K's transaction: its rows and checkpoint are written, then the lock session is
   * found killed (a DBA's KILL, a dropped connection), so the batch rolls back instead of
   * committing.
   */
  LOCK_LOST_INSIDE_COMMIT,
  /**
   * The run's work session is killed before batch K: the batch fails and the run cannot even record
   * its failure, so history still says 'running', as after a crash.
   */
  WORK_SESSION_KILLED;

  static final int K = 5;

  /** The fault to arm for a change set of {@code total} changes applied in {@code batchSize}s. */
  Faults.Once fault(TestDatabase database, long total, int batchSize) {
    return switch (this) {
      case MID_EXTRACT ->
          Faults.at(
              Point.EXTRACTED,
              () -> {
                throw new AssertionError(
                    "the query should have failed before the result was staged");
              });
      case AFTER_EXTRACT -> Faults.at(Point.EXTRACTED, () -> Faults.crash(Point.EXTRACTED, 0));
      case BEFORE_FIRST_BATCH -> crashAt(Point.BEFORE_BATCH, batchEnd(1, total, batchSize));
      case BEFORE_BATCH -> crashAt(Point.BEFORE_BATCH, batchEnd(K, total, batchSize));
      case AFTER_BATCH -> crashAt(Point.AFTER_BATCH, batchEnd(K, total, batchSize));
      case AFTER_LAST_BATCH -> crashAt(Point.AFTER_BATCH, total);
      case LOCK_LOST_INSIDE_COMMIT ->
          Faults.at(
              Point.BEFORE_BATCH,
              batchEnd(K, total, batchSize),
              () -> Sessions.killLockSession(database));
      case WORK_SESSION_KILLED ->
          Faults.at(
              Point.BEFORE_BATCH,
              batchEnd(K, total, batchSize),
              () -> Sessions.killWorkSession(database));
    };
  }

  private static Faults.Once crashAt(Point point, long value) {
    return Faults.at(point, value, () -> Faults.crash(point, value));
  }

  static long batchEnd(long batch, long total, int batchSize) {
    return Math.min(batch * batchSize, total);
  }

  /** Whether the next run must start over (the change set was never complete). */
  boolean startsOver() {
    return this == MID_EXTRACT || this == AFTER_EXTRACT;
  }

  /** Batches the failing run committed. */
  long committedBatches(long totalBatches) {
    return switch (this) {
      case MID_EXTRACT, AFTER_EXTRACT, BEFORE_FIRST_BATCH -> 0;
      case BEFORE_BATCH, LOCK_LOST_INSIDE_COMMIT, WORK_SESSION_KILLED -> K - 1;
      case AFTER_BATCH -> K;
      case AFTER_LAST_BATCH -> totalBatches;
    };
  }

  /** The checkpoint the failing run leaves. */
  long appliedAfterCrash(long total, int batchSize) {
    return batchEnd(committedBatches(RunHistory.batchesFor(total, batchSize)), total, batchSize);
  }

  /** Rows written and then rolled back by the failing run. */
  long rolledBackRows(long total, int batchSize) {
    return this == LOCK_LOST_INSIDE_COMMIT
        ? batchEnd(K, total, batchSize) - batchEnd(K - 1, total, batchSize)
        : 0;
  }

  /**
   * The failing run's status in history: failed, also after its work session was killed (the run
   * records its failure on a new session).
   */
  String statusAfterCrash() {
    return "failed";
  }

  String phaseAfterCrash() {
    // The warehouse's error stops the run in step 'query': nothing written, the next run starts
    // over.
    return this == MID_EXTRACT ? "query" : startsOver() ? "extract" : "apply";
  }

  /** Asserts that the failing run failed the way this strike makes it fail. */
  void assertFailure(Throwable thrown) {
    switch (this) {
      case MID_EXTRACT ->
          assertThat(thrown)
              .isInstanceOf(QsyncException.class)
              .hasMessageContaining("warehouse worker lost while streaming the result");
      case LOCK_LOST_INSIDE_COMMIT ->
          assertThat(thrown)
              .isInstanceOfSatisfying(
                  QsyncException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.FAILED))
              .hasMessageContaining("lost its lock")
              .hasMessageContaining("rolled back");
      case WORK_SESSION_KILLED ->
          assertThat(thrown)
              .isInstanceOfSatisfying(
                  QsyncException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.FAILED));
      default -> assertThat(thrown).isInstanceOf(Faults.SimulatedCrash.class);
    }
  }
}
