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
}
