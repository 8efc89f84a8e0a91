package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.TransientException;
import io.qsync.config.JdbcUrl;
import io.qsync.config.MySqlConnectionConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * The sessions of one MySQL or MariaDB connection: opens new ones with qsync's settings (strict
 * mode, UTC, utf8mb4, short lock waits) and keeps the work session, opened on first use and again
 * when the server closed the last one. {@link #close()} closes the work session; sessions handed
 * out by {@link #openSession()} are their caller's to close. Not thread-safe.
 */
final class MySqlConnections implements AutoCloseable {
  /**
   * Strict mode, and zero dates refused, whatever the server's default: a value the table would
   * truncate or mangle is an error, never a warning.
   */
  static final String SQL_MODE =
      "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
          + "NO_ENGINE_SUBSTITUTION";

  /** How long a session waits for a byte from the server before it gives the connection up. */
  static final Duration SOCKET_TIMEOUT = Duration.ofMinutes(10);

  private final MySqlConnectionConfig config;
  private final Caller caller;
  private Connection connection;
  private MySqlDialect dialect;
  private boolean mariaDb;

  /**
   * Whether a session was ever opened: a server that answered once and now refuses is restarting.
   */
  private boolean reached;

  private String serverVersion;

  MySqlConnections(MySqlConnectionConfig config) {
    this(config, Caller.RUN);
  }

  /**
   * @param caller the command the sessions work for, whose remedy a passing failure's message gives
   */
  MySqlConnections(MySqlConnectionConfig config, Caller caller) {
    this.config = requireNonNull(config, "config is null");
    this.caller = requireNonNull(caller, "caller is null");
  }

  /** The command the sessions work for. */
  Caller caller() {
    return caller;
  }

  /** The connection's name in the config. */
  String name() {
    return config.name();
  }

  /** Opens a new session with qsync's settings. The caller closes it. */
  Connection openSession() {
    Properties properties = new Properties();
    properties.putAll(config.properties());
    properties.setProperty("user", config.user());
    if (!config.password().isEmpty()) {
      properties.setProperty("password", config.password().reveal());
    }
    properties.putIfAbsent("connectTimeout", Long.toString(config.timeouts().connect().toMillis()));
    // A network that goes silent (a stalled link, a failover that drops packets) would otherwise
    // block a run forever; no statement qsync sends is silent this long when the link is alive.
    properties.putIfAbsent("socketTimeout", Long.toString(SOCKET_TIMEOUT.toMillis()));
    properties.putAll(MySqlSessions.tlsProperties(config.tls()));
    // Affected rows (not found rows), so an upsert's counts mean what MySQL documents.
    properties.putIfAbsent("useAffectedRows", "true");
    try {
      Connection session = DriverManager.getConnection(driverUrl(), properties);
      try (Statement statement = session.createStatement()) {
        statement.execute(
            "SET SESSION sql_mode = '"
                + SQL_MODE
                + "', time_zone = '+00:00',"
                + " innodb_lock_wait_timeout = "
                + config.timeouts().lockWait().toSeconds()
                + ", lock_wait_timeout = "
                + config.timeouts().lockWait().toSeconds());
        statement.execute("SET NAMES utf8mb4");
      }
      reached = true;
      return session;
    } catch (SQLException e) {
      throw connectFailed(e);
    }
  }

  /** MariaDB Connector/J takes {@code jdbc:mysql:} URLs only with permitMysqlScheme. */
  private String driverUrl() {
    String url = config.url();
    if (url.startsWith("jdbc:mysql:")) {
      url = url + (url.contains("?") ? "&" : "?") + "permitMysqlScheme";
    }
    return url;
  }

  private QsyncException connectFailed(SQLException e) {
    int code = e.getErrorCode();
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (code == 1045 || state.startsWith("28")) {
      return new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "connection '"
              + config.name()
              + "' ("
              + describeLocation()
              + "): access denied for user '"
              + config.user()
              + "'\nCheck the user and password (the password used: "
              + config.password().origin()
              + ").",
          e);
    }
    if (code == 1049) {
      return new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "connection '"
              + config.name()
              + "' ("
              + describeLocation()
              + "): "
              + e.getMessage()
              + "\nCreate the database (CREATE DATABASE ...) or fix the database in the url.",
          e);
    }
    String message =
        "connection '"
            + config.name()
            + "': cannot connect to "
            + describeLocation()
            + ": "
            + new JdbcUrl(config.url()).hidePassword(e.getMessage())
            + "\n"
            + MySqlSessions.connectRemedy(config.tls(), e);
    if (MySqlSessions.isTlsProblem(config.tls(), e)) {
      return new QsyncException(ErrorKind.NEEDS_ACTION, message, e);
    }
    // A refused or dropped connection, or too many of them, may pass (a restart, a failover): it
    // is retried once the server has answered this run. The first connection is not: a wrong
    // host or port, or a server that is down, is said at once (exit 1), not after a minute.
    MySqlErrors.Cause cause = MySqlErrors.classify(e);
    if (cause.retried()) {
      return reached
          ? new TransientException(message, e)
          : new QsyncException(ErrorKind.FAILED, message, e);
    }
    return cause == MySqlErrors.Cause.UNKNOWN
        ? new QsyncException(ErrorKind.FAILED, message, e)
        : MySqlErrors.failed(side(), caller, "connect", e);
  }

  /** The work session, opened anew when the server closed the last one. */
  Connection connection() {
    dropClosedSession();
    if (connection == null) {
      connection = openSession();
      try (Statement statement = connection.createStatement();
          ResultSet version = statement.executeQuery("SELECT VERSION(), CURRENT_USER()")) {
        version.next();
        MySqlAccounts.remember(side(), version.getString(2));
        dialect = MySqlDialect.forVersion(version.getString(1));
        serverVersion = version.getString(1);
        mariaDb = serverVersion.contains("MariaDB");
      } catch (SQLException e) {
        throw failed("read the server version", e);
      }
    }
    return connection;
  }

  MySqlDialect dialect() {
    connection();
    return dialect;
  }

  /** {@code SELECT VERSION()} of the server, as the work session first read it. */
  String serverVersion() {
    connection();
    return serverVersion;
  }

  boolean mariaDb() {
    connection();
    return mariaDb;
  }

  /** Where the connection points, for messages: host, port and database, never a password. */
  String describeLocation() {
    return new JdbcUrl(config.url()).forMessages();
  }

  /**
   * Forgets a work session the server or the network closed, so that the next use opens a new one.
   * A session that merely looks fine may still be dead; then the next statement fails and closes
   * it.
   */
  private void dropClosedSession() {
    try {
      if (connection != null && connection.isClosed()) {
        connection = null;
      }
    } catch (SQLException e) {
      connection = null;
    }
  }

  /**
   * Bounds each write statement on {@code session} by the connection's statement_timeout, on
   * MariaDB ({@code max_statement_time}); MySQL's {@code max_execution_time} bounds only SELECTs.
   * Set only once writing starts, so the long read of the table is never cut short.
   */
  void limitWriteStatements(Connection session) {
    if (mariaDb()) {
      MySqlSessions.limitStatements(session, config.timeouts().statement(), side(), caller);
    }
  }

  /** How long one statement may run: the connection's {@code statement_timeout}; zero: no limit. */
  java.time.Duration statementTimeout() {
    return config.timeouts().statement();
  }

  /** Runs one statement on the work session. */
  void execute(String sql, String what) {
    try (Statement statement = connection().createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw failed(what, e);
    }
  }

  QsyncException failed(String what, SQLException e) {
    return MySqlErrors.failed(side(), caller, what, e);
  }

  /** The side that failed, for messages: the connection's name and where it points. */
  String side() {
    return "connection '" + config.name() + "' (" + describeLocation() + ")";
  }

  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // The session is gone either way; uncommitted work was rolled back by the server.
      }
      connection = null;
    }
  }
}
