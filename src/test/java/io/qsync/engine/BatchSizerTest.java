package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchSizerTest {
  private static final Duration HALF_SECOND = Duration.ofMillis(500);

  @Test
  void growsTowardsTheTargetTimeAtMostDoublingPerBatch() {
    BatchSizer sizer = new BatchSizer(1000, 10, 100_000, HALF_SECOND);

    sizer.record(1000, Duration.ofMillis(50)); // 20,000 rows/s: 10,000 rows in 0.5 s

    assertThat(sizer.next()).isEqualTo(2000);
    sizer.record(2000, Duration.ofMillis(100));
    sizer.record(4000, Duration.ofMillis(200));
    assertThat(sizer.next()).isEqualTo(8000);
    sizer.record(8000, Duration.ofMillis(400));
    assertThat(sizer.next()).isEqualTo(10_000);
    sizer.record(10_000, Duration.ofMillis(500));
    assertThat(sizer.next()).isEqualTo(10_000);
  }

  @Test
  void shrinksWhenBatchesRunLongButOneSlowBatchDoesNotHalveTheNext() {
    BatchSizer sizer = new BatchSizer(1000, 10, 1000, HALF_SECOND);
    sizer.record(1000, Duration.ofMillis(100)); // 10,000 rows/s: capped at the max

    sizer.record(1000, Duration.ofSeconds(5)); // one stall: 200 rows/s

    assertThat(sizer.next()).as("the moving average still allows 3,530 rows").isEqualTo(1000);
    for (int i = 0; i < 40; i++) {
      sizer.record(sizer.next(), Duration.ofMillis(sizer.next() * 5L)); // 200 rows/s from now on
    }
    assertThat(sizer.next()).isEqualTo(100);
    assertThat(sizer.smallest()).isEqualTo(100);
    assertThat(sizer.largest()).isEqualTo(1000);
  }

  @Test
  void staysWithinItsBounds() {
    BatchSizer sizer = new BatchSizer(50, 40, 60, HALF_SECOND);

    sizer.record(50, Duration.ofMillis(1));
    assertThat(sizer.next()).isEqualTo(60);
    for (int i = 0; i < 20; i++) {
      sizer.record(sizer.next(), Duration.ofSeconds(60));
    }
    assertThat(sizer.next()).isEqualTo(40);
  }

  @Test
  void zeroTargetKeepsTheStartSize() {
    BatchSizer sizer = new BatchSizer(97, 10, 1000, Duration.ZERO);

    sizer.record(97, Duration.ofMillis(1));
    sizer.record(97, Duration.ofSeconds(30));

    assertThat(sizer.next()).isEqualTo(97);
  }

  @Test
  void refusesBoundsThatDoNotHoldTheStart() {
    assertThatThrownBy(() -> new BatchSizer(5, 10, 100, HALF_SECOND))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
