package io.qsync.target.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MySqlErrorsTest {
  @Test
  void namesTheGrantThatLiftsAMariaDbRefusal() {
    assertThat(MySqlErrors.grantFor(
            "(conn=7) INSERT command denied to user 'qsync'@'127.0.0.1' for table `app`.`odd ``t```"))
        .hasValue("GRANT INSERT ON `app`.`odd ``t``` TO 'qsync'");
  }

  @Test
  void namesTheGrantThatLiftsAMySqlRefusal() {
    assertThat(MySqlErrors.grantFor("DELETE command denied to user 'qsync'@'localhost' for table 't'"))
        .hasValue("GRANT DELETE ON `t` TO 'qsync'");
  }

  @Test
  void saysNothingOfOtherErrors() {
    assertThat(MySqlErrors.grantFor("Access denied for user 'qsync'@'%' to database 'app'")).isEmpty();
    assertThat(MySqlErrors.grantFor(null)).isEmpty();
  }
}
