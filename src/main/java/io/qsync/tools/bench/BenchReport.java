package io.qsync.tools.bench;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The figures of one benchmark invocation. Every rate is judged against the ceiling measured in the
 * same invocation, so that a busy or a fast machine changes the ratios little. Immutable.
 *
 * @param machine what it ran on (cores, memory, OS, Java, server version)
 * @param rows rows of the generated result
 * @param repeat repetitions per figure
 * @param batchSize the sync's batch_size
 * @param childHeap the measured qsync process's -Xmx
 * @param figures one per measurement, the ceiling first
 * @param checksumsMatch whether the table qsync loaded equals the table LOAD DATA loaded ({@code
 *     CHECKSUM TABLE}), a check that the fast paths write the same values
 */
public record BenchReport(
    Machine machine,
    long rows,
    int repeat,
    int batchSize,
    String childHeap,
    List<Figure> figures,
    boolean checksumsMatch) {
  public static final String CEILING = "ceiling";
  public static final String FIRST_LOAD = "first_load";
  public static final String NO_CHANGE = "no_change";

  /** The no-change re-sync with {@code compare: hashes}: keys and row hashes read, not rows. */
  public static final String NO_CHANGE_HASHES = "no_change_hashes";

  public static final String ONE_PERCENT = "changed_1pct";
  public static final String TEN_PERCENT = "changed_10pct";
  public static final String SCRIPT = "script";
  public static final String SNAPSHOT_FIRST = "snapshot_first";
  public static final String SNAPSHOT_ONE_PERCENT = "snapshot_changed_1pct";
  public static final String VERIFY_EQUAL = "verify_equal";
  public static final String VERIFY_DIFFERS = "verify_differs_0.1pct";

  /** Every figure's name, in the order a bench measures them. */
  public static final List<String> FIGURES =
      List.of(
          CEILING,
          FIRST_LOAD,
          NO_CHANGE,
          NO_CHANGE_HASHES,
          ONE_PERCENT,
          TEN_PERCENT,
          VERIFY_EQUAL,
          VERIFY_DIFFERS,
          SNAPSHOT_FIRST,
          SNAPSHOT_ONE_PERCENT,
          SCRIPT);

  public BenchReport {
    requireNonNull(machine, "machine is null");
    requireNonNull(childHeap, "childHeap is null");
    figures = List.copyOf(requireNonNull(figures, "figures is null"));
  }

  /** The machine the benchmark ran on. */
  public record Machine(
      int cores, long memoryBytes, String os, String java, String server, double loadAverage) {}

  /**
   * One measurement, repeated.
   *
   * @param name a stable identifier ({@link #CEILING}, {@link #FIRST_LOAD}, ...)
   * @param description what was measured, for the table
   * @param rows the rows the measurement moves or compares (the result's size)
   * @param seconds the wall time of each repetition
   * @param changes changes written per repetition (qsync's own counts), or -1
   * @param peakHeapBytes largest heap occupancy of the qsync process over the repetitions
   * @param liveHeapBytes largest heap occupancy after a collection (retained data)
   * @param peakRssBytes largest resident set of the qsync process
   * @param batches statements or transactions per repetition (the script's sleep count), or -1
   * @param cpuSeconds the CPU time (user + system) of the process that moved the rows, per
   *     repetition: qsync's own process, or the benchmark's for the ceiling and the script; empty
   *     where it cannot be read
   * @param serverCpuSeconds the database server's CPU time per repetition; empty when the server is
   *     not on this machine
   */
  public record Figure(
      String name,
      String description,
      long rows,
      List<Double> seconds,
      long changes,
      OptionalLong peakHeapBytes,
      OptionalLong liveHeapBytes,
      OptionalLong peakRssBytes,
      long batches,
      List<Double> cpuSeconds,
      List<Double> serverCpuSeconds) {
    public Figure {
      seconds = List.copyOf(seconds);
      cpuSeconds = List.copyOf(cpuSeconds);
      serverCpuSeconds = List.copyOf(serverCpuSeconds);
    }

    public double medianSeconds() {
      return median(seconds).orElseThrow();
    }

    /** The median CPU seconds of the process that moved the rows, when known. */
    public OptionalDouble medianCpuSeconds() {
      return median(cpuSeconds);
    }

    /** The median CPU seconds of the database server, when known. */
    public OptionalDouble medianServerCpuSeconds() {
      return median(serverCpuSeconds);
    }

    private static OptionalDouble median(List<Double> values) {
      if (values.isEmpty()) {
        return OptionalDouble.empty();
      }
      List<Double> sorted = new ArrayList<>(values);
      sorted.sort(null);
      int middle = sorted.size() / 2;
      return OptionalDouble.of(
          sorted.size() % 2 == 1
              ? sorted.get(middle)
              : (sorted.get(middle - 1) + sorted.get(middle)) / 2);
    }

    public double rowsPerSecond() {
      return rows / medianSeconds();
    }
  }

  public Optional<Figure> figure(String name) {
    return figures.stream().filter(figure -> figure.name().equals(name)).findFirst();
  }

  public Figure ceiling() {
    return figure(CEILING).orElseThrow();
  }

  /** A figure's rate as a multiple of the ceiling's rate. */
  public double rateRatio(Figure figure) {
    return figure.rowsPerSecond() / ceiling().rowsPerSecond();
  }

  /** A re-sync's or a verify's wall time as a fraction of the first load's; empty for others. */
  public Optional<Double> timeVsFirstLoad(Figure figure) {
    boolean resync =
        figure.name().startsWith(NO_CHANGE)
            || figure.name().startsWith("changed_")
            || figure.name().startsWith("snapshot_")
            || figure.name().startsWith("verify_");
    return resync
        ? figure(FIRST_LOAD).map(first -> figure.medianSeconds() / first.medianSeconds())
        : Optional.empty();
  }

  /** The original script's rate with its one-second sleep after every batch. */
  public Optional<Double> scriptWithSleepRowsPerSecond() {
    return figure(SCRIPT)
        .map(script -> script.rows() / (script.medianSeconds() + script.batches()));
  }
}
