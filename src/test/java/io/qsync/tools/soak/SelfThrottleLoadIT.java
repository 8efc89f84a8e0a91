package io.qsync.tools.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.ConfigLoader;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.RecordingProgress;
import io.qsync.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-throttle sees an application's load that arrives after it judged the server idle, in one
 * process that runs the sync again and again (as {@code qsync serve} and the soak do): between two
 * runs, and in the middle of one. The application is the soak's ({@link AppLoad}), on the real
 * MariaDB; other tests share the server, so up to 1,000 statements a second count as idle here.
 */
@ExtendWith(MariaDbExtension.class)
class SelfThrottleLoadIT {
  private static final List<String> THROTTLE = List.of("idle_below: 1000");

  @TempDir Path dir;

  private AppLoad app;

  @AfterEach
  void stopApplication() throws InterruptedException {
    if (app != null) {
      app.stop();
    }
  }

  @Test
  void loadArrivingBetweenTwoRunsOfOneProcessIsSeen(TestDatabase database) throws Exception {
    Path warehouse = dir.resolve("warehouse.duckdb");
    Soak.buildWarehouse(warehouse, 20_000);
    RecordingProgress progress = new RecordingProgress();
    Qsync qsync = qsync(database, warehouse, THROTTLE, progress);
    RunReport first = qsync.run(Soak.SYNC);
    assertThat(first.throttle().decisions())
        .as("the first load's decisions, the server idle")
        .anyMatch(line -> line.contains("server idle: "));

    app = application(database, 20_000);
    Thread.sleep(500);
    Soak.changeWarehouse(warehouse, 1, 0.01); // 200 changes: a batch or two
    progress.paced.clear();
    RunReport second = qsync.run(Soak.SYNC);

    assertThat(second.counts().updates()).isPositive();
    assertThat(second.throttle().decisions())
        .as("the second run's decisions, the application at work since before it began")
        .isNotEmpty()
        .noneMatch(line -> line.contains("server idle"))
        .anyMatch(
            line -> line.matches(".*probe baseline .* \\(\\d{1,3}(,\\d{3})+ statements/s .*"));
    assertThat(progress.paced)
        .as("the progress line")
        .noneMatch(reason -> reason.contains("server idle"));
  }

  @Test
  void loadArrivingInTheMiddleOfARunIsSeen(TestDatabase database) throws Exception {
    Path warehouse = dir.resolve("warehouse.duckdb");
    Soak.buildWarehouse(warehouse, 60_000);
    // At most 15,000 rows a second: the load lasts 4 s or more, so a check comes after the
    // application starts however fast the machine (unpaced, it could end within the first second).
    Qsync qsync =
        qsync(
            database,
            warehouse,
            List.of("idle_below: 1000", "max_rows_per_second: 15000"),
            new RecordingProgress()
                .onPaced(
                    reason -> {
                      if (app == null && reason.startsWith("server idle")) {
                        app = application(database, 60_000);
                      }
                    }));

    RunReport load = qsync.run(Soak.SYNC);

    List<String> decisions = load.throttle().decisions();
    assertThat(decisions).as("the run's decisions").isNotEmpty();
    assertThat(decisions.get(0)).contains("server idle: ");
    assertThat(decisions.subList(1, decisions.size()))
        .as("decisions after the application began to work")
        .isNotEmpty()
        .noneMatch(line -> line.contains("server idle"))
        .anyMatch(
            line -> line.matches(".*probe baseline .* \\(\\d{1,3}(,\\d{3})+ statements/s .*"));
  }

  /**
   * The soak's application: 4 clients reading (and now and then updating) rows by key as fast as
   * the server answers.
   *
   * @param keys the keys the clients pick from: 0 to keys - 1
   */
  private static AppLoad application(TestDatabase database, long keys) {
    Properties login = new Properties();
    login.setProperty("user", "root");
    login.setProperty("password", "");
    AppLoad load = new AppLoad(database.url(), login, Soak.TABLE, keys, 4, 0.1);
    load.start(7);
    return load;
  }

  private Qsync qsync(
      TestDatabase database, Path warehouse, List<String> throttle, RecordingProgress progress)
      throws Exception {
    Path config =
        Soak.writeConfig(dir.resolve("soak.yaml"), warehouse, database.url(), "root", throttle);
    return new Qsync(
        ConfigLoader.load(config, Map.of("QSYNC_SOAK_PASSWORD", "")),
        Clock.systemUTC(),
        progress,
        FaultPoint.NONE);
  }
}
