package io.qsync.tools.soak;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * An application's load on a synced table: clients that each read a row by key, and now and then
 * update one, as fast as the database answers. Lifecycle: {@link #start}, {@link #stop} (returns
 * what was measured). One use only.
 */
final class AppLoad {
  /**
   * What the clients saw while they ran.
   *
   * @param readsBy the reads' latencies by what qsync was doing when each began, sorted
   * @param writesBy the same for the writes
   */
  record Measured(
      long[] reads,
      long[] writes,
      long errors,
      double seconds,
      Map<String, long[]> readsBy,
      Map<String, long[]> writesBy) {
    double opsPerSecond() {
      return (reads.length + writes.length) / seconds;
    }
  }

  private final String url;
  private final Properties login;
  private final String table;
  private final long keys;
  private final int clients;
  private final double writeShare;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong errors = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private final List<Latencies> reads = new ArrayList<>();
  private final List<Latencies> writes = new ArrayList<>();
  private final List<Latencies> windows = new ArrayList<>();
  private final List<Map<String, Latencies>> readsBy = new ArrayList<>();
  private final List<Map<String, Latencies>> writesBy = new ArrayList<>();
  private final Supplier<String> doing;
  private final String apart;
  private volatile int active;
  private long startedNanos;

  AppLoad(String url, Properties login, String table, long keys, int clients, double writeShare) {
    this(url, login, table, keys, clients, writeShare, () -> SyncMeter.NO_RUN, "");
  }

  /**
   * @param doing what qsync is doing now: each operation's latency is also kept under what it was
   *     doing when the operation began
   * @param apart what qsync may be doing whose operations are kept under it alone, not in the
   *     phase's figures: the soak's own work
   */
  AppLoad(
      String url,
      Properties login,
      String table,
      long keys,
      int clients,
      double writeShare,
      Supplier<String> doing,
      String apart) {
    this.doing = doing;
    this.apart = apart;
    this.url = url;
    this.login = login;
    this.table = table;
    this.keys = keys;
    this.clients = clients;
    this.writeShare = writeShare;
    this.active = clients;
  }

  /** Lets only the first {@code count} clients work; the others wait (an application's lull). */
  void activeClients(int count) {
    active = count;
  }

  int activeClients() {
    return active;
  }

  /** Every operation's latency since the last call, reads and writes, sorted. */
  long[] window() {
    List<Latencies> parts = new ArrayList<>();
    for (Latencies window : windows) {
      synchronized (window) {
        Latencies copy = new Latencies();
        window.drainTo(copy);
        parts.add(copy);
      }
    }
    return Latencies.merged(parts);
  }

  void start(long seed) {
    startedNanos = System.nanoTime();
    for (int client = 0; client < clients; client++) {
      Latencies readTimes = new Latencies();
      Latencies writeTimes = new Latencies();
      Latencies window = new Latencies();
      Map<String, Latencies> readTimesBy = new HashMap<>();
      Map<String, Latencies> writeTimesBy = new HashMap<>();
      reads.add(readTimes);
      writes.add(writeTimes);
      windows.add(window);
      readsBy.add(readTimesBy);
      writesBy.add(writeTimesBy);
      SplittableRandom random = new SplittableRandom(seed + client);
      int index = client;
      Thread thread =
          new Thread(
              () ->
                  work(
                      index,
                      random,
                      new Recorder(readTimes, readTimesBy, apart),
                      new Recorder(writeTimes, writeTimesBy, apart),
                      window),
              "app-client-" + client);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  Measured stop() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) {
      thread.join();
    }
    double seconds = (System.nanoTime() - startedNanos) / 1e9;
    return new Measured(
        Latencies.merged(reads),
        Latencies.merged(writes),
        errors.get(),
        seconds,
        mergedBy(readsBy),
        mergedBy(writesBy));
  }

  /** The clients' latencies by what qsync was doing, in the order of first sight. */
  private static Map<String, long[]> mergedBy(List<Map<String, Latencies>> clients) {
    Map<String, List<Latencies>> parts = new LinkedHashMap<>();
    for (Map<String, Latencies> client : clients) {
      client.forEach(
          (what, times) -> parts.computeIfAbsent(what, k -> new ArrayList<>()).add(times));
    }
    Map<String, long[]> merged = new LinkedHashMap<>();
    parts.forEach((what, times) -> merged.put(what, Latencies.merged(times)));
    return merged;
  }

  /**
   * One client's latencies of one kind of operation, all (but those while qsync did {@code apart})
   * and by what qsync was doing.
   */
  private record Recorder(Latencies all, Map<String, Latencies> by, String apart) {
    void record(String doing, long took) {
      if (!doing.equals(apart)) {
        all.record(took);
      }
      by.computeIfAbsent(doing, what -> new Latencies()).record(took);
    }
  }

  private void work(
      int index,
      SplittableRandom random,
      Recorder readTimes,
      Recorder writeTimes,
      Latencies window) {
    try (Connection connection = DriverManager.getConnection(url, login);
        PreparedStatement read =
            connection.prepareStatement("SELECT * FROM `" + table + "` WHERE id = ?");
        PreparedStatement write =
            connection.prepareStatement(
                "UPDATE `" + table + "` SET score = score + 1 WHERE id = ?")) {
      while (running.get()) {
        if (index >= active) {
          Thread.sleep(10);
          continue;
        }
        long key = random.nextLong(keys);
        boolean writing = random.nextDouble() < writeShare;
        String during = doing.get();
        long started = System.nanoTime();
        try {
          if (writing) {
            write.setLong(1, key);
            write.executeUpdate();
          } else {
            read.setLong(1, key);
            try (ResultSet rows = read.executeQuery()) {
              while (rows.next()) {
                rows.getString(2);
              }
            }
          }
          long took = System.nanoTime() - started;
          (writing ? writeTimes : readTimes).record(during, took);
          synchronized (window) {
            window.record(took);
          }
        } catch (SQLException e) {
          errors.incrementAndGet(); // a lock wait timeout or deadlock the application would see
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (SQLException e) {
      errors.incrementAndGet();
      throw new IllegalStateException(
          "an application client could not connect: " + e.getMessage(), e);
    }
  }
}
