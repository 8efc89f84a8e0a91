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

  private DuckDbLibrary() {}

  /**
   * Loads the library, if not yet loaded: from the file beside qsync's jar (or in {@value
   * #FOLDER_PROPERTY}), unpacked first when absent or not the jar's; else the driver's own way.
   *
   * @throws QsyncException when qsync's jar carries the library but it can be kept nowhere
   */
  public static synchronized void load() {
    if (loaded) {
      return;
    }
    loaded = true;
    ClassLoader loader = DuckDbLibrary.class.getClassLoader();
    Optional<String> carried =
        platformFile()
            .filter(name -> loader.getResource(name) == null)
            .filter(name -> loader.getResource(CARRIED_FOLDER + name) != null);
    if (carried.isEmpty()) {
      if (initialiseDriver()) {
        moveUnpackedFile();
      }
      return;
    }
    Path jar = driverJar(loader);
    Path file = file(jar, carried.get());
    try (CarriedLibrary library = CarriedLibrary.place(jar, CARRIED_FOLDER + carried.get(), file)) {
      initialiseDriver();
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "cannot keep DuckDB's native library at "
              + file
              + ": "
              + e
              + "\n"
              + (System.getProperty(FOLDER_PROPERTY, "").isBlank()
                  ? "Start qsync with its launcher bin/qsync, which keeps the library in the"
                      + " user's ~/.cache/qsync where the jar's folder is not writable, or start"
                      + " java with -D"
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

  /** Where the driver will look for the library: beside the jar, or in {@value FOLDER_PROPERTY}. */
  private static Path file(Path jar, String platformFile) {
    String folder = System.getProperty(FOLDER_PROPERTY, "");
    try {
      if (folder.isBlank()) {
        return jar.toAbsolutePath().getParent().toRealPath().resolve(platformFile); // as the driver
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
      return Files.createDirectories(own).resolve(System.mapLibraryName("duckdb_java"));
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "cannot make the folder for DuckDB's native library: "
              + e
              + "\nPoint -D"
              + FOLDER_PROPERTY
              + " and -Djava.library.path at a folder this user can write.",
          e);
    }
  }

  /** Lets the driver load its library; false when it could not (the first connection says why). */
  private static boolean initialiseDriver() {
    try {
      Class.forName(DRIVER_NATIVE, true, DuckDbLibrary.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | UnsatisfiedLinkError | ExceptionInInitializerError e) {
      return false;
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
