package io.qsync.tools.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * CPU time (user + system) spent by a process, so that the benchmark can say what a figure cost
 * besides its wall time: qsync's own process and the database server's. Another process's is read
 * from Linux's {@code /proc/PID/stat}; elsewhere it is unknown. Thread-safe (stateless).
 */
final class CpuTime {
  /**
   * Clock ticks per second of {@code /proc/PID/stat}'s times: USER_HZ, which Linux's ABI fixes at
   * 100 on the machines qsync runs on ({@code getconf CLK_TCK}).
   */
  static final double TICKS_PER_SECOND = 100;

  private CpuTime() {}

  /** The CPU seconds process {@code pid} has used so far; empty when it is gone or unreadable. */
  static OptionalDouble ofProcess(long pid) {
    try {
      return parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException | RuntimeException e) {
      return OptionalDouble.empty(); // not Linux, or the process exited
    }
  }

  /** This JVM's CPU seconds so far, every thread counted (DuckDB's native ones too). */
  static OptionalDouble ofThisProcess() {
    if (ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        && os.getProcessCpuTime() >= 0) {
      return OptionalDouble.of(os.getProcessCpuTime() / 1e9);
    }
    return OptionalDouble.empty();
  }

  /**
   * utime + stime of one {@code /proc/PID/stat} line, in seconds. The command name, field 2, is in
   * parentheses and may hold spaces and parentheses itself, so fields are counted after its last
   * ')': state is field 3, utime 14 and stime 15.
   */
  static OptionalDouble parseStat(String stat) {
    int end = stat.lastIndexOf(')');
    if (end < 0) {
      return OptionalDouble.empty();
    }
    String[] fields = stat.substring(end + 1).trim().split("\\s+");
    if (fields.length < 13) {
      return OptionalDouble.empty();
    }
    try {
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return OptionalDouble.of(ticks / TICKS_PER_SECOND);
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }

  /**
   * The database server's process on this machine, from its {@code pid_file} (resolved against its
   * {@code datadir}, as the server does), when that names a running {@code mariadbd} or {@code
   * mysqld}; empty for a server on another machine or in a container.
   */
  static OptionalLong serverPid(String pidFile, String dataDir) {
    try {
      Path file = Path.of(dataDir).resolve(pidFile);
      long pid = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
      String command = Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
      return command.equals("mariadbd") || command.equals("mysqld")
          ? OptionalLong.of(pid)
          : OptionalLong.empty();
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }
}
