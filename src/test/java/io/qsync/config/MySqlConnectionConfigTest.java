package io.qsync.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code qsync demo --url} replaces the url of the configured connection, nothing else. */
class MySqlConnectionConfigTest {
  @Test
  void anotherUrlKeepsTheConnectionsTlsAndTimeouts() {
    TlsConfig tls = new TlsConfig(TlsConfig.Mode.VERIFY_FULL, Optional.of(Path.of("/etc/ca.pem")));
    MySqlTimeouts timeouts =
        new MySqlTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(90), Duration.ofSeconds(7));
    MySqlConnectionConfig configured =
        new MySqlConnectionConfig(
            "app",
            "jdbc:mariadb://a:3306/demo",
            "qsync",
            new Secret("pw"),
            Map.of("useCompression", "true"),
            tls,
            timeouts);

    MySqlConnectionConfig chosen = configured.withUrl("jdbc:mariadb://b:3307/demo");

    assertThat(chosen)
        .isEqualTo(
            new MySqlConnectionConfig(
                "app",
                "jdbc:mariadb://b:3307/demo",
                "qsync",
                new Secret("pw"),
                Map.of("useCompression", "true"),
                tls,
                timeouts));
  }
}
