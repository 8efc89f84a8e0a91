package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.VerifyEvery;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerifyScheduleTest {
  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

  private static RunRecord record(String mode, Duration ago) {
    Instant at = NOW.minus(ago);
    return RunRecord.started("r" + ago.toSeconds(), "s", "t", mode, at, "h", 1, 0)
        .finished(RunStatus.SUCCEEDED, at.plusSeconds(1), Optional.empty());
  }

  private static RunRecord run(Duration ago) {
    return record("mirror", ago);
  }

  private static Optional<RunRecord> verify(Duration ago) {
    return Optional.of(record(RunRecord.VERIFY, ago));
  }

  @Test
  void everyNRunsCountsTheSuccessfulRunsSinceTheLastVerify() {
    VerifyEvery three = VerifyEvery.runs(3);
    List<RunRecord> runs =
        List.of(run(Duration.ofMinutes(1)), run(Duration.ofMinutes(2)), run(Duration.ofMinutes(3)));

    assertThat(VerifySchedule.due(three, Optional.empty(), runs.subList(0, 2), NOW)).isEmpty();
    assertThat(VerifySchedule.due(three, Optional.empty(), runs, NOW))
        .contains("3 successful runs and no verify yet (verify_every: 3 runs)");
    assertThat(VerifySchedule.due(three, verify(Duration.ofSeconds(150)), runs, NOW))
        .as("two runs since the verify")
        .isEmpty();
    assertThat(VerifySchedule.due(three, verify(Duration.ofMinutes(4)), runs, NOW))
        .contains("3 successful runs since the last verify (verify_every: 3 runs)");
  }

  @Test
  void anIntervalIsDueOnceTheLastVerifyIsThatOld() {
    VerifyEvery week = VerifyEvery.interval(Duration.ofDays(7));
    List<RunRecord> runs = List.of(run(Duration.ofMinutes(1)));

    assertThat(VerifySchedule.due(week, verify(Duration.ofDays(6)), runs, NOW)).isEmpty();
    assertThat(VerifySchedule.due(week, verify(Duration.ofDays(7).plusHours(2)), runs, NOW))
        .contains("the last verify was 7d02h ago (verify_every: 7d)");
  }

  @Test
  void aSyncNeverVerifiedIsVerifiedAfterItsSecondRunNotItsFirstLoad() {
    VerifyEvery week = VerifyEvery.interval(Duration.ofDays(7));

    assertThat(VerifySchedule.due(week, Optional.empty(), List.of(run(Duration.ZERO)), NOW))
        .isEmpty();
    assertThat(
            VerifySchedule.due(
                week,
                Optional.empty(),
                List.of(run(Duration.ZERO), run(Duration.ofMinutes(15))),
                NOW))
        .contains("no verify yet (verify_every: 7d)");
  }

  @Test
  void theSettingReadsAsTheConfigFileSpellsIt() {
    assertThat(VerifyEvery.runs(1).configText()).isEqualTo("1 run");
    assertThat(VerifyEvery.interval(Duration.ofHours(36)).configText()).isEqualTo("36h");
    assertThat(VerifyEvery.interval(Duration.ofDays(2)).configText()).isEqualTo("2d");
  }
}
