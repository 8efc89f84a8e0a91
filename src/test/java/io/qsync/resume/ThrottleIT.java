package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.QsyncConfig;
import io.qsync.config.Secret;
import io.qsync.config.ThrottleConfig;
import io.qsync.engine.FaultPoint.Point;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.RecordingProgress;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The throttle against the real MariaDB: a run pauses while {@code Threads_running} is high (the
 * test holds sessions in {@code SELECT SLEEP}), while the operator's pause file exists, and while a
 * listed replica does not replicate; a critical threshold stops it, and the next run resumes to an
 * exact target with every change written once.
 */
@ExtendWith(MariaDbExtension.class)
class ThrottleIT {
  private static final TargetsData DATA = new TargetsData(600, 640);
  private static final int BUSY_SESSIONS = 6;

  @TempDir Path dir;

  private final ExecutorService runner = Executors.newSingleThreadExecutor();
  private final RecordingProgress progress = new RecordingProgress();

  @AfterEach
  void stopRunner() {
    runner.shutdownNow();
  }

  @Test
  void pausesWhileThreadsRunningIsHighAndGoesOnOnceItDrops(TestDatabase database) throws Exception {
    Warehouse warehouse = prepare(database);
    Qsync qsync =
        qsync(
            database,
            warehouse,
            throttle(BUSY_SESSIONS, 0, List.of(), Optional.empty(), Duration.ofMinutes(2)));

    Future<RunReport> run;
    try (BusyServer busy = BusyServer.start(database, BUSY_SESSIONS)) {
      run = background(() -> qsync.run(TargetsData.SYNC));
      progress.awaitPause();

      assertThat(progress.events.get(0))
          .matches("paused: Threads_running=\\d+ >= " + BUSY_SESSIONS);
      assertThat(WriteCounter.committedTotal(database)).as("rows written while paused").isZero();
    }
    RunReport report = run.get(2, TimeUnit.MINUTES);

    assertThat(progress.events).anyMatch(event -> event.startsWith("resumed after "));
    assertThat(report.throttle().throttledBy()).containsKey("Threads_running >= " + BUSY_SESSIONS);
    assertThat(report.throttle().throttled()).isPositive();
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
  }

  @Test
  void pausesWhileThePauseFileExists(TestDatabase database) throws Exception {
    Warehouse warehouse = prepare(database);
    Path pauseFile = dir.resolve("qsync.pause");
    Files.writeString(pauseFile, "");
    Qsync qsync =
        qsync(
            database,
            warehouse,
            throttle(0, 0, List.of(), Optional.of(pauseFile), Duration.ofMinutes(2)));

    Future<RunReport> run = background(() -> qsync.run(TargetsData.SYNC));
    progress.awaitPause();

    assertThat(progress.events.get(0)).isEqualTo("paused: pause file " + pauseFile + " exists");
    assertThat(WriteCounter.committedTotal(database)).as("rows written while paused").isZero();
    Files.delete(pauseFile);
    RunReport report = run.get(2, TimeUnit.MINUTES);

    assertThat(report.throttle().throttledBy()).containsKey("pause file " + pauseFile);
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
  }

  @Test
  void criticalThreadsRunningStopsTheRunAndTheNextRunResumesExactly(TestDatabase database) {
    Warehouse warehouse = prepare(database);
    Faults faults = new Faults();
    AtomicReference<BusyServer> busy = new AtomicReference<>();
    faults.arm(
        Faults.at(
            Point.AFTER_BATCH, 194, () -> busy.set(BusyServer.start(database, BUSY_SESSIONS))));
    Qsync qsync =
        new Qsync(
            config(
                database,
                warehouse,
                throttle(0, BUSY_SESSIONS, List.of(), Optional.empty(), Duration.ofMinutes(2))),
            Clock.systemUTC(),
            progress,
            faults);

    QsyncException stopped;
    try {
      stopped = catchThrowableOfType(QsyncException.class, () -> qsync.run(TargetsData.SYNC));
    } finally {
      if (busy.get() != null) {
        busy.get().close();
      }
    }

    assertThat(stopped.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(stopped.getMessage())
        .matches(
            "(?s)throttle: Threads_running=\\d+ >= 6 \\(critical_threads_running\\); stopped"
                + " before the batch ending at change 291 to spare the target\n.*")
        .contains("the run resumes after its last committed batch");
    RunHistory failed = RunHistory.only(database);
    assertThat(failed.status()).isEqualTo("failed");
    assertThat(failed.appliedThrough()).isEqualTo(194);
    Sessions.assertLockFree(database, TargetsData.SYNC);

    faults.disarm();
    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(report.resumed()).isTrue();
    assertThat(report.resumedAfter()).isEqualTo(194);
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
  }

  /**
   * The test server replicates from nothing, so a replica connection to it reads no lag at all: the
   * run pauses as for a stopped replica, gives up after max_pause, and resumes later.
   */
  @Test
  void aReplicaThatDoesNotReplicatePausesTheRunUntilMaxPause(TestDatabase database) {
    Warehouse warehouse = prepare(database);
    Qsync watched =
        qsync(
            database,
            warehouse,
            throttle(0, 0, List.of("replica"), Optional.empty(), Duration.ofSeconds(2)));

    QsyncException gaveUp =
        catchThrowableOfType(QsyncException.class, () -> watched.run(TargetsData.SYNC));

    assertThat(gaveUp.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(gaveUp.getMessage())
        .startsWith("throttle: paused for ")
        .contains(
            "(replica 'replica' is not replicating (SHOW SLAVE STATUS: no replication, or"
                + " Seconds_Behind_Master NULL)) before the batch ending at change 97; gave up after"
                + " max_pause 2s")
        .contains("the run resumes after its last committed batch");
    assertThat(progress.events)
        .first()
        .asString()
        .startsWith("paused: replica 'replica' is not replicating");
    assertThat(WriteCounter.committedTotal(database)).isZero();

    RunReport report = qsync(database, warehouse, ThrottleConfig.DEFAULT).run(TargetsData.SYNC);

    assertThat(report.resumed()).isTrue();
    TargetsData.assertTargetEqualsSource(database, warehouse);
    WriteCounter.assertEachWrittenOnce(database, DATA.mirrorChangedKeys());
  }

  private Warehouse prepare(TestDatabase database) {
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    return warehouse;
  }

  private Qsync qsync(TestDatabase database, Warehouse warehouse, ThrottleConfig throttle) {
    return new Qsync(
        config(database, warehouse, throttle),
        Clock.systemUTC(),
        progress,
        io.qsync.engine.FaultPoint.NONE);
  }

  /** The resume suite's sync (batches of 97), with this throttle and a connection 'replica'. */
  private QsyncConfig config(TestDatabase database, Warehouse warehouse, ThrottleConfig throttle) {
    return EditedConfig.of(
        SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).config(),
        sync -> sync.toBuilder().throttle(throttle).build(),
        new MySqlConnectionConfig("replica", database.url(), "root", new Secret(""), Map.of()));
  }

  /**
   * Fixed batches (so batch ends are known), the target looked at before every batch (so the batch
   * a threshold stops is known), with the given limits.
   */
  private static ThrottleConfig throttle(
      int maxThreads,
      int criticalThreads,
      List<String> replicas,
      Optional<Path> pauseFile,
      Duration maxPause) {
    return ThrottleConfig.builder()
        .batchTime(Duration.ZERO)
        .maxThreadsRunning(maxThreads)
        .criticalThreadsRunning(criticalThreads)
        .replicas(replicas)
        .pauseFile(pauseFile)
        .maxPause(maxPause)
        .probeInterval(Duration.ZERO)
        .withoutSelfThrottle()
        .build();
  }

  private <T> Future<T> background(Callable<T> task) {
    return runner.submit(task);
  }
}
