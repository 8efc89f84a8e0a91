package io.qsync.duckdb;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * DuckDB's native library (57 MB), loaded once per process before the first DuckDB connection.
 *
 * <p>The JDBC driver ({@code DuckDBNative}) looks for its library in three places, in this order: a
 * class-path resource {@code /libduckdb_java.so_<os>_<arch>}, which it unpacks into a new file in
 * {@code java.io.tmpdir} at every start (a quarter of a second of CPU); {@code libduckdb_java.so}
 * on {@code java.library.path}; the file {@code libduckdb_java.so_<os>_<arch>} in the folder of the
 * jar it came from. qsync's own jar carries the libraries under {@value #CARRIED_FOLDER} instead,
 * out of the driver's sight, and keeps the platform's one unpacked beside the jar ({@link
 * CarriedLibrary}: once per jar, shared by every later start); or, where the launcher says so
 * ({@value #FOLDER_PROPERTY}, for a jar in a folder this user cannot write), as {@code
 * libduckdb_java.so} in a folder of the user's that is also {@code java.library.path}'s first.
 *
 * <p>With the driver's own jar on the class path (the tests, an IDE) the driver unpacks the library
 * as before, into the temporary folder the JVM fixed at its start, and removes it only at a normal
 * exit: a process killed with SIGKILL would leave it behind for good. So once it is loaded, the
 * unpacked file moves into the folder {@code java.io.tmpdir} names now, qsync's own folder of the
 * process, which the next qsync removes when the process is gone. A loaded library stays mapped
 * when its file moves or goes. The file is found in {@code /proc/self/maps}, so this is Linux only;
 * elsewhere it stays where the driver put it. Thread-safe.
 */
public final class DuckDbLibrary {
  /** The folder of qsync's jar that holds the driver's libraries (pom.xml, the shade plugin). */
  static final String CARRIED_FOLDER = "qsync-native/";

  /**
   * The folder for the library instead of the jar's (bin/qsync sets it where lib/ is not writable);
   * it must also be the first of {@code java.library.path}, where the driver looks for it.
   */
  public static final String FOLDER_PROPERTY = "qsync.native.dir";

  private static final String DRIVER_NATIVE = "org.duckdb.DuckDBNative";
  private static final String FILE_PREFIX = "libduckdb_java";
  private static boolean loaded;
  private static RuntimeException failure;

  /**
   * Whether the driver's class was asked to load its library (once per process, as the JVM does).
   */
  private static boolean driverTried;

  private DuckDbLibrary() {}

  /**
   * Loads the library, if not yet loaded: from the file beside qsync's jar (or in {@value
   * #FOLDER_PROPERTY}), unpacked first when absent or not the jar's; else the driver's own way.
   *
   * @throws QsyncException when qsync's jar carries the library but it can be kept nowhere now (a
   *     later call tries again), or the system will not load it (the same exception again at every
   *     later call: the driver's class is initialised once)
   */
  public static synchronized void load() {
    if (failure != null) {
      throw failure; // the same reason at every call: the driver must not load a library itself
    }
    if (loaded) {
      return;
    }
    try {
      loadOnce();
    } catch (RuntimeException e) {
      if (driverTried) {
        failure = e; // the JVM initialises a class once: the driver cannot be loaded again
      }
      throw e; // kept nowhere, or held: the next call tries again (serve's next run)
    }
    loaded = true;
  }

  private static void loadOnce() {
    ClassLoader loader = DuckDbLibrary.class.getClassLoader();
    Optional<String> carried =
        platformFile()
            .filter(name -> loader.getResource(name) == null)
            .filter(name -> loader.getResource(CARRIED_FOLDER + name) != null);
    if (carried.isEmpty()) {
      initialiseDriver(
          "the copy DuckDB's driver unpacks into " + System.getProperty("java.io.tmpdir"),
          "java.io.tmpdir");
      moveUnpackedFile();
      return;
    }
    Path jar = driverJar(loader);
    String entry = CARRIED_FOLDER + carried.get();
    Path beside = besideJar(jar, carried.get());
    Optional<Path> own = ownFile();
    Path file = own.orElse(beside);
    try {
      if (own.isPresent() && !Files.exists(own.get())) {
        // Nothing in the launcher's folder, so the driver falls through to the jar's folder: a
        // current file there serves as it is, even where that folder is read-only.
        Optional<CarriedLibrary> current = CarriedLibrary.ifCurrent(jar, entry, beside);
        if (current.isPresent()) {
          try (CarriedLibrary library = current.get()) {
            initialiseDriver(beside.toString(), beside.getParent().toString());
          }
          return;
        }
        Files.createDirectories(own.get().getParent());
      }
      try (CarriedLibrary library = CarriedLibrary.place(jar, entry, file)) {
        initialiseDriver(file.toString(), file.getParent().toString());
      }
    } catch (CarriedLibrary.BusyException e) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "cannot have DuckDB's native library at "
              + file
              + " now: "
              + e.getMessage()
              + "\nIt passes when that process has ended; qsync tries again at its next start.",
          e);
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "cannot keep DuckDB's native library at "
              + file
              + ": "
              + e
              + "\n"
              + (own.isEmpty()
                  ? "Start qsync with its launcher bin/qsync, which keeps the library in the"
                      + " user's ${XDG_CACHE_HOME:-~/.cache}/qsync (else ${TMPDIR:-/tmp}/qsync-UID)"
                      + " where the jar's folder is not writable (if it did, set XDG_CACHE_HOME or"
                      + " TMPDIR to a folder this user can write), or start java with -D"
                      + FOLDER_PROPERTY
                      + "=DIR -Djava.library.path=DIR, DIR a folder this user can write."
                  : "Make " + file.getParent() + " writable for this user, or free space there."),
          e);
    }
  }

  /**
   * The JVM options a child JVM of qsync's needs to load the library from where this one keeps it:
   * the launcher's {@value #FOLDER_PROPERTY} and {@code java.library.path}, when it set them.
   */
  public static List<String> childOptions() {
    String folder = System.getProperty(FOLDER_PROPERTY, "");
    if (folder.isBlank()) {
      return List.of();
    }
    return List.of(
        "-D" + FOLDER_PROPERTY + "=" + folder,
        "-Djava.library.path=" + System.getProperty("java.library.path", ""));
  }

  /**
   * The driver's name of the library for this platform ({@code libduckdb_java.so_linux_amd64}), as
   * {@code DuckDBNative.nativeLibName()} makes it; empty where the driver has none.
   */
  static Optional<String> platformFile() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).trim();
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).trim();
    if (os.startsWith("mac")) {
      return Optional.of(FILE_PREFIX + ".so_osx_universal");
    }
    Optional<String> system =
        os.startsWith("windows")
            ? Optional.of("windows")
            : os.startsWith("linux") ? Optional.of("linux") : Optional.empty();
    Optional<String> cpu =
        switch (arch) {
          case "x86_64", "amd64" -> Optional.of("amd64");
          case "aarch64", "arm64" -> Optional.of("arm64");
          default -> Optional.empty();
        };
    return system.flatMap(s -> cpu.map(c -> FILE_PREFIX + ".so_" + s + "_" + c));
  }

  /** The jar the driver's classes come from: the driver looks for its library beside it. */
  private static Path driverJar(ClassLoader loader) {
    try {
      return Path.of(
          Class.forName(DRIVER_NATIVE, false, loader)
              .getProtectionDomain()
              .getCodeSource()
              .getLocation()
              .toURI());
    } catch (ClassNotFoundException | URISyntaxException | RuntimeException e) {
      throw new IllegalStateException("cannot tell which jar DuckDB's driver comes from", e);
    }
  }

  /** The file beside the jar, where the driver looks for it last. */
  private static Path besideJar(Path jar, String platformFile) {
    try {
      return jar.toAbsolutePath().getParent().toRealPath().resolve(platformFile); // as the driver
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "cannot find the folder of qsync's jar "
              + jar
              + ": "
              + e
              + "\nStart qsync from a folder this user can read.",
          e);
    }
  }

  /**
   * The file in {@value FOLDER_PROPERTY}, where the launcher said to keep the library (the driver
   * looks there first, as {@code java.library.path}'s first folder); empty when it said none.
   */
  private static Optional<Path> ownFile() {
    String folder = System.getProperty(FOLDER_PROPERTY, "");
    if (folder.isBlank()) {
      return Optional.empty();
    }
    Path own = Path.of(folder).toAbsolutePath().normalize();
    List<String> libraryPath =
        List.of(System.getProperty("java.library.path", "").split(File.pathSeparator));
    if (!Path.of(libraryPath.get(0)).toAbsolutePath().normalize().equals(own)) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "-D"
              + FOLDER_PROPERTY
              + "="
              + folder
              + " is not the first folder of java.library.path ("
              + String.join(File.pathSeparator, libraryPath)
              + "), where DuckDB's driver looks for its library first"
              + "\nStart java with -Djava.library.path="
              + folder
              + " too.");
    }
    return Optional.of(own.resolve(System.mapLibraryName("duckdb_java")));
  }

  /**
   * Lets the driver load its library, from {@code file}.
   *
   * @throws QsyncException naming the file and why the system would not load it (a folder mounted
   *     noexec, a library for another platform), so that no later connection fails with only "Could
   *     not initialize class"
   */
  private static void initialiseDriver(String file, String folder) {
    driverTried = true;
    try {
      Class.forName(DRIVER_NATIVE, true, DuckDbLibrary.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      Throwable cause = e instanceof ExceptionInInitializerError ? e.getCause() : e;
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "DuckDB's driver cannot load its native library "
              + file
              + ": "
              + cause
              + "\nMake "
              + folder
              + " a folder this user can write on a file system that allows executing"
              + " (not mounted noexec), or point -D"
              + FOLDER_PROPERTY
              + " and -Djava.library.path at one.",
          e);
    }
  }

  /** Moves the file the driver unpacked into java.io.tmpdir (qsync's own folder of the process). */
  private static void moveUnpackedFile() {
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
