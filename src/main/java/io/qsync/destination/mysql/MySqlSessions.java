package io.qsync.destination.mysql;

import io.qsync.Caller;
import io.qsync.config.TlsConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What qsync asks of a MySQL or MariaDB session beyond its tables: TLS settings for the driver,
 * what to do when a connect fails, statement limits. Stateless.
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
    tls.caFile()
        .ifPresent(file -> properties.put("serverSslCert", file.toAbsolutePath().toString()));
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
      return "TLS (tls: "
          + tls.mode().configName()
          + ") failed: check that the server has TLS"
          + " enabled (SHOW VARIABLES LIKE 'have_ssl' says YES), that ca_file holds the CA that"
          + " signed its certificate, and for verify-full that the url's host is a name in it.";
    }
    return "Check that the server runs and the url's host and port.";
  }

  /** MariaDB's {@code max_statement_time} for the session; zero: no limit. */
  static void limitStatements(Connection session, Duration limit, String side, Caller caller) {
    try (Statement statement = session.createStatement()) {
      statement.execute(
          "SET SESSION max_statement_time = "
              + String.format(Locale.ROOT, "%.3f", limit.toMillis() / 1000.0));
    } catch (SQLException e) {
      throw MySqlErrors.failed(side, caller, "set max_statement_time", e);
    }
  }
}
