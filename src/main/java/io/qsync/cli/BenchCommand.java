package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.SyncConfig;
import io.qsync.tools.bench.Bench;
import io.qsync.tools.bench.BenchOptions;
import io.qsync.tools.bench.BenchReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qsync bench}: measures qsync against the server's own bulk-load ceiling in one invocation,
 * and prints each figure as a ratio to it. Needs no config file.
 */
@Command(
    name = "bench",
    description = {
      "Measures qsync against the server's own bulk path, LOAD DATA LOCAL INFILE.",
      "In one invocation: first load, re-syncs with nothing, 1 %% and 10 %% changed, and the "
          + "original INSERT IGNORE script, each against LOAD DATA of the same rows. Creates and "
          + "drops a scratch database."
    })
final class BenchCommand implements Callable<Integer>, CommonOptions.TextOnly {
  static final long LARGE_ROWS = 10_000_000;

  @Spec CommandSpec spec;
  @Mixin HelpOption help;

  @Mixin ServerOptions server;

  @Option(
      names = "--database",
      paramLabel = "NAME",
      defaultValue = "qsync_bench",
      description =
          "Scratch database, created and dropped; must not exist (default: ${DEFAULT-VALUE}).")
  String database;

  @Option(
      names = "--rows",
      paramLabel = "N",
      defaultValue = "1000000",
      description = "Rows of the generated result (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(names = "--large", description = "10,000,000 rows (same as --rows 10000000).")
  boolean large;

  @Option(
      names = "--repeat",
      paramLabel = "N",
      defaultValue = "3",
      description = "Repetitions per figure; figures are medians (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description =
          "The sync's batch_size (default: "
              + SyncConfig.DEFAULT_BATCH_SIZE
              + ", qsync's default).")
  Integer batchSize;

  @Option(
      names = "--heap",
      paramLabel = "SIZE",
      defaultValue = "256m",
      description = "-Xmx of the measured qsync process (default: ${DEFAULT-VALUE}).")
  String heap;

  @Option(
      names = "--dir",
      paramLabel = "PATH",
      description = "Working folder (default: a temporary folder, deleted afterwards).")
  Path dir;

  @Option(
      names = "--only",
      split = ",",
      paramLabel = "FIGURE",
      description =
          "Measure only these figures (comma-separated, e.g. verify_equal,no_change_hashes),"
              + " besides the ceiling and the first load, which the others are ratios to.")
  List<String> only = List.of();

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write the raw figures to FILE as JSON.")
  Path json;

  @Override
  public Integer call() {
    CommonOptions.refuseJson(spec, "Leave out -o json; --json FILE writes the figures as JSON.");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String password = server.password(System.getenv(), Optional.empty());
    if (repeat < 1 || rows < 100 || !database.matches("[A-Za-z0-9_]+")) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "bench: --repeat must be at least 1, --rows at least 100, --database letters, digits and _"
              + " (got "
              + repeat
              + ", "
              + rows
              + ", "
              + database
              + ")");
    }
    for (String name : only) {
      if (!BenchReport.FIGURES.contains(name)) {
        throw new QsyncException(
            ErrorKind.USAGE,
            "bench: --only "
                + name
                + ": no such figure; the figures are "
                + String.join(", ", BenchReport.FIGURES));
      }
    }
    boolean temporary = dir == null;
    Path work;
    try {
      work =
          temporary
              ? Files.createTempDirectory(
                  Path.of(System.getProperty("java.io.tmpdir")), "qsync-bench")
              : dir;
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.FAILED, "bench: cannot create a temporary folder: " + e, e);
    }
    BenchOptions options =
        new BenchOptions(
            server.host,
            server.port,
            server.user,
            password,
            database,
            large ? LARGE_ROWS : rows,
            repeat,
            batchSize == null ? SyncConfig.DEFAULT_BATCH_SIZE : batchSize,
            heap,
            work,
            java.util.Set.copyOf(only));
    BenchReport report;
    try {
      report =
          new Bench(
                  options,
                  line -> {
                    err.println("bench: " + line);
                    err.flush();
                  })
              .run();
    } finally {
      if (temporary) {
        Bench.deleteTree(work);
      }
    }
    out.println(table(report));
    if (json != null) {
      try {
        Files.writeString(json, Renderer.json(map(report)) + "\n", StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new QsyncException(ErrorKind.FAILED, "bench: cannot write " + json + ": " + e, e);
      }
    }
    return 0;
  }

  /** The table of figures, each as a ratio to the ceiling, then the targets. */
  static String table(BenchReport report) {
    StringBuilder text = new StringBuilder();
    BenchReport.Machine machine = report.machine();
    text.append(
        String.format(
            Locale.ROOT,
            "qsync bench: %,d rows x 9 columns, median of %d, batch_size %d, qsync process -Xmx%s%n",
            report.rows(),
            report.repeat(),
            report.batchSize(),
            report.childHeap()));
    text.append(
        String.format(
            Locale.ROOT,
            "machine: %d cores, %.1f GB RAM, %s, %s, server %s, load average %.2f at the end%n%n",
            machine.cores(),
            machine.memoryBytes() / 1073741824.0,
            machine.os(),
            machine.java(),
            machine.server(),
            machine.loadAverage()));
    String format = "%-44s %9s %11s %9s %10s %8s %8s %9s %9s %9s%n";
    text.append(
        String.format(
            Locale.ROOT,
            format,
            "figure",
            "median s",
            "rows/s",
            "x ceiling",
            "x 1st load",
            "CPU s",
            "srv CPU s",
            "peak heap",
            "live heap",
            "peak RSS"));
    for (BenchReport.Figure figure : report.figures()) {
      text.append(
          String.format(
              Locale.ROOT,
              format,
              figure.description(),
              String.format(Locale.ROOT, "%.2f", figure.medianSeconds()),
              String.format(Locale.ROOT, "%,.0f", figure.rowsPerSecond()),
              String.format(Locale.ROOT, "%.3f", report.rateRatio(figure)),
              report
                  .timeVsFirstLoad(figure)
                  .map(ratio -> String.format(Locale.ROOT, "%.3f", ratio))
                  .orElse(""),
              seconds(figure.medianCpuSeconds()),
              seconds(figure.medianServerCpuSeconds()),
              megabytes(figure.peakHeapBytes()),
              megabytes(figure.liveHeapBytes()),
              megabytes(figure.peakRssBytes())));
    }
    report
        .scriptWithSleepRowsPerSecond()
        .ifPresent(
            rate ->
                text.append(
                    String.format(
                        Locale.ROOT,
                        format,
                        "script with its 1 s sleep per batch",
                        "",
                        String.format(Locale.ROOT, "%,.0f", rate),
                        String.format(Locale.ROOT, "%.4f", rate / report.ceiling().rowsPerSecond()),
                        "",
                        "",
                        "",
                        "",
                        "",
                        "")));
    text.append(
        String.format(
            Locale.ROOT,
            "%n(\"x ceiling\": rows/s as a multiple of LOAD DATA's; \"x 1st load\":"
                + " wall time as a fraction of the first load's; re-sync rows/s count the rows compared;"
                + "%n \"CPU s\": user + system CPU of the process that moved the rows (qsync's own, or"
                + " the benchmark's for LOAD DATA and the script); \"srv CPU s\": the server's, when it"
                + " runs on this machine)%n"));
    report
        .figure(BenchReport.ONE_PERCENT)
        .ifPresent(
            target ->
                report
                    .figure(BenchReport.SNAPSHOT_ONE_PERCENT)
                    .ifPresent(
                        snapshot ->
                            text.append(
                                String.format(
                                    Locale.ROOT,
                                    "%n1 %% changed, side by side: diff: target moved %,d rows out of"
                                        + " the warehouse and compared %,d with the table in %.2f s; diff: snapshot moved"
                                        + " %,d changed rows and read none back in %.2f s (%.2f x the time)%n",
                                    target.rows(),
                                    target.rows(),
                                    target.medianSeconds(),
                                    snapshot.changes(),
                                    snapshot.medianSeconds(),
                                    snapshot.medianSeconds() / target.medianSeconds()))));
    text.append(
        String.format(
            Locale.ROOT,
            "values written by qsync equal LOAD DATA's (CHECKSUM TABLE): %s%n%n",
            report.checksumsMatch() ? "yes" : "NO"));
    text.append("targets:\n");
    for (Map<String, Object> target : targets(report)) {
      text.append(
          String.format(
              Locale.ROOT,
              "  %-52s %-10s %s%n",
              target.get("target"),
              target.get("measured"),
              Boolean.TRUE.equals(target.get("met")) ? "met" : "NOT met"));
    }
    return text.toString();
  }

  static List<Map<String, Object>> targets(BenchReport report) {
    List<Map<String, Object>> targets = new ArrayList<>();
    report
        .figure(BenchReport.FIRST_LOAD)
        .ifPresent(
            first -> {
              double ratio = report.rateRatio(first);
              targets.add(target("first load >= 0.7 x ceiling rows/s", ratio, ratio >= 0.7));
              first
                  .medianCpuSeconds()
                  .ifPresent(
                      cpu -> {
                        double perMillion = cpu * 1_000_000 / first.rows();
                        targets.add(
                            target(
                                "first load: qsync CPU s per 1M rows <= 5",
                                perMillion,
                                perMillion <= 5));
                      });
            });
    report
        .figure(BenchReport.NO_CHANGE)
        .flatMap(report::timeVsFirstLoad)
        .ifPresent(
            ratio ->
                targets.add(
                    target("no-change re-sync <= 0.2 x first load time", ratio, ratio <= 0.2)));
    report
        .figure(BenchReport.ONE_PERCENT)
        .flatMap(report::timeVsFirstLoad)
        .ifPresent(
            ratio ->
                targets.add(
                    target("1 % changed re-sync <= 0.3 x first load time", ratio, ratio <= 0.3)));
    for (String verify : List.of(BenchReport.VERIFY_EQUAL, BenchReport.VERIFY_DIFFERS)) {
      report
          .figure(verify)
          .ifPresent(
              figure ->
                  report
                      .timeVsFirstLoad(figure)
                      .ifPresent(
                          ratio ->
                              targets.add(
                                  target(
                                      figure.description() + " <= 0.2 x first load time",
                                      ratio,
                                      ratio <= 0.2))));
    }
    report
        .figure(BenchReport.FIRST_LOAD)
        .ifPresent(
            first ->
                report
                    .scriptWithSleepRowsPerSecond()
                    .ifPresent(
                        withSleep -> {
                          double ratio = first.rowsPerSecond() / withSleep;
                          targets.add(
                              target(
                                  "first load >= 100 x the script's rate with sleep",
                                  ratio,
                                  ratio >= 100));
                        }));
    report
        .figure(BenchReport.FIRST_LOAD)
        .ifPresent(
            first ->
                report
                    .figure(BenchReport.SCRIPT)
                    .ifPresent(
                        script -> {
                          double ratio = first.rowsPerSecond() / script.rowsPerSecond();
                          targets.add(
                              target(
                                  "first load faster than the script without sleep",
                                  ratio,
                                  ratio > 1));
                        }));
    return targets;
  }

  private static Map<String, Object> target(String name, double measured, boolean met) {
    Map<String, Object> target = new LinkedHashMap<>();
    target.put("target", name);
    target.put("measured", String.format(Locale.ROOT, "%.3f", measured));
    target.put("met", met);
    return target;
  }

  static Map<String, Object> map(BenchReport report) {
    Map<String, Object> map = new LinkedHashMap<>();
    BenchReport.Machine machine = report.machine();
    map.put(
        "machine",
        Map.of(
            "cores",
            machine.cores(),
            "memory_bytes",
            machine.memoryBytes(),
            "os",
            machine.os(),
            "java",
            machine.java(),
            "server",
            machine.server(),
            "load_average",
            machine.loadAverage()));
    map.put("rows", report.rows());
    map.put("repeat", report.repeat());
    map.put("batch_size", report.batchSize());
    map.put("child_heap", report.childHeap());
    map.put("checksums_match", report.checksumsMatch());
    List<Map<String, Object>> figures = new ArrayList<>();
    for (BenchReport.Figure figure : report.figures()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", figure.name());
      entry.put("description", figure.description());
      entry.put("rows", figure.rows());
      entry.put("seconds", figure.seconds());
      entry.put("median_seconds", figure.medianSeconds());
      entry.put("rows_per_second", figure.rowsPerSecond());
      entry.put("rate_vs_ceiling", report.rateRatio(figure));
      report.timeVsFirstLoad(figure).ifPresent(ratio -> entry.put("time_vs_first_load", ratio));
      entry.put("changes", figure.changes());
      put(entry, "peak_heap_bytes", figure.peakHeapBytes());
      put(entry, "live_heap_bytes", figure.liveHeapBytes());
      put(entry, "peak_rss_bytes", figure.peakRssBytes());
      if (!figure.cpuSeconds().isEmpty()) {
        entry.put("cpu_seconds", figure.cpuSeconds());
        entry.put("median_cpu_seconds", figure.medianCpuSeconds().getAsDouble());
      }
      if (!figure.serverCpuSeconds().isEmpty()) {
        entry.put("server_cpu_seconds", figure.serverCpuSeconds());
        entry.put("median_server_cpu_seconds", figure.medianServerCpuSeconds().getAsDouble());
      }
      if (figure.batches() >= 0) {
        entry.put("batches", figure.batches());
      }
      figures.add(entry);
    }
    map.put("figures", figures);
    report
        .scriptWithSleepRowsPerSecond()
        .ifPresent(rate -> map.put("script_with_sleep_rows_per_second", rate));
    map.put("targets", targets(report));
    return map;
  }

  private static void put(Map<String, Object> map, String key, OptionalLong value) {
    if (value.isPresent()) {
      map.put(key, value.getAsLong());
    }
  }

  private static String seconds(java.util.OptionalDouble value) {
    return value.isPresent() ? String.format(Locale.ROOT, "%.2f", value.getAsDouble()) : "";
  }

  private static String megabytes(OptionalLong bytes) {
    return bytes.isPresent()
        ? String.format(Locale.ROOT, "%.0f MB", bytes.getAsLong() / 1048576.0)
        : "";
  }
}
