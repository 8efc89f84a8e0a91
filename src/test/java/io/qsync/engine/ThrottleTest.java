package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.Sleeper;
import io.qsync.config.ThrottleConfig;
import io.qsync.testing.ManualClock;
import io.qsync.testing.RecordingProgress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ThrottleTest {
  private final ManualClock clock = new ManualClock();
  private final Sleeper sleeper = clock::advance;
  private final RecordingProgress progress = new RecordingProgress();

  @Test
  void pausesWhileBusyLogsEachTransitionAndSumsTheTimePerRule() {
    Deque<Long> threads = new ArrayDeque<>(List.of(61L, 70L, 55L, 3L));
    Throttle throttle = throttle(limits(50, 0, Duration.ofMinutes(30)), () -> threads.poll());

    throttle.awaitClearance(100, 100);

    assertThat(progress.events)
        .containsExactly("paused: Threads_running=61 >= 50", "resumed after 3s");
    ThrottleReport report = throttle.report(0);
    assertThat(report.throttled()).isEqualTo(Duration.ofSeconds(3));
    assertThat(report.throttledBy())
        .containsExactly(Map.entry("Threads_running >= 50", Duration.ofSeconds(3)));
  }

  @Test
  void givesUpResumablyAfterMaxPause() {
    Throttle throttle = throttle(limits(50, 0, Duration.ofSeconds(10)), () -> 99L);

    QsyncException error =
        catchThrowableOfType(QsyncException.class, () -> throttle.awaitClearance(100, 400));

    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage())
        .startsWith(
            "throttle: paused for 10s (Threads_running=99 >= 50) before the batch ending at change 400; gave up after max_pause 10s")
        .contains("the run resumes after its last committed batch");
  }

  @Test
  void aHealStoppedByTheThrottleSaysToHealAgainNotJustToVerify() {
    Throttle throttle =
        new Throttle(
            limits(50, 0, Duration.ofSeconds(2)),
            1000,
            () -> new LoadSample(99L, Optional.empty(), List.of(), Optional.empty()),
            clock,
            sleeper,
            progress,
            Caller.HEAL);

    QsyncException error =
        catchThrowableOfType(QsyncException.class, () -> throttle.awaitClearance(0, 1));

    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage())
        .endsWith(
            "Try qsync verify --heal again once the target is calmer (it keeps nothing to"
                + " resume).");
  }

  @Test
  void aVerifyInterruptedWhilePausedSaysToVerifyAgainNotThatARunResumes() {
    Sleeper interrupted =
        duration -> {
          throw new InterruptedException("the test interrupts the wait");
        };
    Throttle throttle =
        new Throttle(
            limits(50, 0, Duration.ofMinutes(30)),
            1000,
            () -> new LoadSample(99L, Optional.empty(), List.of(), Optional.empty()),
            clock,
            interrupted,
            progress,
            Caller.VERIFY);

    QsyncException error =
        catchThrowableOfType(QsyncException.class, () -> throttle.awaitClearance(0, 1));
    Thread.interrupted(); // the throttle keeps the interrupt for its caller; clear it here

    assertThat(error.kind()).isEqualTo(ErrorKind.INTERRUPTED);
    assertThat(error.getMessage())
        .isEqualTo(
            "interrupted while waiting for the throttle\nTry qsync verify again (it keeps nothing"
                + " to resume).");
  }

  @Test
  void abortsAtOnceAtTheCriticalThreshold() {
    Throttle throttle = throttle(limits(50, 80, Duration.ofMinutes(30)), () -> 80L);

    QsyncException error =
        catchThrowableOfType(QsyncException.class, () -> throttle.awaitClearance(100, 400));

    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage())
        .startsWith(
            "throttle: Threads_running=80 >= 80 (critical_threads_running); stopped before the batch ending at change 400")
        .contains("resumes after its last committed batch");
    assertThat(progress.events).isEmpty();
  }

  @Test
  void takesTheTargetAsClearForTheProbeIntervalAndPausesAtTheFirstBatchAfterIt() {
    Deque<Long> threads = new ArrayDeque<>(List.of(3L, 99L, 3L));
    Throttle throttle =
        throttle(
            limits(50, 0, Duration.ofMinutes(30), Duration.ofSeconds(1)), () -> threads.poll());

    throttle.awaitClearance(100, 100);
    clock.advance(Duration.ofMillis(600));
    throttle.awaitClearance(100, 200);

    assertThat(progress.events).as("within the interval the busy target is not seen").isEmpty();

    clock.advance(Duration.ofMillis(400));
    throttle.awaitClearance(100, 300);

    assertThat(progress.events)
        .containsExactly("paused: Threads_running=99 >= 50", "resumed after 1s");
  }

  @Test
  void holdsTheRowRateAndReportsItsWaits() {
    ThrottleConfig rate =
        ThrottleConfig.builder()
            .maxRowsPerSecond(1000)
            .batchTime(Duration.ZERO)
            .maxThreadsRunning(0)
            .probeInterval(Duration.ZERO)
            .withoutSelfThrottle()
            .build();
    Throttle throttle = throttle(rate, () -> 0L);

    throttle.awaitClearance(500, 500);
    throttle.awaitClearance(500, 1000);
    throttle.awaitClearance(500, 1500);

    assertThat(throttle.report(0).throttledBy())
        .containsExactly(Map.entry("max_rows_per_second 1000", Duration.ofSeconds(1)));
  }

  private Throttle throttle(ThrottleConfig config, java.util.function.Supplier<Long> threads) {
    return new Throttle(
        config,
        1000,
        () -> new LoadSample(threads.get(), Optional.empty(), List.of(), Optional.empty()),
        clock,
        sleeper,
        progress,
        Caller.RUN);
  }

  private static ThrottleConfig limits(int max, int critical, Duration maxPause) {
    return limits(max, critical, maxPause, Duration.ZERO);
  }

  private static ThrottleConfig limits(
      int max, int critical, Duration maxPause, Duration probeInterval) {
    return ThrottleConfig.builder()
        .maxThreadsRunning(max)
        .criticalThreadsRunning(critical)
        .maxPause(maxPause)
        .probeInterval(probeInterval)
        .withoutSelfThrottle()
        .build();
  }
}
