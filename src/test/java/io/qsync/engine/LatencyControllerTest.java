package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.engine.LatencyController.Move;
import io.qsync.engine.LatencyController.Step;
import io.qsync.engine.LatencyController.Window;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LatencyControllerTest {
  private static final Instant START = Instant.parse("2026-12-05T12:00:00Z");
  private final LatencyController controller = new LatencyController(1.3, Duration.ZERO, 10);

  private static Window busy(double probeMillis, boolean quiet) {
    return new Window(10, Duration.ofNanos(Math.round(probeMillis * 1e6)), 5000, quiet);
  }

  private static Instant at(long seconds) {
    return START.plusSeconds(seconds);
  }

  @Test
  void writesAllTheTimeWhileOtherSessionsAreIdleHoweverSlowTheProbe() {
    Step step = controller.decide(new Window(4, Duration.ofMillis(50), 3, true), at(0));

    assertThat(step.move()).isEqualTo(Move.FULL);
    assertThat(step.share()).isEqualTo(1.0);
    assertThat(step.reason())
        .isEqualTo("server idle: 3 statements/s from other sessions < 10 (idle_below)");
    assertThat(controller.pauseAfter(Duration.ofMillis(500))).isZero();
  }

  @Test
  void learnsTheBaselineFromAQuietWindowThenHalvesTheShareWhileOverBudget() {
    Step learned = controller.decide(busy(0.30, true), at(0));
    assertThat(learned.move()).isEqualTo(Move.LEARNED);
    assertThat(learned.reason())
        .isEqualTo(
            "probe baseline 0.30ms while the sync waited (5000 statements/s from other sessions)");

    Step slower = controller.decide(busy(0.61, false), at(1));
    assertThat(slower.move()).isEqualTo(Move.SLOWER);
    assertThat(slower.reason())
        .isEqualTo("probe 0.61ms > 0.39ms (1.3 x baseline 0.30ms): writing 50% of the time");
    assertThat(slower.rule()).isEqualTo("probe latency > 1.3x baseline");
    assertThat(controller.decide(busy(0.61, false), at(2)).share()).isEqualTo(0.25);
    // writing a quarter of the time: a batch of 100 ms is followed by 300 ms of waiting
    assertThat(controller.pauseAfter(Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(300));
    assertThat(controller.batchTime(Duration.ofMillis(500))).isEqualTo(Duration.ofMillis(125));
  }

  @Test
  void growsTheShareByATenthPerDecisionWithinBudgetUpToAll() {
    controller.decide(busy(0.30, true), at(0));
    controller.decide(busy(1.0, false), at(1));
    controller.decide(busy(1.0, false), at(2));

    Step faster = controller.decide(busy(0.35, false), at(3));

    assertThat(faster.move()).isEqualTo(Move.FASTER);
    assertThat(faster.share()).isEqualTo(0.35, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(faster.reason())
        .isEqualTo("probe 0.35ms <= 0.39ms (1.3 x baseline 0.30ms): writing 35% of the time");
    for (int second = 4; second < 20; second++) {
      controller.decide(busy(0.35, false), at(second));
    }
    assertThat(controller.share()).isEqualTo(1.0);
  }

  @Test
  void aLowerMedianWhileWritingLowersABaselineLearnedAtAnUnluckyMoment() {
    controller.decide(busy(120, true), at(0));
    controller.decide(busy(0.40, false), at(1));

    Step step = controller.decide(busy(0.61, false), at(2));

    assertThat(step.reason())
        .isEqualTo("probe 0.61ms > 0.52ms (1.3 x baseline 0.40ms): writing 50% of the time");
  }

  @Test
  void neverStopsWritingAltogether() {
    controller.decide(busy(0.30, true), at(0));
    for (int second = 1; second < 20; second++) {
      controller.decide(busy(5.0, false), at(second));
    }

    assertThat(controller.share()).isEqualTo(LatencyController.MIN_SHARE);
    assertThat(controller.batchTime(Duration.ofMillis(500)))
        .isEqualTo(LatencyController.MIN_BATCH_TIME);
  }

  @Test
  void asksToLearnWhenOtherSessionsBeginToWorkAndAgainAfterThirtySeconds() {
    controller.decide(new Window(4, Duration.ofMillis(1), 0, false), at(0));

    Step appeared = controller.decide(busy(0.9, false), at(1));
    assertThat(appeared.move()).isEqualTo(Move.LEARN);
    assertThat(appeared.reason())
        .isEqualTo("learning the probe's baseline: other sessions are at work");

    assertThat(controller.decide(busy(0.5, true), at(1)).move()).isEqualTo(Move.LEARNED);
    assertThat(controller.decide(busy(0.5, false), at(30)).move()).isEqualTo(Move.FASTER);
    Step stale = controller.decide(busy(0.5, false), at(31));
    assertThat(stale.move()).isEqualTo(Move.LEARN);
    assertThat(stale.reason()).isEqualTo("learning the probe's baseline again (every 30s)");
  }

  @Test
  void anAbsoluteBudgetNeedsNoBaseline() {
    LatencyController absolute = new LatencyController(0, Duration.ofNanos(800_000), 10);

    Step step = absolute.decide(busy(1.2, false), at(0));

    assertThat(step.move()).isEqualTo(Move.SLOWER);
    assertThat(step.reason())
        .isEqualTo("probe 1.20ms > 0.80ms (max_probe_latency): writing 50% of the time");
  }

  @Test
  void holdsTheShareUntilTwoReadingsTellTheOtherSessionsRate() {
    Step step = controller.decide(new Window(1, Duration.ofMillis(2), -1, false), at(0));

    assertThat(step.move()).isEqualTo(Move.HOLD);
    assertThat(step.share()).isEqualTo(1.0);
  }

  @Test
  void holdsTheShareWithoutAReading() {
    controller.decide(busy(0.30, true), at(0));
    controller.decide(busy(1.0, false), at(1));

    Step step = controller.decide(new Window(0, Duration.ZERO, 5000, false), at(2));

    assertThat(step.move()).isEqualTo(Move.HOLD);
    assertThat(step.share()).isEqualTo(0.5);
  }

  @Test
  void aReasonShowsAsManyDecimalsAsItTakesNotToContradictItself() {
    assertThat(controller.decide(new Window(4, Duration.ofMillis(1), 9.6, true), at(0)).reason())
        .isEqualTo("server idle: 9.6 statements/s from other sessions < 10.0 (idle_below)");

    LatencyController absolute = new LatencyController(0, Duration.ofNanos(800_000), 10);
    assertThat(absolute.decide(busy(0.8004, false), at(0)).reason())
        .isEqualTo("probe 0.8004ms > 0.8000ms (max_probe_latency): writing 50% of the time");
  }

  @Test
  void tellsTransitionsNotEveryCheck() {
    controller.decide(busy(0.30, true), at(0));
    int told = 0;
    // a hundred seconds of the share halving and growing back, as it does under load, with the
    // baseline learned again every 30 s: the share changed 60 times
    for (int second = 1; second <= 100; second++) {
      boolean over = controller.share() >= 1;
      Step step = controller.decide(busy(over ? 0.5 : 0.35, false), at(second));
      if (step.move() == Move.LEARN) {
        step = controller.decide(busy(0.30, true), at(second)); // as the throttle does
      }
      told += step.changed() ? 1 : 0;
    }

    assertThat(told).as("decisions told in 100 s").isLessThanOrEqualTo(20);
    assertThat(controller.decide(new Window(4, Duration.ofMillis(1), 3, true), at(101)).changed())
        .as("the server turning idle")
        .isTrue();
  }
}
