package io.qsync.duckdb;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A native library that qsync's jar carries, kept as a file of its own that every later start loads
 * as it is, instead of unpacking 57 MB again. Beside the file, {@code NAME.qsync} says which jar
 * entry (CRC and size) it was made from and the file's own size and time, so that a newer jar never
 * loads an older library, nor anyone a file changed since. That note is also the lock: a process
 * holds it shared from its check until the library is loaded, and exclusively while it replaces the
 * file. A replacement is written to a temporary file in the same folder and renamed over the old
 * one, so a process that has the old one loaded keeps it, and no process ever maps a half-written
 * file.
 *
 * <p>Lifecycle: {@link #place} (the file is current and locked), load it, {@link #close} (the lock
 * goes). Not thread-safe: one per process, under {@link DuckDbLibrary}'s lock.
 */
final class CarriedLibrary implements AutoCloseable {
  private static final String NOTE_SUFFIX = ".qsync";

  /** How long a start waits for another process's lock on the note: an unpack takes seconds. */
  static final Duration LOCK_WAIT = Duration.ofMinutes(2);

  /**
   * The file cannot be had now, though nothing is wrong with it: another process holds its lock
   * beyond {@link #LOCK_WAIT}, or (Windows) a running qsync has the old library loaded, which
   * Windows does not let a rename replace. It passes when that process ends.
   */
  static final class BusyException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    BusyException(Path file, String reason) {
      super(file.toString(), null, reason);
    }
  }

  private final Path file;
  private final FileChannel note;

  private CarriedLibrary(Path file, FileChannel note) {
    this.file = file;
    this.note = note;
  }

  /**
   * Makes {@code file} a copy of {@code entry} of {@code jar}, unless it already is one, and holds
   * its lock until {@link #close}.
   *
   * @throws IOException when the file is not current and cannot be made so (its folder is not
   *     writable, the disk is full), or the jar cannot be read
   */
  static CarriedLibrary place(Path jar, String entry, Path file) throws IOException {
    return place(jar, entry, file, LOCK_WAIT);
  }

  /** Like {@link #place(Path, String, Path)}, waiting at most {@code wait} for the note's lock. */
  static CarriedLibrary place(Path jar, String entry, Path file, Duration wait) throws IOException {
    requireNonNull(jar, "jar is null");
    requireNonNull(entry, "entry is null");
    requireNonNull(file, "file is null");
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      ZipEntry carried = zip.getEntry(entry);
      if (carried == null) {
        throw new NoSuchFileException(jar + "!/" + entry);
      }
      String made = carried.getCrc() + " " + carried.getSize();
      Path notePath = file.resolveSibling(file.getFileName() + NOTE_SUFFIX);
      if (Files.exists(notePath)) {
        FileChannel note = FileChannel.open(notePath, StandardOpenOption.READ);
        try {
          lock(note, notePath, true, wait);
          if (isCurrent(note, made, file)) {
            return new CarriedLibrary(file, note);
          }
        } catch (IOException | RuntimeException e) {
          note.close();
          throw e;
        }
        note.close(); // stale: replaced below, under the exclusive lock
      }
      FileChannel note =
          FileChannel.open(
              notePath,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE,
              StandardOpenOption.CREATE);
      try {
        lock(note, notePath, false, wait);
        if (!isCurrent(note, made, file)) {
          replace(zip, carried, jar, file);
          write(note, made + " " + stamp(file));
        }
        return new CarriedLibrary(file, note);
      } catch (IOException | RuntimeException e) {
        note.close();
        throw e;
      }
    }
  }

  /**
   * {@code file} held (shared) when it is a current copy of {@code entry} of {@code jar}; empty
   * when it is not, or has no note: nothing is written, so its folder may be read-only.
   */
  static Optional<CarriedLibrary> ifCurrent(Path jar, String entry, Path file) throws IOException {
    Path notePath = file.resolveSibling(file.getFileName() + NOTE_SUFFIX);
    if (!Files.isRegularFile(notePath)) {
      return Optional.empty();
    }
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      ZipEntry carried = zip.getEntry(entry);
      if (carried == null) {
        throw new NoSuchFileException(jar + "!/" + entry);
      }
      FileChannel note = FileChannel.open(notePath, StandardOpenOption.READ);
      try {
        lock(note, notePath, true, LOCK_WAIT);
        if (isCurrent(note, carried.getCrc() + " " + carried.getSize(), file)) {
          return Optional.of(new CarriedLibrary(file, note));
        }
      } catch (IOException | RuntimeException e) {
        note.close();
        throw e;
      }
      note.close();
      return Optional.empty();
    }
  }

  /** The library's file, current while this is open. */
  Path file() {
    return file;
  }

  /** Releases the lock: another process may replace the file now (this one keeps it loaded). */
  @Override
  public void close() throws IOException {
    note.close();
  }

  /**
   * Takes the note's lock, shared or exclusive, waiting at most {@code wait} for another process
   * (or another channel of this one) to let go. Where the file system has no locks (some NFS
   * mounts) it goes on without: the rename still keeps every file whole, only two jars starting
   * together could then load each other's library.
   *
   * @throws BusyException when the lock is still held after {@code wait}
   */
  private static void lock(FileChannel note, Path notePath, boolean shared, Duration wait)
      throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      FileLock lock;
      try {
        lock = note.tryLock(0, Long.MAX_VALUE, shared);
      } catch (OverlappingFileLockException heldInThisProcess) {
        lock = null; // held through another channel of this JVM: wait as for another process
      } catch (IOException noLocks) {
        return; // see above
      }
      if (lock != null) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new BusyException(
            notePath,
            "another process has held this lock for "
                + wait.toSeconds()
                + " s (it unpacks DuckDB's library, or hangs)");
      }
      try {
        Thread.sleep(20); // a lock of another process can only be polled for with a deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the lock of " + notePath);
      }
    }
  }

  /** Whether the note says {@code made}, and the file is the one the note was written for. */
  private static boolean isCurrent(FileChannel note, String made, Path file) throws IOException {
    if (note.size() > 200) {
      return false;
    }
    ByteBuffer bytes = ByteBuffer.allocate((int) note.size());
    while (bytes.hasRemaining() && note.read(bytes, bytes.position()) > 0) {}
    String said = new String(bytes.array(), 0, bytes.position(), StandardCharsets.US_ASCII);
    try {
      return said.equals(made + " " + stamp(file));
    } catch (NoSuchFileException gone) {
      return false;
    }
  }

  /** The file's size and time of last change, which any change of its content also changes. */
  private static String stamp(Path file) throws IOException {
    return Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis();
  }

  /**
   * Writes {@code carried} to a new file beside {@code file} and renames it over {@code file}: a
   * process that has the old one loaded keeps its copy. Readable by whoever may read the jar.
   */
  private static void replace(ZipFile zip, ZipEntry carried, Path jar, Path file)
      throws IOException {
    Path temporary =
        Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
    try {
      try (InputStream in = zip.getInputStream(carried)) {
        Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
      }
      try {
        Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(jar));
      } catch (UnsupportedOperationException notPosix) {
        // the file system's own rules apply
      }
      try {
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AccessDeniedException e) {
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")
            && Files.exists(file)) {
          throw new BusyException(
              file, "in use by a running qsync of another jar (Windows cannot replace it then)");
        }
        throw e;
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private static void write(FileChannel note, String text) throws IOException {
    note.truncate(0);
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    while (bytes.hasRemaining()) {
      note.write(bytes, bytes.position());
    }
    note.force(true);
  }
}
