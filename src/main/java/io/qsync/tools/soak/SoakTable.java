package io.qsync.tools.soak;

import io.qsync.Plural;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The soak's figures as a table for people and as a map for JSON. */
public final class SoakTable {
  /**
   * The budget, 1.3 times the application's p99 alone: the share of a step's reads slower
   * than this is how much the step adds to the phase's tail.
   */
  static final double SLOW = 1.3;

  private SoakTable() {}

  public static String render(List<Soak.Phase> phases) {
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "%-24s %9s %9s %9s %9s %9s %8s %6s %11s%n",
            "phase",
            "app op/s",
            "read p50",
            "read p99",
            "write p99",
            "max",
            "errors",
            "runs",
            "rows/s sync"));
    long baselineReadP99 = 0;
    long baselineWriteP99 = 0;
    for (Soak.Phase phase : phases) {
      AppLoad.Measured app = phase.app();
      long readP99 = Latencies.quantile(app.reads(), 0.99);
      long writeP99 = Latencies.quantile(app.writes(), 0.99);
      if (baselineReadP99 == 0) {
        baselineReadP99 = readP99;
        baselineWriteP99 = writeP99;
      }
      text.append(
          String.format(
              Locale.ROOT,
              "%-24s %9.0f %9s %9s %9s %9s %8d %6d %11s%n",
              phase.name(),
              app.opsPerSecond(),
              millis(Latencies.quantile(app.reads(), 0.5)),
              millis(readP99),
              millis(writeP99),
              millis(max(app)),
              app.errors(),
              phase.runs(),
              phase.runs() == 0
                  ? "-"
                  : String.format(Locale.ROOT, "%.0f", phase.rowsWritten() / phase.syncSeconds())));
    }
    long aloneReadP99 = baselineReadP99;
    long aloneWriteP99 = baselineWriteP99;
    text.append("p99 as a multiple of the application alone:");
    for (Soak.Phase phase : phases.subList(Math.min(1, phases.size()), phases.size())) {
      text.append(
          String.format(
              Locale.ROOT,
              "%n  %-24s reads %.2fx, writes %.2fx",
              phase.name(),
              ratio(Latencies.quantile(phase.app().reads(), 0.99), baselineReadP99),
              ratio(Latencies.quantile(phase.app().writes(), 0.99), baselineWriteP99)));
      phase
          .throttledSeconds()
          .forEach(
              (rule, seconds) ->
                  text.append(
                      String.format(Locale.ROOT, "%n    throttled %.1f s by %s", seconds, rule)));
      if (phase.retries() > 0) {
        text.append(
            String.format(Locale.ROOT, "%n    %s retried", Plural.of(phase.retries(), "batch")));
      }
      if (phase.runs() > 0) {
        phase
            .secondsDoing()
            .forEach(
                (what, seconds) -> {
                  long[] reads = phase.app().readsBy().getOrDefault(what, new long[0]);
                  long[] writes = phase.app().writesBy().getOrDefault(what, new long[0]);
                  text.append(
                      String.format(
                          Locale.ROOT,
                          "%n    while %s (%.1f s): reads %.2fx, writes %.2fx; %.1f%% of reads"
                              + " over %sx the alone p99",
                          what,
                          seconds,
                          ratio(Latencies.quantile(reads, 0.99), aloneReadP99),
                          ratio(Latencies.quantile(writes, 0.99), aloneWriteP99),
                          100 * Latencies.shareAbove(reads, Math.round(SLOW * aloneReadP99)),
                          SLOW));
                });
      }
    }
    text.append(
        "\nsignals against the application's p99, second by second (Pearson's r over the phase):");
    for (Soak.Phase phase : phases) {
      if (phase.trace().size() < 3) {
        continue;
      }
      double[] p99 = series(phase.trace(), line -> line.appP99Nanos());
      text.append(
          String.format(
              Locale.ROOT,
              "%n  %-24s probe %.2f, Threads_running %.2f, sync rows/s %.2f",
              phase.name(),
              Trace.correlation(series(phase.trace(), line -> line.probeNanos()), p99),
              Trace.correlation(series(phase.trace(), line -> line.threadsRunning()), p99),
              Trace.correlation(series(phase.trace(), line -> line.syncRows()), p99)));
    }
    for (Soak.Phase phase : phases) {
      if (phase.loadChanging()) {
        text.append("\n\n").append(trace(phase));
      }
    }
    return text.toString();
  }

  /** The phase's trace, a line a second. */
  static String trace(Soak.Phase phase) {
    StringBuilder text = new StringBuilder();
    text.append("trace of '")
        .append(phase.name())
        .append("', a line a second:")
        .append(
            String.format(
                Locale.ROOT,
                "%n%4s %7s %7s %9s %9s %9s %7s  %s",
                "s",
                "clients",
                "app op",
                "app p99",
                "sync rows",
                "probe",
                "threads",
                "self-throttle's last decision"));
    for (Trace.Line line : phase.trace()) {
      text.append(
          String.format(
              Locale.ROOT,
              "%n%4d %7d %7d %9s %9d %9s %7.1f  %s",
              line.second(),
              line.clients(),
              line.appOps(),
              millis(line.appP99Nanos()),
              line.syncRows(),
              millis(line.probeNanos()),
              line.threadsRunning(),
              line.decision()));
    }
    return text.toString();
  }

  private static double[] series(
      List<Trace.Line> lines, java.util.function.ToDoubleFunction<Trace.Line> value) {
    return lines.stream().mapToDouble(value).toArray();
  }

  public static Map<String, Object> figures(Soak.Options options, List<Soak.Phase> phases) {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("rows", options.rows());
    figures.put("clients", options.clients());
    figures.put("write_share", options.writeShare());
    figures.put("changed_per_run", options.changedPerRun());
    figures.put("phase_seconds", options.phaseSeconds());
    figures.put("throttle", options.throttle());
    figures.put("phases", phases.stream().map(SoakTable::phase).toList());
    return figures;
  }

  private static Map<String, Object> phase(Soak.Phase phase) {
    AppLoad.Measured app = phase.app();
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("name", phase.name());
    figures.put("seconds", app.seconds());
    figures.put("reads", app.reads().length);
    figures.put("writes", app.writes().length);
    figures.put("errors", app.errors());
    for (double quantile : new double[] {0.5, 0.99, 0.999}) {
      String suffix = String.valueOf(quantile).substring(2);
      figures.put("read_p" + suffix + "_ms", Latencies.quantile(app.reads(), quantile) / 1e6);
      figures.put("write_p" + suffix + "_ms", Latencies.quantile(app.writes(), quantile) / 1e6);
    }
    figures.put("max_ms", max(app) / 1e6);
    figures.put("sync_runs", phase.runs());
    figures.put("rows_written", phase.rowsWritten());
    figures.put("sync_seconds", phase.syncSeconds());
    figures.put("throttled_seconds", phase.throttledSeconds());
    figures.put("batches_retried", phase.retries());
    Map<String, Object> doing = new LinkedHashMap<>();
    phase
        .secondsDoing()
        .forEach(
            (what, seconds) -> {
              long[] reads = app.readsBy().getOrDefault(what, new long[0]);
              long[] writes = app.writesBy().getOrDefault(what, new long[0]);
              Map<String, Object> part = new LinkedHashMap<>();
              part.put("seconds", seconds);
              part.put("reads", reads.length);
              part.put("writes", writes.length);
              part.put("read_p99_ms", Latencies.quantile(reads, 0.99) / 1e6);
              part.put("write_p99_ms", Latencies.quantile(writes, 0.99) / 1e6);
              doing.put(what, part);
            });
    figures.put("while", doing);
    figures.put("trace", phase.trace());
    return figures;
  }

  private static long max(AppLoad.Measured app) {
    long reads = app.reads().length == 0 ? 0 : app.reads()[app.reads().length - 1];
    long writes = app.writes().length == 0 ? 0 : app.writes()[app.writes().length - 1];
    return Math.max(reads, writes);
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2fms", nanos / 1e6);
  }

  private static double ratio(long value, long baseline) {
    return baseline == 0 ? 0 : (double) value / baseline;
  }
}
