package io.qsync.serve.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.SyncConfig;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.serve.RunOutcome;
import io.qsync.serve.SyncBoard;
import io.qsync.serve.metrics.PythonPrometheusParser.Family;
import io.qsync.serve.metrics.PythonPrometheusParser.Format;
import io.qsync.serve.metrics.PythonPrometheusParser.Sample;
import io.qsync.testing.ManualClock;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics of real runs against MariaDB: a throttled run's rows and throttled seconds by rule,
 * and a failed run's outcome and exit code, in {@code /metrics} as the Prometheus parser reads it.
 */
@ExtendWith(MariaDbExtension.class)
class RunMetricsIT {
  private static final String SYNC = "targets";

  @TempDir Path dir;

  private final ManualClock clock = new ManualClock();
  private final SyncBoard board = new SyncBoard();
  private final PrometheusMetrics metrics = new PrometheusMetrics(board, clock);

  @Test
  void aThrottledRunAndAFailedRunShowInTheMetrics(TestDatabase database) throws IOException {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(
        "CREATE TABLE targets AS SELECT i AS user_id, 'v' || i AS variant FROM range(1, 61) t(i)");
    board.reset(
        List.of(
            SyncBoard.Entry.of(
                SYNC, "experiment_targets", "app", Optional.empty(), Optional.empty())));
    Qsync qsync = qsync(database, warehouse);

    Instant started = clock.instant();
    RunReport report = qsync.run(SYNC);
    metrics.runFinished(
        new RunOutcome(
            SYNC,
            "schedule",
            started,
            clock.instant(),
            Optional.of(report.runId()),
            Optional.of(report),
            Optional.empty(),
            Optional.empty()));
    database.execute("DROP TABLE experiment_targets");
    database.execute("CREATE TABLE experiment_targets (user_id BIGINT PRIMARY KEY)");
    QsyncException failure = catchThrowableOfType(QsyncException.class, () -> qsync.run(SYNC));
    metrics.runFinished(
        new RunOutcome(
            SYNC,
            "run now",
            clock.instant(),
            clock.instant(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(failure.getMessage()),
            Optional.of(failure.kind())));
    List<Family> families = scrape();

    assertThat(report.throttle().throttledBy()).containsOnlyKeys("max_rows_per_second 20");
    assertThat(value(families, "qsync_throttled_seconds_total", "reason", "max_rows_per_second 20"))
        .isEqualTo(report.throttle().throttled().toMillis() / 1000.0);
    assertThat(value(families, "qsync_rows_total", "change", "inserted")).isEqualTo(60);
    assertThat(value(families, "qsync_rows_total", "change", "deleted")).isZero();
    assertThat(failure.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(value(families, "qsync_runs_total", "outcome", "succeeded", "exit_code", "0"))
        .isEqualTo(1);
    assertThat(value(families, "qsync_runs_total", "outcome", "failed", "exit_code", "5"))
        .isEqualTo(1);
  }

  private List<Family> scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.write(out, "application/openmetrics-text; version=1.0.0");
    return PythonPrometheusParser.parse(out.toString(StandardCharsets.UTF_8), Format.OPEN_METRICS);
  }

  private static double value(List<Family> families, String name, String... labels) {
    Map<String, String> wanted = new java.util.LinkedHashMap<>();
    wanted.put("sync", SYNC);
    for (int i = 0; i < labels.length; i += 2) {
      wanted.put(labels[i], labels[i + 1]);
    }
    return families.stream()
        .flatMap(family -> family.samples().stream())
        .filter(sample -> sample.name().equals(name) && sample.labels().equals(wanted))
        .mapToDouble(Sample::value)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + name + wanted));
  }

  /** 60 targets in batches of 10 at 20 rows a second, the throttle waiting on the manual clock. */
  private Qsync qsync(TestDatabase database, Warehouse warehouse) {
    SyncConfig sync =
        TestSyncs.sync(SYNC, "SELECT * FROM targets", "experiment_targets")
            .key(List.of("user_id"))
            .batchSize(10)
            .throttle(TestSyncs.rowRate(20))
            .build();
    return new Qsync(
        TestSyncs.config(dir, database, warehouse, sync),
        clock,
        Progress.silent(),
        FaultPoint.NONE,
        clock::advance);
  }
}
