package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.ThrottleConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The self-throttle over a run's work before it writes (its query, the table read back in chunks,
 * the diff) and its first batch, against a fake server on a manual clock ({@link
 * SelfThrottleHarness}).
 */
class SelfThrottleTest {
  private static final ThrottleConfig BUDGET_15MS =
      ThrottleConfig.builder().maxProbeLatency(Duration.ofMillis(15)).build();
  private static final Duration QUERY = Duration.ofSeconds(1);
  private static final Duration CHUNK = Duration.ofMillis(200);
  private static final Duration DIFF = Duration.ofMillis(300);

  private final SelfThrottleHarness run = new SelfThrottleHarness(BUDGET_15MS);

  @Test
  void anIdleServerNeitherRestsBetweenChunksNorBeforeTheFirstBatch() {
    run.server(2, Duration.ofMillis(40)); // a slow probe, but nobody else at work

    List<Duration> rests = readTheTable(8);
    run.work(DIFF);
    Duration beforeWriting = run.timed(() -> run.throttle.awaitClearance(100, 100));

    assertThat(rests).containsOnly(Duration.ZERO);
    assertThat(beforeWriting).isEqualTo(Throttle.FIRST_LOOK);
    assertThat(run.throttle.report(0).throttledBy())
        .containsExactly(
            Map.entry("learning whether other sessions are at work", Throttle.FIRST_LOOK));
    assertThat(run.progress.paced)
        .containsExactly("server idle: 2 statements/s from other sessions < 10 (idle_below)");
  }

  @Test
  void aBusyServerRestsBetweenChunksAndSaysItIsReadingTheTable() {
    run.server(5000, Duration.ofMillis(40));

    List<Duration> rests = readTheTable(8);

    assertThat(rests).allSatisfy(rest -> assertThat(rest).isPositive());
    assertThat(run.progress.paced)
        .containsExactly(
            "probe 40.00ms > 15.00ms (max_probe_latency): reading the table 50% of the time");
    assertThat(run.throttle.report(0).decisions())
        .containsExactly(
            "before writing, +1.2s probe 40.00ms > 15.00ms (max_probe_latency): reading the table"
                + " 50% of the time");
  }

  @Test
  void chunksAlreadyRestedForAreNotChargedAgainAtTheFirstBatch() {
    run.server(5000, Duration.ofMillis(40));
    double[] judgedShare = {-1};
    run.progress.onPaced(
        reason -> {
          if (reason.contains("while the run read and compared")) {
            judgedShare[0] = run.controller.share();
          }
        });

    readTheTable(8);
    run.work(DIFF);
    Duration beforeWriting = run.timed(() -> run.throttle.awaitClearance(100, 100));

    // the rest is what the 0.3 s diff after the last chunk's rest owes, once; the chunks rested
    // for themselves (main charged the time since the last decision: 1.3 s, chunks and rests)
    assertThat(beforeWriting.minus(Throttle.FIRST_LOOK)).isEqualTo(restOwed(DIFF, judgedShare[0]));
    assertThat(run.progress.paced)
        .last()
        .asString()
        .contains("while the run read and compared for 0.3s: writing ");
  }

  @Test
  void aChunkReadBeforeTheFirstDecisionIsChargedAtTheFirstBatch() {
    run.server(5000, Duration.ofMillis(40));

    run.throttle.watchTheRun();
    run.work(Duration.ofMillis(60)); // one probe reading so far: nothing to decide by
    Duration rest = run.timed(run.throttle::paceWork);
    run.work(Duration.ofMillis(1240));
    run.throttle.awaitClearance(100, 100);

    assertThat(rest).isZero();
    assertThat(run.progress.paced)
        .last()
        .asString()
        .contains("while the run read and compared for 1.3s: writing ");
  }

  @Test
  void aChunkReadBeforeTheFirstDecisionRestsWithTheNextChunkThatDecides() {
    run.server(5000, Duration.ofMillis(40));
    double[] decidedShare = {-1};
    run.progress.onPaced(
        reason -> {
          if (reason.contains("reading the table")) {
            decidedShare[0] = run.controller.share();
          }
        });

    run.throttle.watchTheRun();
    run.work(Duration.ofMillis(60)); // one probe reading so far: nothing to decide by
    Duration first = run.timed(run.throttle::paceWork);
    run.work(Duration.ofMillis(140));
    Duration second = run.timed(run.throttle::paceWork);
    run.work(DIFF);
    run.throttle.awaitClearance(100, 100);

    // the second chunk decides and rests for both chunks' 0.2 s (before, for its own 0.14 s only:
    // the first chunk was then charged neither there nor at the first batch)
    assertThat(first).isZero();
    assertThat(decidedShare[0]).isEqualTo(0.5);
    assertThat(second).isEqualTo(restOwed(Duration.ofMillis(200), decidedShare[0]));
    assertThat(run.progress.paced)
        .last()
        .asString()
        .contains("while the run read and compared for 0.3s: writing ");
  }

  /** The run's query, then {@code chunks} chunks of the table, each paced; the rest after each. */
  private List<Duration> readTheTable(int chunks) {
    run.throttle.watchTheRun();
    run.work(QUERY);
    List<Duration> rests = new ArrayList<>();
    for (int chunk = 0; chunk < chunks; chunk++) {
      run.work(CHUNK);
      rests.add(run.timed(run.throttle::paceWork));
    }
    return rests;
  }

  /**
   * The rest that {@code work} owes at {@code share} as operations.md says it: until the work takes
   * the share, the share growing a tenth a second as the sync rests (in slices of at most a
   * second).
   */
  private static Duration restOwed(Duration work, double share) {
    Duration rested = Duration.ZERO;
    while (true) {
      Duration owed = Duration.ofNanos(Math.round(work.toNanos() * (1 - share) / share));
      if (rested.compareTo(owed) >= 0) {
        return rested;
      }
      Duration slice = owed.minus(rested);
      slice = slice.compareTo(Duration.ofSeconds(1)) < 0 ? slice : Duration.ofSeconds(1);
      rested = rested.plus(slice);
      share = Math.min(1, share + 0.1 * slice.toNanos() / 1e9);
    }
  }
}
