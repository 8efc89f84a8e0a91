package io.qsync.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running one main class on the test's own class path, for tests that must kill a real
 * process (SIGKILL leaves no chance to clean up). Its stdout and stderr go to files in a folder the
 * test owns, so a full pipe can never stall it. Whoever starts one closes it; close kills it if it
 * still runs. Not thread-safe.
 */
public final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private ChildProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts {@code mainClass} with {@code args} in a new JVM with this JVM's class path and time
   * zone and a small heap; output goes to {@code name}.out and {@code name}.err in {@code folder}.
   */
  public static ChildProcess start(Path folder, String name, Class<?> mainClass, String... args) {
    return start(folder, name, "256m", mainClass, args);
  }

  /** Like {@link #start(Path, String, Class, String...)}, with a heap of {@code maxHeap} (-Xmx). */
  public static ChildProcess start(
      Path folder, String name, String maxHeap, Class<?> mainClass, String... args) {
    return start(folder, name, maxHeap, List.of(), mainClass, args);
  }

  /**
   * Like {@link #start(Path, String, String, Class, String...)}, with more options for the JVM
   * ({@code -Djava.io.tmpdir=...}).
   */
  public static ChildProcess start(
      Path folder,
      String name,
      String maxHeap,
      List<String> jvmOptions,
      Class<?> mainClass,
      String... args) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.add("-Xmx" + maxHeap);
    // What qsync.jar's manifest says (Add-Opens), for Arrow: -cp does not read it.
    command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    command.addAll(jvmOptions);
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Duser.timezone=" + TimeZone.getDefault().getID());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    Path stdout = folder.resolve(name + ".out");
    Path stderr = folder.resolve(name + ".err");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(folder.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile())
              .start();
      return new ChildProcess(process, stdout, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGKILL (on Linux) and waits, bounded, until the process is gone; its exit code. */
  public int kill(Duration timeout) {
    process.destroyForcibly();
    return waitFor(timeout);
  }

  /**
   * Sends SIGTERM ({@code "TERM"}) or SIGINT ({@code "INT"}, as Ctrl-C does) and waits, bounded,
   * until the process is gone; its exit code.
   */
  public int signal(String signal, Duration timeout) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return waitFor(timeout);
  }

  /** The exit code, waiting at most {@code timeout}; fails when the process still runs then. */
  public int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "child process " + pid() + " still runs after " + timeout + "\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for child " + pid(), e);
    }
  }

  /** What the child printed on stdout so far. */
  public String stdout() {
    return read(stdout);
  }

  /** What the child printed so far, stdout then stderr, for assertion messages. */
  public String output() {
    return "--- stdout of child "
        + pid()
        + " ---\n"
        + read(stdout)
        + "\n--- stderr ---\n"
        + read(stderr);
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill(Duration.ofSeconds(10));
    }
  }
}
