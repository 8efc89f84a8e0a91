package io.qsync.duckdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * DuckDB's native library, loaded once per process before the first DuckDB connection. The JDBC
 * driver unpacks the library (57 MB) into the temporary folder the JVM fixed at its start, with no
 * setting of its own for where, and removes it only at a normal exit: a process killed with SIGKILL
 * would leave it behind for good. So once it is loaded, the unpacked file moves into the folder
 * {@code java.io.tmpdir} names now, qsync's own folder of the process, which the next qsync removes
 * when the process is gone. A loaded library stays mapped when its file moves or goes. The file is
 * found in {@code /proc/self/maps}, so this is Linux only; elsewhere it stays where the driver put
 * it. Thread-safe.
 */
public final class DuckDbLibrary {
  private static final String DRIVER_NATIVE = "org.duckdb.DuckDBNative";
  private static final String FILE_PREFIX = "libduckdb_java";
  private static boolean loaded;

  private DuckDbLibrary() {}

  /** Loads the library, if not yet loaded, and moves its unpacked file into java.io.tmpdir. */
  public static synchronized void load() {
    if (loaded) {
      return;
    }
    loaded = true;
    try {
      Class.forName(DRIVER_NATIVE, true, DuckDbLibrary.class.getClassLoader());
    } catch (ClassNotFoundException | UnsatisfiedLinkError | ExceptionInInitializerError e) {
      return; // the first connection reports the driver's own error
    }
    Path folder = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    for (Path file : mappedFiles()) {
      if (file.getFileName().toString().startsWith(FILE_PREFIX) && !file.startsWith(folder)) {
        try {
          Files.move(file, folder.resolve(file.getFileName()));
        } catch (IOException | RuntimeException cannotMove) {
          try {
            Files.deleteIfExists(file); // on another file system: gone is as good
          } catch (IOException stays) {
            // the driver deletes it at a normal exit
          }
        }
      }
    }
  }

  /** The files this process has mapped (its libraries among them); none where /proc is absent. */
  private static List<Path> mappedFiles() {
    try {
      return Files.readAllLines(Path.of("/proc/self/maps")).stream()
          .filter(line -> line.contains(" /"))
          .map(line -> line.substring(line.indexOf(" /") + 1).strip())
          .filter(path -> !path.endsWith(" (deleted)"))
          .distinct()
          .map(Path::of)
          .toList();
    } catch (IOException | RuntimeException noProc) {
      return List.of();
    }
  }
}
