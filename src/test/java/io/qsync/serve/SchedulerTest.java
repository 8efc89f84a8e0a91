package io.qsync.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.CronSchedule;
import io.qsync.config.EverySchedule;
import io.qsync.config.Schedule;
import io.qsync.config.SyncConfig;
import io.qsync.config.SyncService;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.RunOptions;
import io.qsync.engine.RunReport;
import io.qsync.state.RunStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's decisions, with a clock the test moves and a fake run: no database, no sleeping.
 * Runs go on the scheduler's own threads; a test holds a run open with a gate and waits for the
 * scheduler to be idle (bounded) before it looks at what the runs did.
 */
class SchedulerTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
  private static final Duration BOUND = Duration.ofSeconds(10);

  private final TestClock clock = new TestClock(START);
  private final FakeRuns runs = new FakeRuns();
  private final SyncBoard board = new SyncBoard();
  private final RecordingListener listener = new RecordingListener();
  private Scheduler scheduler;

  @AfterEach
  void stopScheduler() throws InterruptedException {
    runs.openAll();
    if (scheduler != null) {
      assertThat(scheduler.stop(BOUND)).isTrue();
    }
  }

  @Test
  void aCronScheduleFiresAtItsInstantsAndShowsTheNext() throws Exception {
    scheduler = scheduler(2);
    scheduler.configure(List.of(sync("orders", CronSchedule.parse("*/15 * * * *"))));
    assertThat(nextRun("orders")).contains(Instant.parse("2026-03-01T10:15:00Z"));

    clock.set(Instant.parse("2026-03-01T10:14:59Z"));
    scheduler.tick();
    assertThat(runs.calls()).isEmpty();

    clock.set(Instant.parse("2026-03-01T10:15:00Z"));
    scheduler.tick();
    awaitIdle();
    assertThat(runs.calls()).containsExactly("orders");
    assertThat(nextRun("orders")).contains(Instant.parse("2026-03-01T10:30:00Z"));

    clock.set(Instant.parse("2026-03-01T10:29:00Z"));
    scheduler.tick();
    clock.set(Instant.parse("2026-03-01T10:31:00Z"));
    scheduler.tick();
    awaitIdle();
    assertThat(runs.calls()).containsExactly("orders", "orders");
    assertThat(listener.started).containsExactly("orders schedule", "orders schedule");
  }

  @Test
  void anEveryScheduleRunsAtOnceThenTheIntervalAfterEachStart() throws Exception {
    scheduler = scheduler(2);
    scheduler.configure(List.of(sync("orders", new EverySchedule(Duration.ofMinutes(1)))));
    assertThat(nextRun("orders")).as("never ran: due now").contains(START);

    scheduler.tick();
    awaitIdle();
    assertThat(nextRun("orders")).contains(START.plusSeconds(60));
    clock.advance(Duration.ofSeconds(59));
    scheduler.tick();
    assertThat(runs.calls()).hasSize(1);
    clock.advance(Duration.ofSeconds(1));
    scheduler.tick();
    awaitIdle();
    assertThat(runs.calls()).hasSize(2);
  }

  @Test
  void anEveryScheduleAfterARestartFollowsTheLastRecordedStart() {
    SyncConfig sync = sync("orders", new EverySchedule(Duration.ofMinutes(10)));
    board.reset(Scheduler.boardEntries(List.of(sync), clock.instant()));
    board.update(
        "orders",
        entry ->
            entry.withHistory(
                Optional.of(FakeRuns.record("orders", START.minusSeconds(120))),
                Optional.empty(),
                Optional.empty()));
    scheduler = scheduler(2);
    scheduler.configure(List.of(sync));

    assertThat(nextRun("orders")).contains(START.plusSeconds(480));
  }

  @Test
  void jitterDelaysEachStartByLessThanItsBound() {
    Schedule hourly = CronSchedule.parse("0 * * * *");
    Instant eleven = Instant.parse("2026-03-01T11:00:00Z");
    SyncConfig sync =
        sync("orders", hourly).toBuilder().service(service(hourly, Duration.ofMinutes(10))).build();

    scheduler = scheduler(2, new FixedRandom(Long.MAX_VALUE));
    scheduler.configure(List.of(sync));
    assertThat(nextRun("orders")).contains(eleven.plus(Duration.ofMinutes(10)).minusMillis(1));

    scheduler = scheduler(2, new FixedRandom(0));
    scheduler.configure(List.of(sync));
    assertThat(nextRun("orders")).contains(eleven);

    scheduler = scheduler(2, new SplittableRandom(14));
    for (int i = 0; i < 200; i++) {
      scheduler.configure(List.of(sync.toBuilder().service(SyncService.NONE).build()));
      scheduler.configure(List.of(sync));
      assertThat(nextRun("orders").orElseThrow())
          .isBetween(eleven, eleven.plus(Duration.ofMinutes(10)).minusMillis(1));
    }
  }

  @Test
  void noMoreRunsGoAtOnceThanTheLimitAndTheRestWait() throws Exception {
    scheduler = scheduler(2);
    runs.gate("a");
    runs.gate("b");
    runs.gate("c");
    EverySchedule minute = new EverySchedule(Duration.ofMinutes(1));
    scheduler.configure(List.of(sync("a", minute), sync("b", minute), sync("c", minute)));

    scheduler.tick();
    assertThat(scheduler.running()).containsExactlyInAnyOrder("a", "b");
    assertThat(board.entry("c").orElseThrow().running()).isFalse();
    assertThat(nextRun("c")).as("waiting since it was due").contains(START);

    runs.open("a");
    awaitRunning("b");
    scheduler.tick();
    assertThat(scheduler.running()).containsExactlyInAnyOrder("b", "c");
    assertThat(board.entry("c").orElseThrow().runningSince()).contains(START);
  }

  @Test
  void aScheduledTimeThatComesWhileTheSyncRunsIsSkippedNotQueued() throws Exception {
    scheduler = scheduler(2);
    runs.gate("orders");
    scheduler.configure(List.of(sync("orders", CronSchedule.parse("* * * * *"))));
    clock.advance(Duration.ofMinutes(1));
    scheduler.tick();
    assertThat(scheduler.running()).containsExactly("orders");

    for (int minute = 0; minute < 3; minute++) {
      clock.advance(Duration.ofMinutes(1));
      scheduler.tick();
    }
    assertThat(scheduler.running()).containsExactly("orders");
    runs.open("orders");
    awaitIdle();
    scheduler.tick();
    awaitIdle();

    assertThat(runs.calls())
        .as("one run; the three minutes it ran through were skipped")
        .hasSize(1);
    assertThat(nextRun("orders")).contains(clock.instant().plusSeconds(60));
  }

  @Test
  void runNowQueuesOneRunAndRefusesWhileOneRuns() throws Exception {
    scheduler = scheduler(2);
    scheduler.configure(List.of(sync("orders", CronSchedule.parse("0 3 * * *"))));
    runs.gate("orders");

    assertThat(scheduler.runNow("orders", RunOptions.fullCompare(), "run now"))
        .isEqualTo(RunTrigger.Answer.STARTED);
    assertThat(scheduler.runNow("orders", RunOptions.DEFAULT, "run now"))
        .as("queued already")
        .isEqualTo(RunTrigger.Answer.ALREADY_RUNNING);
    assertThat(nextRun("orders")).as("the queued run is next").contains(START);
    scheduler.tick();
    assertThat(scheduler.running()).containsExactly("orders");
    assertThat(scheduler.runNow("orders", RunOptions.DEFAULT, "run now"))
        .isEqualTo(RunTrigger.Answer.ALREADY_RUNNING);
    assertThat(scheduler.runNow("nope", RunOptions.DEFAULT, "run now"))
        .isEqualTo(RunTrigger.Answer.UNKNOWN_SYNC);
    runs.open("orders");
    awaitIdle();

    assertThat(runs.options).containsExactly(RunOptions.fullCompare());
    assertThat(listener.started).containsExactly("orders run now");
    assertThat(nextRun("orders")).contains(Instant.parse("2026-03-02T03:00:00Z"));
  }

  @Test
  void aRunNowOfAnEverySyncMovesItsNextRunToTheIntervalAfterIt() throws Exception {
    scheduler = scheduler(2);
    scheduler.configure(List.of(sync("orders", new EverySchedule(Duration.ofMinutes(10)))));
    scheduler.tick();
    awaitIdle();
    clock.advance(Duration.ofMinutes(4));

    scheduler.runNow("orders", RunOptions.DEFAULT, "run now");
    scheduler.tick();
    awaitIdle();

    assertThat(nextRun("orders")).contains(START.plus(Duration.ofMinutes(14)));
  }

  @Test
  void aReloadMayRaiseTheLimit() throws Exception {
    scheduler = scheduler(1);
    runs.gate("a");
    runs.gate("b");
    EverySchedule minute = new EverySchedule(Duration.ofMinutes(1));
    scheduler.configure(List.of(sync("a", minute), sync("b", minute)));
    scheduler.tick();
    assertThat(scheduler.running()).hasSize(1);

    scheduler.setMaxConcurrentRuns(2);
    scheduler.tick();

    assertThat(scheduler.running()).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void aSyncRemovedByAReloadIsNoLongerScheduled() throws Exception {
    scheduler = scheduler(2);
    EverySchedule minute = new EverySchedule(Duration.ofMinutes(1));
    scheduler.configure(List.of(sync("a", minute), sync("b", minute)));
    scheduler.tick();
    awaitIdle();

    scheduler.configure(List.of(sync("a", minute)));
    clock.advance(Duration.ofMinutes(5));
    scheduler.tick();
    awaitIdle();

    assertThat(runs.calls()).containsExactlyInAnyOrder("a", "b", "a");
    assertThat(board.entries()).extracting(SyncBoard.Entry::sync).containsExactly("a");
    assertThat(scheduler.runNow("b", RunOptions.DEFAULT, "run now"))
        .isEqualTo(RunTrigger.Answer.UNKNOWN_SYNC);
  }

  @Test
  void aReloadKeepsTheNextRunOfAnUnchangedScheduleAndRecomputesAChangedOne() {
    scheduler = scheduler(2);
    scheduler.configure(
        List.of(
            sync("a", CronSchedule.parse("0 3 * * *")),
            sync("b", CronSchedule.parse("0 3 * * *"))));
    clock.advance(Duration.ofHours(20)); // 06:00 the next day

    scheduler.configure(
        List.of(
            sync("a", CronSchedule.parse("0 3 * * *")),
            sync("b", CronSchedule.parse("0 7 * * *"))));

    assertThat(nextRun("a")).contains(Instant.parse("2026-03-02T03:00:00Z"));
    assertThat(nextRun("b")).contains(Instant.parse("2026-03-02T07:00:00Z"));
  }

  @Test
  void aLockHeldByAManualRunIsAnOutcomeAndTheSyncRunsAgainAtItsNextTime() throws Exception {
    scheduler = scheduler(2);
    runs.fail(
        "orders",
        new QsyncException(
            ErrorKind.LOCK_HELD,
            "sync 'orders' is locked by another run (qsync run on host x)\nWait for it."));
    scheduler.configure(List.of(sync("orders", new EverySchedule(Duration.ofMinutes(1)))));

    scheduler.tick();
    awaitIdle();
    RunOutcome outcome = board.entry("orders").orElseThrow().lastOutcome().orElseThrow();
    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.exitCode()).isEqualTo(4);
    assertThat(outcome.runId()).isEmpty();
    assertThat(outcome.error())
        .hasValueSatisfying(error -> assertThat(error).startsWith("sync 'orders' is locked"));
    assertThat(board.entry("orders").orElseThrow().lastError())
        .as("another process's run held the lock: no error of this sync's")
        .isEmpty();
    assertThat(listener.finished).containsExactly("orders exit 4");
    assertThat(nextRun("orders")).contains(START.plusSeconds(60));

    runs.succeed("orders");
    clock.advance(Duration.ofMinutes(1));
    scheduler.tick();
    awaitIdle();
    assertThat(listener.finished).containsExactly("orders exit 4", "orders exit 0");
    assertThat(board.entry("orders").orElseThrow().lastSuccess()).contains(clock.instant());
  }

  @Test
  void stopInterruptsTheRunsAndTakesNoNewOnes() throws Exception {
    scheduler = scheduler(2);
    runs.gate("orders");
    scheduler.configure(
        List.of(
            sync("orders", new EverySchedule(Duration.ofMinutes(1))),
            sync("other", CronSchedule.parse("0 3 * * *"))));
    scheduler.tick();
    assertThat(scheduler.running()).containsExactly("orders");

    assertThat(scheduler.stop(BOUND)).as("every run ended within the bound").isTrue();

    RunOutcome outcome = board.entry("orders").orElseThrow().lastOutcome().orElseThrow();
    assertThat(outcome.errorKind()).contains(ErrorKind.INTERRUPTED);
    assertThat(scheduler.runNow("other", RunOptions.DEFAULT, "run now"))
        .isEqualTo(RunTrigger.Answer.STOPPING);
    clock.advance(Duration.ofDays(1));
    scheduler.tick();
    assertThat(scheduler.running()).isEmpty();
    assertThat(runs.calls()).containsExactly("orders");
  }

  @Test
  void aListenerThatThrowsDoesNotStopTheRun() throws Exception {
    RunListener throwing =
        new RunListener() {
          @Override
          public void runStarted(String sync, String trigger, Instant at) {
            throw new IllegalStateException("listener bug");
          }
        };
    scheduler =
        new Scheduler(
            clock,
            new SplittableRandom(1),
            1,
            runs,
            board,
            (sync, limit) -> List.of(),
            List.of(throwing, listener));
    scheduler.configure(List.of(sync("orders", new EverySchedule(Duration.ofMinutes(1)))));
    scheduler.tick();
    awaitIdle();

    assertThat(listener.finished).containsExactly("orders exit 0");
  }

  // ---- fixtures ----

  private Scheduler scheduler(int limit) {
    return scheduler(limit, new SplittableRandom(7));
  }

  private Scheduler scheduler(int limit, RandomGenerator random) {
    return new Scheduler(
        clock, random, limit, runs, board, (sync, count) -> List.of(), List.of(listener));
  }

  private Optional<Instant> nextRun(String sync) {
    return board.entry(sync).orElseThrow().nextRun();
  }

  private void awaitIdle() throws InterruptedException {
    assertThat(scheduler.awaitIdle(BOUND)).as("runs ended within %s", BOUND).isTrue();
  }

  private void awaitRunning(String... syncs) throws InterruptedException {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!scheduler.running().equals(java.util.Set.of(syncs))) {
      assertThat(System.nanoTime()).as("only %s running", List.of(syncs)).isLessThan(deadline);
      synchronized (scheduler) {
        TimeUnit.MILLISECONDS.timedWait(scheduler, 50);
      }
    }
  }

  private static SyncConfig sync(String name, Schedule schedule) {
    return SyncConfig.builder(name, "warehouse", "SELECT 1 AS id", "app", name + "_table")
        .key(List.of("id"))
        .service(service(schedule, Duration.ZERO))
        .build();
  }

  private static SyncService service(Schedule schedule, Duration jitter) {
    return new SyncService(
        Optional.of(schedule), jitter, Optional.empty(), io.qsync.config.Alerts.NONE);
  }

  /** A clock any thread may read; the test moves it. */
  static final class TestClock extends Clock {
    private final AtomicReference<Instant> now;

    TestClock(Instant start) {
      now = new AtomicReference<>(start);
    }

    void set(Instant at) {
      now.set(at);
    }

    void advance(Duration duration) {
      now.updateAndGet(at -> at.plus(duration));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  /** Always draws {@code value}, bounded as asked: the jitter's extremes. */
  private record FixedRandom(long value) implements RandomGenerator {
    @Override
    public long nextLong() {
      return value;
    }

    @Override
    public long nextLong(long bound) {
      return Math.min(value, bound - 1);
    }
  }

  /** Runs that succeed, fail as told, or wait at a gate until opened or interrupted. */
  final class FakeRuns implements Scheduler.SyncRun {
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final List<RunOptions> options = new CopyOnWriteArrayList<>();
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<String, QsyncException> failures = new ConcurrentHashMap<>();

    void gate(String sync) {
      gates.put(sync, new CountDownLatch(1));
    }

    void open(String sync) {
      gates.remove(sync).countDown();
    }

    void openAll() {
      gates.values().forEach(CountDownLatch::countDown);
    }

    void fail(String sync, QsyncException error) {
      failures.put(sync, error);
    }

    void succeed(String sync) {
      failures.remove(sync);
    }

    List<String> calls() {
      synchronized (calls) {
        return List.copyOf(calls);
      }
    }

    @Override
    public RunReport run(String sync, RunOptions runOptions) {
      calls.add(sync);
      options.add(runOptions);
      CountDownLatch gate = gates.get(sync);
      if (gate != null) {
        try {
          gate.await();
        } catch (InterruptedException e) {
          throw new QsyncException(ErrorKind.INTERRUPTED, "interrupted: run of " + sync);
        }
      }
      QsyncException failure = failures.get(sync);
      if (failure != null) {
        throw failure;
      }
      return RunReport.builder(
              sync,
              "run-" + calls.size(),
              RunStatus.SUCCEEDED,
              "mirror",
              sync + "_table",
              ChangeCounts.NONE)
          .build();
    }

    static io.qsync.state.RunRecord record(String sync, Instant startedAt) {
      return new io.qsync.state.RunRecord(
          "run-0",
          sync,
          sync + "_table",
          "mirror",
          RunStatus.SUCCEEDED,
          io.qsync.state.RunPhase.values()[io.qsync.state.RunPhase.values().length - 1],
          startedAt,
          Optional.of(startedAt.plusSeconds(5)),
          Optional.of(ChangeCounts.NONE),
          0,
          0,
          0,
          0,
          "host",
          1,
          1,
          Optional.empty(),
          Optional.empty());
    }
  }

  /** What the listeners were told, in order. */
  static final class RecordingListener implements RunListener {
    final List<String> started = new CopyOnWriteArrayList<>();
    final List<String> finished = new CopyOnWriteArrayList<>();

    @Override
    public void runStarted(String sync, String trigger, Instant at) {
      started.add(sync + " " + trigger);
    }

    @Override
    public void runFinished(RunOutcome outcome) {
      finished.add(outcome.sync() + " exit " + outcome.exitCode());
    }
  }
}
