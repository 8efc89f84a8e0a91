package io.qsync.cli;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The folder that holds a qsync process's temporary files: {@code qsync-<user>/<pid>/} in the
 * system's temporary folder. It becomes the process's {@code java.io.tmpdir} before anything writes
 * there: DuckDB spills there, and the DuckDB driver, run from its own jar rather than qsync's (the
 * tests, an IDE), unpacks its native library (57 MB) there with no setting of its own for it. A
 * process killed with SIGKILL cannot clean up after itself, so each qsync first removes the folders
 * whose process is gone.
 *
 * <p>Not thread-safe: {@link #claim} once, first thing in {@code main}.
 */
final class TempFolder {
  /**
   * A pid may be reused: a process that started this much after the folder's last change is
   * another.
   */
  private static final long START_SLACK_SECONDS = 1;

  private TempFolder() {}

  /**
   * Removes the folders of qsync processes that are gone, creates this process's own, points {@code
   * java.io.tmpdir} at it and removes it again at exit. When the user's folder cannot be used (not
   * a folder of this user, no space, no permission) the process keeps the system's temporary
   * folder, as before.
   *
   * @return this process's folder, or empty when it keeps the system's
   */
  static Optional<Path> claim() {
    Path system = Path.of(System.getProperty("java.io.tmpdir"));
    String user = System.getProperty("user.name", "user");
    Optional<Path> own = claim(system, user, ProcessHandle.current());
    own.ifPresent(
        folder -> {
          System.setProperty("java.io.tmpdir", folder.toString());
          Runtime.getRuntime()
              .addShutdownHook(new Thread(() -> deleteTree(folder), "qsync-temp-cleanup"));
        });
    return own;
  }

  /** {@link #claim()} over the given system folder, user and process; sets no property. */
  static Optional<Path> claim(Path system, String user, ProcessHandle self) {
    requireNonNull(system, "system is null");
    Path base = system.resolve("qsync-" + user.replaceAll("[^A-Za-z0-9_.-]", "_"));
    try {
      if (!Files.exists(base, LinkOption.NOFOLLOW_LINKS)) {
        try {
          Files.createDirectory(
              base,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
          Files.createDirectory(base);
        }
      }
      // Another user's folder, or a link planted in a shared /tmp: not ours to write into.
      if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS) || !ownedByUs(base, self.pid())) {
        return Optional.empty();
      }
      removeDeadFolders(base);
      Path own = base.resolve(Long.toString(self.pid()));
      deleteTree(own); // a folder of this pid is a dead process's: the pid was reused
      return Optional.of(Files.createDirectory(own));
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether this process's user owns {@code folder}: a file it creates there has the same owner.
   * Not Files.createTempFile: its first call fixes the JVM's temporary folder for good.
   */
  private static boolean ownedByUs(Path folder, long pid) throws IOException {
    Path probe = folder.resolve(".owner-" + pid);
    Files.deleteIfExists(probe);
    Files.createFile(probe);
    try {
      return Files.getOwner(folder, LinkOption.NOFOLLOW_LINKS).equals(Files.getOwner(probe));
    } finally {
      Files.deleteIfExists(probe);
    }
  }

  /** Deletes every pid folder whose process is gone (or whose pid another process now has). */
  private static void removeDeadFolders(Path base) throws IOException {
    try (DirectoryStream<Path> folders = Files.newDirectoryStream(base, "[0-9]*")) {
      for (Path folder : folders) {
        String name = folder.getFileName().toString();
        if (name.matches("[0-9]{1,19}") && !alive(Long.parseLong(name), folder)) {
          deleteTree(folder);
        }
      }
    }
  }

  private static boolean alive(long pid, Path folder) {
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return false;
    }
    Optional<Instant> started = process.get().info().startInstant();
    try {
      Instant changed =
          Files.readAttributes(folder, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
              .lastModifiedTime()
              .toInstant();
      return started.isEmpty() || !started.get().isAfter(changed.plusSeconds(START_SLACK_SECONDS));
    } catch (IOException e) {
      return true; // cannot tell: leave it
    }
  }

  /** Deletes a folder and everything in it, as far as it can; absent is fine. */
  static void deleteTree(Path folder) {
    if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.deleteIfExists(path);
                } catch (IOException stillInUse) {
                  // stays for the next qsync to remove
                }
              });
    } catch (IOException | java.io.UncheckedIOException e) {
      // what stays is removed by the next qsync once this process is gone
    }
  }
}
