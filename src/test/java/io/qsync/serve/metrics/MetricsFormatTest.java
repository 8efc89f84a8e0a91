package io.qsync.serve.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.ErrorKind;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.RunReport;
import io.qsync.engine.ThrottleReport;
import io.qsync.serve.RunOutcome;
import io.qsync.serve.SyncBoard;
import io.qsync.serve.metrics.PythonPrometheusParser.Family;
import io.qsync.serve.metrics.PythonPrometheusParser.Format;
import io.qsync.serve.metrics.PythonPrometheusParser.Sample;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code /metrics} as Prometheus reads it: the output of {@link PrometheusMetrics}, after runs of
 * every outcome, parsed by the official Prometheus client's own parser (the Python client's: the
 * Java client has none) in the text format and in OpenMetrics, every metric named, typed and
 * labelled as the table of docs/metrics-and-alerts.md says (the test reads the table), with the
 * values a person expects.
 */
class MetricsFormatTest {
  private static final Path DOC = Path.of("docs/metrics-and-alerts.md");

  /** A throttle rule with every character the label format must escape. */
  private static final String AWKWARD_REASON = "pause file C:\\qsync\\\"pause\"\nnow";

  private final ManualClock clock = new ManualClock();
  private final SyncBoard board = new SyncBoard();
  private final PrometheusMetrics metrics = new PrometheusMetrics(board, clock);

  /** A documented metric: a row of the table. */
  record Documented(String name, String type, Set<String> labels) {}

  @ParameterizedTest
  @EnumSource(Format.class)
  void everyMetricIsNamedTypedAndLabelledAsDocumented(Format format) throws IOException {
    List<Documented> documented = documented();
    runsOfEveryOutcome();

    List<Family> families = scrape(format);

    assertThat(documented).hasSize(11);
    for (Documented metric : documented) {
      Family family = family(families, metric);
      assertThat(family.type()).as(metric.name() + " type").isEqualTo(metric.type());
      assertThat(family.help()).as(metric.name() + " HELP").isNotBlank();
      assertThat(family.samples()).as(metric.name() + " samples").isNotEmpty();
      for (Sample sample : family.samples()) {
        assertThat(sample.labels().keySet())
            .as(sample.name() + " labels")
            .containsExactlyInAnyOrderElementsOf(metric.labels());
      }
    }
    Set<String> undocumented =
        families.stream()
            .map(Family::name)
            .filter(name -> name.startsWith("qsync_"))
            .filter(
                name -> documented.stream().noneMatch(metric -> familyName(metric).equals(name)))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(undocumented).as("qsync metrics missing from " + DOC).isEmpty();
    assertThat(families).anyMatch(family -> family.name().startsWith("jvm_memory"));
    assertThat(families).anyMatch(family -> family.name().startsWith("process_cpu"));
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  void showsWhatTheRunsDidAndWhereEachSyncStands(Format format) {
    runsOfEveryOutcome();

    List<Family> families = scrape(format);

    assertThat(
            value(families, "qsync_runs_total", "orders", "outcome", "succeeded", "exit_code", "0"))
        .isEqualTo(2);
    assertThat(value(families, "qsync_runs_total", "orders", "outcome", "failed", "exit_code", "5"))
        .isEqualTo(1);
    assertThat(
            value(families, "qsync_runs_total", "orders", "outcome", "lock_held", "exit_code", "4"))
        .isEqualTo(1);
    assertThat(
            value(
                families,
                "qsync_runs_total",
                "users",
                "outcome",
                "interrupted",
                "exit_code",
                "130"))
        .isEqualTo(1);
    // the second success resumed a run and caught up in a fresh one: both change sets count
    assertThat(value(families, "qsync_rows_total", "orders", "change", "inserted")).isEqualTo(17);
    assertThat(value(families, "qsync_rows_total", "orders", "change", "updated")).isEqualTo(4);
    assertThat(value(families, "qsync_rows_total", "orders", "change", "deleted")).isEqualTo(2);
    assertThat(value(families, "qsync_rows_total", "users", "change", "inserted")).isZero();
    assertThat(
            value(
                families,
                "qsync_throttled_seconds_total",
                "orders",
                "reason",
                "Threads_running >= 50"))
        .isEqualTo(12.5);
    assertThat(value(families, "qsync_throttled_seconds_total", "orders", "reason", AWKWARD_REASON))
        .as("a label value with a backslash, a quote and a newline comes back as it was")
        .isEqualTo(1.25);
    assertThat(value(families, "qsync_last_run_duration_seconds", "orders"))
        .as("the failed run's; the held lock was no run")
        .isEqualTo(45);
    assertThat(value(families, "qsync_last_success_timestamp_seconds", "orders"))
        .isEqualTo(clock.instant().minus(Duration.ofHours(3)).getEpochSecond());
    assertThat(value(families, "qsync_staleness_seconds", "orders")).isEqualTo(3 * 3600);
    assertThat(value(families, "qsync_max_staleness_seconds", "orders")).isEqualTo(2 * 3600);
    assertThat(value(families, "qsync_stale", "orders")).isEqualTo(1);
    assertThat(value(families, "qsync_stale", "users")).as("no max_staleness").isZero();
    assertThat(value(families, "qsync_running", "orders")).isEqualTo(1);
    assertThat(value(families, "qsync_running", "users")).isZero();
    assertThat(value(families, "qsync_next_run_timestamp_seconds", "orders"))
        .isEqualTo(clock.instant().plus(Duration.ofMinutes(15)).getEpochSecond());
    assertThat(value(families, "qsync_last_run_failed", "orders"))
        .as("the failed run is newer than the last success; a held lock is no failure")
        .isEqualTo(1);
    assertThat(value(families, "qsync_last_run_failed", "users"))
        .as("an interrupted run resumes: no failure")
        .isZero();
  }

  @Test
  void afterARestartTheGaugesComeFromTheHistoryOnTheBoard() {
    Instant lastSuccess = clock.instant().minus(Duration.ofMinutes(30));
    RunRecord failed =
        run(
            "r2",
            clock.instant().minusSeconds(120),
            RunStatus.FAILED,
            Optional.of(clock.instant().minusSeconds(100)));
    board.reset(
        List.of(
            SyncBoard.Entry.of(
                    "orders",
                    "orders",
                    "app",
                    Optional.of("every 15m"),
                    Optional.of(Duration.ofHours(1)))
                .withHistory(Optional.of(failed), Optional.of(lastSuccess), Optional.empty())));

    List<Family> families = scrape(Format.TEXT);

    assertThat(value(families, "qsync_last_run_failed", "orders")).isEqualTo(1);
    assertThat(value(families, "qsync_last_run_duration_seconds", "orders")).isEqualTo(20);
    assertThat(value(families, "qsync_staleness_seconds", "orders")).isEqualTo(1800);
    assertThat(value(families, "qsync_stale", "orders")).isZero();
    assertThat(
            value(families, "qsync_runs_total", "orders", "outcome", "succeeded", "exit_code", "0"))
        .as("every sync's runs exist at 0 from the first scrape")
        .isZero();
  }

  @Test
  void answersInOpenMetricsOnlyWhenAsked() {
    assertThat(metrics.contentType(null)).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    assertThat(metrics.contentType("text/plain")).startsWith("text/plain; version=0.0.4");
    assertThat(
            metrics.contentType(
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"))
        .startsWith("application/openmetrics-text; version=1.0.0");
  }

  /**
   * Two syncs: {@code orders} (every 15m, max_staleness 2h, last success 3 hours ago, running now)
   * saw a success, a resumed success that caught up, a failure and a held lock; {@code users} (no
   * max_staleness, no schedule) saw an interrupted run.
   */
  @Test
  void aFailedRunThatWaitedCountsItsThrottledTime() {
    board.reset(
        List.of(SyncBoard.Entry.of("orders", "orders", "app", Optional.empty(), Optional.empty())));
    RunOutcome gaveUp = failed("orders", Optional.of("o9"), ErrorKind.FAILED, clock.instant());
    finished(
        new RunOutcome(
            gaveUp.sync(),
            gaveUp.trigger(),
            gaveUp.startedAt(),
            gaveUp.finishedAt(),
            gaveUp.runId(),
            gaveUp.report(),
            gaveUp.error(),
            gaveUp.errorKind(),
            Map.of("replica lag 7.2s > 5s", Duration.ofSeconds(40))));

    assertThat(
            value(
                scrape(Format.TEXT),
                "qsync_throttled_seconds_total",
                "orders",
                "reason",
                "replica lag 7.2s > 5s"))
        .as("a run that gave up after max_pause waited the most")
        .isEqualTo(40);
  }

  private void runsOfEveryOutcome() {
    Instant now = clock.instant();
    Instant lastSuccess = now.minus(Duration.ofHours(3));
    board.reset(
        List.of(
            SyncBoard.Entry.of(
                "orders",
                "orders",
                "app",
                Optional.of("every 15m"),
                Optional.of(Duration.ofHours(2))),
            SyncBoard.Entry.of("users", "users", "app", Optional.empty(), Optional.empty())));
    board.update(
        "orders",
        entry ->
            entry
                .withNextRun(Optional.of(now.plus(Duration.ofMinutes(15))))
                .withRunningSince(Optional.of(now.minusSeconds(5)))
                .withHistory(
                    Optional.of(
                        run(
                            "o2",
                            lastSuccess.minusSeconds(60),
                            RunStatus.SUCCEEDED,
                            Optional.of(lastSuccess))),
                    Optional.of(lastSuccess),
                    Optional.empty()));

    Map<String, Duration> throttled = new LinkedHashMap<>();
    throttled.put("Threads_running >= 50", Duration.ofMillis(12_500));
    throttled.put(AWKWARD_REASON, Duration.ofMillis(1_250));
    RunReport first = report("orders", "o1", new ChangeCounts(10, 10, 0, 0, 0), throttled);
    RunReport caughtUp = report("orders", "o3", new ChangeCounts(12, 2, 1, 0, 9), Map.of());
    RunReport resumed =
        RunReport.builder(
                "orders",
                "o2",
                RunStatus.SUCCEEDED,
                "mirror",
                "orders",
                new ChangeCounts(14, 5, 3, 2, 4))
            .resumed(true)
            .resumedAfter(40)
            .batches(3)
            .duration(Duration.ofSeconds(60))
            .caughtUp(Optional.of(caughtUp))
            .build();
    finished(succeeded(first, now.minus(Duration.ofHours(4)), Duration.ofSeconds(30)));
    finished(succeeded(resumed, lastSuccess.minusSeconds(90), Duration.ofSeconds(90)));
    RunOutcome failure =
        failed("orders", Optional.of("o4"), ErrorKind.NEEDS_ACTION, now.minus(Duration.ofHours(1)));
    finished(failure);
    board.update("orders", entry -> entry.withLastOutcome(failure));
    RunOutcome lockHeld =
        failed("orders", Optional.empty(), ErrorKind.LOCK_HELD, now.minusSeconds(600));
    finished(lockHeld);
    // the failure is recorded in the history; the held lock only on the board
    board.update(
        "orders",
        entry ->
            entry
                .withHistory(
                    Optional.of(
                        run(
                            "o4",
                            failure.startedAt().plusSeconds(1),
                            RunStatus.FAILED,
                            Optional.of(failure.finishedAt()))),
                    entry.lastSuccess(),
                    Optional.empty())
                .withLastOutcome(lockHeld));
    RunOutcome interrupted =
        failed("users", Optional.of("u1"), ErrorKind.INTERRUPTED, now.minusSeconds(300));
    finished(interrupted);
    board.update("users", entry -> entry.withLastOutcome(interrupted));
  }

  private void finished(RunOutcome outcome) {
    metrics.runFinished(outcome);
  }

  private static RunReport report(
      String sync, String runId, ChangeCounts counts, Map<String, Duration> throttledBy) {
    Duration throttled = throttledBy.values().stream().reduce(Duration.ZERO, Duration::plus);
    return RunReport.builder(sync, runId, RunStatus.SUCCEEDED, "mirror", sync, counts)
        .batches(2)
        .duration(Duration.ofSeconds(30))
        .throttle(new ThrottleReport(throttled, throttledBy, 0, 100, 100))
        .build();
  }

  private static RunOutcome succeeded(RunReport report, Instant started, Duration took) {
    return new RunOutcome(
        report.sync(),
        "schedule",
        started,
        started.plus(took),
        Optional.of(report.runId()),
        Optional.of(report),
        Optional.empty(),
        Optional.empty());
  }

  private static RunOutcome failed(
      String sync, Optional<String> runId, ErrorKind kind, Instant started) {
    return new RunOutcome(
        sync,
        "schedule",
        started,
        started.plusSeconds(45),
        runId,
        Optional.empty(),
        Optional.of("sync '" + sync + "': " + kind.name().toLowerCase(java.util.Locale.ROOT)),
        Optional.of(kind));
  }

  private static RunRecord run(
      String runId, Instant started, RunStatus status, Optional<Instant> finished) {
    return new RunRecord(
        runId,
        "orders",
        "orders",
        "mirror",
        status,
        status == RunStatus.SUCCEEDED
            ? io.qsync.state.RunPhase.DONE
            : io.qsync.state.RunPhase.APPLY,
        started,
        finished,
        Optional.empty(),
        0,
        0,
        0,
        0,
        "host",
        1,
        1,
        status == RunStatus.FAILED ? Optional.of("boom") : Optional.empty(),
        Optional.empty());
  }

  private List<Family> scrape(Format format) {
    String accept = format == Format.OPEN_METRICS ? "application/openmetrics-text" : null;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      metrics.write(out, accept);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertThat(metrics.contentType(accept))
        .startsWith(format == Format.OPEN_METRICS ? "application/openmetrics-text" : "text/plain");
    return PythonPrometheusParser.parse(out.toString(StandardCharsets.UTF_8), format);
  }

  /** The table of docs/metrics-and-alerts.md: its rows whose metric starts with {@code qsync_}. */
  static List<Documented> documented() throws IOException {
    Pattern row = Pattern.compile("^\\| `(qsync_[a-z_]+)` \\| (\\w+) \\| ([^|]+) \\|");
    List<Documented> metrics = new ArrayList<>();
    for (String line : Files.readAllLines(DOC)) {
      Matcher matcher = row.matcher(line);
      if (matcher.find()) {
        Set<String> labels =
            Arrays.stream(matcher.group(3).split(","))
                .map(label -> label.strip().replace("`", ""))
                .collect(Collectors.toCollection(TreeSet::new));
        metrics.add(new Documented(matcher.group(1), matcher.group(2), labels));
      }
    }
    return metrics;
  }

  /** The family name the parsers give a metric: a counter's without {@code _total}. */
  private static String familyName(Documented metric) {
    return metric.type().equals("counter") && metric.name().endsWith("_total")
        ? metric.name().substring(0, metric.name().length() - "_total".length())
        : metric.name();
  }

  private static Family family(List<Family> families, Documented metric) {
    return families.stream()
        .filter(family -> family.name().equals(familyName(metric)))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no metric family "
                        + familyName(metric)
                        + " in /metrics; families: "
                        + families.stream().map(Family::name).toList()));
  }

  /** The value of the sample {@code name{sync=..., labels...}}. */
  private static double value(List<Family> families, String name, String sync, String... labels) {
    Map<String, String> wanted = new LinkedHashMap<>();
    wanted.put("sync", sync);
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
}
