package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.testing.ManualClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
  @Test
  void describesRowsTotalRateAndEta() {
    // The ETA is rounded up to whole seconds and shown as such.
    assertThat(ConsoleProgress.describe("apply", 12_000, 40_000, Duration.ofMillis(1500)))
        .isEqualTo("apply       12,000/40,000 rows  8,000 rows/s  ETA 4s");
  }

  @Test
  void aLongEtaIsShownInMinutes() {
    assertThat(ConsoleProgress.describe("extract", 1_000, 1_000_000, Duration.ofSeconds(1)))
        .isEqualTo("extract     1,000/1,000,000 rows  1,000 rows/s  ETA 16m39s");
  }

  @Test
  void anUnknownTotalHasNeitherTotalNorEta() {
    assertThat(ConsoleProgress.describe("read target", 5_000, -1, Duration.ofSeconds(2)))
        .isEqualTo("read target 5,000 rows  2,500 rows/s");
  }

  @Test
  void aFinishedOrNotStartedStepHasNoEta() {
    assertThat(ConsoleProgress.describe("apply", 40, 40, Duration.ofSeconds(2)))
        .isEqualTo("apply       40/40 rows  20 rows/s");
    assertThat(ConsoleProgress.describe("apply", 0, 40, Duration.ofSeconds(2)))
        .isEqualTo("apply       0/40 rows  0 rows/s");
  }

  @Test
  void noElapsedTimeDoesNotDivideByZero() {
    assertThat(ConsoleProgress.describe("apply", 10, 20, Duration.ZERO))
        .isEqualTo("apply       10/20 rows  10,000 rows/s  ETA 1s");
  }

  @Test
  void inALogPrintsALineEveryFiveSecondsAndAtTheEndOfALongStep() {
    StringWriter text = new StringWriter();
    ManualClock clock = new ManualClock();
    ConsoleProgress progress = new ConsoleProgress(new PrintWriter(text), false, clock);

    progress.begin("apply", 100);
    clock.advance(Duration.ofSeconds(1));
    progress.advance(10);
    assertThat(text.toString()).isEmpty();
    clock.advance(Duration.ofSeconds(4));
    progress.advance(50);
    clock.advance(Duration.ofSeconds(5));
    progress.end();

    assertThat(text.toString().lines())
        .containsExactly(
            "apply       50/100 rows  10 rows/s  ETA 5s",
            "apply       50/100 rows  5 rows/s  ETA 10s");
  }

  /** A resumed run's committed batches were not done now: the rate counts only this run's. */
  @Test
  void aResumedStepsRateCountsOnlyWhatItDoesItself() {
    StringWriter text = new StringWriter();
    ManualClock clock = new ManualClock();
    ConsoleProgress progress = new ConsoleProgress(new PrintWriter(text), false, clock);

    progress.beginAt("apply", 1_000_000, 400_000);
    clock.advance(Duration.ofSeconds(5));
    progress.advance(500_000);

    assertThat(text.toString().lines())
        .containsExactly("apply       500,000/1,000,000 rows  20,000 rows/s  ETA 25s");
  }

  @Test
  void inALogAShortStepPrintsNothing() {
    StringWriter text = new StringWriter();
    ManualClock clock = new ManualClock();
    ConsoleProgress progress = new ConsoleProgress(new PrintWriter(text), false, clock);
    progress.begin("diff", -1);
    clock.advance(Duration.ofMillis(300));
    progress.advance(5);
    progress.end();
    progress.end(); // a second end is harmless
    assertThat(text.toString()).isEmpty();
  }

  @Test
  void onATerminalRedrawsOneLineAndEndsItWithANewline() {
    StringWriter text = new StringWriter();
    ManualClock clock = new ManualClock();
    ConsoleProgress progress = new ConsoleProgress(new PrintWriter(text), true, clock);
    progress.begin("apply", 10);
    clock.advance(Duration.ofMillis(250));
    progress.advance(5);
    clock.advance(Duration.ofMillis(100));
    progress.advance(6); // within 200 ms of the last redraw: not shown
    clock.advance(Duration.ofMillis(150));
    progress.end();
    assertThat(text.toString())
        .isEqualTo(
            "\r\033[2Kapply       5/10 rows  20 rows/s  ETA 1s"
                + "\r\033[2Kapply       6/10 rows  12 rows/s  ETA 1s\n");
  }
}
