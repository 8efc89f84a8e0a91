package io.qsync.tools.soak;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * One line a second of what the application and qsync did in a phase, with the signals a throttle
 * could watch, so that which of them follows the application's p99 can be read off: a primary-key
 * read of the table timed on a session of its own (the self-throttle's probe), and the server's
 * {@code Threads_running}. Reads both in one statement four times a second, few enough that an idle
 * server stays idle to the self-throttle. Lifecycle: {@link #start}, {@link #stop} (returns the
 * lines). One use only.
 */
final class Trace {
  /** How often the probe runs. */
  private static final long EVERY_MILLIS = 250;

  /**
   * One second.
   *
   * @param second seconds since the phase began
   * @param clients application clients at work
   * @param appOps the application's operations that second
   * @param appP99Nanos their p99, reads and writes
   * @param syncRows changes qsync wrote that second
   * @param probeNanos the probe's median that second
   * @param threadsRunning the mean {@code Threads_running} that second
   * @param decision the self-throttle's last decision
   * @param doing what qsync was doing at the probes of that second, in order, each once
   */
  record Line(
      int second,
      int clients,
      long appOps,
      long appP99Nanos,
      long syncRows,
      long probeNanos,
      double threadsRunning,
      String decision,
      String doing) {}

  private final String url;
  private final Properties login;
  private final String table;
  private final AppLoad app;
  private final SyncMeter meter;
  private final List<Line> lines = new ArrayList<>();
  private volatile boolean running = true;
  private Thread thread;
  private SQLException failure;

  Trace(String url, Properties login, String table, AppLoad app, SyncMeter meter) {
    this.url = url;
    this.login = login;
    this.table = table;
    this.app = app;
    this.meter = meter;
  }

  void start() {
    thread = new Thread(this::loop, "soak-trace");
    thread.setDaemon(true);
    thread.start();
  }

  List<Line> stop() throws InterruptedException, SQLException {
    running = false;
    thread.join();
    if (failure != null) {
      throw failure;
    }
    return List.copyOf(lines);
  }

  private void loop() {
    try (Connection connection = DriverManager.getConnection(url, login);
        PreparedStatement probe =
            connection.prepareStatement(
                "SELECT (SELECT id FROM `"
                    + table
                    + "` ORDER BY id LIMIT 1), VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                    + " WHERE VARIABLE_NAME = 'THREADS_RUNNING'")) {
      long start = System.nanoTime();
      app.window();
      long written = meter.written();
      int second = 0;
      long[] probes = new long[16];
      Set<String> doing = new LinkedHashSet<>();
      double threads = 0;
      int count = 0;
      while (running) {
        doing.add(meter.doing());
        long began = System.nanoTime();
        try (ResultSet rows = probe.executeQuery()) {
          rows.next();
          threads += rows.getLong(2) - 1; // the probe itself runs
        }
        probes[count++] = System.nanoTime() - began;
        if (System.nanoTime() - start >= (second + 1) * 1_000_000_000L || count == probes.length) {
          long[] ops = app.window();
          long now = meter.written();
          long[] sorted = Arrays.copyOf(probes, count);
          Arrays.sort(sorted);
          lines.add(
              new Line(
                  second,
                  app.activeClients(),
                  ops.length,
                  Latencies.quantile(ops, 0.99),
                  now - written,
                  sorted[count / 2],
                  threads / count,
                  meter.decision(),
                  String.join(" + ", doing)));
          doing.clear();
          written = now;
          second++;
          count = 0;
          threads = 0;
        }
        Thread.sleep(EVERY_MILLIS);
      }
    } catch (SQLException e) {
      failure = e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Pearson's correlation of two series; 0 when either does not vary. */
  static double correlation(double[] x, double[] y) {
    int n = Math.min(x.length, y.length);
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i] / n;
      my += y[i] / n;
    }
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
  }
}
