package io.qsync.serve.metrics;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.qsync.ErrorKind;
import io.qsync.engine.RunReport;
import io.qsync.serve.MetricsExposition;
import io.qsync.serve.RunListener;
import io.qsync.serve.RunOutcome;
import io.qsync.serve.SyncBoard;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The metrics of {@code qsync serve}, through the Prometheus Java client: counters of what the runs
 * it started did (runs by outcome and exit code, rows by kind of change, throttled seconds by
 * reason), gauges read from the {@link SyncBoard} at each scrape (last success, staleness, running,
 * next run, whether the last run failed: right after a restart too, since the board is filled from
 * the run history), and the JVM's and the process's metrics. Every metric of a sync carries the
 * label {@code sync}; the names, types and labels are those of docs/metrics-and-alerts.md.
 *
 * <p>Plug it in as a {@link RunListener} of the scheduler and as the {@link MetricsExposition} of
 * {@code /metrics}. It keeps its own registry, so two instances (tests) never share a metric.
 * Thread-safe.
 */
public final class PrometheusMetrics implements RunListener, MetricsExposition {
  /** The kinds of change, as the label {@code change} of {@code qsync_rows_total} says them. */
  static final List<String> CHANGES = List.of("inserted", "updated", "deleted");

  private final SyncBoard board;
  private final Clock clock;
  private final PrintStream errors;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter runs;
  private final Counter rows;
  private final Counter throttled;

  /** A run's end and how long it took. */
  private record Finished(Instant at, Duration took) {}

  /** The last run this process saw end, per sync. */
  private final Map<String, Finished> lastFinished = new ConcurrentHashMap<>();

  private final ExpositionFormatWriter text = PrometheusTextFormatWriter.create();
  private final ExpositionFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

  /**
   * @param board what the service knows of each sync now (the scheduler's board, filled from the
   *     history at start): the gauges read it at every scrape
   * @param clock the time staleness is measured at
   */
  public PrometheusMetrics(SyncBoard board, Clock clock) {
    this(board, clock, System.err);
  }

  /**
   * @param errors where a failure to count a run is reported (a bug: counting never throws)
   */
  PrometheusMetrics(SyncBoard board, Clock clock, PrintStream errors) {
    this.board = requireNonNull(board, "board is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.errors = requireNonNull(errors, "errors is null");
    runs =
        Counter.builder()
            .name("qsync_runs_total")
            .help(
                "Runs qsync serve started that ended, by outcome (succeeded, failed, interrupted,"
                    + " lock_held) and the exit code qsync run would have had")
            .labelNames("sync", "outcome", "exit_code")
            .register(registry);
    rows =
        Counter.builder()
            .name("qsync_rows_total")
            .help(
                "Rows the change sets of succeeded runs inserted, updated or deleted in the table")
            .labelNames("sync", "change")
            .register(registry);
    throttled =
        Counter.builder()
            .name("qsync_throttled_seconds_total")
            .help(
                "Seconds runs waited to spare the target, by the throttle rule that held them"
                    + " (of the runs that succeeded)")
            .labelNames("sync", "reason")
            .register(registry);
    gauge(
        "qsync_last_success_timestamp_seconds",
        "When the sync's newest successful run finished, in seconds since the epoch",
        (entry, now) -> entry.lastSuccess().map(PrometheusMetrics::epochSeconds));
    gauge(
        "qsync_last_run_duration_seconds",
        "How long the sync's last finished run took, in seconds (an attempt that found the lock"
            + " held is no run)",
        (entry, now) -> lastDuration(entry).map(PrometheusMetrics::seconds));
    gauge(
        "qsync_last_run_failed",
        "1 when the sync's newest run failed, else 0",
        (entry, now) -> Optional.of(lastRunFailed(entry) ? 1.0 : 0.0));
    gauge(
        "qsync_running",
        "1 while qsync serve runs the sync, else 0",
        (entry, now) -> Optional.of(entry.running() ? 1.0 : 0.0));
    gauge(
        "qsync_staleness_seconds",
        "Age of the sync's last success, in seconds",
        (entry, now) -> entry.age(now).map(PrometheusMetrics::seconds));
    gauge(
        "qsync_max_staleness_seconds",
        "The sync's max_staleness, in seconds: how old its last success may grow",
        (entry, now) -> entry.maxStaleness().map(PrometheusMetrics::seconds));
    gauge(
        "qsync_stale",
        "1 when the sync's last success is older than its max_staleness (or it never succeeded),"
            + " else 0; always 0 without max_staleness",
        (entry, now) -> Optional.of(entry.freshness(now) == SyncBoard.Freshness.STALE ? 1.0 : 0.0));
    gauge(
        "qsync_next_run_timestamp_seconds",
        "When qsync serve starts the sync's next run, in seconds since the epoch",
        (entry, now) -> entry.nextRun().map(PrometheusMetrics::epochSeconds));
    JvmMetrics.builder().register(registry);
  }

  /** A gauge of each sync on the board, computed at scrape time; an empty value: no sample. */
  private void gauge(
      String name, String help, BiFunction<SyncBoard.Entry, Instant, Optional<Double>> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("sync")
        .callback(
            callback -> {
              Instant now = clock.instant();
              for (SyncBoard.Entry entry : board.entries()) {
                value.apply(entry, now).ifPresent(v -> callback.call(v, entry.sync()));
              }
            })
        .register(registry);
  }

  @Override
  public void runFinished(RunOutcome outcome) {
    try {
      String sync = outcome.sync();
      String how = outcome(outcome);
      runs.labelValues(sync, how, Integer.toString(outcome.exitCode())).inc();
      if (!how.equals("lock_held")) {
        lastFinished.put(
            sync,
            new Finished(
                outcome.finishedAt(), Duration.between(outcome.startedAt(), outcome.finishedAt())));
      }
      Optional<RunReport> report = outcome.report();
      while (report.isPresent()) {
        RunReport done = report.get();
        rows.labelValues(sync, "inserted").inc(done.counts().inserts());
        rows.labelValues(sync, "updated").inc(done.counts().updates());
        rows.labelValues(sync, "deleted").inc(done.counts().deletes());
        report = done.caughtUp();
      }
      // a failed run waited too (one that gave up after max_pause waited the most)
      outcome
          .throttledBy()
          .forEach((rule, waited) -> throttled.labelValues(sync, rule).inc(seconds(waited)));
    } catch (RuntimeException e) {
      errors.println(
          "qsync serve: the metrics could not count the run of sync '"
              + outcome.sync()
              + "' ("
              + e
              + "); please report this bug");
    }
  }

  /**
   * How long the sync's last finished run took: the one this process saw end, or the history's
   * newest when it finished later (a {@code qsync run} from cron) or this process saw none (after a
   * restart).
   */
  private Optional<Duration> lastDuration(SyncBoard.Entry entry) {
    Optional<Finished> seen = Optional.ofNullable(lastFinished.get(entry.sync()));
    Optional<RunRecord> recorded = entry.lastRun().filter(run -> run.finishedAt().isPresent());
    if (recorded.isPresent()
        && (seen.isEmpty() || recorded.get().finishedAt().get().isAfter(seen.get().at()))) {
      return recorded.get().duration();
    }
    return seen.map(Finished::took);
  }

  /** {@code outcome} as the label says it. */
  static String outcome(RunOutcome outcome) {
    if (outcome.succeeded()) {
      return "succeeded";
    }
    ErrorKind kind = outcome.errorKind().orElseThrow();
    return switch (kind) {
      case LOCK_HELD -> "lock_held";
      case INTERRUPTED -> "interrupted";
      default -> "failed";
    };
  }

  /**
   * Whether the sync's newest run failed: the newest of the run history's newest run and the last
   * run this process saw end (which may have failed before it was recorded). A run that found the
   * lock held or was interrupted (it resumes) did not fail; while a run goes on, the one before it
   * counts.
   */
  static boolean lastRunFailed(SyncBoard.Entry entry) {
    Optional<RunRecord> recorded = entry.lastRun();
    Optional<RunOutcome> seen =
        entry.lastOutcome().filter(outcome -> !outcome(outcome).equals("lock_held"));
    if (seen.isPresent()
        && (recorded.isEmpty()
            || recorded.get().startedAt().isBefore(seen.get().startedAt())
            || recorded.get().status() == RunStatus.RUNNING)) {
      return outcome(seen.get()).equals("failed");
    }
    return recorded.map(run -> run.status() == RunStatus.FAILED).orElse(false);
  }

  @Override
  public String contentType(String accept) {
    return writer(accept).getContentType();
  }

  /**
   * Writes every metric: OpenMetrics when {@code accept} asks for {@code
   * application/openmetrics-text}, else the Prometheus text format 0.0.4.
   */
  @Override
  public void write(OutputStream out, String accept) throws IOException {
    for (SyncBoard.Entry entry : board.entries()) {
      // Every sync's counters exist from the first scrape, at 0, so that rate() and increase()
      // see the first run; labelValues creates a series without changing it.
      runs.labelValues(entry.sync(), "succeeded", "0");
      for (String change : CHANGES) {
        rows.labelValues(entry.sync(), change);
      }
    }
    String header = accept == null ? "" : accept;
    writer(header).write(out, registry.scrape(), EscapingScheme.fromAcceptHeader(header));
  }

  private ExpositionFormatWriter writer(String accept) {
    return accept != null
            && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
        ? openMetrics
        : text;
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  private static double epochSeconds(Instant instant) {
    return instant.getEpochSecond() + instant.getNano() / 1e9;
  }
}
