package io.qsync.duckdb;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
          lock(note, true);
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
        lock(note, false);
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
   * Takes the note's lock, shared or exclusive, waiting for it. Where the file system has no locks
   * (some NFS mounts) it goes on without: the rename still keeps every file whole, only two jars
   * starting together could then load each other's library.
   */
  private static void lock(FileChannel note, boolean shared) {
    try {
      note.lock(0, Long.MAX_VALUE, shared);
    } catch (IOException noLocks) {
      // see above
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
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
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
