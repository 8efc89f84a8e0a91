package io.qsync.diff;

/**
 * Checkpoint arithmetic: which change-set rows the next batch covers, counted in change sequence
 * numbers so that a resumed run may use another batch size. Pure; thread-safe.
 *
 * @param totalChanges length of the change set
 * @param appliedThrough the last sequence number committed (the checkpoint); 0 when none
 */
public record BatchPlan(long totalChanges, long appliedThrough) {
  public BatchPlan {
    if (totalChanges < 0 || appliedThrough < 0 || appliedThrough > totalChanges) {
      throw new IllegalArgumentException(
          "checkpoint " + appliedThrough + " outside the change set of " + totalChanges);
    }
  }

  public boolean done() {
    return appliedThrough == totalChanges;
  }

  /** The last sequence number of the next batch of at most {@code batchSize} changes. */
  public long nextBatchEnd(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
    }
    return Math.min(totalChanges, appliedThrough + batchSize);
  }

  /** The plan after the batch ending at {@code end} committed. */
  public BatchPlan advance(long end) {
    if (end <= appliedThrough) {
      throw new IllegalArgumentException("batch end " + end + " is not after " + appliedThrough);
    }
    return new BatchPlan(totalChanges, end);
  }

  public long remaining() {
    return totalChanges - appliedThrough;
  }

  /** Batches left at the given size, for progress. */
  public long remainingBatches(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
    }
    return (remaining() + batchSize - 1) / batchSize;
  }
}
