package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import io.qsync.destination.LatencyProbe;
import io.qsync.destination.LoadProbe;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How busy a MySQL or MariaDB server is, read on the work session. Not thread-safe. */
final class MySqlLoadProbe implements LoadProbe {
  private final MySqlConnections connections;

  MySqlLoadProbe(MySqlConnections connections) {
    this.connections = requireNonNull(connections, "connections is null");
  }

  /** {@code SHOW GLOBAL STATUS LIKE 'Threads_running'}: needs no privilege. */
  @Override
  public long threadsRunning() {
    return status("SHOW GLOBAL STATUS LIKE 'Threads_running'", "read Threads_running");
  }

  @Override
  public LatencyProbe openLatencyProbe(String table, List<String> key) {
    return new MySqlLatencyProbe(connections, table, key);
  }

  /** {@code Questions} of the work session: needs no privilege. */
  @Override
  public long statementsRun() {
    return status("SHOW SESSION STATUS LIKE 'Questions'", "read the session's Questions");
  }

  /** The value of a status variable, read on the work session with {@code show}. */
  private long status(String show, String what) {
    try (Statement statement = connections.connection().createStatement();
        ResultSet rows = statement.executeQuery(show)) {
      return rows.next() ? rows.getLong(2) : 0;
    } catch (SQLException e) {
      throw connections.failed(what, e);
    }
  }

  /**
   * The largest {@code Seconds_Behind_Master} (MariaDB, MySQL before 8.0.22) or {@code
   * Seconds_Behind_Source} of the server's replication channels; empty when it replicates nothing
   * or a channel's threads are stopped (the column is NULL then). Needs REPLICATION CLIENT (MySQL)
   * or SLAVE MONITOR (MariaDB 10.5.9+).
   */
  @Override
  public Optional<Duration> replicationLag() {
    try (Statement statement = connections.connection().createStatement()) {
      try (ResultSet rows = replicaStatus(statement)) {
        String column = lagColumn(rows);
        Optional<Duration> worst = Optional.empty();
        boolean any = false;
        while (rows.next()) {
          any = true;
          long seconds = rows.getLong(column);
          if (rows.wasNull()) {
            return Optional.empty();
          }
          if (worst.isEmpty() || worst.get().getSeconds() < seconds) {
            worst = Optional.of(Duration.ofSeconds(seconds));
          }
        }
        return any ? worst : Optional.empty();
      }
    } catch (SQLException e) {
      throw connections.failed("read the replication lag (SHOW REPLICA STATUS)", e);
    }
  }

  private static ResultSet replicaStatus(Statement statement) throws SQLException {
    try {
      return statement.executeQuery("SHOW REPLICA STATUS");
    } catch (SQLException e) {
      if (e.getErrorCode() != 1064) {
        throw e;
      }
      return statement.executeQuery("SHOW SLAVE STATUS"); // MySQL 8.0 before 8.0.22
    }
  }

  private static String lagColumn(ResultSet rows) throws SQLException {
    var meta = rows.getMetaData();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      String label = meta.getColumnLabel(i);
      if (label.toLowerCase(Locale.ROOT).startsWith("seconds_behind_")) {
        return label;
      }
    }
    throw new SQLException("SHOW REPLICA STATUS has no Seconds_Behind_Master column");
  }
}
