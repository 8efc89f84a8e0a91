package io.qsync.resume;

import io.qsync.engine.FaultPoint.Point;

/**
 * Where a run with a warehouse change set ({@code diff: snapshot}) stops: before its first batch,
 * after it, once every batch is in but before the state advances, and after the state is recorded
 * but before the run is marked succeeded.
 */
enum SnapshotCrash {
  BEFORE_APPLY(Point.BEFORE_BATCH, true),
  MID_APPLY(Point.AFTER_BATCH, true),
  AFTER_APPLY_BEFORE_STATE(Point.BEFORE_STATE, false),
  AFTER_STATE_BEFORE_SUCCESS(Point.STATE_RECORDED, false);

  private final Point point;
  private final boolean atFirstBatch;

  SnapshotCrash(Point point, boolean atFirstBatch) {
    this.point = point;
    this.atFirstBatch = atFirstBatch;
  }

  /** The fault that crashes the run here, given where the run's first batch ends. */
  Faults.Once fault(long firstBatchEnd) {
    long value = atFirstBatch ? firstBatchEnd : -1;
    return Faults.at(point, value, () -> Faults.crash(point, value));
  }
}
