package io.qsync.tools.soak;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application's load on a synced table: clients that each read a row by key, and now and then
 * update one, as fast as the database answers. Lifecycle: {@link #start}, {@link #stop} (returns
 * what was measured). One use only.
 */
final class AppLoad {
  /** What the clients saw while they ran. */
  record Measured(long[] reads, long[] writes, long errors, double seconds) {
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
  private volatile int active;
  private long startedNanos;

  AppLoad(String url, Properties login, String table, long keys, int clients, double writeShare) {
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
      reads.add(readTimes);
      writes.add(writeTimes);
      windows.add(window);
      SplittableRandom random = new SplittableRandom(seed + client);
      int index = client;
      Thread thread =
          new Thread(
              () -> work(index, random, readTimes, writeTimes, window), "app-client-" + client);
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
    return new Measured(Latencies.merged(reads), Latencies.merged(writes), errors.get(), seconds);
  }

  private void work(
      int index,
      SplittableRandom random,
      Latencies readTimes,
      Latencies writeTimes,
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
          (writing ? writeTimes : readTimes).record(took);
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
