package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.testing.ChildProcess;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qsync serve} in a JVM of its own against the real MariaDB, its warehouse an in-memory
 * DuckDB: it runs syncs on their schedule, picks up an edited config, refuses a broken one, keeps
 * its lock against a manual {@code qsync run}, and stops cleanly on SIGTERM, the run it interrupted
 * resumed by the next {@code qsync run}. Waiting on the child is polling with a deadline.
 */
@ExtendWith(MariaDbExtension.class)
class ServeCommandIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void runsASyncEveryIntervalAndPicksUpAnEditedConfig(TestDatabase database) throws Exception {
    Path config = dir.resolve("qsync.yaml");
    write(config, yaml(database, sync("numbers", 50, "every: 1s")));

    try (ChildProcess serve = serve(config)) {
      // The log's line of a run comes after the run recorded its end: wait for the line.
      await(
          "two succeeded runs of numbers in the log",
          serve,
          () -> serve.output().split("run succeeded: sync numbers", -1).length > 2);
      assertThat(succeeded(database, "numbers")).isGreaterThanOrEqualTo(2);
      assertThat(rows(database, "numbers")).isEqualTo(expected(50));
      assertThat(serve.output())
          .contains("serving 1 sync of")
          .contains("numbers: every 1s")
          .containsPattern("run started: sync numbers \\(schedule\\)")
          .containsPattern(
              "run succeeded: sync numbers, run \\S+: 50 inserted, 0 updated, 0 deleted, 0"
                  + " unchanged in \\d+\\.\\d s \\(exit 0\\)")
          .containsPattern(
              "run succeeded: sync numbers, run \\S+: 0 inserted, 0 updated, 0 deleted, 50"
                  + " unchanged");

      write(config, yaml(database, sync("numbers", 50, "every: soon")));
      await("the broken config refused", serve, () -> serve.output().contains("reload failed"));
      assertThat(serve.output())
          .contains("config reload failed (the file changed); the running config stays")
          .contains("syncs.numbers.every: expected a duration of 1s or more");
      long before = succeeded(database, "numbers");
      await(
          "numbers running on under the old config",
          serve,
          () -> succeeded(database, "numbers") > before);

      write(
          config,
          yaml(
              database,
              sync("numbers", 50, "every: 1s") + sync("letters", 20, "schedule: \"* * * * *\""),
              sync("squares", 30, "every: 1s")));
      await("a run of squares, added", serve, () -> succeeded(database, "squares") >= 1);
      assertThat(serve.output())
          .contains("config reloaded (the file changed): 3 syncs; added: letters, squares");
      assertThat(rows(database, "squares")).isEqualTo(expected(30));

      hangup(serve);
      await(
          "a reload on SIGHUP",
          serve,
          () -> serve.output().contains("config reloaded (SIGHUP): 3 syncs"));

      assertThat(serve.signal("TERM", STOP_DEADLINE)).as(serve.output()).isEqualTo(143);
      assertThat(serve.output()).contains("stopping: no new runs").contains("stopped");
    }
  }

  /**
   * A verify that {@code verify_every} made due and that fails with a passing failure (here the
   * throttle's max_pause) is logged as what it is: the run succeeded, the verify stays due, and a
   * later scheduled run verifies, with nothing for anyone to do ("Try qsync verify again" was
   * there).
   */
  @Test
  void aDueVerifyThatFailsIsLoggedAsStayingDueAndALaterRunVerifies(TestDatabase database)
      throws Exception {
    Path config = dir.resolve("qsync.yaml");
    Path pause = dir.resolve("pause");
    write(
        config,
        yaml(
            database,
            sync("checked", 20, "every: 1s")
                + "    diff: snapshot\n"
                + "    state_dataset: qsync_state\n"
                + "    verify_every: 2 runs\n"
                + "    throttle: {pause_file: pause, max_pause: 1s}\n"));

    try (ChildProcess serve = serve(config)) {
      await("a first run", serve, () -> succeeded(database, "checked") >= 1);
      Files.writeString(pause, "");
      await("a due verify that failed", serve, () -> serve.output().contains("stays due"));
      Files.delete(pause);
      await("a verify by a later run", serve, () -> serve.output().contains("; verify: equal"));

      assertThat(serve.output())
          .containsPattern(
              "run failed: sync checked after .*: sync 'checked': the run succeeded \\(run \\S+\\),"
                  + " then the verify of its table that was due \\(.*\\) failed, and stays due:"
                  + " throttle: paused for")
          .doesNotContain("Try qsync verify again");
      assertThat(serve.signal("TERM", STOP_DEADLINE)).as(serve.output()).isEqualTo(143);
    }
  }

  @Test
  void holdsTheLockAgainstAManualRunAndStopsOnSigtermSoTheNextRunResumes(TestDatabase database)
      throws Exception {
    Path config = dir.resolve("qsync.yaml");
    // 3,000 rows at 300 a second: about ten seconds of writing, in batches of 100
    write(
        config,
        yaml(
            database,
            sync("slow", 3000, "every: 1h")
                + "    lock_timeout: 1s\n"
                + "    batch_size: 100\n"
                + "    throttle: {max_rows_per_second: 300, batch_time: 0}\n"));
    String runId;
    try (ChildProcess serve = serve(config)) {
      await("the run of slow writing", serve, () -> applied(database, "slow") >= 300);

      Result manual = qsync("run", "slow", "-c", config.toString());
      assertThat(manual.exitCode()).as(manual.err()).isEqualTo(4);

      assertThat(serve.signal("TERM", STOP_DEADLINE)).as(serve.output()).isEqualTo(143);
      List<List<String>> run =
          database.rows(
              "SELECT run_id, status, applied_through FROM `_qsync_runs` WHERE sync_name ="
                  + " 'slow'");
      assertThat(run).as(serve.output()).hasSize(1);
      runId = run.get(0).get(0);
      assertThat(run.get(0).get(1)).as(serve.output()).isEqualTo("interrupted");
      long applied = Long.parseLong(run.get(0).get(2));
      assertThat(applied).isBetween(300L, 2900L);
      assertThat(applied % 100).as("only whole batches commit").isZero();
      assertThat(serve.output())
          .containsPattern("run interrupted: sync slow, run " + runId + " after .*\\(exit 143\\)");
    }

    Result resumed = qsync("run", "slow", "-c", config.toString());
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(resumed.out()).contains("resumed run " + runId);
    assertThat(rows(database, "slow")).isEqualTo(expected(3000));
  }

  @Test
  void aTargetThatCannotBeReachedFailsItsOwnRunsOnly(TestDatabase database) throws Exception {
    Path config = dir.resolve("qsync.yaml");
    write(
        config,
        yaml(database, sync("numbers", 10, "every: 1s"))
                .replace(
                    "syncs:\n",
                    "  gone: {type: mysql, url: \"jdbc:mariadb://127.0.0.1:1/app\", user: root}\n"
                        + "syncs:\n")
            + sync("lost", 10, "every: 1s").replace("target: app", "target: gone")
            + "    retries: {max_time: 0}\n");

    try (ChildProcess serve = serve(config)) {
      await("two succeeded runs of numbers", serve, () -> succeeded(database, "numbers") >= 2);
      await(
          "a failed run of lost",
          serve,
          () -> serve.output().contains("run failed: sync lost after"));
      assertThat(serve.output()).containsPattern("run failed: sync lost after .*\\(exit 1\\)");
      assertThat(rows(database, "numbers")).isEqualTo(expected(10));
      assertThat(serve.signal("TERM", STOP_DEADLINE)).as(serve.output()).isEqualTo(143);
    }
  }

  @Test
  void ctrlCEndsAnIdleServeWith130(TestDatabase database) throws Exception {
    Path config = dir.resolve("qsync.yaml");
    write(config, yaml(database, sync("numbers", 10, "schedule: \"0 3 29 2 *\"")));

    try (ChildProcess serve = serve(config)) {
      await("serve started", serve, () -> serve.output().contains("numbers: 0 3 29 2 * (UTC)"));

      assertThat(serve.signal("INT", STOP_DEADLINE)).as(serve.output()).isEqualTo(130);
      assertThat(serve.output()).contains("stopping: no new runs").contains("stopped");
    }
    assertThat(succeeded(database, "numbers")).as("due on 29 February only").isZero();
  }

  // ---- fixtures ----

  private ChildProcess serve(Path config) {
    return ChildProcess.start(dir, "serve", Main.class, "serve", "-c", config.toString());
  }

  /** A config of an in-memory DuckDB warehouse and the test's database; serve on any free port. */
  private static String yaml(TestDatabase database, String syncs, String... more) {
    return "serve: {listen: \"127.0.0.1:0\"}\n"
        + "connections:\n"
        + "  warehouse: {type: duckdb}\n"
        + "  app: {type: mysql, url: \""
        + database.url()
        + "\", user: root}\n"
        + "syncs:\n"
        + syncs
        + String.join("", more);
  }

  /** A sync of {@code count} generated rows into the table of its name. */
  private static String sync(String name, int count, String schedule) {
    return "  "
        + name
        + ":\n"
        + "    source: warehouse\n"
        + "    query: SELECT i AS id, 'row ' || i AS label FROM range("
        + count
        + ") t(i)\n"
        + "    target: app\n"
        + "    table: "
        + name
        + "\n"
        + "    key: [id]\n"
        + "    create_table: true\n"
        + "    "
        + schedule
        + "\n";
  }

  private static List<List<String>> expected(int count) {
    return IntStream.range(0, count).mapToObj(i -> List.of("" + i, "row " + i)).toList();
  }

  private static List<List<String>> rows(TestDatabase database, String table) {
    return database.rows("SELECT id, label FROM `" + table + "` ORDER BY id");
  }

  /** Replaces the file whole, so serve never reads it half-written. */
  private void write(Path file, String text) throws IOException {
    Path next = dir.resolve(file.getFileName() + ".next");
    Files.writeString(next, text);
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static long succeeded(TestDatabase database, String sync) {
    return count(
        database,
        "SELECT COUNT(*) FROM `_qsync_runs` WHERE sync_name = '"
            + sync
            + "' AND status = 'succeeded'");
  }

  private static long applied(TestDatabase database, String sync) {
    return count(
        database,
        "SELECT COALESCE(MAX(applied_through), 0) FROM `_qsync_runs` WHERE sync_name = '"
            + sync
            + "'");
  }

  private static long count(TestDatabase database, String sql) {
    if (!database.hasTable("_qsync_runs")) {
      return 0;
    }
    return Long.parseLong(database.rows(sql).get(0).get(0));
  }

  /** Polls {@code condition} until it holds, failing after {@link #DEADLINE} or if serve ends. */
  private static void await(String what, ChildProcess serve, Supplier<Boolean> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.get()) {
      assertThat(serve.isAlive())
          .as("serve ended while waiting for %s\n%s", what, serve.output())
          .isTrue();
      assertThat(System.nanoTime())
          .as("%s within %s\n%s", what, DEADLINE, serve.output())
          .isLessThan(deadline);
      Thread.sleep(100); // another process's progress can only be polled
    }
  }

  /** Sends SIGHUP, which asks serve to reload its config. */
  private static void hangup(ChildProcess serve) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(serve.pid())).start();
    assertThat(kill.waitFor()).as("kill -HUP").isZero();
  }

  private record Result(int exitCode, String out, String err) {}

  private static Result qsync(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            args, new PrintWriter(out, true), new PrintWriter(err, true), false, Clock.systemUTC());
    return new Result(code, out.toString(), err.toString());
  }
}
