package io.qsync.destination.mysql;

import io.qsync.config.TlsConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What qsync asks of a MySQL or MariaDB session beyond its tables: TLS settings for the driver,
 * the server's load for the throttle, the run's checkpoint, statement limits. Stateless.
 */
final class MySqlSessions {
  private MySqlSessions() {}

  /**
   * Connector/J properties for the TLS settings: {@code sslMode} ({@code disable}, {@code trust},
   * {@code verify-ca}, {@code verify-full}) and {@code serverSslCert} for the CA file.
   */
  static Map<String, String> tlsProperties(TlsConfig tls) {
    Map<String, String> properties = new HashMap<>();
    if (tls.mode() == TlsConfig.Mode.DISABLED) {
      return properties;
    }
    properties.put(
        "sslMode",
        switch (tls.mode()) {
          case REQUIRED -> "trust";
          case VERIFY_CA -> "verify-ca";
          default -> "verify-full";
        });
    tls.caFile().ifPresent(file -> properties.put("serverSslCert", file.toAbsolutePath().toString()));
    return properties;
  }

  /** Whether a failed connect failed on TLS: a setting to fix, not a passing failure. */
  static boolean isTlsProblem(TlsConfig tls, SQLException e) {
    StringBuilder messages = new StringBuilder();
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      messages.append(cause.getMessage()).append('\n');
    }
    String text = messages.toString().toLowerCase(Locale.ROOT);
    return tls.mode() != TlsConfig.Mode.DISABLED
        && (text.contains("ssl") || text.contains("tls") || text.contains("certificat"));
  }

  /** What to do about a failed connect: TLS problems get their own remedy. */
  static String connectRemedy(TlsConfig tls, SQLException e) {
    if (isTlsProblem(tls, e)) {
      return "TLS (tls: " + tls.mode().configName() + ") failed: check that the server has TLS"
          + " enabled (SHOW VARIABLES LIKE 'have_ssl' says YES), that ca_file holds the CA that"
          + " signed its certificate, and for verify-full that the url's host is a name in it.";
    }
    return "Check that the server runs and the url's host and port.";
  }

  /** {@code SHOW GLOBAL STATUS LIKE 'Threads_running'}: needs no privilege. */
  static long threadsRunning(Connection session, String side) {
    try (Statement statement = session.createStatement();
        ResultSet rows = statement.executeQuery("SHOW GLOBAL STATUS LIKE 'Threads_running'")) {
      return rows.next() ? rows.getLong(2) : 0;
    } catch (SQLException e) {
      throw MySqlErrors.failed(side, "read Threads_running", e);
    }
  }

  /**
   * The largest {@code Seconds_Behind_Master} (MariaDB, MySQL before 8.0.22) or {@code
   * Seconds_Behind_Source} of the server's replication channels; empty when it replicates nothing
   * or a channel's threads are stopped (the column is NULL then). Needs REPLICATION CLIENT (MySQL)
   * or SLAVE MONITOR (MariaDB 10.5.9+).
   */
  static Optional<Duration> replicationLag(Connection session, String side) {
    try (Statement statement = session.createStatement()) {
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
      throw MySqlErrors.failed(side, "read the replication lag (SHOW REPLICA STATUS)", e);
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

  static long checkpoint(Connection session, String runId, String side) {
    try (PreparedStatement statement =
        session.prepareStatement(
            "SELECT applied_through FROM " + MySqlRunStore.TABLE + " WHERE run_id = ?")) {
      statement.setString(1, runId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw new SQLException("run " + runId + " is not in " + MySqlRunStore.TABLE);
        }
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw MySqlErrors.failed(side, "read the checkpoint of run " + runId, e);
    }
  }

  /**
   * Records {@code lockSession} as the session holding the lock of run {@code runId}, if the run is
   * still recorded as running: false when another run took it over (resumed or abandoned it) while
   * its lock was free.
   */
  static boolean claimRun(Connection session, String runId, long lockSession, String side) {
    try (PreparedStatement statement =
        session.prepareStatement(
            "UPDATE " + MySqlRunStore.TABLE + " SET connection_id = ? WHERE run_id = ?"
                + " AND status = 'running'")) {
      statement.setLong(1, lockSession);
      statement.setString(2, runId);
      // Affected rows: 0 also when the id is unchanged (a session id the server handed out
      // again after a restart), so the status is what is read back.
      statement.executeUpdate();
    } catch (SQLException e) {
      throw MySqlErrors.failed(side, "record the new lock session of run " + runId, e);
    }
    try (PreparedStatement statement =
        session.prepareStatement(
            "SELECT status, connection_id FROM " + MySqlRunStore.TABLE + " WHERE run_id = ?")) {
      statement.setString(1, runId);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() && "running".equals(rows.getString(1)) && rows.getLong(2) == lockSession;
      }
    } catch (SQLException e) {
      throw MySqlErrors.failed(side, "read run " + runId + " from " + MySqlRunStore.TABLE, e);
    }
  }

  /** MariaDB's {@code max_statement_time} for the session; zero: no limit. */
  static void limitStatements(Connection session, Duration limit, String side) {
    try (Statement statement = session.createStatement()) {
      statement.execute(
          "SET SESSION max_statement_time = " + String.format(Locale.ROOT, "%.3f", limit.toMillis() / 1000.0));
    } catch (SQLException e) {
      throw MySqlErrors.failed(side, "set max_statement_time", e);
    }
  }
}
