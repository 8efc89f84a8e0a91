package io.qsync.destination.mysql;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The account each connection logs in as, as the server matched it ({@code SELECT CURRENT_USER()}:
 * the user and the host pattern of the account, {@code qsync@%}), by the connection's side (its
 * name and where it points). A GRANT must name that account: a user without a host means {@code
 * 'user'@'%'}, another account than {@code 'qsync'@'localhost'}, and the server's refusals name the
 * client's host, not the account's. Recorded when a connection's work session opens, read when a
 * refusal's remedy is worded. Thread-safe.
 */
final class MySqlAccounts {
  private static final Map<String, String> ACCOUNTS = new ConcurrentHashMap<>();

  private MySqlAccounts() {}

  /** Records what {@code CURRENT_USER()} returned on {@code side}'s connection. */
  static void remember(String side, String currentUser) {
    if (isAccount(currentUser)) {
      ACCOUNTS.put(side, quote(currentUser));
    }
  }

  /**
   * Whether {@code CURRENT_USER()} names an account: a server started with {@code
   * --skip-grant-tables} (as embedded test servers are) answers {@code @} or nothing, and checks no
   * privilege.
   */
  static boolean isAccount(String currentUser) {
    return currentUser != null && !currentUser.isBlank() && !currentUser.strip().equals("@");
  }

  /** The account {@code side}'s connection logs in as, quoted for a GRANT: 'qsync'@'%'. */
  static Optional<String> of(String side) {
    return Optional.ofNullable(ACCOUNTS.get(side));
  }

  /**
   * {@code qsync@%} as {@code 'qsync'@'%'}. The host holds no '@', the user may: the last one
   * splits them.
   */
  static String quote(String currentUser) {
    int at = currentUser.lastIndexOf('@');
    if (at < 0) {
      return literal(currentUser);
    }
    return literal(currentUser.substring(0, at)) + "@" + literal(currentUser.substring(at + 1));
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
