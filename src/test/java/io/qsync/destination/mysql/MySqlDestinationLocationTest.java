package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.Secret;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The url reaches messages without its parameters and without a password in its user info. */
class MySqlDestinationLocationTest {
  private static MySqlDestination target(String url) {
    return new MySqlDestination(
        new MySqlConnectionConfig("app", url, "root", new Secret(""), Map.of()), Clock.systemUTC());
  }

  @Test
  void theLocationHidesParametersAndAPasswordInTheUserInfo() {
    assertThat(target("jdbc:mariadb://127.0.0.1:3306/app?trustStorePassword=x").describeLocation())
        .isEqualTo("jdbc:mariadb://127.0.0.1:3306/app");
    assertThat(target("jdbc:mariadb://root:hunter2@127.0.0.1:3306/app").describeLocation())
        .isEqualTo("jdbc:mariadb://root:****@127.0.0.1:3306/app");
  }

  @Test
  void aConnectFailureNeverQuotesThePassword() {
    try (MySqlDestination target = target("jdbc:mariadb://root:hunter2@127.0.0.1:3306/app")) {
      Throwable failure = catchThrowable(target.connections()::openSession);

      assertThat(failure)
          .hasMessageContaining("cannot connect to jdbc:mariadb://root:****@127.0.0.1");
      assertThat(failure.getMessage()).doesNotContain("hunter2");
    }
  }
}
