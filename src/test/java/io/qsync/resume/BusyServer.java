package io.qsync.resume;

import io.qsync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Raises the server's {@code Threads_running} by holding sessions busy in {@code SELECT SLEEP(..)},
 * as an application's load would. {@link #close()} kills their queries and closes them. Not
 * thread-safe.
 */
final class BusyServer implements AutoCloseable {
  private static final String MARKER = "qsync_test_busy";
  private static final long WAIT_MILLIS = 30_000;

  private final TestDatabase database;
  private final List<Connection> sessions = new ArrayList<>();
  private final List<Long> ids = new ArrayList<>();
  private final ExecutorService threads;

  private BusyServer(TestDatabase database, int sessions) {
    this.database = database;
    this.threads = Executors.newFixedThreadPool(sessions);
  }

  /** Starts {@code count} sleeping sessions and returns once the server shows them running. */
  static BusyServer start(TestDatabase database, int count) {
    BusyServer busy = new BusyServer(database, count);
    try {
      for (int i = 0; i < count; i++) {
        Connection session = database.connect();
        busy.sessions.add(session);
        try (Statement statement = session.createStatement();
            ResultSet rows = statement.executeQuery("SELECT CONNECTION_ID()")) {
          rows.next();
          busy.ids.add(rows.getLong(1));
        }
        busy.threads.submit(() -> sleep(session));
      }
      busy.awaitRunning();
      return busy;
    } catch (SQLException | RuntimeException e) {
      busy.close();
      throw new IllegalStateException("cannot make the server busy", e);
    }
  }

  private static void sleep(Connection session) {
    try (Statement statement = session.createStatement()) {
      statement.executeQuery("SELECT SLEEP(300) AS " + MARKER).close();
    } catch (SQLException e) {
      // KILL QUERY ends the sleep; that is how close() stops it.
    }
  }

  private void awaitRunning() throws SQLException {
    long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement()) {
      while (true) {
        try (ResultSet rows =
            statement.executeQuery(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(300) AS "
                    + MARKER
                    + "'")) {
          rows.next();
          if (rows.getLong(1) >= sessions.size()) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the sleeping sessions did not start");
        }
        Thread.sleep(10); // waits on the server's threads, which this test cannot signal
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement()) {
      for (long id : ids) {
        statement.execute("KILL QUERY " + id);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    } finally {
      threads.shutdown();
      try {
        threads.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (Connection session : sessions) {
        try {
          session.close();
        } catch (SQLException e) {
          // closed already
        }
      }
    }
  }
}
