package io.qsync.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkout's launcher, {@code ./qsync}, run as a user runs it: in a copy of its folder holding
 * the jar the package phase built, its class list and nothing to build. It makes the class-data
 * archive once, starts later runs with it, and whatever the JVM thinks of an archive (a stale or a
 * broken one) never reaches standard output, where {@code -o json} prints its document.
 */
@ExtendWith(MariaDbExtension.class)
class LauncherIT {
  @TempDir Path checkout;

  private Path archive;

  /** What one launch printed, and its exit code. */
  private record Launched(int exitCode, String out, String err) {
    String all() {
      return "exit " + exitCode + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
    }
  }

  @BeforeEach
  void copyTheCheckout() throws IOException {
    String jarProperty = System.getProperty("qsync.jar");
    assertThat(jarProperty)
        .as("system property qsync.jar (failsafe sets it in pom.xml)")
        .isNotBlank();
    Path jar = Path.of(jarProperty);
    assertThat(jar)
        .as("the jar, which `mvn package` builds before the integration tests")
        .isRegularFile();

    Path launcher = checkout.resolve("qsync");
    Files.copy(Path.of("qsync"), launcher);
    assertThat(launcher.toFile().setExecutable(true)).isTrue();
    Path classList = checkout.resolve("src/main/cds/qsync.classlist");
    Files.createDirectories(classList.getParent());
    Files.copy(Path.of("src/main/cds/qsync.classlist"), classList);
    Files.createDirectories(checkout.resolve("target/demo-lib"));
    Files.createSymbolicLink(checkout.resolve("target/qsync.jar"), jar.toAbsolutePath());
    // Older than the jar, so the launcher finds nothing to build.
    FileTime older = FileTime.from(Files.getLastModifiedTime(jar).toInstant().minusSeconds(60));
    Files.setLastModifiedTime(classList, older);
    Files.setLastModifiedTime(classList.getParent(), older);
    archive = checkout.resolve("target/qsync.jsa");
  }

  /** The link to the build's jar: JUnit would warn of a link out of the folder it deletes. */
  @AfterEach
  void unlinkTheJar() throws IOException {
    Files.deleteIfExists(checkout.resolve("target/qsync.jar"));
  }

  @Test
  void makesTheClassDataArchiveOnceAndStartsWithIt() {
    Launched first = qsync("--version");
    assertThat(first.exitCode()).as(first.all()).isZero();
    assertThat(first.err()).as(first.all()).contains("making the class-data archive");
    assertThat(archive).as(first.all()).isRegularFile();

    Launched second = qsync("--version");
    assertThat(second.exitCode()).as(second.all()).isZero();
    assertThat(second.out()).isEqualTo(first.out());
    assertThat(second.err()).as(second.all()).isEmpty();
  }

  @Test
  void aBrokenArchiveNeverReachesStandardOutput() throws IOException {
    Launched clean = qsync("--version");
    assertThat(clean.exitCode()).as(clean.all()).isZero();
    // Newer than the jar, so the launcher maps it rather than making it again.
    Files.write(archive, "not a class-data archive".getBytes(StandardCharsets.UTF_8));
    Files.setLastModifiedTime(archive, FileTime.from(Instant.now()));

    Launched broken = qsync("--version");
    assertThat(broken.exitCode()).as(broken.all()).isZero();
    assertThat(broken.out()).as(broken.all()).isEqualTo(clean.out());
  }

  @Test
  void theUsersOwnJavaLoggingWinsOverTheArchives() {
    Launched made = qsync("--version");
    assertThat(made.exitCode()).as(made.all()).isZero();
    assertThat(archive).as(made.all()).isRegularFile();
    Path gcLog = checkout.resolve("gc.log");

    Launched logged = qsyncWith("-Xlog:gc*:file=" + gcLog, "--version");

    assertThat(logged.exitCode()).as(logged.all()).isZero();
    assertThat(gcLog).as(logged.all()).isNotEmptyFile();
    assertThat(logged.out()).isEqualTo(made.out());
  }

  @Test
  void startsEveryCommandButServeWithTheFirstTierOfTheJitOnly() {
    // Without the test's own -XX:TieredStopAtLevel=1 in QSYNC_JAVA_OPTS, the launcher's choice.
    String printFlags = "-Xmx256m -XX:+PrintFlagsFinal";

    Launched version = launched(printFlags, "--version");
    Launched serve = launched(printFlags, "-c", "qsync.yaml", "serve", "--help");

    assertThat(version.exitCode()).as(version.all()).isZero();
    assertThat(version.out()).as(version.all()).containsPattern("TieredStopAtLevel +=? 1 ");
    assertThat(serve.exitCode()).as(serve.all()).isZero();
    assertThat(serve.out()).as(serve.all()).containsPattern("TieredStopAtLevel +=? 4 ");
  }

  @Test
  void keepsDuckDbsLibraryBesideTheJarAndLaterStartsLoadThatFile(TestDatabase database)
      throws IOException {
    new Warehouse(checkout.resolve("warehouse.duckdb")).execute("CREATE TABLE t (id BIGINT)");
    Path config = checkout.resolve("qsync.yaml");
    Files.writeString(
        config,
        "connections:\n"
            + "  warehouse: { type: duckdb, path: warehouse.duckdb }\n"
            + "  app: { type: mysql, url: \""
            + database.url()
            + "\", user: root }\n"
            + "syncs:\n"
            + "  t: { source: warehouse, query: SELECT id FROM t, target: app, table: t,"
            + " key: [id], create_table: true }\n");
    Path log = checkout.resolve("libraries.log");
    String logLibraries = "-Xlog:library=info:file=" + log;

    Launched first = qsyncWith(logLibraries, "-c", config.toString(), "validate");
    assertThat(first.exitCode()).as(first.all()).isZero();
    // The JVM names a linked jar by its target: the library goes beside the build's jar.
    Path folder = checkout.resolve("target/qsync.jar").toRealPath().getParent();
    Path library;
    try (var files = Files.list(folder)) {
      List<Path> libraries =
          files
              .filter(file -> file.getFileName().toString().matches("libduckdb_java\\.so_\\w+"))
              .toList();
      assertThat(libraries).as("beside the jar, in " + folder).hasSize(1);
      library = libraries.get(0).toRealPath();
    }
    assertThat(Files.readString(log)).contains("Loaded library " + library + ",");
    Object made = Files.readAttributes(library, BasicFileAttributes.class).fileKey();
    Files.delete(log);

    Launched second = qsyncWith(logLibraries, "-c", config.toString(), "validate");

    assertThat(second.exitCode()).as(second.all()).isZero();
    assertThat(Files.readString(log))
        .as("the second start loads the file beside the jar")
        .contains("Loaded library " + library + ",");
    assertThat(Files.readAttributes(library, BasicFileAttributes.class).fileKey())
        .as("not unpacked again")
        .isEqualTo(made);
  }

  private Launched qsync(String... args) {
    return qsyncWith("", args);
  }

  /** Runs the launcher with {@code javaOptions} in QSYNC_JAVA_OPTS beside the test's own. */
  private Launched qsyncWith(String javaOptions, String... args) {
    return launched("-Xmx256m -XX:TieredStopAtLevel=1 " + javaOptions, args);
  }

  /** Runs the launcher with QSYNC_JAVA_OPTS set to {@code qsyncJavaOptions}. */
  private Launched launched(String qsyncJavaOptions, String... args) {
    try {
      Path out = Files.createTempFile(checkout, "out", ".txt");
      Path err = Files.createTempFile(checkout, "err", ".txt");
      List<String> command =
          new java.util.ArrayList<>(List.of(checkout.resolve("qsync").toString()));
      command.addAll(List.of(args));
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().put("QSYNC_JAVA_OPTS", qsyncJavaOptions);
      Process process = builder.start();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(command + " still ran after 2 minutes");
      }
      return new Launched(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
