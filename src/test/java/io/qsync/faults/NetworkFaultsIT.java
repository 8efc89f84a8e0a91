package io.qsync.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.QsyncException;
import io.qsync.config.ConnectionConfig;
import io.qsync.config.Mode;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.QsyncConfig;
import io.qsync.config.Secret;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.faults.FaultProxy.Direction;
import io.qsync.resume.RunHistory;
import io.qsync.resume.SyncSetup;
import io.qsync.resume.TargetsData;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The network between qsync and MariaDB fails at a chosen moment: a {@link FaultProxy} of the
 * test's own sits between them (the test's own checks go straight to the server). Whatever the
 * fault, the next run finishes with the target equal to the source, each change written once, a
 * truthful history and a free lock ({@link Recovery}).
 */
@ExtendWith(MariaDbExtension.class)
class NetworkFaultsIT {
  /** 2,700 source rows against 2,400 target rows; 100 changes a batch. */
  private static final TargetsData DATA = new TargetsData(3000, 3200);

  private static final int BATCH_SIZE = 100;

  /** The sessions' read timeout: a stall longer than this fails the statement. */
  private static final Duration SOCKET_TIMEOUT = Duration.ofMillis(1500);

  /** Where and how the network fails; {@code arm} runs at every fault point of the run. */
  enum Scenario {
    /** Reset every connection part-way through reading the target table into the stage. */
    CUT_DURING_TARGET_READ(
        (proxy, point) -> {
          if (point.point() == FaultPoint.Point.EXTRACTED) {
            proxy.cutAfterBytes(Direction.TO_CLIENT, 20_000);
          }
        }),
    /** Reset every connection while the third batch's statements are on their way. */
    CUT_DURING_APPLY_MID_BATCH(
        (proxy, point) -> {
          if (point.isBatch(3)) {
            proxy.cutAfterBytes(Direction.TO_SERVER, 2_000);
          }
        }),
    /** Reset every connection instead of passing on the third batch's COMMIT. */
    CUT_JUST_BEFORE_COMMIT(
        (proxy, point) -> {
          if (point.isBatch(3)) {
            proxy.cutAtCommit(1, false);
          }
        }),
    /** Pass on the third batch's COMMIT, then reset before qsync hears that it committed. */
    CUT_AFTER_COMMIT_BEFORE_ITS_ANSWER(
        (proxy, point) -> {
          if (point.isBatch(3)) {
            proxy.cutAtCommit(1, true);
          }
        }),
    /** Stop forwarding at the third batch for longer than the socket timeout, then reset. */
    STALL_LONGER_THAN_THE_SOCKET_TIMEOUT(
        (proxy, point) -> {
          if (point.isBatch(3)) {
            proxy.stall();
            point.later(Duration.ofMillis(3 * SOCKET_TIMEOUT.toMillis()), proxy::cutAll);
          }
        }),
    /** Delay every chunk from the third batch on: slower, never failing. */
    SLOW_FROM_THE_THIRD_BATCH(
        (proxy, point) -> {
          if (point.isBatch(3)) {
            proxy.slow(Duration.ofMillis(5));
          }
        });

    private final BiConsumer<FaultProxy, Reached> arm;

    Scenario(BiConsumer<FaultProxy, Reached> arm) {
      this.arm = arm;
    }
  }

  /** A fault point the run reached, with a way to act later (from another thread). */
  record Reached(FaultPoint.Point point, long value, ScheduledExecutorService timer) {
    /** The run is about to apply its {@code nth} batch. */
    boolean isBatch(int nth) {
      return point == FaultPoint.Point.BEFORE_BATCH && value == (long) nth * BATCH_SIZE;
    }

    void later(Duration delay, Runnable action) {
      timer.schedule(action, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @TempDir Path dir;

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private FaultProxy proxy;

  @AfterEach
  void stop() {
    timer.shutdownNow();
    if (proxy != null) {
      proxy.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Scenario.class)
  void theNextRunFinishesExactlyAfter(Scenario scenario, TestDatabase database) {
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    proxy = FaultProxy.start(database.host(), database.port());
    AtomicBoolean armed = new AtomicBoolean(true);
    FaultPoint faults =
        (point, value) -> {
          if (armed.get()) {
            scenario.arm.accept(proxy, new Reached(point, value, timer));
          }
        };
    Qsync qsync =
        new Qsync(
            throughProxy(
                SyncSetup.targets(dir, database, warehouse, Mode.MIRROR)
                    .withBatchSize(BATCH_SIZE)
                    .config()),
            Clock.systemUTC(),
            Progress.silent(),
            faults);

    Optional<QsyncException> failure = Recovery.runThroughFault(qsync, TargetsData.SYNC);
    armed.set(false);
    proxy.heal();
    assertThat(proxy.struck()).as("the fault struck").isTrue();
    System.out.println(
        "fault "
            + scenario
            + ": "
            + failure.map(e -> "exit 1: " + e.getMessage()).orElse("the run rode it out"));
    if (failure.isPresent()) {
      assertThat(failure.get().getMessage())
          .as("the failure names the target and says what to do, with the error that caused it")
          .startsWith("connection 'app' (jdbc:mariadb://127.0.0.1:" + proxy.port() + "/")
          .contains("): could not ")
          .contains("Run again: the run resumes after its last committed batch.")
          .doesNotContain("Connection is closed");
      RunHistory stopped = RunHistory.read(database).get(0);
      assertThat(stopped.status()).as("the stopped run").isNotEqualTo("succeeded");
      if (scenario == Scenario.CUT_JUST_BEFORE_COMMIT) {
        assertThat(stopped.appliedThrough()).as("the batch whose COMMIT was lost").isEqualTo(200);
      } else if (scenario == Scenario.CUT_AFTER_COMMIT_BEFORE_ITS_ANSWER) {
        assertThat(stopped.appliedThrough())
            .as("the batch committed unbeknown to qsync")
            .isEqualTo(300);
      }
      Recovery.nextRunFinishes(qsync, TargetsData.SYNC);
    }

    Recovery.assertRecovered(database, warehouse, TargetsData.SYNC, DATA.mirrorChangedKeys());
  }

  /** The config with the target connection going through the proxy, with a read timeout. */
  private QsyncConfig throughProxy(QsyncConfig config) {
    Map<String, ConnectionConfig> connections = new HashMap<>(config.connections());
    MySqlConnectionConfig direct = (MySqlConnectionConfig) connections.get("app");
    connections.put(
        "app",
        new MySqlConnectionConfig(
            "app",
            proxy.url(direct.url().substring(direct.url().lastIndexOf('/') + 1)),
            direct.user(),
            new Secret(""),
            Map.of("socketTimeout", String.valueOf(SOCKET_TIMEOUT.toMillis()))));
    return new QsyncConfig(config.file(), config.stageDir(), connections, config.syncs());
  }
}
