package io.qsync.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.ConnectionConfig;
import io.qsync.config.Diff;
import io.qsync.config.Mode;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.QsyncConfig;
import io.qsync.config.Secret;
import io.qsync.config.SyncConfig;
import io.qsync.config.ThrottleConfig;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.resume.SyncSetup;
import io.qsync.resume.TargetsData;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.RecordingProgress;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The self-throttle against the real MariaDB, run by a user with ordinary grants (no PROCESS, no
 * SUPER): while an application works on the table, a network that turns slow under qsync's sessions
 * (a {@link FaultProxy}) makes its probe query slower than its baseline, and the run writes a
 * smaller share of the time and says why, then speeds up again once the network heals; on an idle
 * server the run is not held back.
 */
@ExtendWith(MariaDbExtension.class)
class SelfThrottleIT {
  /** About 18,000 changes in batches of 100: seconds of batches. */
  private static final TargetsData DATA = new TargetsData(20000, 21000);

  private static final String SELF_THROTTLE_RULE =
      "self-throttle to keep the probe within 1.3x its baseline";

  @TempDir Path dir;

  private FaultProxy proxy;
  private final AtomicBoolean appRunning = new AtomicBoolean(true);
  private Thread app;

  @AfterEach
  void stop() throws InterruptedException {
    appRunning.set(false);
    if (app != null) {
      app.join(5000);
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void writesLessOfTheTimeWhileTheProbeIsSlowAndSaysWhy(TestDatabase database) throws Exception {
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    String user = ordinaryUser(database);
    String password = "secret-" + user;
    try {
      startApplication(database);
      proxy = FaultProxy.start(database.host(), database.port());
      RecordingProgress progress =
          new RecordingProgress()
              .onPaced(
                  reason -> {
                    if (reason.startsWith("probe baseline ")) {
                      proxy.slow(Duration.ofMillis(20)); // the probe's round trip: 40 ms and more
                    } else if (reason.startsWith("probe ")
                        && reason.contains(" > ")
                        && !reason.contains(" while the run read and compared ")) {
                      proxy.heal(); // an over-budget decision the slow probe caused
                    }
                  });
      Qsync qsync =
          new Qsync(
              selfThrottled(database, warehouse, throughProxy(database, user, password), 10),
              Clock.systemUTC(),
              progress,
              FaultPoint.NONE);

      RunReport report = qsync.run(TargetsData.SYNC);
      System.out.println("self-throttle decisions: " + report.throttle().decisions());

      assertThat(progress.paced)
          .as("the run's decisions, in the progress line")
          .anyMatch(
              reason -> reason.matches("probe baseline \\d+\\.\\d\\dms while the sync waited .*"))
          .anyMatch(
              reason ->
                  reason.matches(
                      "probe \\d+\\.\\d\\d+ms > \\d+\\.\\d\\d+ms \\(1\\.3 x baseline"
                          + " \\d+\\.\\d\\dms\\): writing \\d+% of the time"));
      assertThat(report.throttle().decisions())
          .as("the run report's decisions")
          .anyMatch(line -> line.matches("\\+\\d+(\\.\\d)?s probe .* > .* \\(1\\.3 x baseline .*"));
      assertThat(report.throttle().throttledBy()).containsKey(SELF_THROTTLE_RULE);
      assertThat(report.throttle().throttledBy().get(SELF_THROTTLE_RULE))
          .isGreaterThan(Duration.ZERO);
      TargetsData.assertTargetEqualsSource(database, warehouse);
    } finally {
      database.execute("DROP USER IF EXISTS '" + user + "'@'127.0.0.1'");
    }
  }

  /**
   * The table read back for the diff is read in chunks, and on a busy server whose probe is over
   * budget the run rests between them, as between batches: before, it was one read the probe could
   * only watch. The network under qsync's sessions is slow from the start, against an absolute
   * budget (no baseline to learn), until the first decision over budget. The same when the sync's
   * key is a unique key beside a Django {@code id} primary key: the chunks follow the {@code id}.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(TableShape.class)
  void readsTheTableBackInChunksAndRestsBetweenThemWhileTheProbeIsOverBudget(
      TableShape shape, TestDatabase database) throws Exception {
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    shape.reshape(database);

    OverBudgetRun run = runOverBudget(database, warehouse, Diff.Compare.ROWS);

    assertThat(run.progress().paced)
        .as("the run's decisions, in the progress line")
        .anyMatch(
            reason ->
                reason.matches(
                    "probe \\d+\\.\\d\\d+ms > 15\\.00ms \\(max_probe_latency\\):"
                        + " reading the table 50% of the time"));
    assertThat(run.report().throttle().decisions().get(0))
        .as("the run report's decisions: the first while the table is read, before writing")
        .matches("before writing, \\+\\d+(\\.\\d)?s probe .* reading the table 50% .*");
    assertThat(
            run.report()
                .throttle()
                .throttledBy()
                .get("self-throttle to keep the probe within 15.00ms"))
        .as("the rest after the first chunk: as long as it took, at half of the time")
        .isGreaterThan(Duration.ZERO);
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  /**
   * With {@code compare: hashes} the read of each row's key and hash goes in the same primary-key
   * chunks, and the run rests between them as between whole rows: before, it was one statement over
   * the whole table (the server hashing every row) that the probe could only watch. Few rows differ
   * (1,770 of 15,750, 1,750 of them deletes), so the table is not read whole after its hashes; the
   * differing rows are read in two reads by key. A Django table's chunks follow its {@code id}.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(TableShape.class)
  void readsTheRowHashesInChunksAndRestsBetweenThemWhileTheProbeIsOverBudget(
      TableShape shape, TestDatabase database) throws Exception {
    TargetsData data = new TargetsData(20000, 21000, 1000);
    Warehouse warehouse = data.prepareCounted(dir, database);
    shape.reshape(database);

    OverBudgetRun run = runOverBudget(database, warehouse, Diff.Compare.HASHES);

    assertThat(run.report().notes())
        .as("the table compared by its row hashes, not read whole")
        .anyMatch(
            note ->
                note.startsWith(
                    "diff: target compared row hashes: read the key and hash of 15,750 rows,"));
    List<String> decisions = new ArrayList<>();
    for (int i = 0; i < run.progress().paced.size(); i++) {
      decisions.add(run.progress().pacedDuring.get(i) + ": " + run.progress().paced.get(i));
    }
    assertThat(decisions)
        .as("the run's decisions, each after the step it was taken in")
        .anyMatch(
            decision ->
                decision.matches(
                    "read target hashes: probe \\d+\\.\\d\\d+ms > 15\\.00ms"
                        + " \\(max_probe_latency\\): reading the table 50% of the time"));
    assertThat(run.report().throttle().decisions().get(0))
        .as("the run report's decisions: the first while the hashes are read, before writing")
        .matches("before writing, \\+\\d+(\\.\\d)?s probe .* reading the table 50% .*");
    assertThat(
            run.report()
                .throttle()
                .throttledBy()
                .get("self-throttle to keep the probe within 15.00ms"))
        .as("the rest after the first chunk of hashes: as long as it took, at half of the time")
        .isGreaterThan(Duration.ZERO);
    assertThat(run.report().counts()).isEqualTo(data.mirrorCounts());
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  /** What a run over budget reports, and what it told its progress line. */
  private record OverBudgetRun(RunReport report, RecordingProgress progress) {}

  /**
   * Runs the sync comparing by {@code compare}, an application at work on the table, the network
   * under qsync's sessions slow from the start against an absolute budget (no baseline to learn),
   * until the first decision over budget.
   */
  private OverBudgetRun runOverBudget(
      TestDatabase database, Warehouse warehouse, Diff.Compare compare) throws Exception {
    String user = ordinaryUser(database);
    String password = "secret-" + user;
    try {
      startApplication(database);
      proxy = FaultProxy.start(database.host(), database.port());
      proxy.slow(Duration.ofMillis(20)); // the probe's round trip: 40 ms and more
      RecordingProgress progress =
          new RecordingProgress()
              .onPaced(
                  reason -> {
                    if (reason.contains(" > ")) {
                      // the first decision over budget, while reading or (before the table was
                      // read in chunks) writing
                      proxy.heal();
                    }
                  });
      QsyncConfig config =
          selfThrottled(
              database,
              warehouse,
              throughProxy(database, user, password),
              ThrottleConfig.builder()
                  .batchTime(Duration.ZERO)
                  .idleBelow(10)
                  .maxProbeLatency(Duration.ofMillis(15))
                  .build(),
              compare);
      Qsync qsync = new Qsync(config, Clock.systemUTC(), progress, FaultPoint.NONE);

      RunReport report = qsync.run(TargetsData.SYNC);
      System.out.println("self-throttle decisions: " + report.throttle().decisions());
      return new OverBudgetRun(report, progress);
    } finally {
      database.execute("DROP USER IF EXISTS '" + user + "'@'127.0.0.1'");
    }
  }

  /** The table's keys: the sync's key as its primary key, or a Django one. */
  enum TableShape {
    KEYED_BY_THE_SYNCS_KEY {
      @Override
      void reshape(TestDatabase database) {}
    },
    DJANGO_ID_BESIDE_THE_SYNCS_UNIQUE_KEY {
      @Override
      void reshape(TestDatabase database) {
        database.execute(
            "ALTER TABLE `"
                + TargetsData.TABLE
                + "` DROP PRIMARY KEY,"
                + " ADD COLUMN id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST,"
                + " ADD UNIQUE KEY natural_key (user_id)");
      }
    };

    abstract void reshape(TestDatabase database);
  }

  @Test
  void anIdleServerLetsTheRunWriteAllTheTime(TestDatabase database) {
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    RecordingProgress progress = new RecordingProgress();
    // Other test classes may work on this server meanwhile: up to 1000 statements a second of
    // theirs count as idle here.
    Qsync qsync =
        new Qsync(
            selfThrottled(database, warehouse, Optional.empty(), 1000),
            Clock.systemUTC(),
            progress,
            FaultPoint.NONE);

    RunReport report = qsync.run(TargetsData.SYNC);

    assertThat(progress.paced)
        .hasSize(1)
        .allMatch(
            reason ->
                reason.matches(
                    "server idle: \\d+(\\.\\d+)? statements/s from other sessions < 1,000(\\.0+)?"
                        + " \\(idle_below\\)"));
    assertThat(report.throttle().throttledBy())
        .as("time the run waited, by rule: only its first look, without writing")
        .containsOnlyKeys("learning whether other sessions are at work");
    assertThat(report.throttle().throttled()).isLessThan(Duration.ofSeconds(1));
    TargetsData.assertTargetEqualsSource(database, warehouse);
  }

  /**
   * A user with ordinary grants on the test's database (no PROCESS, no SUPER), whose password is
   * {@code secret-} and its name; the caller drops it.
   */
  private static String ordinaryUser(TestDatabase database) {
    String user = "qsync_st_" + UUID.randomUUID().toString().substring(0, 8);
    String account = "'" + user + "'@'127.0.0.1'";
    database.execute(
        "CREATE USER " + account + " IDENTIFIED BY 'secret-" + user + "'",
        "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX ON `"
            + database.name()
            + "`.* TO "
            + account);
    return user;
  }

  /** An application reading the table by key about 300 times a second, straight to the server. */
  private void startApplication(TestDatabase database) throws SQLException {
    Connection connection = database.connect();
    app =
        new Thread(
            () -> {
              try (connection;
                  PreparedStatement read =
                      connection.prepareStatement(
                          "SELECT variant FROM " + TargetsData.TABLE + " WHERE user_id = ?")) {
                for (long key = 1; appRunning.get(); key = key % 20000 + 1) {
                  read.setLong(1, key);
                  try (ResultSet rows = read.executeQuery()) {
                    rows.next();
                  }
                  Thread.sleep(3);
                }
              } catch (SQLException | InterruptedException e) {
                // the test ends the application
              }
            },
            "test-application");
    app.setDaemon(true);
    app.start();
  }

  /**
   * The resume suite's sync in batches of 100, self-throttled by default settings but {@code
   * idle_below}, its target connection replaced when one is given.
   */
  private QsyncConfig selfThrottled(
      TestDatabase database,
      Warehouse warehouse,
      Optional<MySqlConnectionConfig> target,
      double idleBelow) {
    return selfThrottled(
        database,
        warehouse,
        target,
        ThrottleConfig.builder().batchTime(Duration.ZERO).idleBelow(idleBelow).build(),
        Diff.Compare.ROWS);
  }

  /**
   * The resume suite's sync in batches of 100, with {@code throttle}, comparing with the table by
   * {@code compare}.
   */
  private QsyncConfig selfThrottled(
      TestDatabase database,
      Warehouse warehouse,
      Optional<MySqlConnectionConfig> target,
      ThrottleConfig throttle,
      Diff.Compare compare) {
    QsyncConfig config =
        SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).withBatchSize(100).config();
    Map<String, SyncConfig> syncs =
        config.syncs().entrySet().stream()
            .collect(
                Collectors.toMap(
                    Map.Entry::getKey,
                    entry ->
                        entry.getValue().toBuilder()
                            .throttle(throttle)
                            .diff(entry.getValue().diff().withCompare(compare))
                            .build()));
    Map<String, ConnectionConfig> connections = new HashMap<>(config.connections());
    target.ifPresent(connection -> connections.put("app", connection));
    return new QsyncConfig(config.file(), config.stageDir(), connections, syncs);
  }

  private Optional<MySqlConnectionConfig> throughProxy(
      TestDatabase database, String user, String password) {
    return Optional.of(
        new MySqlConnectionConfig(
            "app", proxy.url(database.name()), user, new Secret(password), Map.of()));
  }
}
