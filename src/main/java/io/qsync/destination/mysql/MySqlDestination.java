package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.TransientException;
import io.qsync.config.JdbcUrl;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.row.Column;
import io.qsync.source.QueryDialect;
import io.qsync.row.RowSink;
import io.qsync.state.RunStore;
import io.qsync.state.SyncLock;
import io.qsync.destination.Destination;
import io.qsync.destination.DestinationColumn;
import io.qsync.destination.DestinationTable;
import io.qsync.destination.ValueRule;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MySQL 8 or MariaDB 10.6+ target, through MariaDB Connector/J (which speaks to both). Every
 * session runs in strict mode, in UTC, in utf8mb4, with short lock waits so that a conflict costs
 * the sync a retry rather than the application a stall. Opens one connection for work on first use
 * and one more per lock; {@link #close()} closes them. Not thread-safe.
 */
public final class MySqlDestination implements Destination {
  /**
   * Strict mode, and zero dates refused, whatever the server's default: a value the table would
   * truncate or mangle is an error, never a warning.
   */
  static final String SQL_MODE =
      "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
          + "NO_ENGINE_SUBSTITUTION";

  private final MySqlConnectionConfig config;
  private final Clock clock;
  private Connection connection;
  private MySqlDialect dialect;
  private MySqlRunStore runs;
  private boolean mariaDb;
  /** Whether a session was ever opened: a server that answered once and now refuses is restarting. */
  private boolean reached;
  private String serverVersion;

  public MySqlDestination(MySqlConnectionConfig config, Clock clock) {
    this.config = requireNonNull(config, "config is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** How long a session waits for a byte from the server before it gives the connection up. */
  static final Duration SOCKET_TIMEOUT = Duration.ofMinutes(10);

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
            "SET SESSION sql_mode = '" + SQL_MODE + "', time_zone = '+00:00',"
                + " innodb_lock_wait_timeout = " + config.timeouts().lockWait().toSeconds()
                + ", lock_wait_timeout = " + config.timeouts().lockWait().toSeconds());
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
          "connection '" + config.name() + "' (" + describeLocation() + "): access denied for user '"
              + config.user() + "'\nCheck the user and password (the password used: "
              + config.password().origin() + ").",
          e);
    }
    if (code == 1049) {
      return new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "connection '" + config.name() + "' (" + describeLocation() + "): " + e.getMessage()
              + "\nCreate the database (CREATE DATABASE ...) or fix the database in the url.",
          e);
    }
    String message =
        "connection '" + config.name() + "': cannot connect to " + describeLocation() + ": "
            + new JdbcUrl(config.url()).hidePassword(e.getMessage()) + "\n"
            + MySqlSessions.connectRemedy(config.tls(), e);
    if (MySqlSessions.isTlsProblem(config.tls(), e)) {
      return new QsyncException(ErrorKind.NEEDS_ACTION, message, e);
    }
    // A refused or dropped connection, or too many of them, may pass (a restart, a failover): it
    // is retried once the server has answered this run. The first connection is not: a wrong
    // host or port, or a server that is down, is said at once (exit 1), not after a minute.
    MySqlErrors.Cause cause = MySqlErrors.classify(e);
    if (cause.retried()) {
      return reached ? new TransientException(message, e) : new QsyncException(ErrorKind.FAILED, message, e);
    }
    return cause == MySqlErrors.Cause.UNKNOWN
        ? new QsyncException(ErrorKind.FAILED, message, e)
        : MySqlErrors.failed(side(), "connect", e);
  }

  /** The work session, opened anew when the server closed the last one. */
  Connection connection() {
    dropClosedSession();
    if (connection == null) {
      connection = openSession();
      try (Statement statement = connection.createStatement();
          ResultSet version = statement.executeQuery("SELECT VERSION()")) {
        version.next();
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

  @Override
  public String describeLocation() {
    return new JdbcUrl(config.url()).forMessages();
  }

  /** A generated column as EXTRA names it: STORED or VIRTUAL (PERSISTENT in older MariaDB). */
  private static final Pattern GENERATED =
      Pattern.compile("\\b(stored|virtual|persistent) generated\\b", Pattern.CASE_INSENSITIVE);

  @Override
  public Optional<DestinationTable> describe(String table) {
    List<DestinationColumn> columns = new ArrayList<>();
    try (PreparedStatement statement =
        connection()
            .prepareStatement(
                "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,"
                    + " COLLATION_NAME, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE,"
                    + " DATETIME_PRECISION, CHARACTER_SET_NAME, GENERATION_EXPRESSION"
                    + " FROM information_schema.COLUMNS"
                    + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          boolean nullable = rows.getString(4).equals("YES");
          String extra = Optional.ofNullable(rows.getString(6)).orElse("").toLowerCase(Locale.ROOT);
          boolean hasDefault =
              nullable || rows.getString(5) != null || extra.contains("auto_increment")
                  || extra.contains("generated") || extra.contains("virtual")
                  || extra.contains("stored");
          Matcher generated = GENERATED.matcher(extra);
          columns.add(
              new DestinationColumn(
                  rows.getString(1),
                  rows.getString(2).toLowerCase(Locale.ROOT),
                  columnType(rows.getString(2), rows.getString(3)),
                  nullable,
                  hasDefault,
                  Optional.ofNullable(rows.getString(7)),
                  rows.getLong(8),
                  rows.getInt(9),
                  rows.getObject(10) == null ? -1 : rows.getInt(10),
                  rows.getInt(11),
                  Optional.ofNullable(rows.getString(12))
                      .map(name -> name.toLowerCase(Locale.ROOT)),
                  generated.find()
                      ? Optional.of(generated.group().toUpperCase(Locale.ROOT) + " ALWAYS AS ("
                          + Optional.ofNullable(rows.getString(13)).orElse("") + ")")
                      : Optional.empty()));
        }
      }
    } catch (SQLException e) {
      throw failed("describe table " + table, e);
    }
    if (columns.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new DestinationTable(table, columns, uniqueKeys(table), tableType(table)));
  }

  /**
   * The column's full type in lower case, but for the members of an ENUM or SET: those are the
   * values the column stores, spelled as declared.
   */
  private static String columnType(String dataType, String columnType) {
    String bare = dataType.toLowerCase(Locale.ROOT);
    return bare.equals("enum") || bare.equals("set")
        ? bare + columnType.substring(bare.length())
        : columnType.toLowerCase(Locale.ROOT);
  }

  /** What the catalogue calls the table: BASE TABLE, VIEW, SYSTEM VERSIONED, SEQUENCE, ... */
  private String tableType(String table) {
    try (PreparedStatement statement =
        connection()
            .prepareStatement(
                "SELECT TABLE_TYPE FROM information_schema.TABLES"
                    + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1).toUpperCase(Locale.ROOT) : DestinationTable.BASE_TABLE;
      }
    } catch (SQLException e) {
      throw failed("describe table " + table, e);
    }
  }

  private List<List<String>> uniqueKeys(String table) throws QsyncException {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    try (PreparedStatement statement =
        connection()
            .prepareStatement(
                "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS"
                    + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0"
                    + " ORDER BY INDEX_NAME <> 'PRIMARY', INDEX_NAME, SEQ_IN_INDEX")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          keys.computeIfAbsent(rows.getString(1), name -> new ArrayList<>()).add(rows.getString(2));
        }
      }
    } catch (SQLException e) {
      throw failed("read the keys of table " + table, e);
    }
    return new ArrayList<>(keys.values());
  }

  @Override
  public List<String> schemaProblems(
      DestinationTable table, List<Column> columns, List<String> key, boolean keyRequired) {
    return SchemaCheck.problems(table, columns, key, keyRequired);
  }

  @Override
  public List<ValueRule> valueRules(
      String table, Optional<DestinationTable> existing, List<Column> columns, List<String> key,
      QueryDialect dialect) {
    List<ValueRule> rules = new ArrayList<>();
    for (Column column : columns) {
      boolean isKey = key.stream().anyMatch(name -> name.equalsIgnoreCase(column.name()));
      Optional<DestinationColumn> target =
          existing.isPresent()
              ? existing.get().column(column.name())
              : Optional.of(MySqlTypes.created(column, isKey));
      target.ifPresent(described -> rules.addAll(
          MySqlValueRules.rules(
              MySqlDialect.quote(table), existing.isPresent(), column, described, isKey, dialect,
              lastTimestamp())));
    }
    return rules;
  }

  /**
   * The latest time a TIMESTAMP column holds: MariaDB 11.5 extended the range to 2106 (on 64-bit
   * servers, the only ones it ships), MySQL keeps 2038.
   */
  private LocalDateTime lastTimestamp() {
    connection();
    String[] parts = serverVersion.split("[^0-9]+");
    int major = parts.length > 0 && !parts[0].isEmpty() ? Integer.parseInt(parts[0]) : 0;
    int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    return mariaDb && (major > 11 || major == 11 && minor >= 5)
        ? MySqlValueRules.LAST_TIMESTAMP_UNSIGNED
        : MySqlValueRules.LAST_TIMESTAMP_32;
  }

  @Override
  public String createTableStatement(String table, List<Column> columns, List<String> key) {
    return dialect().createTable(table, columns, key);
  }

  @Override
  public void createTable(String table, List<Column> columns, List<String> key) {
    execute(createTableStatement(table, columns, key), "create table " + table);
  }

  @Override
  public void createTableLike(String table, String model) {
    execute(
        "CREATE TABLE " + MySqlDialect.quote(table) + " LIKE " + MySqlDialect.quote(model),
        "create table " + table + " like " + model);
  }

  @Override
  public void dropTable(String table) {
    execute("DROP TABLE IF EXISTS " + MySqlDialect.quote(table), "drop table " + table);
  }

  @Override
  public long countRows(String table) {
    try (Statement statement = connection().createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT COUNT(*) FROM " + MySqlDialect.quote(table))) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw failed("count the rows of " + table, e);
    }
  }

  @Override
  public void readRows(String table, List<Column> columns, RowSink sink) {
    StringJoiner names = new StringJoiner(", ");
    columns.forEach(
        column ->
            names.add(MySqlValues.selectExpression(MySqlDialect.quote(column.name()), column.type())));
    String sql = "SELECT " + names + " FROM " + MySqlDialect.quote(table);
    // The binary protocol (a server-side prepared statement) sends numbers as numbers: the text
    // protocol made the driver and MySqlValues parse every DOUBLE and integer from text.
    try (PreparedStatement statement =
        connection()
            .unwrap(org.mariadb.jdbc.Connection.class)
            .prepareInternal(
                sql, Statement.NO_GENERATED_KEYS, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY, true)) {
      // A positive fetch size makes Connector/J stream rows instead of buffering the table.
      statement.setFetchSize(4096);
      try (ResultSet rows = statement.executeQuery()) {
        int width = columns.size();
        MySqlValues.Numbers[] numbers = new MySqlValues.Numbers[width];
        for (int i = 0; i < width; i++) {
          numbers[i] = MySqlValues.numbers(rows.getMetaData(), i + 1);
        }
        while (rows.next()) {
          Object[] row = new Object[width];
          for (int i = 0; i < width; i++) {
            row[i] = MySqlValues.read(rows, i + 1, columns.get(i).type(), numbers[i]);
          }
          sink.accept(row);
        }
      }
    } catch (SQLException e) {
      throw failed("read the rows of table " + table, e);
    }
  }

  @Override
  public Optional<Object[]> findRow(
      String table, List<Column> columns, List<String> key, List<Object> keyValues) {
    StringJoiner names = new StringJoiner(", ");
    columns.forEach(column ->
        names.add(MySqlValues.selectExpression(MySqlDialect.quote(column.name()), column.type())));
    StringJoiner where = new StringJoiner(" AND ");
    key.forEach(name -> where.add(MySqlDialect.quote(name) + " = ?"));
    try (PreparedStatement statement = connection().prepareStatement("SELECT " + names + " FROM "
        + MySqlDialect.quote(table) + " WHERE " + where + " LIMIT 1")) {
      for (int k = 0; k < key.size(); k++) {
        String name = key.get(k);
        Column column = columns.stream().filter(c -> c.name().equalsIgnoreCase(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("key column " + name + " not among the columns"));
        MySqlValues.bind(statement, k + 1, keyValues.get(k), column.type());
      }
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
          row[i] = MySqlValues.read(rows, i + 1, columns.get(i).type(),
              MySqlValues.numbers(rows.getMetaData(), i + 1));
        }
        return Optional.of(row);
      }
    } catch (SQLException e) {
      throw failed("read a row of table " + table, e);
    }
  }

  @Override
  public ChangeWriter writer(
      String table, List<Column> columns, List<String> key, Writes writes, String runId,
      SyncLock lock) {
    MySqlMovedValues.Pending setAside = new MySqlMovedValues.Pending();
    return new MySqlRecoveringWriter(
        this,
        session ->
            new MySqlChangeWriter(
                session, dialect(), table, columns, key, writes, runId, lock, clock, side(),
                setAside),
        runId, lock);
  }

  @Override
  public String createdKeyCollation() {
    return dialect().binaryKeyCollation();
  }

  @Override
  public String exactKeyStatement(DestinationTable table, String column) {
    DestinationColumn described = table.column(column).orElseThrow();
    String collation = described.collation().orElse("utf8mb4_bin");
    String charset = collation.substring(0, Math.max(0, collation.indexOf('_')));
    String noPad = dialect().binaryKeyCollation();
    // MariaDB has a NO PAD binary collation for each character set; MySQL 8 one for utf8mb4 only.
    String exact =
        noPad.endsWith("_nopad_bin") ? charset + "_nopad_bin"
            : noPad.equals("utf8mb4_0900_bin") && charset.equals("utf8mb4") ? noPad
            : null;
    String type = exact != null
        ? described.columnType() + " CHARACTER SET " + charset + " COLLATE " + exact
        : described.columnType().replaceFirst("^(?:var)?char", "varbinary");
    return "ALTER TABLE " + MySqlDialect.quote(table.name()) + " MODIFY "
        + MySqlDialect.quote(described.name()) + " " + type
        + (described.nullable() ? " NULL" : " NOT NULL");
  }

  @Override
  public List<String> replaceProblems(String table) {
    try {
      return MySqlReplaceCheck.problems(connection(), table);
    } catch (SQLException e) {
      throw failed("look for the triggers and foreign keys of table " + table, e);
    }
  }

  @Override
  public void swap(String table, String shadow) {
    String old = MySqlShadow.oldName(table);
    if (describe(shadow).isPresent()) {
      if (describe(table).isPresent()) {
        execute("DROP TABLE IF EXISTS " + MySqlDialect.quote(old), "drop " + old);
        // One RENAME of both: readers see the old table or the new one, never neither.
        execute(
            "RENAME TABLE " + MySqlDialect.quote(table) + " TO " + MySqlDialect.quote(old) + ", "
                + MySqlDialect.quote(shadow) + " TO " + MySqlDialect.quote(table),
            "swap in the new table");
      } else {
        execute(
            "RENAME TABLE " + MySqlDialect.quote(shadow) + " TO " + MySqlDialect.quote(table),
            "rename the new table");
      }
    }
    // Also after a crash between the RENAME and this DROP: the resumed run finishes the swap.
    execute("DROP TABLE IF EXISTS " + MySqlDialect.quote(old), "drop the old table " + old);
    if (describe(table).isEmpty()) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "connection '" + config.name() + "': neither table " + table + " nor its new copy "
              + shadow + " exists any more, so the swap of replace mode has nothing to swap in"
              + "\nRun with --restart to build the table again.");
    }
  }

  @Override
  public String shadowName(String table) {
    return MySqlShadow.shadowName(table);
  }

  @Override
  public RunStore runs() {
    if (runs == null) {
      runs = new MySqlRunStore(this::connection, side());
    }
    return runs;
  }

  @Override
  public long threadsRunning() {
    return MySqlSessions.threadsRunning(connection(), side());
  }

  @Override
  public Optional<Duration> replicationLag() {
    return MySqlSessions.replicationLag(connection(), side());
  }

  /**
   * Forgets a work session the server or the network closed, so that the next use opens a new
   * one. A session that merely looks fine may still be dead; then the next statement fails and
   * closes it.
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

  /** {@link MySqlSessions#claimRun}, on the work session. */
  boolean claimRun(String runId, long lockSession) {
    return MySqlSessions.claimRun(connection(), runId, lockSession, side());
  }

  /** The run's checkpoint, read on the work session. */
  long checkpoint(String runId) {
    return MySqlSessions.checkpoint(connection(), runId, side());
  }

  /**
   * Bounds each write statement on {@code session} by the connection's statement_timeout, on
   * MariaDB ({@code max_statement_time}); MySQL's {@code max_execution_time} bounds only SELECTs.
   * Set only once writing starts, so the long read of the table is never cut short.
   */
  void limitWriteStatements(Connection session) {
    connection();
    if (mariaDb) {
      MySqlSessions.limitStatements(session, config.timeouts().statement(), side());
    }
  }

  @Override
  public SyncLock lock(String sync, Duration timeout) {
    return MySqlSyncLock.acquire(this, sync, timeout, side());
  }

  @Override
  public boolean lockHeld(String sync) {
    try (PreparedStatement statement = connection().prepareStatement("SELECT IS_USED_LOCK(?)")) {
      statement.setString(1, MySqlSyncLock.lockName(database(), sync));
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        rows.getLong(1);
        return !rows.wasNull();
      }
    } catch (SQLException e) {
      throw failed("look at the lock of sync '" + sync + "'", e);
    }
  }

  private String database() throws SQLException {
    try (Statement statement = connection().createStatement();
        ResultSet rows = statement.executeQuery("SELECT DATABASE()")) {
      rows.next();
      return Optional.ofNullable(rows.getString(1)).orElse("");
    }
  }

  private void execute(String sql, String what) {
    try (Statement statement = connection().createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw failed(what, e);
    }
  }

  QsyncException failed(String what, SQLException e) {
    return MySqlErrors.failed(side(), what, e);
  }

  /** The side that failed, for messages: the connection's name and where it points. */
  private String side() {
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
