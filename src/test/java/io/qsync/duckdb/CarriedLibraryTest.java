package io.qsync.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A library the jar carries, kept beside it: unpacked once, reused while it is the jar's, replaced
 * by a rename (never written in place) when the jar or the file changed. A small zip stands in for
 * qsync's jar.
 */
class CarriedLibraryTest {
  private static final String ENTRY = "qsync-native/libexample.so_linux_amd64";

  @TempDir Path dir;

  @Test
  void unpacksOnceAndLaterStartsReuseTheFile() throws IOException {
    Path jar = jar("jar", "library 1");
    Path file = dir.resolve("libexample.so_linux_amd64");

    try (CarriedLibrary first = CarriedLibrary.place(jar, ENTRY, file)) {
      assertThat(first.file()).hasContent("library 1");
    }
    Object made = fileKey(file);
    long time = Files.getLastModifiedTime(file).toMillis();
    try (CarriedLibrary second = CarriedLibrary.place(jar, ENTRY, file)) {
      assertThat(second.file()).hasContent("library 1");
    }

    assertThat(fileKey(file)).as("the same file, not a new one").isEqualTo(made);
    assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(time);
    try (var left = Files.list(dir)) {
      assertThat(left.map(path -> path.getFileName().toString()))
          .as("no temporary file stays")
          .containsExactlyInAnyOrder(
              "jar", "libexample.so_linux_amd64", "libexample.so_linux_amd64.qsync");
    }
  }

  @Test
  void aNewerJarReplacesTheLibraryByRenameSoAProcessUsingTheOldOneKeepsIt() throws IOException {
    Path file = dir.resolve("libexample.so_linux_amd64");
    try (CarriedLibrary old = CarriedLibrary.place(jar("old.jar", "library 1"), ENTRY, file)) {
      assertThat(old.file()).hasContent("library 1");
    }
    Object old = fileKey(file);

    try (InputStream inUse = Files.newInputStream(file)) { // as a process that mapped it
      try (CarriedLibrary newer = CarriedLibrary.place(jar("new.jar", "library 2"), ENTRY, file)) {
        assertThat(newer.file()).hasContent("library 2");
      }
      assertThat(new String(inUse.readAllBytes(), StandardCharsets.UTF_8))
          .as("the old file, untouched")
          .isEqualTo("library 1");
    }
    assertThat(fileKey(file)).as("a new file, renamed over the old one").isNotEqualTo(old);
  }

  @Test
  void aLibraryChangedSinceItWasUnpackedIsUnpackedAgain() throws IOException {
    Path jar = jar("jar", "library 1");
    Path file = dir.resolve("libexample.so_linux_amd64");
    CarriedLibrary.place(jar, ENTRY, file).close();

    Files.writeString(file, "library X"); // same size, another content and time
    Files.setLastModifiedTime(
        file,
        java.nio.file.attribute.FileTime.from(
            Files.getLastModifiedTime(file).toInstant().plusSeconds(5)));

    try (CarriedLibrary again = CarriedLibrary.place(jar, ENTRY, file)) {
      assertThat(again.file()).hasContent("library 1");
    }
  }

  @Test
  void aFolderItCannotWriteFailsWithTheReason() throws IOException {
    Path jar = jar("jar", "library 1");
    Path notAFolder = Files.writeString(dir.resolve("lib"), "a file where a folder should be");

    assertThatThrownBy(() -> CarriedLibrary.place(jar, ENTRY, notAFolder.resolve("libexample.so")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(notAFolder.toString());
  }

  @Test
  void theLibraryIsReadableByWhoeverMayReadTheJar() throws IOException {
    Path jar = jar("jar", "library 1");
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    Path file = dir.resolve("libexample.so_linux_amd64");

    CarriedLibrary.place(jar, ENTRY, file).close();

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void aLockHeldBeyondTheWaitFailsNamingTheNoteInsteadOfWaitingForever() throws IOException {
    Path jar = jar("jar", "library 1");
    Path file = dir.resolve("libexample.so_linux_amd64");
    CarriedLibrary.place(jar, ENTRY, file).close();
    Path note = dir.resolve("libexample.so_linux_amd64.qsync");

    try (FileChannel holder =
            FileChannel.open(note, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock held = holder.lock()) { // as another start that is replacing the file
      assertThatThrownBy(() -> CarriedLibrary.place(jar, ENTRY, file, Duration.ofMillis(200)))
          .isInstanceOf(CarriedLibrary.BusyException.class)
          .hasMessageContaining(note.toString())
          .hasMessageContaining("held this lock");
    }
    try (CarriedLibrary again = CarriedLibrary.place(jar, ENTRY, file, Duration.ofMillis(200))) {
      assertThat(again.file()).as("free again: it goes on").hasContent("library 1");
    }
  }

  /** A zip that carries {@code content} at {@link #ENTRY}. */
  private Path jar(String name, String content) throws IOException {
    Path jar = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("io/qsync/Some.class"));
      zip.write(new byte[] {1, 2, 3});
      zip.putNextEntry(new ZipEntry(ENTRY));
      zip.write(content.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return jar;
  }

  private static Object fileKey(Path file) throws IOException {
    return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
  }
}
