package io.qsync.tools.bench;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.duckdb.DuckDbLibrary;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code qsync run} in a process of its own, so that its wall time includes the JVM's start and
 * its heap and resident memory are qsync's alone. Heap comes from the child's GC log: the largest
 * heap occupancy seen before a collection (the peak the collector had to deal with) and after one
 * (the live data). Resident memory is the kernel's high-water mark (VmHWM), sampled while the child
 * runs, and so is its CPU time (user + system, from {@code /proc/PID/stat}): the last sample misses
 * at most the final {@value #SAMPLE_MILLIS} ms of the JVM's exit. Not thread-safe.
 */
final class ChildRun {
  private static final Pattern GC_PAUSE =
      Pattern.compile("Pause.*?(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
  private static final Pattern HEAP_AT_EXIT =
      Pattern.compile("heap\\s+total (\\d+)K, used (\\d+)K");
  private static final long SAMPLE_MILLIS = 20;

  /**
   * What the child took.
   *
   * @param seconds wall time from start to exit
   * @param peakHeapBytes largest heap occupancy seen (before a collection, or at exit)
   * @param liveHeapBytes largest heap occupancy after a collection (the retained data)
   * @param peakRssBytes largest resident set (VmHWM) seen while it ran
   * @param cpuSeconds its CPU time (user + system), when /proc tells
   * @param stdout what it printed on stdout (the run's JSON report)
   */
  record Result(
      double seconds,
      OptionalLong peakHeapBytes,
      OptionalLong liveHeapBytes,
      OptionalLong peakRssBytes,
      OptionalDouble cpuSeconds,
      String stdout) {}

  private ChildRun() {}

  /** Runs {@code qsync -c config -o json run sync} with the given heap; fails unless it exits 0. */
  static Result run(
      Path dir, String name, Path config, String sync, String heap, Map<String, String> env) {
    return run(dir, name, config, List.of("run", sync), Set.of(0), heap, env);
  }

  /**
   * Runs {@code qsync -c config -o json COMMAND...} with the given heap; fails unless it exits with
   * one of {@code exitCodes}.
   */
  static Result run(
      Path dir,
      String name,
      Path config,
      List<String> qsyncCommand,
      Set<Integer> exitCodes,
      String heap,
      Map<String, String> env) {
    String classPath = absoluteClassPath();
    // Started as ./qsync starts a command (but serve): the JIT's first tier only, and the
    // class-data archive when there is one, so that the bench measures what a user runs.
    List<String> launch = new ArrayList<>(List.of(FIRST_TIER_ONLY));
    launch.addAll(classDataArchive(classPath));
    launch.addAll(List.of("-cp", classPath, "io.qsync.cli.Main"));
    return run(dir, name, config, qsyncCommand, exitCodes, heap, env, launch);
  }

  /** The JIT option {@code ./qsync} gives every command but {@code serve} (docs/benchmarks.md). */
  static final String FIRST_TIER_ONLY = "-XX:TieredStopAtLevel=1";

  /**
   * The options that map the class-data archive the launcher made for this jar ({@code
   * target/qsync.jsa} beside {@code target/qsync.jar}, see {@code ./qsync}), so that the child
   * starts as a run started by the launcher does; none when the class path is not one jar or the
   * archive is missing or older than the jar.
   */
  static List<String> classDataArchive(String classPath) {
    if (classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
      return List.of();
    }
    Path jar = Path.of(classPath);
    Path archive = jar.resolveSibling(jar.getFileName().toString().replaceAll("\\.jar$", ".jsa"));
    try {
      if (!Files.isRegularFile(archive)
          || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0) {
        return List.of();
      }
    } catch (IOException e) {
      return List.of();
    }
    // Without the launcher's -Xlog:disable, which would also stop the child's GC log: the child's
    // stdout is a file of its own, and JDK 17 says at level info only why it does not map an
    // archive.
    return List.of("-XX:SharedArchiveFile=" + archive);
  }

  /**
   * As {@link #run(Path, String, Path, List, Set, String, Map)}, with qsync launched as {@code
   * launch} says instead of from this JVM's class path: {@code ["-jar", "target/qsync.jar"]} runs
   * the packaged jar as a user does (its manifest's Add-Opens included).
   */
  static Result run(
      Path dir,
      String name,
      Path config,
      List<String> qsyncCommand,
      Set<Integer> exitCodes,
      String heap,
      Map<String, String> env,
      List<String> launch) {
    Path gcLog = dir.resolve(name + ".gc.log");
    Path stdout = dir.resolve(name + ".out");
    Path stderr = dir.resolve(name + ".err");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.add("-Xlog:gc,gc+heap+exit:file=" + gcLog);
    command.addAll(DuckDbLibrary.childOptions());
    command.addAll(launch);
    command.addAll(List.of("-c", config.toString(), "-o", "json"));
    command.addAll(qsyncCommand);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
    builder.environment().putAll(env);
    long started = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.FAILED, "bench: cannot start " + command.get(0) + ": " + e, e);
    }
    long peakRss = -1;
    OptionalDouble cpu = OptionalDouble.empty();
    try {
      Path status = Path.of("/proc", Long.toString(process.pid()), "status");
      while (!process.waitFor(SAMPLE_MILLIS, TimeUnit.MILLISECONDS)) {
        peakRss = Math.max(peakRss, highWaterMark(status));
        OptionalDouble sample = CpuTime.ofProcess(process.pid());
        cpu = sample.isPresent() ? sample : cpu;
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new QsyncException(ErrorKind.INTERRUPTED, "bench: interrupted", e);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    String out = read(stdout);
    if (!exitCodes.contains(process.exitValue())) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "bench: qsync "
              + qsyncCommand.get(0)
              + " ("
              + name
              + ") exited with "
              + process.exitValue()
              + "\n"
              + out
              + "\n"
              + read(stderr));
    }
    long[] heapFigures = heapFromGcLog(read(gcLog));
    return new Result(
        seconds, positive(heapFigures[0]), positive(heapFigures[1]), positive(peakRss), cpu, out);
  }

  /** This JVM's class path with absolute entries: the child runs in another folder. */
  private static String absoluteClassPath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      entries.add(entry.isEmpty() ? entry : Path.of(entry).toAbsolutePath().toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  private static OptionalLong positive(long value) {
    return value > 0 ? OptionalLong.of(value) : OptionalLong.empty();
  }

  /** VmHWM in bytes, or -1 when the process is gone or the system has no /proc. */
  private static long highWaterMark(Path status) {
    try {
      for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process exited between the check and the read.
    }
    return -1;
  }

  /** {peak, live} heap bytes from a unified GC log; -1 where the log shows none. */
  static long[] heapFromGcLog(String log) {
    long peak = -1;
    long live = -1;
    for (String line : log.split("\n")) {
      Matcher pause = GC_PAUSE.matcher(line);
      if (pause.find()) {
        peak = Math.max(peak, bytes(pause.group(1), pause.group(2)));
        live = Math.max(live, bytes(pause.group(3), pause.group(4)));
        continue;
      }
      Matcher exit = HEAP_AT_EXIT.matcher(line);
      if (exit.find()) {
        peak = Math.max(peak, Long.parseLong(exit.group(2)) * 1024);
      }
    }
    return new long[] {peak, live};
  }

  private static long bytes(String number, String unit) {
    long value = Long.parseLong(number);
    return switch (unit) {
      case "K" -> value * 1024;
      case "M" -> value * 1024 * 1024;
      default -> value * 1024 * 1024 * 1024;
    };
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
