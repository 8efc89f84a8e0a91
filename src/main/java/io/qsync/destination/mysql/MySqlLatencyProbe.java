package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import io.qsync.destination.LatencyProbe;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Times a primary-key read of the sync's table on a session of its own, then reads the server's and
 * the session's {@code Questions} ({@code SHOW GLOBAL STATUS} and {@code SHOW SESSION STATUS} need
 * no privilege). The read is the first row in key order, one index dive, the cost of an
 * application's point read. Opens its session on the first {@link #read()}, and again after the
 * server closed it. Confined to one thread.
 */
final class MySqlLatencyProbe implements LatencyProbe {
  /** ER_NO_SUCH_TABLE: the table is created later in the run, or lives under another name. */
  private static final int NO_SUCH_TABLE = 1146;

  private static final String STATEMENTS =
      "SELECT (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
          + " WHERE VARIABLE_NAME = 'QUESTIONS'),"
          + " (SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS"
          + " WHERE VARIABLE_NAME = 'QUESTIONS')";

  private final MySqlConnections connections;
  private String query;
  private Connection session;
  private PreparedStatement probe;
  private PreparedStatement statements;

  MySqlLatencyProbe(MySqlConnections connections, String table, List<String> key) {
    this.connections = requireNonNull(connections, "connections is null");
    this.query =
        key.isEmpty()
            ? "SELECT 1 FROM " + MySqlDialect.quote(table) + " LIMIT 1"
            : "SELECT "
                + MySqlDialect.quote(key.get(0))
                + " FROM "
                + MySqlDialect.quote(table)
                + " ORDER BY "
                + key.stream().map(MySqlDialect::quote).collect(Collectors.joining(", "))
                + " LIMIT 1";
  }

  @Override
  public Reading read() {
    try {
      open();
      long started = System.nanoTime();
      try (ResultSet rows = probe.executeQuery()) {
        rows.next();
      } catch (SQLException e) {
        if (e.getErrorCode() != NO_SUCH_TABLE || query.equals("SELECT 1")) {
          throw e;
        }
        query = "SELECT 1";
        closeSession();
        return read();
      }
      long took = System.nanoTime() - started;
      try (ResultSet rows = statements.executeQuery()) {
        rows.next();
        return new Reading(Duration.ofNanos(took), rows.getLong(1), rows.getLong(2));
      }
    } catch (SQLException e) {
      closeSession();
      throw connections.failed("time the throttle's probe query " + query, e);
    }
  }

  private void open() throws SQLException {
    if (session != null && !session.isClosed()) {
      return;
    }
    session = connections.openSession();
    probe = session.prepareStatement(query);
    statements = session.prepareStatement(STATEMENTS);
  }

  private void closeSession() {
    if (session != null) {
      try {
        session.close();
      } catch (SQLException e) {
        // the session is given up either way
      }
      session = null;
    }
  }

  @Override
  public void close() {
    closeSession();
  }
}
