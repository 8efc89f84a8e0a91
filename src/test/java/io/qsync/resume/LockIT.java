package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.cli.Main;
import io.qsync.config.ConfigLoader;
import io.qsync.config.Mode;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.state.RunStatus;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run of a sync at a time: while a run holds the sync's lock, another run of the same sync
 * waits at most its lock_timeout and then fails with LOCK_HELD (exit code 4), naming the run that
 * holds the lock, and leaves no trace in run history.
 */
@ExtendWith(MariaDbExtension.class)
class LockIT {
  private static final TargetsData DATA = new TargetsData(3000, 3200);
  private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(1);
  private static final long WAIT_SECONDS = 30;

  @TempDir Path dir;

  @Test
  void secondRunFailsAtOnceNamingTheRunThatHoldsTheLock(TestDatabase database) throws Exception {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    DATA.createWarehouse(warehouse);
    DATA.createTarget(database);
    SyncSetup setup =
        SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).withLockTimeout(LOCK_TIMEOUT);
    Path config = setup.writeYaml();
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FaultPoint pauseBeforeFirstBatch =
        Faults.at(
            FaultPoint.Point.BEFORE_BATCH,
            () -> {
              paused.countDown();
              await(release);
            });
    Qsync holding =
        new Qsync(
            ConfigLoader.load(config, Map.of()),
            Clock.systemUTC(),
            Progress.silent(),
            pauseBeforeFirstBatch);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "lock-it-first-run"));
    Future<RunReport> firstRun = executor.submit(() -> holding.run(TargetsData.SYNC));
    RunHistory holder;
    try {
      assertThat(paused.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("first run paused").isTrue();
      holder = RunHistory.only(database);
      assertThat(holder.status()).isEqualTo("running");
      assertThat(Sessions.lockHolder(database, TargetsData.SYNC))
          .as("the lock is held by the session the run recorded")
          .isEqualTo(String.valueOf(holder.connectionId()));

      Qsync second =
          new Qsync(
              ConfigLoader.load(config, Map.of()),
              Clock.systemUTC(),
              Progress.silent(),
              FaultPoint.NONE);
      long started = System.nanoTime();
      Throwable thrown = catchThrowable(() -> second.run(TargetsData.SYNC));
      Duration waited = Duration.ofNanos(System.nanoTime() - started);

      assertThat(thrown)
          .isInstanceOfSatisfying(
              QsyncException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.LOCK_HELD))
          .hasMessageContaining(
              "sync '" + TargetsData.SYNC + "' is locked by run " + holder.runId());
      assertThat(waited)
          .as("the second run waits lock_timeout, no more")
          .isBetween(LOCK_TIMEOUT.minusMillis(100), LOCK_TIMEOUT.plusSeconds(4));

      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exitCode = run(config, out, err);
      assertThat(exitCode)
          .as("exit code; stderr:\n%s", err)
          .isEqualTo(ErrorKind.LOCK_HELD.exitCode());
      assertThat(err.toString()).contains("locked by run " + holder.runId());

      StringWriter restartErr = new StringWriter();
      assertThat(run(config, new StringWriter(), restartErr, "--restart"))
          .as("--restart cannot take over a run in progress; stderr:\n%s", restartErr)
          .isEqualTo(ErrorKind.LOCK_HELD.exitCode());

      assertThat(RunHistory.read(database))
          .as("refused runs, --restart included, leave run history as it was")
          .containsExactly(holder);
    } finally {
      release.countDown();
    }
    RunReport report = firstRun.get(WAIT_SECONDS, TimeUnit.SECONDS);
    executor.shutdown();
    assertThat(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.runId()).isEqualTo(holder.runId());
    TargetsData.assertTargetEqualsSource(database, warehouse);
    RunHistory finished = RunHistory.only(database);
    assertThat(finished.status()).isEqualTo("succeeded");
    assertThat(finished.resumes()).isZero();
    Sessions.assertLockFree(database, TargetsData.SYNC);
    assertThat(run(config, new StringWriter(), new StringWriter()))
        .as("the next run, once the lock is free")
        .isZero();
  }

  @Test
  void lockHeldOutsideQsyncIsNamedAsADatabaseSession(TestDatabase database) throws Exception {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    DATA.createWarehouse(warehouse);
    SyncSetup setup =
        SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).withLockTimeout(LOCK_TIMEOUT);
    Path config = setup.writeYaml();
    StringWriter err = new StringWriter();
    long holderSession;
    try (Connection connection = database.connect();
        PreparedStatement statement =
            connection.prepareStatement("SELECT GET_LOCK(?, 0), CONNECTION_ID()")) {
      statement.setString(1, Sessions.lockName(database, TargetsData.SYNC));
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        assertThat(rows.getInt(1)).isEqualTo(1);
        holderSession = rows.getLong(2);
      }

      int exitCode = run(config, new StringWriter(), err);

      assertThat(exitCode).as("stderr:\n%s", err).isEqualTo(ErrorKind.LOCK_HELD.exitCode());
      assertThat(err.toString()).contains("locked by database session " + holderSession);
      assertThat(RunHistory.read(database)).isEmpty();
    }

    assertThat(run(config, new StringWriter(), err)).as("stderr:\n%s", err).isZero();
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  private static int run(Path config, StringWriter out, StringWriter err, String... options) {
    List<String> args =
        new ArrayList<>(List.of("run", TargetsData.SYNC, "--config", config.toString()));
    args.addAll(List.of(options));
    return Main.execute(
        args.toArray(String[]::new),
        new PrintWriter(out, true),
        new PrintWriter(err, true),
        false,
        Clock.systemUTC());
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test did not release the paused run");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
