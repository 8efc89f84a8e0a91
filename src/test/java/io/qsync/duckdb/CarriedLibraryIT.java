package io.qsync.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.testing.ChildProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes that start together, some with an older jar and some with a newer one, each load the
 * library of its own jar: from its check until it has loaded the file, no other process replaces
 * it, and none ever sees a half-written one.
 */
class CarriedLibraryIT {
  private static final String ENTRY = "qsync-native/libexample.so_linux_amd64";
  private static final int SIZE = 8 << 20; // long enough to write that processes overlap

  @TempDir Path dir;

  @Test
  void startsTogetherWithTwoJarsEachLoadTheirOwnJarsLibrary() throws Exception {
    Path older = jar("older.jar", 1);
    Path newer = jar("newer.jar", 2);
    Path file = dir.resolve("libexample.so_linux_amd64");

    List<ChildProcess> starts = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        Path jar = i % 2 == 0 ? older : newer;
        starts.add(
            ChildProcess.start(
                dir, "start-" + i, "64m", Place.class, jar.toString(), file.toString()));
      }
      for (ChildProcess start : starts) {
        assertThat(start.waitFor(Duration.ofSeconds(90))).as(start.output()).isZero();
      }
    } finally {
      for (ChildProcess start : starts) {
        start.close();
      }
    }
    try (var left = Files.list(dir)) {
      assertThat(left.map(path -> path.getFileName().toString()).filter(n -> n.endsWith(".tmp")))
          .as("no temporary file stays")
          .isEmpty();
    }
  }

  /** The content a jar of {@code version} carries. */
  private static byte[] content(int version) {
    byte[] bytes = new byte[SIZE];
    new Random(version).nextBytes(bytes); // does not deflate: the write takes its time
    return bytes;
  }

  private Path jar(String name, int version) throws IOException {
    Path jar = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(ENTRY));
      zip.write(content(version));
      zip.closeEntry();
    }
    return jar;
  }

  /**
   * One start: places the library of the jar (args: jar, file) and, while it holds it, checks that
   * the file is that jar's, as loading it would read it.
   */
  public static final class Place {
    public static void main(String[] args) throws IOException {
      Path jar = Path.of(args[0]);
      int version = jar.getFileName().toString().startsWith("older") ? 1 : 2;
      try (CarriedLibrary library = CarriedLibrary.place(jar, ENTRY, Path.of(args[1]))) {
        for (int read = 0; read < 5; read++) {
          if (!Arrays.equals(Files.readAllBytes(library.file()), content(version))) {
            System.err.println("the file is not the library of " + jar);
            System.exit(1);
          }
        }
      }
    }
  }
}
