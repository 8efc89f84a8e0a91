package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Time limits of a MySQL connection's sessions. Immutable.
 *
 * @param connect how long opening a connection may take
 * @param statement how long one write statement may run (MariaDB's {@code max_statement_time} on
 *     the writing session; MySQL limits only SELECTs and so is left alone); zero: no limit
 * @param lockWait how long a statement waits for a row lock ({@code innodb_lock_wait_timeout}) or a
 *     table's metadata lock ({@code lock_wait_timeout}) before it fails and the batch is retried
 */
public record MySqlTimeouts(Duration connect, Duration statement, Duration lockWait) {
  public static final MySqlTimeouts DEFAULT =
      new MySqlTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(10));

  public MySqlTimeouts {
    requireNonNull(connect, "connect is null");
    requireNonNull(statement, "statement is null");
    requireNonNull(lockWait, "lockWait is null");
  }
}
