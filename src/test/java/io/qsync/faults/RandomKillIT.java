package io.qsync.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.cli.Main;
import io.qsync.config.Mode;
import io.qsync.resume.RunHistory;
import io.qsync.resume.SyncSetup;
import io.qsync.resume.TargetsData;
import io.qsync.testing.ChildProcess;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qsync run} in a child JVM is killed with SIGKILL at a random point, iteration after
 * iteration, each against a source changed at random: half the points are a random delay after the
 * start (startup, query, extract, target read, diff), half a random share of the change set
 * applied. After each kill, {@code qsync run} finishes the job and everything {@link Recovery}
 * checks holds. The seed is printed with every assertion; {@code -Dqsync.kill.seed=N} replays its
 * choices (each source change, each delay or share), though where a delay lands depends on the
 * machine's speed. A child that finishes, or whose run succeeds, before the kill counts too.
 */
@ExtendWith(MariaDbExtension.class)
class RandomKillIT {
  private static final TargetsData DATA = new TargetsData(4000, 4000);
  private static final int ITERATIONS = 20;
  private static final int BATCH_SIZE = 100;
  private static final Duration CHILD_DEADLINE = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void everyKilledRunIsFinishedExactlyByTheNext(TestDatabase database) throws Exception {
    long seed = Long.getLong("qsync.kill.seed", System.nanoTime());
    System.out.println(
        "RandomKillIT seed " + seed + " (replay with -Dqsync.kill.seed=" + seed + ")");
    SplittableRandom random = new SplittableRandom(seed);
    Warehouse warehouse = DATA.prepareCounted(dir, database);
    Path config =
        SyncSetup.targets(dir, database, warehouse, Mode.MIRROR)
            .withBatchSize(BATCH_SIZE)
            .writeYaml();
    long nextKey = 100_000;

    for (int iteration = 1; iteration <= ITERATIONS; iteration++) {
      String where = "seed " + seed + ", iteration " + iteration;
      if (iteration > 1) {
        nextKey = change(warehouse, random, iteration, nextKey);
      }
      List<Long> changedKeys = changedKeys(database, warehouse);
      database.execute("TRUNCATE TABLE qsync_test_writes", "TRUNCATE TABLE qsync_test_attempts");
      List<RunHistory> before = history(database);

      String killedAt = killAtRandom(database, config, random, where);
      List<RunHistory> afterKill = history(database);
      RunHistory killed =
          afterKill.size() > before.size() ? afterKill.get(afterKill.size() - 1) : null;
      if (killed == null) {
        killedAt += " -> before its run was recorded";
      } else if (killed.status().equals("succeeded")) {
        killedAt += killedAt.startsWith("never") ? "" : " -> after its run succeeded";
        before = afterKill; // the child's run finished before it died; the next has nothing to do
      } else {
        killedAt +=
            " -> in step '"
                + killed.phase()
                + "' at change "
                + killed.appliedThrough()
                + " of "
                + killed.changesTotal();
      }

      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exitCode =
          Main.execute(
              new String[] {"run", TargetsData.SYNC, "--config", config.toString()},
              new PrintWriter(out, true),
              new PrintWriter(err, true),
              false,
              Clock.systemUTC());
      System.out.println(where + ": killed " + killedAt + "; next run exit " + exitCode);
      assertThat(exitCode)
          .as("%s: the run after the kill (%s); stderr:\n%s", where, killedAt, err)
          .isZero();
      try {
        Recovery.assertRecovered(database, warehouse, TargetsData.SYNC, changedKeys, before);
      } catch (AssertionError e) {
        throw new AssertionError(where + ", killed " + killedAt + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Starts {@code qsync run} in a child JVM and kills it at a random point: after a random delay
   * (up to 3 s), or once a random share of its change set is applied. Says where it struck.
   */
  private String killAtRandom(
      TestDatabase database, Path config, SplittableRandom random, String where)
      throws InterruptedException {
    boolean byDelay = random.nextBoolean();
    long delayMillis = random.nextLong(3_000);
    double share = random.nextDouble();
    try (ChildProcess child =
        ChildProcess.start(
            dir,
            "killed-run",
            Main.class,
            "run",
            TargetsData.SYNC,
            "--config",
            config.toString())) {
      long deadline =
          System.nanoTime() + (byDelay ? delayMillis * 1_000_000 : CHILD_DEADLINE.toNanos());
      while (child.isAlive() && System.nanoTime() < deadline) {
        if (!byDelay && appliedShare(database) >= share) {
          break;
        }
        Thread.sleep(byDelay ? 1 : 10); // waits on another process: only polling can
      }
      if (!child.isAlive()) {
        assertThat(child.waitFor(Duration.ofSeconds(1)))
            .as("%s: the run that finished before its kill\n%s", where, child.output())
            .isZero();
        return "never: it finished first";
      }
      child.kill(Duration.ofSeconds(10));
    }
    return byDelay ? "after " + delayMillis + " ms" : "at " + Math.round(share * 100) + "% applied";
  }

  /** The running run's applied share of its change set; 0 before it has one. */
  private static double appliedShare(TestDatabase database) {
    List<RunHistory> running =
        history(database).stream().filter(run -> run.status().equals("running")).toList();
    if (running.isEmpty() || running.get(0).changesTotal() == 0) {
      return 0;
    }
    return (double) running.get(0).appliedThrough() / running.get(0).changesTotal();
  }

  private static List<RunHistory> history(TestDatabase database) {
    return database.hasTable("_qsync_runs") ? RunHistory.read(database) : List.of();
  }

  /** Updates about a fifth of the source, deletes about a fortieth, adds up to 200 new keys. */
  private static long change(
      Warehouse warehouse, SplittableRandom random, int iteration, long nextKey) {
    // Coprime with 40, so that the DELETE takes a fortieth of the keys and the UPDATE a fifth: a
    // factor of 40 or 80 made the DELETE take every row or none (and the delete guard, rightly,
    // stop the next run).
    int factor = 1 + 2 * random.nextInt(48);
    factor += factor % 5 == 0 ? 2 : 0;
    int inserts = random.nextInt(200);
    warehouse.execute(
        "UPDATE targets SET variant = 'i"
            + iteration
            + "' WHERE (user_id * "
            + factor
            + " + "
            + random.nextInt(5)
            + ") % 5 = 0",
        "DELETE FROM targets WHERE (user_id * "
            + factor
            + " + "
            + random.nextInt(40)
            + ") % 40 = 0",
        "INSERT INTO targets SELECT i, 'new', NULL, TIMESTAMP '2026-01-01 00:00:00', NULL"
            + " FROM range("
            + nextKey
            + ", "
            + (nextKey + inserts)
            + ") r(i)");
    return nextKey + inserts;
  }

  /** The keys a mirror run must write: in one side only, or different on the two, in key order. */
  private static List<Long> changedKeys(TestDatabase database, Warehouse warehouse) {
    Map<Long, List<String>> source = byKey(TargetsData.sourceRows(warehouse));
    Map<Long, List<String>> target = byKey(TargetsData.tableRows(database, TargetsData.TABLE));
    List<Long> keys = new ArrayList<>();
    java.util.TreeSet<Long> all = new java.util.TreeSet<>(source.keySet());
    all.addAll(target.keySet());
    for (Long key : all) {
      if (!Objects.equals(source.get(key), target.get(key))) {
        keys.add(key);
      }
    }
    return keys;
  }

  private static Map<Long, List<String>> byKey(List<List<String>> rows) {
    Map<Long, List<String>> map = new LinkedHashMap<>();
    rows.forEach(row -> map.put(Long.parseLong(row.get(0)), row));
    return map;
  }
}
