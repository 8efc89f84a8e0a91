package io.qsync.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JdbcUrlTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "jdbc:mariadb://127.0.0.1:3306/app                      | jdbc:mariadb://127.0.0.1:3306/app",
        "jdbc:mariadb://127.0.0.1:3306/app?sslMode=trust        | jdbc:mariadb://127.0.0.1:3306/app",
        "jdbc:mariadb://root@db/app                             | jdbc:mariadb://root@db/app",
        "jdbc:mariadb://root:hunter2@db:3306/app                | jdbc:mariadb://root:****@db:3306/app",
        "jdbc:mysql://root:hun@ter/2@db/app?useSsl=true          | jdbc:mysql://root:****@db/app",
        "jdbc:mariadb://root:@db/app                            | jdbc:mariadb://root:****@db/app",
      })
  void messagesShowNeitherParametersNorThePassword(String url, String shown) {
    assertThat(new JdbcUrl(url).forMessages()).isEqualTo(shown);
    assertThat(new JdbcUrl(url)).hasToString(shown);
  }

  @Test
  void tellsAPasswordInTheUserInfo() {
    assertThat(new JdbcUrl("jdbc:mariadb://root:hunter2@db/app").hasPassword()).isTrue();
    assertThat(new JdbcUrl("jdbc:mariadb://root@db/app").hasPassword()).isFalse();
    assertThat(new JdbcUrl("jdbc:mariadb://db:3306/app").hasPassword()).isFalse();
    assertThat(new JdbcUrl("jdbc:mariadb://db:3306/app?x=a@b").hasPassword()).isFalse();
  }

  @Test
  void hidesThePasswordInADriversMessage() {
    JdbcUrl url = new JdbcUrl("jdbc:mariadb://root:hunter2@127.0.0.1:3306/app");

    assertThat(url.hidePassword("Incorrect port value : hunter2@127.0.0.1"))
        .isEqualTo("Incorrect port value : ****@127.0.0.1");
    assertThat(new JdbcUrl("jdbc:mariadb://db/app").hidePassword("as it was"))
        .isEqualTo("as it was");
  }

  @Test
  void theDatabaseIgnoresUserInfoParametersCaseAndTheDefaultPort() {
    String database = new JdbcUrl("jdbc:mariadb://DB.example:3306/app").database();

    assertThat(database).isEqualTo("db.example:3306/app");
    assertThat(new JdbcUrl("jdbc:mysql://qsync@db.example/app?sslMode=verify-full").database())
        .isEqualTo(database);
    assertThat(new JdbcUrl("jdbc:mariadb://db.example:3307/app").database()).isNotEqualTo(database);
    assertThat(new JdbcUrl("jdbc:mariadb://db.example/other").database()).isNotEqualTo(database);
    assertThat(new JdbcUrl("jdbc:mariadb://a,b:3307/x").database()).isEqualTo("a:3306,b:3307/x");
  }
}
