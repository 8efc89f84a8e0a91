package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MySqlAccountsTest {
  /** A GRANT names the account the server matched, quoted: the user may hold an '@' too. */
  @Test
  void quotesTheUserAndTheHostPattern() {
    assertThat(MySqlAccounts.quote("qsync@%")).isEqualTo("'qsync'@'%'");
    assertThat(MySqlAccounts.quote("a@b@localhost")).isEqualTo("'a@b'@'localhost'");
    assertThat(MySqlAccounts.quote("o'brien@10.0.0.%")).isEqualTo("'o''brien'@'10.0.0.%'");
  }

  /**
   * A server started with --skip-grant-tables (the embedded test server is) answers {@code @} to
   * CURRENT_USER(): no account, so nothing to check and no GRANT to name ({@code ''@''}).
   */
  @Test
  void aServerWithoutGrantTablesNamesNoAccount() {
    assertThat(MySqlAccounts.isAccount("@")).isFalse();
    assertThat(MySqlAccounts.isAccount("")).isFalse();
    assertThat(MySqlAccounts.isAccount(null)).isFalse();
    assertThat(MySqlAccounts.isAccount("root@localhost")).isTrue();
  }
}
