package io.qsync.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchPlanTest {
  @Test
  void walksTheChangeSetInBatchesOfTheGivenSize() {
    BatchPlan plan = new BatchPlan(10, 0);
    List<Long> ends = new ArrayList<>();
    while (!plan.done()) {
      long end = plan.nextBatchEnd(4);
      ends.add(end);
      plan = plan.advance(end);
    }
    assertThat(ends).containsExactly(4L, 8L, 10L);
    assertThat(plan.remaining()).isZero();
    assertThat(plan.remainingBatches(4)).isZero();
  }

  @Test
  void anEmptyChangeSetIsDoneAtOnce() {
    BatchPlan plan = new BatchPlan(0, 0);
    assertThat(plan.done()).isTrue();
    assertThat(plan.remaining()).isZero();
    assertThat(plan.nextBatchEnd(1000)).isZero();
    assertThat(plan.remainingBatches(1000)).isZero();
  }

  @Test
  void resumesAfterTheCheckpointWithADifferentBatchSize() {
    // A first process committed 3 batches of 3; the resumed one uses batches of 5.
    BatchPlan resumed = new BatchPlan(20, 9);
    assertThat(resumed.done()).isFalse();
    assertThat(resumed.remaining()).isEqualTo(11);
    assertThat(resumed.remainingBatches(5)).isEqualTo(3);

    List<long[]> batches = new ArrayList<>();
    BatchPlan plan = resumed;
    while (!plan.done()) {
      long end = plan.nextBatchEnd(5);
      batches.add(new long[] {plan.appliedThrough() + 1, end});
      plan = plan.advance(end);
    }
    assertThat(batches)
        .containsExactly(new long[] {10, 14}, new long[] {15, 19}, new long[] {20, 20});
  }

  @Test
  void countsRemainingBatchesRoundingUp() {
    BatchPlan plan = new BatchPlan(1001, 0);
    assertThat(plan.remainingBatches(1000)).isEqualTo(2);
    assertThat(plan.remainingBatches(1)).isEqualTo(1001);
    assertThat(plan.remainingBatches(2000)).isEqualTo(1);
    assertThat(new BatchPlan(1000, 0).remainingBatches(1000)).isEqualTo(1);
  }

  @Test
  void aHugeBatchSizeDoesNotOverflow() {
    BatchPlan plan = new BatchPlan(10_000_000_000L, 9_000_000_000L);
    assertThat(plan.nextBatchEnd(Integer.MAX_VALUE)).isEqualTo(10_000_000_000L);
    assertThat(plan.remainingBatches(Integer.MAX_VALUE)).isEqualTo(1);
    assertThat(new BatchPlan(5, 0).nextBatchEnd(Integer.MAX_VALUE)).isEqualTo(5);
  }

  @Test
  void refusesACheckpointOutsideTheChangeSet() {
    assertThatThrownBy(() -> new BatchPlan(10, 11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("11")
        .hasMessageContaining("10");
    assertThatThrownBy(() -> new BatchPlan(10, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BatchPlan(-1, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesANonPositiveBatchSize() {
    BatchPlan plan = new BatchPlan(10, 0);
    assertThatThrownBy(() -> plan.nextBatchEnd(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchSize");
    assertThatThrownBy(() -> plan.nextBatchEnd(-5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void remainingBatchesRefusesANonPositiveBatchSize() {
    BatchPlan plan = new BatchPlan(10, 0);
    assertThatThrownBy(() -> plan.remainingBatches(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> plan.remainingBatches(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesABatchEndNotAfterTheCheckpointOrPastTheEnd() {
    BatchPlan plan = new BatchPlan(10, 4);
    assertThatThrownBy(() -> plan.advance(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not after 4");
    assertThatThrownBy(() -> plan.advance(3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> plan.advance(11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside the change set");
    assertThat(plan.advance(10).done()).isTrue();
  }

  @Test
  void advancingReturnsANewPlanAndLeavesTheOldOne() {
    BatchPlan plan = new BatchPlan(10, 0);
    BatchPlan next = plan.advance(3);
    assertThat(plan.appliedThrough()).isZero();
    assertThat(next).isEqualTo(new BatchPlan(10, 3));
  }
}
