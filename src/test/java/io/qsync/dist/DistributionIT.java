package io.qsync.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user gets it: {@code qsync-VERSION.tar.gz}, which the package phase built,
 * unpacked with {@code tar} into a folder of the test's, its layout and modes checked, and {@code
 * bin/qsync} run as a separate process: the launcher's Java checks, a sync from a DuckDB warehouse
 * into the real MariaDB, {@code qsync serve} on a schedule until SIGTERM, and the example config.
 */
@ExtendWith(MariaDbExtension.class)
class DistributionIT {
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

  /** How long a test waits for what a started process does (qsync serve: start, a first run). */
  private static final Duration WAIT_DEADLINE = Duration.ofSeconds(90);

  /** A small heap and quick start for every launched JVM: five of them share two cores. */
  private static final String JAVA_OPTS = "-Xmx256m -XX:TieredStopAtLevel=1";

  @TempDir static Path unpacked;
  @TempDir Path dir;

  /** qsync-VERSION/, the distribution's one top folder. */
  private static Path home;

  /** What one launch of a command printed, and its exit code. */
  private record Launched(int exitCode, String out, String err) {
    String all() {
      return "exit " + exitCode + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
    }
  }

  @BeforeAll
  static void unpack() throws IOException, InterruptedException {
    String archiveProperty = System.getProperty("qsync.dist.archive");
    assertThat(archiveProperty)
        .as("system property qsync.dist.archive (failsafe sets it in pom.xml)")
        .isNotBlank();
    home = untar(Path.of(archiveProperty), unpacked);
  }

  /** Unpacks the distribution into {@code into} (as the user running the tests); its top folder. */
  private static Path untar(Path archive, Path into) throws IOException, InterruptedException {
    assertThat(archive)
        .as("the distribution, which `mvn package` builds before the integration tests")
        .isRegularFile();
    Process tar =
        new ProcessBuilder(
                "tar", "--no-same-owner", "-xzf", archive.toString(), "-C", into.toString())
            .redirectErrorStream(true)
            .start();
    String said = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tar.waitFor(1, TimeUnit.MINUTES)).as("tar finished").isTrue();
    assertThat(tar.exitValue()).as(said).isZero();
    Path top;
    try (var folders = Files.list(into)) {
      List<Path> all = folders.toList();
      assertThat(all).as("one top folder").hasSize(1);
      top = all.get(0);
    }
    String name = archive.getFileName().toString();
    assertThat(top.getFileName().toString())
        .isEqualTo(name.substring(0, name.length() - ".tar.gz".length()));
    return top;
  }

  @Test
  void holdsTheLauncherTheJarTheExampleConfigAndTheUnit() throws IOException {
    assertThat(home.resolve("lib/qsync.jar")).isRegularFile();
    assertThat(home.resolve("conf/qsync.example.yaml")).isRegularFile();
    assertThat(Files.getPosixFilePermissions(home.resolve("bin/qsync")))
        .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(Files.getPosixFilePermissions(home.resolve("conf/qsync.example.yaml")))
        .doesNotContain(PosixFilePermission.OWNER_EXECUTE);

    String version = home.getFileName().toString().substring("qsync-".length());
    assertThat(Files.readString(home.resolve("README.txt")))
        .startsWith("qsync " + version)
        .doesNotContain("${project");

    String unit = Files.readString(home.resolve("systemd/qsync.service"));
    assertThat(unit)
        .contains("\nType=simple\n")
        .contains("\nUser=qsync\n")
        .contains("\nEnvironmentFile=/etc/qsync/qsync.env\n")
        .contains("\nExecStart=/opt/qsync/bin/qsync -c /etc/qsync/qsync.yaml serve\n")
        .contains("\nKillSignal=SIGTERM\n")
        .contains("\nRestart=on-failure\n")
        .contains("\nReadWritePaths=/var/lib/qsync\n");
    Matcher timeout = Pattern.compile("\nTimeoutStopSec=(\\d+)\n").matcher(unit);
    assertThat(timeout.find()).as("TimeoutStopSec in\n" + unit).isTrue();
    assertThat(Integer.parseInt(timeout.group(1)))
        .as("systemd waits longer than qsync's own 20 s stop bound before SIGKILL")
        .isGreaterThan(20);
  }

  @Test
  void printsItsVersionAndHelp() {
    Launched version = qsync(withTestJava(), "--version");
    assertThat(version.exitCode()).as(version.all()).isZero();
    assertThat(version.out().strip())
        .as("the version of the build that made the archive")
        .isEqualTo("qsync " + home.getFileName().toString().substring("qsync-".length()));

    Launched help = qsync(withTestJava(), "--help");
    assertThat(help.exitCode()).as(help.all()).isZero();
    assertThat(help.out()).contains("Usage: qsync").contains("run").contains("validate");
  }

  @Test
  void findsJavaOnPathWhenStartedThroughASymlink() throws IOException {
    Path links = Files.createDirectories(dir.resolve("usr/local/bin"));
    Files.createSymbolicLink(links.resolve("qsync"), home.resolve("bin/qsync"));
    Path javaBin = Path.of(System.getProperty("java.home"), "bin");

    Launched version;
    try {
      version =
          run(
              List.of(links.resolve("qsync").toString(), "--version"),
              environment -> {
                environment.remove("JAVA_HOME");
                environment.put("PATH", javaBin + ":/usr/bin:/bin");
              });
    } finally {
      Files.delete(links.resolve("qsync")); // a link out of the folder JUnit cleans up
    }

    assertThat(version.exitCode()).as(version.all()).isZero();
    assertThat(version.out().strip())
        .as("the version of the build that made the archive")
        .isEqualTo("qsync " + home.getFileName().toString().substring("qsync-".length()));
  }

  @Test
  void execsJavaWithTheOptionsAndArgumentsSoSignalsReachIt() throws Exception {
    // A stand-in for java that notes its process id and arguments, then waits for SIGTERM.
    Path fakeHome = dir.resolve("jdk-17");
    Path fakeJava = Files.createDirectories(fakeHome.resolve("bin")).resolve("java");
    Files.writeString(
        fakeHome.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"17.0.9\"\n");
    Path noted = dir.resolve("noted");
    Files.writeString(
        fakeJava,
        "#!/bin/sh\n"
            + "trap 'exit 42' TERM\n"
            + "for argument in \"$@\"; do printf '%s\\n' \"$argument\"; done > "
            + noted
            + ".args\n"
            + "echo $$ > "
            + noted
            + ".tmp && mv "
            + noted
            + ".tmp "
            + noted
            + ".pid\n"
            + "while :; do sleep 0.1; done\n");
    Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));

    Started launcher =
        start(
            List.of(home.resolve("bin/qsync").toString(), "-c", "my config.yaml", "run", "*"),
            environment -> {
              environment.put("JAVA_HOME", fakeHome.toString());
              environment.put("JAVA_OPTS", "-Xmx64m -Dqsync.test=*");
              environment.put("QSYNC_JAVA_OPTS", "-Xss1m");
            });
    try {
      awaitUntil(
          launcher, "the stand-in java ran", () -> Files.exists(noted.resolveSibling("noted.pid")));

      assertThat(Files.readString(noted.resolveSibling("noted.pid")).strip())
          .as("java has the launcher's process id: the launcher execs it")
          .isEqualTo(Long.toString(launcher.process().pid()));
      assertThat(Files.readAllLines(noted.resolveSibling("noted.args")))
          .containsExactly(
              "-XX:TieredStopAtLevel=1",
              "-Xmx64m",
              "-Dqsync.test=*",
              "-Xss1m",
              "-jar",
              home.resolve("lib/qsync.jar").toRealPath().toString(),
              "-c",
              "my config.yaml",
              "run",
              "*");

      launcher.process().destroy(); // SIGTERM to the launcher's process id
      assertThat(launcher.process().waitFor(10, TimeUnit.SECONDS)).as(launcher.output()).isTrue();
      assertThat(launcher.process().exitValue()).as("java's own answer to SIGTERM").isEqualTo(42);
    } finally {
      if (launcher.process().isAlive()) {
        launcher.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void refusesAJavaHomeWithoutJava() throws IOException {
    Path notAJava = Files.createDirectories(dir.resolve("not-a-jdk/bin"));

    Launched launched =
        qsync(
            environment -> environment.put("JAVA_HOME", notAJava.getParent().toString()), "--help");

    assertThat(launched.exitCode()).as(launched.all()).isEqualTo(1);
    assertThat(launched.out()).isEmpty();
    assertThat(launched.err())
        .contains(
            "qsync: JAVA_HOME is set to '"
                + notAJava.getParent()
                + "', but it holds no executable bin/java.")
        .contains("Install a Java 17 or newer runtime")
        .contains("apt-get install openjdk-17-jre-headless");
  }

  @Test
  void refusesAnOlderJava() throws IOException {
    Path oldJava = Files.createDirectories(dir.resolve("jdk-11/bin")).resolve("java");
    Files.writeString(
        oldJava,
        "#!/bin/sh\n"
            + "echo 'openjdk version \"11.0.22\" 2024-01-16' >&2\n"
            + "echo 'OpenJDK Runtime Environment (build 11.0.22+7)' >&2\n");
    Files.setPosixFilePermissions(oldJava, PosixFilePermissions.fromString("rwxr-xr-x"));

    Launched launched =
        qsync(
            environment -> environment.put("JAVA_HOME", oldJava.getParent().getParent().toString()),
            "--help");

    assertThat(launched.exitCode()).as(launched.all()).isEqualTo(1);
    assertThat(launched.err())
        .contains("qsync needs Java 17 or newer, but the java of JAVA_HOME")
        .contains("is Java 11 (11.0.22)")
        .contains("Install a Java 17 or newer runtime");
  }

  @Test
  void refusesToStartWithoutAnyJava() throws IOException {
    Path emptyPath = Files.createDirectories(dir.resolve("empty-path"));

    Launched launched =
        qsync(
            environment -> {
              environment.remove("JAVA_HOME");
              environment.put("PATH", emptyPath.toString());
            },
            "--help");

    assertThat(launched.exitCode()).as(launched.all()).isEqualTo(1);
    assertThat(launched.err())
        .contains(
            "qsync: no Java runtime found: JAVA_HOME is not set and there is no java on PATH.")
        .contains("Install a Java 17 or newer runtime");
  }

  @Test
  void runsASyncFromTheWarehouseIntoMariaDb(TestDatabase database) throws IOException {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(
        "CREATE TABLE targets (user_id BIGINT, variant VARCHAR, score DECIMAL(6,2))",
        "INSERT INTO targets VALUES (1, 'control', 1.50), (2, 'treatment', NULL),"
            + " (3, 'control', 2), (4, 'treatment', 0.25)");
    Path config = config(database, "");
    String compare = "SELECT user_id, variant, score FROM targets ORDER BY user_id";

    Launched first = qsync(withTestJava(), "-c", config.toString(), "run", "targets");

    assertThat(first.exitCode()).as(first.all()).isZero();
    assertThat(first.out()).contains("targets: succeeded -> table targets (mirror): 4 inserted");
    assertThat(database.rows(compare)).isEqualTo(warehouse.rows(compare));

    warehouse.execute(
        "UPDATE targets SET variant = 'treatment' WHERE user_id = 1",
        "DELETE FROM targets WHERE user_id = 2",
        "INSERT INTO targets VALUES (5, 'control', 9.99)");

    Launched second = qsync(withTestJava(), "-c", config.toString(), "run", "targets");

    assertThat(second.exitCode()).as(second.all()).isZero();
    assertThat(second.out()).contains("1 inserted, 1 updated, 1 deleted, 2 unchanged");
    assertThat(database.rows(compare)).isEqualTo(warehouse.rows(compare));
  }

  @Test
  void keepsDuckDbsLibraryBesideTheJarOnceAndLaterStartsLoadThatFile(TestDatabase database)
      throws IOException {
    Map<String, Long> carried;
    try (ZipFile jar = new ZipFile(home.resolve("lib/qsync.jar").toFile())) {
      carried =
          jar.stream()
              .filter(entry -> entry.getName().contains("libduckdb_java"))
              .collect(Collectors.toMap(ZipEntry::getName, ZipEntry::getSize));
    }
    assertThat(carried.keySet())
        .as("where the driver does not look: it would unpack a found one at every start")
        .isNotEmpty()
        .allSatisfy(name -> assertThat(name).startsWith("qsync-native/"));
    new Warehouse(dir.resolve("warehouse.duckdb"))
        .execute("CREATE TABLE targets (user_id BIGINT, variant VARCHAR, score DECIMAL(6,2))");
    Path config = config(database, "");
    Path log = dir.resolve("libraries.log");

    Launched first = qsyncLoggingLibraries(log, "", "-c", config.toString(), "run", "targets");
    assertThat(first.exitCode()).as(first.all()).isZero();
    Path library;
    try (var files = Files.list(home.resolve("lib"))) {
      List<Path> libraries =
          files
              .filter(
                  file ->
                      file.getFileName().toString().matches("libduckdb_java\\.so_[a-z]+_[a-z0-9]+"))
              .toList();
      assertThat(libraries).as("the platform's library beside the jar").hasSize(1);
      library = libraries.get(0).toRealPath();
    }
    assertThat(loadedDuckDbLibraries(log)).as(first.all()).containsExactly(library);
    Object made = Files.readAttributes(library, BasicFileAttributes.class).fileKey();
    FileTime time = Files.getLastModifiedTime(library);

    Launched second = qsyncLoggingLibraries(log, "", "-c", config.toString(), "run", "targets");
    assertThat(second.exitCode()).as(second.all()).isZero();
    assertThat(loadedDuckDbLibraries(log)).as(second.all()).containsExactly(library);
    assertThat(Files.readAttributes(library, BasicFileAttributes.class).fileKey())
        .as("the same file: not unpacked again")
        .isEqualTo(made);
    assertThat(Files.getLastModifiedTime(library)).isEqualTo(time);

    Files.writeString(library, "not the jar's library");
    Launched third = qsyncLoggingLibraries(log, "", "-c", config.toString(), "run", "targets");
    assertThat(third.exitCode()).as(third.all()).isZero();
    assertThat(loadedDuckDbLibraries(log)).as(third.all()).containsExactly(library);
    assertThat(Files.size(library))
        .as("the jar's library again")
        .isEqualTo(carried.get("qsync-native/" + library.getFileName()));
  }

  @Test
  void keepsTheLibraryInTheUsersCacheWhereTheJarsFolderIsNotWritable(TestDatabase database)
      throws Exception {
    Path installed = installedForNobody(database);
    Path userHome = ownedByNobody(dir.resolve("home"));
    Path log = dir.resolve("libraries.log");

    Launched kept = asNobody(installed, log, Map.of("HOME", userHome.toString()), "run", "targets");

    assertThat(kept.exitCode()).as(kept.all()).isZero();
    assertThat(loadedDuckDbLibraries(log))
        .as(kept.all())
        .containsExactly(userHome.resolve(".cache/qsync/libduckdb_java.so").toRealPath());
  }

  @Test
  void aUserWithoutAWritableHomeKeepsTheLibraryInTmpdirOrLoadsTheCurrentOneBesideTheJar(
      TestDatabase database) throws Exception {
    // the documented container: HOME that does not exist, a read-only root, /tmp writable
    Path installed = installedForNobody(database);
    Path log = dir.resolve("libraries.log");
    String noHome = "/nonexistent-home-of-qsync";
    Path tmp = ownedByNobody(dir.resolve("tmp"));
    // the user's own folder there, left writable by all (an umask of 000): closed before use
    Path own = ownedByNobody(tmp.resolve("qsync-65534"));
    Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwxrwxrwx"));

    Launched inTmp =
        asNobody(
            installed, log, Map.of("HOME", noHome, "TMPDIR", tmp.toString()), "run", "targets");
    assertThat(inTmp.exitCode()).as(inTmp.all()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(own)))
        .as("no one else may swap the library this user loads")
        .isEqualTo("rwx------");
    assertThat(loadedDuckDbLibraries(log))
        .as(inTmp.all())
        .containsExactly(tmp.resolve("qsync-65534/libduckdb_java.so").toRealPath());

    Launched nowhere =
        asNobody(installed, log, Map.of("HOME", noHome, "TMPDIR", noHome), "run", "targets");
    assertThat(nowhere.exitCode()).as(nowhere.all()).isEqualTo(5);
    assertThat(nowhere.err()).contains("cannot keep DuckDB's native library at " + installed);

    Launched byRoot =
        run(
            List.of(installed.resolve("bin/qsync").toString(), "-c", config(), "run", "targets"),
            withTestJava());
    assertThat(byRoot.exitCode())
        .as("lib/ is root's: its library is unpacked there" + byRoot.all())
        .isZero();
    Path beside;
    try (var files = Files.list(installed.resolve("lib"))) {
      beside =
          files
              .filter(
                  file ->
                      file.getFileName().toString().matches("libduckdb_java\\.so_[a-z]+_[a-z0-9]+"))
              .findFirst()
              .orElseThrow()
              .toRealPath();
    }
    Path otherTmp = ownedByNobody(dir.resolve("tmp2"));

    Launched besideTheJar =
        asNobody(
            installed,
            log,
            Map.of("HOME", noHome, "TMPDIR", otherTmp.toString()),
            "run",
            "targets");
    assertThat(besideTheJar.exitCode()).as(besideTheJar.all()).isZero();
    assertThat(loadedDuckDbLibraries(log)).as(besideTheJar.all()).containsExactly(beside);
    assertThat(otherTmp.resolve("qsync-65534/libduckdb_java.so"))
        .as("not unpacked again")
        .doesNotExist();
  }

  @Test
  void theFolderNamedByHandMustBeTheFirstOfTheLibraryPath(TestDatabase database)
      throws IOException {
    new Warehouse(dir.resolve("warehouse.duckdb"))
        .execute("CREATE TABLE targets (user_id BIGINT, variant VARCHAR, score DECIMAL(6,2))");
    Path config = config(database, "");
    Path cache = dir.resolve("cache/qsync");
    Path log = dir.resolve("libraries.log");

    Launched notOnThePath =
        qsyncLoggingLibraries(
            log, "-Dqsync.native.dir=" + cache, "-c", config.toString(), "run", "targets");
    assertThat(notOnThePath.exitCode()).as(notOnThePath.all()).isEqualTo(2);
    assertThat(notOnThePath.err())
        .contains("is not the first folder of java.library.path")
        .contains("Start java with -Djava.library.path=" + cache);
  }

  /**
   * A distribution of its own in {@code dir/opt}, owned by root as `ADD` leaves it in an image, so
   * that `nobody` may not write its lib/; and the test's folder, warehouse and config made
   * nobody's. Skipped unless the tests run as root with setpriv (util-linux) at hand.
   */
  private Path installedForNobody(TestDatabase database) throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to start as nobody");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs /usr/bin/setpriv");
    Path installed =
        untar(
            Path.of(System.getProperty("qsync.dist.archive")),
            Files.createDirectories(dir.resolve("opt")));
    new Warehouse(dir.resolve("warehouse.duckdb"))
        .execute("CREATE TABLE targets (user_id BIGINT, variant VARCHAR, score DECIMAL(6,2))");
    config(database, "");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    ownedByNobody(dir);
    ownedByNobody(dir.resolve("warehouse.duckdb"));
    return installed;
  }

  /** {@code path} (made a folder when absent) owned by `nobody`. */
  private static Path ownedByNobody(Path path) throws IOException {
    if (!Files.exists(path)) {
      Files.createDirectories(path);
    }
    var users = path.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(path, users.lookupPrincipalByName("nobody"));
    Files.getFileAttributeView(path, PosixFileAttributeView.class)
        .setGroup(users.lookupPrincipalByGroupName("nogroup"));
    return path;
  }

  /**
   * Runs {@code installed}'s bin/qsync as `nobody` (uid 65534) with the test's config, logging the
   * libraries the JVM loads to {@code log}; {@code environment} replaces HOME and TMPDIR.
   */
  private Launched asNobody(
      Path installed, Path log, Map<String, String> environment, String... args)
      throws IOException {
    Files.deleteIfExists(log);
    List<String> command =
        new ArrayList<>(
            List.of(
                "/usr/bin/setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                installed.resolve("bin/qsync").toString(),
                "-c",
                config()));
    command.addAll(List.of(args));
    return run(
        command,
        withTestJava()
            .andThen(
                env -> {
                  env.remove("XDG_CACHE_HOME");
                  env.remove("TMPDIR");
                  env.putAll(environment);
                  env.put("JAVA_OPTS", JAVA_OPTS + " -Xlog:library=info:file=" + log);
                }));
  }

  /** The config {@link #config(TestDatabase, String)} wrote. */
  private String config() {
    return dir.resolve("qsync.yaml").toString();
  }

  /**
   * Runs bin/qsync with {@code javaOptions}, logging the libraries the JVM loads to {@code log}.
   */
  private Launched qsyncLoggingLibraries(Path log, String javaOptions, String... args)
      throws IOException {
    Files.deleteIfExists(log);
    return qsync(
        withTestJava()
            .andThen(
                environment ->
                    environment.put(
                        "JAVA_OPTS",
                        JAVA_OPTS + " -Xlog:library=info:file=" + log + " " + javaOptions)),
        args);
  }

  /** The DuckDB libraries a JVM loaded, from its -Xlog:library log. */
  private static List<Path> loadedDuckDbLibraries(Path log) throws IOException {
    Matcher loaded =
        Pattern.compile("Loaded library (/\\S*libduckdb_java\\S*), handle")
            .matcher(Files.readString(log));
    List<Path> libraries = new ArrayList<>();
    while (loaded.find()) {
      libraries.add(Path.of(loaded.group(1)));
    }
    return libraries;
  }

  @Test
  void servesTheScheduleAndStopsOnSigterm(TestDatabase database) throws Exception {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(
        "CREATE TABLE targets (user_id BIGINT, variant VARCHAR, score DECIMAL(6,2))",
        "INSERT INTO targets VALUES (1, 'control', 1.50), (2, 'treatment', NULL)");
    int port = freePort();
    Path config =
        config(database, "serve:\n  listen: \"127.0.0.1:" + port + "\"\n", "    every: 1s\n");
    String compare = "SELECT user_id, variant, score FROM targets ORDER BY user_id";
    // read before serve starts: its runs open the DuckDB file, which a writer cannot share
    List<List<String>> expected = warehouse.rows(compare);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    Started serve =
        start(
            List.of(home.resolve("bin/qsync").toString(), "-c", config.toString(), "serve"),
            withTestJava());
    try {
      awaitUntil(serve, "/healthz answers 200", () -> status(http, port, "/healthz") == 200);
      awaitUntil(serve, "a succeeded run in _qsync_runs", () -> succeededRuns(database) > 0);
      assertThat(database.rows(compare)).isEqualTo(expected);

      serve.process().destroy(); // SIGTERM, as systemd and Kubernetes stop it

      assertThat(serve.process().waitFor(30, TimeUnit.SECONDS))
          .as("qsync serve stopped within 30 s of SIGTERM" + serve.output())
          .isTrue();
      assertThat(serve.process().exitValue()).as(serve.output()).isEqualTo(143);
      assertThat(database.rows("SELECT COUNT(*) FROM _qsync_runs WHERE status = 'running'").get(0))
          .as("a run going at SIGTERM is recorded as interrupted, not left running")
          .containsExactly("0");
    } finally {
      if (serve.process().isAlive()) {
        serve.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theExampleConfigIsValid() {
    Launched validate =
        qsync(
            withTestJava()
                .andThen(
                    environment -> {
                      environment.put("APP_DB_PASSWORD", "example-password");
                      environment.put("QSYNC_TOKEN", "an-example-token-of-32-characters");
                      environment.put("QSYNC_ALERT_URL", "https://alerts.example.com/qsync");
                    }),
            "-c",
            home.resolve("conf/qsync.example.yaml").toString(),
            "validate",
            "--offline");

    assertThat(validate.exitCode()).as(validate.all()).isZero();
    assertThat(validate.all()).doesNotContain("example-password").doesNotContain("example-token");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The HTTP status of a GET, or -1 while nothing answers. */
  private static int status(HttpClient http, int port, String path) throws InterruptedException {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(5))
              .build();
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Succeeded runs of the sync in the history, 0 before the history table exists. */
  private static long succeededRuns(TestDatabase database) {
    if (!database.hasTable("_qsync_runs")) {
      return 0;
    }
    return Long.parseLong(
        database
            .rows(
                "SELECT COUNT(*) FROM _qsync_runs WHERE sync_name = 'targets'"
                    + " AND status = 'succeeded'")
            .get(0)
            .get(0));
  }

  /** What {@link #awaitUntil} asks, again and again. */
  private interface Condition {
    boolean holds() throws Exception;
  }

  /**
   * Asks {@code condition} until it holds, failing when {@link #WAIT_DEADLINE} passes first or the
   * process ends. Polling is the only way to wait on another process.
   */
  private static void awaitUntil(Started process, String what, Condition condition)
      throws Exception {
    long deadline = System.nanoTime() + WAIT_DEADLINE.toNanos();
    while (!condition.holds()) {
      if (!process.process().isAlive()) {
        throw new AssertionError(
            String.join(" ", process.command())
                + " ended (exit "
                + process.process().exitValue()
                + ") before "
                + what
                + process.output());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no "
                + what
                + " within "
                + WAIT_DEADLINE
                + " of "
                + String.join(" ", process.command())
                + process.output());
      }
      Thread.sleep(200);
    }
  }

  /** A config of one sync, {@code targets}, from {@code warehouse.duckdb} into the database. */
  private Path config(TestDatabase database, String more) throws IOException {
    return config(database, more, "");
  }

  /**
   * Like {@link #config(TestDatabase, String)}, with {@code more} at the top level and {@code
   * syncMore} in the sync.
   */
  private Path config(TestDatabase database, String more, String syncMore) throws IOException {
    Path file = dir.resolve("qsync.yaml");
    Files.writeString(
        file,
        "stage_dir: stage\n"
            + "connections:\n"
            + "  warehouse: { type: duckdb, path: warehouse.duckdb }\n"
            + "  app: { type: mysql, url: \""
            + database.url()
            + "\", user: root, password: \"${APP_DB_PASSWORD:-}\" }\n"
            + more
            + "syncs:\n"
            + "  targets:\n"
            + "    source: warehouse\n"
            + "    query: SELECT * FROM targets\n"
            + "    target: app\n"
            + "    table: targets\n"
            + "    key: [user_id]\n"
            + "    create_table: true\n"
            + syncMore);
    return file;
  }

  /** JAVA_HOME is the Java running the tests (17 or newer). */
  private static Consumer<Map<String, String>> withTestJava() {
    return environment -> environment.put("JAVA_HOME", System.getProperty("java.home"));
  }

  /** Runs {@code bin/qsync} of the unpacked distribution with {@code args}. */
  private Launched qsync(Consumer<Map<String, String>> environment, String... args) {
    List<String> command = new ArrayList<>();
    command.add(home.resolve("bin/qsync").toString());
    command.addAll(List.of(args));
    return run(command, environment);
  }

  /**
   * Runs a command in the test's folder, its environment changed by {@code environment}, and waits
   * (bounded) for it; stdout and stderr go to files, so a full pipe cannot stall it.
   */
  private Launched run(List<String> command, Consumer<Map<String, String>> environment) {
    Started started = start(command, environment);
    try {
      if (!started.process().waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        started.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            command + " still ran after " + COMMAND_TIMEOUT + started.output());
      }
      return new Launched(
          started.process().exitValue(), Files.readString(started.out()), started.err());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while " + command + " ran", e);
    }
  }

  /** A process the test started; its stdout and stderr go to files. */
  private record Started(List<String> command, Process process, Path out, Path errFile) {
    String err() {
      try {
        return Files.readString(errFile);
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    }

    /** What it printed so far, for assertion messages. */
    String output() {
      try {
        return "\n--- stdout ---\n" + Files.readString(out) + "\n--- stderr ---\n" + err();
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    }
  }

  /** Starts a command in the test's folder, its environment changed by {@code environment}. */
  private Started start(List<String> command, Consumer<Map<String, String>> environment) {
    try {
      Path out = Files.createTempFile(dir, "launch", ".out");
      Path err = Files.createTempFile(dir, "launch", ".err");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      builder.environment().put("JAVA_OPTS", JAVA_OPTS);
      builder.environment().remove("QSYNC_JAVA_OPTS");
      environment.accept(builder.environment());
      return new Started(command, builder.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
