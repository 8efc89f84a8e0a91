package io.qsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EveryScheduleTest {
  @Test
  void nextIsTheIntervalAfterTheGivenStart() {
    EverySchedule schedule = new EverySchedule(Duration.ofMinutes(15));

    assertThat(schedule.next(Instant.parse("2026-02-28T23:50:00Z")))
        .isEqualTo(Instant.parse("2026-03-01T00:05:00Z"));
  }

  @Test
  void describesTheIntervalInItsLargestWholeUnit() {
    assertThat(new EverySchedule(Duration.ofMinutes(15)).describe()).isEqualTo("every 15m");
    assertThat(new EverySchedule(Duration.ofHours(2)).describe()).isEqualTo("every 2h");
    assertThat(new EverySchedule(Duration.ofSeconds(90)).describe()).isEqualTo("every 90s");
    assertThat(new EverySchedule(Duration.ofMillis(1500)).describe()).isEqualTo("every 1500ms");
  }

  @Test
  void refusesAnIntervalUnderOneSecond() {
    assertThatThrownBy(() -> new EverySchedule(Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1s");
  }
}
