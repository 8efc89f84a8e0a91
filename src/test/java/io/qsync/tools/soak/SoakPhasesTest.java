package io.qsync.tools.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SoakPhasesTest {
  @Test
  void theFixedRatePhaseIsHeldByItsHandSetLimitsAloneUnlessTheyNameABudget() {
    assertThat(Soak.fixedRate(List.of("batch_time: 50ms", "max_rows_per_second: 2000")))
        .containsExactly(
            "batch_time: 50ms", "max_rows_per_second: 2000", "max_latency_increase: 0");
    assertThat(Soak.fixedRate(List.of("batch_time: 100ms", "max_latency_increase: 1.3")))
        .containsExactly("batch_time: 100ms", "max_latency_increase: 1.3");
  }

  @Test
  void aRatePhaseIsTheFixedRatePhaseAtThatRate() {
    assertThat(Soak.atRate(List.of("batch_time: 50ms", "max_rows_per_second: 2000"), 4000))
        .containsExactly(
            "batch_time: 50ms", "max_rows_per_second: 4000", "max_latency_increase: 0");
    assertThat(Soak.atRate(List.of(), 1000))
        .containsExactly("max_rows_per_second: 1000", "max_latency_increase: 0");
  }

  @Test
  void theShareOfLatenciesAboveALimitCountsOnlyThoseAboveIt() {
    long[] sorted = {1, 2, 3, 3, 3, 4, 5, 6, 7, 8};

    assertThat(Latencies.shareAbove(sorted, 3)).isEqualTo(0.5);
    assertThat(Latencies.shareAbove(sorted, 2)).isEqualTo(0.8);
    assertThat(Latencies.shareAbove(sorted, 0)).isEqualTo(1.0);
    assertThat(Latencies.shareAbove(sorted, 8)).isZero();
    assertThat(Latencies.shareAbove(new long[0], 3)).isZero();
  }

  @Test
  void theMeterTellsWhatARunIsDoingAndSumsTheTimeOfEach() {
    SyncMeter meter = new SyncMeter();
    assertThat(meter.doing()).isEqualTo(SyncMeter.NO_RUN);

    meter.doing(SyncMeter.OUTSIDE_STEPS);
    meter.begin("extract", 10);
    assertThat(meter.doing()).isEqualTo("extract");
    meter.end();
    assertThat(meter.doing()).isEqualTo(SyncMeter.OUTSIDE_STEPS);

    assertThat(meter.secondsDoing())
        .containsOnlyKeys(SyncMeter.NO_RUN, SyncMeter.OUTSIDE_STEPS, "extract");
  }
}
