package io.qsync.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.QsyncException;
import io.qsync.testing.ChildProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A library the system will not load fails qsync's load with the file and the reason, at every
 * call, in a JVM of its own (a JVM loads DuckDB's driver once).
 */
class DuckDbLibraryIT {
  @TempDir java.nio.file.Path dir;

  @Test
  void aLibraryThatCannotBeLoadedFailsEveryLoadNamingTheFileAndTheCause() {
    // the driver's own jar is on the test class path: it unpacks into java.io.tmpdir, absent here
    try (ChildProcess child =
        ChildProcess.start(
            dir,
            "load-twice",
            "128m",
            List.of("-Djava.io.tmpdir=" + dir.resolve("absent")),
            LoadTwice.class)) {
      assertThat(child.waitFor(Duration.ofSeconds(90))).as(child.output()).isZero();
      String said = child.output();
      assertThat(said)
          .contains("first: NEEDS_ACTION DuckDB's driver cannot load its native library")
          .contains("second: NEEDS_ACTION DuckDB's driver cannot load its native library")
          .contains(dir.resolve("absent").toString());
    }
  }

  /** Calls {@link DuckDbLibrary#load} twice and prints what each did. */
  public static final class LoadTwice {
    public static void main(String[] args) {
      for (String call : List.of("first", "second")) {
        try {
          DuckDbLibrary.load();
          System.out.println(call + ": loaded");
        } catch (QsyncException e) {
          System.out.println(call + ": " + e.kind() + " " + e.getMessage());
        }
      }
    }
  }
}
