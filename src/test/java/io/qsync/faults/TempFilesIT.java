package io.qsync.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.cli.Main;
import io.qsync.testing.ChildProcess;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * qsync's temporary files (the DuckDB driver's 57 MB native library, DuckDB's spill folder) live in
 * a folder of its own per process. A process killed with SIGKILL leaves its folder behind; the next
 * qsync removes it, and leaves the folder of a qsync that still runs alone.
 */
@ExtendWith(MariaDbExtension.class)
class TempFilesIT {
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void theNextQsyncRemovesWhatAKilledOneLeftInTheTemporaryFolder(TestDatabase database)
      throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    List<String> jvm = List.of("-Djava.io.tmpdir=" + tmp);
    Path config = slowConfig(database);

    long killedPid;
    try (ChildProcess run =
        ChildProcess.start(
            dir, "killed-run", "256m", jvm, Main.class, "run", "slow", "-c", config.toString())) {
      awaitLeftovers(tmp, run);
      // another qsync meanwhile leaves the running one's files alone
      try (ChildProcess other =
          ChildProcess.start(
              dir,
              "meanwhile",
              "256m",
              jvm,
              Main.class,
              "validate",
              "--offline",
              "-c",
              config.toString())) {
        assertThat(other.waitFor(DEADLINE)).as(other.output()).isZero();
      }
      assertThat(leftovers(tmp)).as("the running qsync's files").hasSize(2);
      killedPid = run.pid();
      run.kill(Duration.ofSeconds(10));
    }
    assertThat(leftovers(tmp))
        .as("what SIGKILL left")
        .hasSize(2)
        .allSatisfy(path -> assertThat(path.toString()).contains(Long.toString(killedPid)));

    try (ChildProcess next =
        ChildProcess.start(
            dir,
            "next",
            "256m",
            jvm,
            Main.class,
            "validate",
            "--offline",
            "-c",
            config.toString())) {
      assertThat(next.waitFor(DEADLINE)).as(next.output()).isZero();
    }

    assertThat(leftovers(tmp)).isEmpty();
    try (Stream<Path> left = Files.walk(tmp)) {
      assertThat(left.filter(path -> !path.equals(tmp)).map(tmp::relativize).map(Path::toString))
          .as("only qsync's own folder for the user stays, empty")
          .containsExactly("qsync-" + System.getProperty("user.name"));
    }
  }

  /** A sync whose run takes half a minute: a few hundred rows at 20 rows a second. */
  private Path slowConfig(TestDatabase database) throws IOException {
    new Warehouse(dir.resolve("warehouse.duckdb"))
        .execute("CREATE TABLE t AS SELECT range AS id FROM range(600)");
    Path config = dir.resolve("qsync.yaml");
    Files.writeString(
        config,
        "stage_dir: stage\n"
            + "connections:\n"
            + "  warehouse: { type: duckdb, path: warehouse.duckdb }\n"
            + "  app: { type: mysql, url: \""
            + database.url()
            + "\", user: root }\n"
            + "syncs:\n"
            + "  slow:\n"
            + "    source: warehouse\n"
            + "    query: SELECT id FROM t\n"
            + "    target: app\n"
            + "    table: slow\n"
            + "    key: [id]\n"
            + "    create_table: true\n"
            + "    batch_size: 10\n"
            + "    throttle: { max_rows_per_second: 20, min_batch_size: 10 }\n");
    return config;
  }

  /** Waits until the run has unpacked DuckDB's native library and opened its spill folder. */
  private static void awaitLeftovers(Path tmp, ChildProcess run) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (leftovers(tmp).size() < 2) {
      assertThat(run.isAlive()).as("the run ended before it was killed\n" + run.output()).isTrue();
      assertThat(System.nanoTime()).as("no temporary files after " + DEADLINE).isLessThan(deadline);
      Thread.sleep(50); // waits on another process: only polling can
    }
  }

  /** DuckDB's native library and qsync's DuckDB spill folders anywhere under {@code tmp}. */
  private static List<Path> leftovers(Path tmp) throws IOException {
    try (Stream<Path> paths = Files.walk(tmp)) {
      return paths
          .filter(
              path -> {
                String name = path.getFileName().toString();
                return name.startsWith("libduckdb_java") || name.startsWith("qsync-duckdb-source");
              })
          .toList();
    }
  }
}
