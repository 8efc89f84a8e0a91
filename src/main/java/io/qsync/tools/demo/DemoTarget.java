package io.qsync.tools.demo;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.Secret;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MySQL or MariaDB database the demo syncs into: the configured server's database (created when
 * absent), or a database on an embedded MariaDB started for the demo. Lifecycle: {@link #existing}
 * or {@link #embedded}, use, {@link #close} (stops the embedded server, if any). Not thread-safe.
 */
public final class DemoTarget implements AutoCloseable {
  /** How long the demo waits for a server to answer before it starts its own instead. */
  private static final String PROBE_TIMEOUT_MILLIS = "3000";

  private final MySqlConnectionConfig connection;
  private final Optional<EmbeddedMariaDb> server;
  private final boolean createdDatabase;

  private DemoTarget(
      MySqlConnectionConfig connection, Optional<EmbeddedMariaDb> server, boolean createdDatabase) {
    this.connection = connection;
    this.server = server;
    this.createdDatabase = createdDatabase;
  }

  /**
   * The database named by {@code connection}, created when the server lacks it.
   *
   * @throws QsyncException when the server cannot be reached or the database cannot be made
   */
  public static DemoTarget existing(MySqlConnectionConfig connection) {
    return new DemoTarget(connection, Optional.empty(), ensureDatabase(connection));
  }

  /**
   * Starts a MariaDB with its files in {@code serverDir} (kept between demos) and a database named
   * like the one {@code configured} names, reached as root without a password.
   */
  public static DemoTarget embedded(MySqlConnectionConfig configured, Path serverDir) {
    EmbeddedMariaDb server = startServer(serverDir);
    try {
      MySqlConnectionConfig connection =
          new MySqlConnectionConfig(
              configured.name(),
              server.url(JdbcUrl.parse(configured.url()).database()),
              "root",
              new Secret(""),
              Map.of());
      return new DemoTarget(connection, Optional.of(server), ensureDatabase(connection));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private static EmbeddedMariaDb startServer(Path serverDir) {
    if (!EmbeddedMariaDb.available()) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "the embedded MariaDB is not on the class path"
              + "\nStart the demo with ./qsync demo, which adds target/demo-lib/, or point it at a"
              + " server: "
              + DemoConfig.URL_VARIABLE
              + "=jdbc:mariadb://HOST:3306/qsync_demo");
    }
    return EmbeddedMariaDb.start(serverDir);
  }

  /** The connection a sync uses to reach this database. */
  public MySqlConnectionConfig connection() {
    return connection;
  }

  public boolean isEmbedded() {
    return server.isPresent();
  }

  /** Whether the demo created the database just now. */
  public boolean createdDatabase() {
    return createdDatabase;
  }

  /** Server and database, for messages: never a password. */
  public String location() {
    return JdbcUrl.parse(connection.url()).location();
  }

  /** Rows in {@code table}. */
  public long countRows(String table) {
    try (Connection session = open();
        Statement statement = session.createStatement();
        ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM " + quote(table))) {
      result.next();
      return result.getLong(1);
    } catch (SQLException e) {
      throw failed("count the rows of " + table, e);
    }
  }

  /**
   * The first {@code limit} rows of {@code table} in the order of {@code orderBy}, each a map of
   * column name to its value as text ({@code null} for NULL).
   */
  public List<Map<String, String>> firstRows(String table, String orderBy, int limit) {
    String sql =
        "SELECT * FROM " + quote(table) + " ORDER BY " + quote(orderBy) + " LIMIT " + limit;
    try (Connection session = open();
        Statement statement = session.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      ResultSetMetaData columns = result.getMetaData();
      List<Map<String, String>> rows = new ArrayList<>();
      while (result.next()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 1; i <= columns.getColumnCount(); i++) {
          row.put(columns.getColumnLabel(i), result.getString(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw failed("read rows of " + table, e);
    }
  }

  @Override
  public void close() {
    server.ifPresent(EmbeddedMariaDb::close);
  }

  /** Creates the connection's database when the server lacks it; true when it did. */
  private static boolean ensureDatabase(MySqlConnectionConfig connection) {
    JdbcUrl url = JdbcUrl.parse(connection.url());
    try (Connection session = open(connection, url.serverUrl())) {
      if (databaseExists(session, url.database())) {
        return false;
      }
      try (Statement statement = session.createStatement()) {
        statement.execute(
            "CREATE DATABASE IF NOT EXISTS " + quote(url.database()) + " CHARACTER SET utf8mb4");
      }
      return true;
    } catch (SQLException e) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "cannot use database "
              + url.database()
              + " on "
              + url.server()
              + ": "
              + e.getMessage()
              + "\nStart the server, or point the demo at another one with --url or "
              + DemoConfig.URL_VARIABLE
              + " (user and password: QSYNC_DEMO_USER,"
              + " QSYNC_DEMO_PASSWORD).",
          e);
    }
  }

  private static boolean databaseExists(Connection session, String database) throws SQLException {
    try (PreparedStatement statement =
        session.prepareStatement(
            "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")) {
      statement.setString(1, database);
      try (ResultSet result = statement.executeQuery()) {
        return result.next();
      }
    }
  }

  private Connection open() throws SQLException {
    return open(connection, JdbcUrl.parse(connection.url()).databaseUrl());
  }

  private static Connection open(MySqlConnectionConfig connection, String url) throws SQLException {
    Properties properties = new Properties();
    properties.putAll(connection.properties());
    properties.setProperty("user", connection.user());
    if (!connection.password().isEmpty()) {
      properties.setProperty("password", connection.password().reveal());
    }
    properties.putIfAbsent("connectTimeout", PROBE_TIMEOUT_MILLIS);
    return DriverManager.getConnection(url, properties);
  }

  private QsyncException failed(String what, SQLException e) {
    return new QsyncException(
        ErrorKind.FAILED, "cannot " + what + " in " + location() + ": " + e.getMessage(), e);
  }

  private static String quote(String identifier) {
    return '`' + identifier.replace("`", "``") + '`';
  }

  /**
   * The parts of a {@code jdbc:mariadb://} or {@code jdbc:mysql://} URL the demo needs: the server,
   * so it can connect before the database exists, and the database.
   *
   * @param scheme {@code jdbc:mariadb:} or {@code jdbc:mysql:}
   * @param server host and port, as written
   * @param parameters what follows {@code ?}, or empty
   */
  record JdbcUrl(String scheme, String server, String database, String parameters) {
    private static final Pattern SHAPE =
        Pattern.compile("(jdbc:(?:mariadb|mysql):)//([^/?]+)/([^?]*)(?:\\?(.*))?");

    static JdbcUrl parse(String url) {
      Matcher matcher = SHAPE.matcher(url);
      if (!matcher.matches() || matcher.group(3).isBlank()) {
        throw new QsyncException(
            ErrorKind.CONFIG_INVALID,
            "the demo's url names no database: expected jdbc:mariadb://HOST:PORT/DATABASE\n"
                + "Add a database name to the url, like jdbc:mariadb://127.0.0.1:3306/qsync_demo.");
      }
      return new JdbcUrl(
          matcher.group(1),
          matcher.group(2),
          matcher.group(3),
          matcher.group(4) == null ? "" : matcher.group(4));
    }

    /** The same server without a database, for creating it. */
    String serverUrl() {
      return driverUrl("");
    }

    String databaseUrl() {
      return driverUrl(database);
    }

    private String driverUrl(String path) {
      String url =
          scheme + "//" + server + "/" + path + (parameters.isEmpty() ? "" : "?" + parameters);
      // MariaDB Connector/J takes jdbc:mysql: URLs only with permitMysqlScheme.
      return scheme.equals("jdbc:mysql:")
          ? url + (parameters.isEmpty() ? "?" : "&") + "permitMysqlScheme"
          : url;
    }

    String location() {
      return server + "/" + database;
    }
  }
}
