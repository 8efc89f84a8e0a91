package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.engine.LatencyController.Activity;
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

  private static Window others(double statementsPerSecond, double probeMillis, boolean quiet) {
    return new Window(
        10, Duration.ofNanos(Math.round(probeMillis * 1e6)), statementsPerSecond, quiet);
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
            "probe baseline 0.30ms while the sync waited (5,000 statements/s from other sessions)");

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
  void pacesTheTableReadBackAsItPacesWritingAndSaysSo() {
    controller.decide(busy(0.30, true), at(0), Activity.READING);

    Step slower = controller.decide(busy(0.61, false), at(1), Activity.READING);

    assertThat(slower.move()).isEqualTo(Move.SLOWER);
    assertThat(slower.reason())
        .isEqualTo(
            "probe 0.61ms > 0.39ms (1.3 x baseline 0.30ms): reading the table 50% of the time");
    // reading half of the time: a chunk read in 100 ms is followed by 100 ms of rest
    assertThat(controller.pauseAfter(Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(100));
    Step faster = controller.decide(busy(0.35, false), at(2), Activity.READING);
    assertThat(faster.reason())
        .isEqualTo(
            "probe 0.35ms <= 0.39ms (1.3 x baseline 0.30ms): within budget, reading the table 60%"
                + " of the time and growing");
    // the writes that follow start at the share the read ended with
    assertThat(controller.decide(busy(0.61, false), at(3)).reason())
        .endsWith(": writing 30% of the time");
  }

  @Test
  void anIdleServerReadsTheTableAtFullSpeed() {
    Step idle = controller.decide(others(3, 50, false), at(0), Activity.READING);

    assertThat(idle.move()).isEqualTo(Move.FULL);
    assertThat(controller.pauseAfter(Duration.ofMillis(500))).isZero();
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
        .isEqualTo(
            "probe 0.35ms <= 0.39ms (1.3 x baseline 0.30ms): within budget, writing 35% of the time"
                + " and growing");
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
        .isEqualTo(
            "server busy: 5,000 statements/s from other sessions >= 10 (idle_below); learning the"
                + " probe's baseline");

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

  @Test
  void turnsIdleOnlyAfterThreeChecksInARowBelowIdleBelowButBusyAtOnce() {
    controller.decide(busy(0.30, true), at(0));
    // a rate hovering about idle_below, as on a shared server: the verdict does not flip with it
    for (int second = 1; second <= 8; second++) {
      Step step = controller.decide(others(second % 2 == 0 ? 12 : 9, 0.35, false), at(second));
      assertThat(step.move()).as("second %d", second).isNotEqualTo(Move.FULL);
    }
    assertThat(controller.decide(others(9, 0.35, false), at(9)).move()).isNotEqualTo(Move.FULL);
    assertThat(controller.decide(others(8, 0.35, false), at(10)).move()).isNotEqualTo(Move.FULL);

    Step idle = controller.decide(others(7, 0.35, false), at(11));
    assertThat(idle.move()).isEqualTo(Move.FULL);
    assertThat(idle.changed()).isTrue();
    assertThat(idle.reason())
        .isEqualTo("server idle: 7 statements/s from other sessions < 10 (idle_below)");

    // protecting the application comes first: one check above turns the server busy
    Step busy = controller.decide(others(12, 0.35, false), at(12));
    assertThat(busy.move()).isEqualTo(Move.LEARN);
    assertThat(busy.changed()).isTrue();
  }

  @Test
  void tellsTheServerTurningBusy() {
    Step idle = controller.decide(others(3, 1, true), at(0));
    assertThat(idle.move()).as("the first check of all: no verdict to flip").isEqualTo(Move.FULL);

    Step busy = controller.decide(others(4252, 0.9, false), at(1));
    assertThat(busy.move()).isEqualTo(Move.LEARN);
    assertThat(busy.changed()).as("told before the learning").isTrue();
    assertThat(busy.reason())
        .isEqualTo(
            "server busy: 4,252 statements/s from other sessions >= 10 (idle_below); learning the"
                + " probe's baseline");
    assertThat(controller.decide(others(4252, 0.5, true), at(1)).reason())
        .isEqualTo(
            "probe baseline 0.50ms while the sync waited (4,252 statements/s from other sessions)");

    LatencyController absolute = new LatencyController(0, Duration.ofNanos(800_000), 10);
    absolute.decide(others(3, 1, true), at(0));
    Step turned = absolute.decide(others(4252, 1.2, false), at(1));
    assertThat(turned.changed()).isTrue();
    assertThat(turned.reason())
        .isEqualTo(
            "server busy: 4,252 statements/s from other sessions >= 10 (idle_below); probe 1.20ms"
                + " > 0.80ms (max_probe_latency): writing 50% of the time");
  }

  @Test
  void announcesABaselineLearnedAgain() {
    controller.decide(busy(0.83, true), at(0));
    controller.decide(busy(0.90, false), at(1));
    assertThat(controller.decide(busy(0.90, false), at(30)).move()).isEqualTo(Move.LEARN);

    Step relearned = controller.decide(busy(0.61, true), at(30));

    assertThat(relearned.changed()).isTrue();
    assertThat(relearned.reason())
        .isEqualTo(
            "baseline re-learned: 0.61ms (was 0.83ms) while the sync waited (5,000 statements/s"
                + " from other sessions)");
  }

  @Test
  void announcesABaselineLoweredByAFasterSecondWhileWriting() {
    controller.decide(busy(0.83, true), at(0));
    assertThat(controller.decide(busy(1.62, false), at(1)).changed()).isTrue();

    Step lowered = controller.decide(busy(0.61, false), at(2));

    assertThat(lowered.changed()).as("news, however soon after the last told share").isTrue();
    assertThat(lowered.reason())
        .isEqualTo(
            "baseline lowered: 0.61ms (was 0.83ms), the probe's median while the sync wrote;"
                + " probe 0.61ms <= 0.79ms (1.3 x baseline 0.61ms): within budget, writing 60% of"
                + " the time and growing");
    Step next = controller.decide(busy(0.70, false), at(3));
    assertThat(next.reason()).doesNotContain("baseline lowered");
    assertThat(next.changed()).isFalse();
  }

  @Test
  void withinBudgetAtAllTheTimeIsNotGrowing() {
    controller.decide(busy(0.30, true), at(0));

    Step step = controller.decide(busy(0.35, false), at(1));

    assertThat(step.reason())
        .isEqualTo(
            "probe 0.35ms <= 0.39ms (1.3 x baseline 0.30ms): within budget, writing 100% of the"
                + " time");
  }

  private static Duration millis(double value) {
    return Duration.ofNanos(Math.round(value * 1e6));
  }

  @Test
  void theRunsWorkBeforeItsFirstBatchOverBudgetHalvesTheShareForEachSecondItLasted() {
    controller.decide(busy(0.30, true), at(0)); // the first look: baseline 0.30ms

    Step judged =
        controller.judgeWork(millis(0.90), 20, Duration.ofMillis(2_400), at(0)).orElseThrow();

    assertThat(judged.move()).isEqualTo(Move.SLOWER);
    assertThat(judged.share()).isEqualTo(0.25);
    assertThat(judged.changed()).isTrue();
    assertThat(judged.rule()).isEqualTo("probe latency > 1.3x baseline");
    assertThat(judged.reason())
        .isEqualTo(
            "probe 0.90ms > 0.39ms (1.3 x baseline 0.30ms) while the run read and compared for"
                + " 2.4s: writing 25% of the time, resting first so that this work takes that"
                + " share too");
    // 2.4 s of work at a quarter of the time: 7.2 s of rest are owed
    assertThat(controller.pauseAfter(Duration.ofMillis(2_400))).isEqualTo(Duration.ofMillis(7_200));
    // resting, the share grows by a tenth a second and less rest is owed
    controller.rested(Duration.ofSeconds(1));
    assertThat(controller.share()).isEqualTo(0.35, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(controller.pauseAfter(Duration.ofMillis(2_400)))
        .isLessThan(Duration.ofMillis(4_500))
        .isGreaterThan(Duration.ofMillis(4_400)); // 2.4 s x 65 / 35
    controller.rested(Duration.ofMillis(1_500)); // 2.5 s rested, 50 %: 2.4 s owed, no more
    assertThat(controller.pauseAfter(Duration.ofMillis(2_400))).isEqualTo(Duration.ofMillis(2_400));
    controller.rested(Duration.ofSeconds(20));
    assertThat(controller.share()).isEqualTo(1.0);
  }

  @Test
  void theRunsWorkWithinBudgetOnAnIdleServerOrWithoutAReadingChangesNothing() {
    controller.decide(busy(0.30, true), at(0));
    assertThat(controller.judgeWork(millis(0.39), 20, Duration.ofSeconds(3), at(0))).isEmpty();
    assertThat(controller.judgeWork(millis(5), 0, Duration.ofSeconds(3), at(0))).isEmpty();
    assertThat(controller.share()).isEqualTo(1.0);

    LatencyController idle = new LatencyController(1.3, Duration.ZERO, 10);
    idle.decide(new Window(3, millis(0.30), 2, true), at(0));
    assertThat(idle.judgeWork(millis(50), 20, Duration.ofSeconds(3), at(0))).isEmpty();
    assertThat(idle.pauseAfter(Duration.ofSeconds(3))).isZero();

    LatencyController unjudged = new LatencyController(1.3, Duration.ZERO, 10);
    assertThat(unjudged.judgeWork(millis(50), 20, Duration.ofSeconds(3), at(0))).isEmpty();
  }

  @Test
  void theRunsWorkNeverStopsTheSyncAltogetherAndKeepsAnAbsoluteBudget() {
    LatencyController absolute = new LatencyController(0, Duration.ofNanos(800_000), 10);
    absolute.decide(busy(0.5, false), at(0));

    Step judged = absolute.judgeWork(millis(3), 40, Duration.ofSeconds(40), at(0)).orElseThrow();

    assertThat(judged.share()).isEqualTo(LatencyController.MIN_SHARE);
    assertThat(judged.reason())
        .startsWith("probe 3.00ms > 0.80ms (max_probe_latency) while the run read and compared");
  }
}
