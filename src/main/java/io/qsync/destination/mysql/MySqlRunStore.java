package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.ChangeCounts;
import io.qsync.source.ResultRead;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.state.RunStore;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Run history in the table {@value #TABLE} of the target database, one row per run. The checkpoint
 * column ({@code applied_through}) is set when a run is recorded and then moved only by {@link
 * MySqlCheckpoint}, inside each batch's transaction. Not thread-safe.
 */
final class MySqlRunStore implements RunStore {
  static final String TABLE = "`_qsync_runs`";

  /**
   * Leaves out the records of {@code qsync verify} ({@link RunRecord#VERIFY}): they changed
   * nothing, so a run never resumes or builds on one, and a sync's newest run is a run.
   */
  private static final String NOT_VERIFY = " AND mode <> '" + RunRecord.VERIFY + "'";

  private static final String COLUMNS =
      "run_id, sync_name, target_table, mode, status, phase, started_at, finished_at, source_rows,"
          + " inserted, updated, deleted, unchanged, changes_total, applied_through,"
          + " batches_applied, resumes, host, pid, connection_id, error";

  /**
   * Added after the first release: a table created before lacks these columns until prepare. {@code
   * source_job}: where the source keeps the run's result; {@code diff_state}: the state a {@code
   * diff: snapshot} run left in the warehouse; {@code throttled_by}: the time the run waited per
   * throttle rule, a JSON object of seconds ({@code {"Threads_running >= 50": 12.5}}); {@code
   * bytes_billed}: the bytes the warehouse billed per kind of job, a JSON object ({@code {"query":
   * 10485760}}); {@code read_path}: how the run read the warehouse's results, and why, a JSON array
   * ({@code [{"result": "query", "api": "storage_read", "streams": 4, "rows": 1234567, "reason":
   * "read_api: auto, ..."}]}).
   */
  private static final String SOURCE_JOB = "source_job";

  private static final String DIFF_STATE = "diff_state";
  private static final String THROTTLED_BY = "throttled_by";
  private static final String BYTES_BILLED = "bytes_billed";
  private static final String READ_PATH = "read_path";

  /** Each added column and its type, in the order they were added. */
  private static final Map<String, String> ADDED_COLUMNS = addedColumns();

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The target's work session, which may be replaced after a lost connection. */
  private final Supplier<Connection> session;

  /** The added columns the table has, once looked up. */
  private java.util.Set<String> addedColumns;

  private final String connectionName;
  private final Caller caller;

  private static Map<String, String> addedColumns() {
    Map<String, String> columns = new LinkedHashMap<>();
    columns.put(SOURCE_JOB, "VARCHAR(1024) NULL");
    columns.put(DIFF_STATE, "VARCHAR(1024) NULL");
    columns.put(THROTTLED_BY, "TEXT NULL");
    columns.put(BYTES_BILLED, "TEXT NULL");
    columns.put(READ_PATH, "TEXT NULL");
    return Collections.unmodifiableMap(columns);
  }

  MySqlRunStore(Supplier<Connection> session, String connectionName) {
    this(session, connectionName, Caller.RUN);
  }

  /**
   * @param caller the command the store works for, whose remedy a passing failure's message gives
   */
  MySqlRunStore(Supplier<Connection> session, String connectionName, Caller caller) {
    this.session = session;
    this.connectionName = connectionName;
    this.caller = requireNonNull(caller, "caller is null");
  }

  private Connection connection() {
    return session.get();
  }

  @Override
  public void prepare() {
    // Looked for first: the server checks CREATE TABLE IF NOT EXISTS for the CREATE privilege even
    // when the table exists, and a user with only SELECT, INSERT and UPDATE on it must be able to
    // run. IF NOT EXISTS still covers another run creating it in between.
    if (!exists()) {
      create();
    }
    for (Map.Entry<String, String> added : ADDED_COLUMNS.entrySet()) {
      String column = added.getKey();
      if (has(column)) {
        continue;
      }
      // MySQL 8 has no ADD COLUMN IF NOT EXISTS: look first. A concurrent ALTER of another run
      // fails this one with a duplicate column (1060), which is as good as success. Without the
      // ALTER privilege (1142) history goes on without the column: a resumed run finds its job
      // by its deterministic id all the same, and a snapshot sync compares in full, saying why.
      // The throttled time is only shown, so any refusal to alter the table (a read-only table,
      // a lock wait) leaves it unrecorded rather than failing the run; a lost connection (SQL
      // state class 08) still fails, and the run's retries take it.
      try (Statement statement = connection().createStatement()) {
        statement.execute(
            "ALTER TABLE " + TABLE + " ADD COLUMN " + column + " " + added.getValue());
        addedColumns.add(column);
      } catch (SQLException e) {
        if (e.getErrorCode() == 1060) {
          addedColumns.add(column);
        } else if (e.getErrorCode() != 1142 && !(shownOnly(column) && !lost(e))) {
          throw MySqlErrors.failed(
              connectionName, caller, "add column " + column + " to " + TABLE, e);
        }
      }
    }
  }

  /** A column only shown, never read by a run: a table that cannot take it goes without. */
  private static boolean shownOnly(String column) {
    return column.equals(THROTTLED_BY) || column.equals(BYTES_BILLED) || column.equals(READ_PATH);
  }

  private void create() {
    execute(
        "CREATE TABLE IF NOT EXISTS "
            + TABLE
            + " ("
            + " run_id VARCHAR(64) NOT NULL PRIMARY KEY,"
            + " sync_name VARCHAR(191) NOT NULL,"
            + " target_table VARCHAR(64) NOT NULL,"
            + " mode VARCHAR(16) NOT NULL,"
            + " status VARCHAR(16) NOT NULL,"
            + " phase VARCHAR(16) NOT NULL,"
            + " started_at DATETIME(6) NOT NULL,"
            + " updated_at DATETIME(6) NULL,"
            + " finished_at DATETIME(6) NULL,"
            + " source_rows BIGINT NULL, inserted BIGINT NULL, updated BIGINT NULL,"
            + " deleted BIGINT NULL, unchanged BIGINT NULL,"
            + " changes_total BIGINT NOT NULL DEFAULT 0,"
            + " applied_through BIGINT NOT NULL DEFAULT 0,"
            + " batches_applied INT NOT NULL DEFAULT 0,"
            + " resumes INT NOT NULL DEFAULT 0,"
            + " host VARCHAR(255) NOT NULL, pid BIGINT NOT NULL, connection_id BIGINT NOT NULL,"
            + " error TEXT NULL,"
            + " KEY by_sync (sync_name, started_at)"
            + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
  }

  private static boolean lost(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("08");
  }

  /** Whether the history table has an added column (false while the table is absent). */
  private boolean has(String column) {
    if (addedColumns == null || !addedColumns.containsAll(ADDED_COLUMNS.keySet())) {
      java.util.Set<String> found = new java.util.HashSet<>();
      try (Statement statement = connection().createStatement();
          ResultSet rows =
              statement.executeQuery(
                  "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                      + " AND TABLE_NAME = '_qsync_runs' AND COLUMN_NAME IN ('"
                      + String.join("', '", ADDED_COLUMNS.keySet())
                      + "')")) {
        while (rows.next()) {
          found.add(rows.getString(1).toLowerCase(java.util.Locale.ROOT));
        }
      } catch (SQLException e) {
        throw MySqlErrors.failed(connectionName, caller, "look for the columns of " + TABLE, e);
      }
      addedColumns = found;
    }
    return addedColumns.contains(column);
  }

  private boolean hasSourceJob() {
    return has(SOURCE_JOB);
  }

  private String selectColumns() {
    return COLUMNS + (hasSourceJob() ? ", " + SOURCE_JOB : ", NULL AS " + SOURCE_JOB);
  }

  @Override
  public void insert(RunRecord run) {
    String placeholders = "?, ".repeat(20) + "?";
    try (PreparedStatement statement =
        connection()
            .prepareStatement(
                "INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES (" + placeholders + ")")) {
      bind(statement, run);
      statement.executeUpdate();
      if (run.sourceJob().isPresent()) {
        update(run);
      }
    } catch (SQLException e) {
      throw MySqlErrors.failed(
          connectionName, caller, "record run " + run.runId() + " in " + TABLE, e);
    }
  }

  @Override
  public void update(RunRecord run) {
    try (PreparedStatement statement =
        connection()
            .prepareStatement(
                "UPDATE "
                    + TABLE
                    + " SET status = ?, phase = ?, finished_at = ?, source_rows = ?,"
                    + " inserted = ?, updated = ?, deleted = ?, unchanged = ?, changes_total = ?,"
                    + " resumes = ?, host = ?, pid = ?, connection_id = ?, error = ?, updated_at = ?"
                    + (hasSourceJob() ? ", " + SOURCE_JOB + " = ?" : "")
                    + " WHERE run_id = ?")) {
      statement.setString(1, run.status().name().toLowerCase(Locale.ROOT));
      statement.setString(2, run.phase().stored());
      setInstant(statement, 3, run.finishedAt().map(Timestamp::from).orElse(null));
      bindCounts(statement, 4, run.counts());
      statement.setLong(9, run.changesTotal());
      statement.setInt(10, run.resumes());
      statement.setString(11, run.host());
      statement.setLong(12, run.pid());
      statement.setLong(13, run.connectionId());
      statement.setString(14, run.error().orElse(null));
      statement.setTimestamp(15, Timestamp.from(java.time.Instant.now()));
      int next = 16;
      if (hasSourceJob()) {
        statement.setString(next++, run.sourceJob().orElse(null));
      }
      statement.setString(next, run.runId());
      statement.executeUpdate();
    } catch (SQLException e) {
      throw MySqlErrors.failed(
          connectionName, caller, "update run " + run.runId() + " in " + TABLE, e);
    }
  }

  @Override
  public Optional<RunRecord> find(String runId) {
    return query("SELECT " + selectColumns() + " FROM " + TABLE + " WHERE run_id = ?", runId)
        .stream()
        .findFirst();
  }

  @Override
  public Optional<RunRecord> lastSucceeded(String sync, String table) {
    return succeeded(sync, table, 1).stream().findFirst();
  }

  @Override
  public List<RunRecord> succeeded(String sync, String table, int limit) {
    return newestOf(sync, table, NOT_VERIFY + " AND status = 'succeeded'", limit);
  }

  @Override
  public Optional<RunRecord> lastVerify(String sync, String table) {
    return newestOf(sync, table, " AND mode = '" + RunRecord.VERIFY + "'", 1).stream().findFirst();
  }

  @Override
  public boolean recordsDiffState() {
    return has(DIFF_STATE);
  }

  @Override
  public void recordDiffState(String runId, String state) {
    if (!has(DIFF_STATE)) {
      return;
    }
    try (PreparedStatement statement =
        connection()
            .prepareStatement("UPDATE " + TABLE + " SET " + DIFF_STATE + " = ? WHERE run_id = ?")) {
      statement.setString(1, state);
      statement.setString(2, runId);
      statement.executeUpdate();
    } catch (SQLException e) {
      throw MySqlErrors.failed(
          connectionName, caller, "record the state of run " + runId + " in " + TABLE, e);
    }
  }

  @Override
  public Optional<String> diffState(String runId) {
    if (!exists() || !has(DIFF_STATE)) {
      return Optional.empty();
    }
    try (PreparedStatement statement =
        connection()
            .prepareStatement("SELECT " + DIFF_STATE + " FROM " + TABLE + " WHERE run_id = ?")) {
      statement.setString(1, runId);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw MySqlErrors.failed(
          connectionName, caller, "read the state of run " + runId + " from " + TABLE, e);
    }
  }

  @Override
  public void addThrottled(String runId, Map<String, Duration> throttledBy) {
    if (throttledBy.isEmpty() || !has(THROTTLED_BY)) {
      return;
    }
    Map<String, Duration> sum =
        new LinkedHashMap<>(throttledBy(List.of(runId)).getOrDefault(runId, Map.of()));
    throttledBy.forEach((rule, waited) -> sum.merge(rule, waited, Duration::plus));
    store(THROTTLED_BY, runId, throttleJson(sum), "the throttled time");
  }

  /** Writes an added JSON column of one run; {@code what} names it for an error. */
  private void store(String column, String runId, String json, String what) {
    try (PreparedStatement statement =
        connection()
            .prepareStatement("UPDATE " + TABLE + " SET " + column + " = ? WHERE run_id = ?")) {
      statement.setString(1, json);
      statement.setString(2, runId);
      statement.executeUpdate();
    } catch (SQLException e) {
      throw MySqlErrors.failed(
          connectionName, caller, "record " + what + " of run " + runId + " in " + TABLE, e);
    }
  }

  @Override
  public Map<String, Map<String, Duration>> throttledBy(Collection<String> runIds) {
    Map<String, Map<String, Duration>> found = new LinkedHashMap<>();
    stored(THROTTLED_BY, runIds, "the throttled time of runs")
        .forEach((runId, json) -> found.put(runId, throttleOf(runId, json)));
    return found;
  }

  /** The non-NULL values of an added JSON column for these runs, by run id. */
  private Map<String, String> stored(String column, Collection<String> runIds, String what) {
    if (runIds.isEmpty() || !exists() || !has(column)) {
      return Map.of();
    }
    Map<String, String> found = new LinkedHashMap<>();
    String placeholders = String.join(", ", Collections.nCopies(runIds.size(), "?"));
    try (PreparedStatement statement =
        connection()
            .prepareStatement(
                "SELECT run_id, "
                    + column
                    + " FROM "
                    + TABLE
                    + " WHERE run_id IN ("
                    + placeholders
                    + ") AND "
                    + column
                    + " IS NOT NULL")) {
      int index = 1;
      for (String runId : runIds) {
        statement.setString(index++, runId);
      }
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          found.put(rows.getString(1), rows.getString(2));
        }
      }
    } catch (SQLException e) {
      throw MySqlErrors.failed(connectionName, caller, "read " + what + " from " + TABLE, e);
    }
    return found;
  }

  @Override
  public void addBytesBilled(String runId, Map<String, Long> bytesBilled) {
    if (bytesBilled.isEmpty() || !has(BYTES_BILLED)) {
      return;
    }
    Map<String, Long> sum =
        new LinkedHashMap<>(bytesBilled(List.of(runId)).getOrDefault(runId, Map.of()));
    bytesBilled.forEach((kind, bytes) -> sum.merge(kind, bytes, Long::sum));
    ObjectNode object = JSON.createObjectNode();
    sum.forEach(object::put);
    store(BYTES_BILLED, runId, object.toString(), "the bytes billed");
  }

  @Override
  public Map<String, Map<String, Long>> bytesBilled(Collection<String> runIds) {
    Map<String, Map<String, Long>> found = new LinkedHashMap<>();
    stored(BYTES_BILLED, runIds, "the bytes billed by runs")
        .forEach((runId, json) -> found.put(runId, bytesOf(runId, json)));
    return found;
  }

  @Override
  public void addReads(String runId, List<ResultRead> reads) {
    if (reads.isEmpty() || !has(READ_PATH)) {
      return;
    }
    ArrayNode array = JSON.createArrayNode();
    for (ResultRead read : reads(List.of(runId)).getOrDefault(runId, List.of())) {
      array.add(readJson(read));
    }
    reads.forEach(read -> array.add(readJson(read)));
    store(READ_PATH, runId, array.toString(), "how the run read the warehouse's results");
  }

  private static ObjectNode readJson(ResultRead read) {
    ObjectNode object = JSON.createObjectNode();
    object.put("result", read.result());
    object.put("api", read.api().stored());
    object.put("streams", read.streams());
    object.put("rows", read.rows());
    object.put("reason", read.reason());
    return object;
  }

  @Override
  public Map<String, List<ResultRead>> reads(Collection<String> runIds) {
    Map<String, List<ResultRead>> found = new LinkedHashMap<>();
    stored(READ_PATH, runIds, "how runs read the warehouse's results")
        .forEach((runId, json) -> found.put(runId, readsOf(runId, json)));
    return found;
  }

  /** Reads a {@code read_path} value; one qsync did not write is an error that names the run. */
  private static List<ResultRead> readsOf(String runId, String json) {
    List<ResultRead> reads = new ArrayList<>();
    try {
      JsonNode array = JSON.readTree(json);
      if (!array.isArray()) {
        throw new IllegalArgumentException("not a JSON array");
      }
      for (JsonNode read : array) {
        if (!read.path("streams").isInt() || !read.path("rows").canConvertToLong()) {
          throw new IllegalArgumentException("a read without its streams and rows");
        }
        reads.add(
            new ResultRead(
                read.path("result").asText(),
                ResultRead.Api.ofStored(read.path("api").asText()),
                read.path("streams").intValue(),
                read.path("rows").longValue(),
                read.path("reason").asText()));
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw unreadable(runId, READ_PATH, e);
    }
    return reads;
  }

  /** A JSON column holds what qsync did not write: the error names the run and the fix. */
  private static QsyncException unreadable(String runId, String column, Exception e) {
    return new QsyncException(
        ErrorKind.FAILED,
        "target: run "
            + runId
            + " in "
            + TABLE
            + " has a "
            + column
            + " qsync cannot read ("
            + e.getMessage()
            + ")\nSet it to NULL: UPDATE _qsync_runs SET "
            + column
            + " = NULL WHERE run_id = '"
            + runId
            + "'",
        e);
  }

  /** Reads a {@code bytes_billed} value; one qsync did not write is an error that names the run. */
  private static Map<String, Long> bytesOf(String runId, String json) {
    Map<String, Long> bytes = new LinkedHashMap<>();
    try {
      JsonNode object = JSON.readTree(json);
      if (!object.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      for (Map.Entry<String, JsonNode> kind : object.properties()) {
        if (!kind.getValue().isIntegralNumber() || !kind.getValue().canConvertToLong()) {
          throw new IllegalArgumentException(kind.getKey() + " is not a number of bytes");
        }
        bytes.put(kind.getKey(), kind.getValue().longValue());
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw unreadable(runId, BYTES_BILLED, e);
    }
    return bytes;
  }

  /** The throttled time as stored: a JSON object of seconds per rule, to the millisecond. */
  static String throttleJson(Map<String, Duration> throttledBy) {
    ObjectNode object = JSON.createObjectNode();
    throttledBy.forEach(
        (rule, waited) -> object.put(rule, BigDecimal.valueOf(waited.toMillis(), 3)));
    return object.toString();
  }

  /**
   * The self-throttle's rule as qsync names it today, for one stored by a version that named it
   * {@code self-throttle, probe within 1.3x baseline} (or {@code ... within 2.00ms}): a sync's
   * history keeps one series for it across the rename.
   */
  static String currentRule(String stored) {
    Matcher old = OLD_SELF_THROTTLE_RULE.matcher(stored);
    if (!old.matches()) {
      return stored;
    }
    String budget = old.group(2) != null ? old.group(2) + "x its baseline" : old.group(3);
    return "self-throttle to keep the probe within " + budget;
  }

  private static final Pattern OLD_SELF_THROTTLE_RULE =
      Pattern.compile("self-throttle, probe within ((\\S+)x baseline|(\\S+ms))");

  /** Reads {@link #throttleJson}; a value qsync did not write is an error that names the run. */
  static Map<String, Duration> throttleOf(String runId, String json) {
    Map<String, Duration> throttledBy = new LinkedHashMap<>();
    try {
      JsonNode object = JSON.readTree(json);
      if (!object.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      for (Map.Entry<String, JsonNode> rule : object.properties()) {
        if (!rule.getValue().isNumber()) {
          throw new IllegalArgumentException(rule.getKey() + " is not a number of seconds");
        }
        throttledBy.merge(
            currentRule(rule.getKey()),
            Duration.ofMillis(rule.getValue().decimalValue().movePointRight(3).longValue()),
            Duration::plus);
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw unreadable(runId, THROTTLED_BY, e);
    }
    return throttledBy;
  }

  @Override
  public Optional<RunRecord> unfinished(String sync, String table) {
    return query(
            "SELECT "
                + selectColumns()
                + " FROM "
                + TABLE
                + " WHERE sync_name = ? AND target_table = ?"
                + NOT_VERIFY
                + " ORDER BY started_at DESC, run_id DESC LIMIT 1",
            sync,
            table)
        .stream()
        .filter(run -> run.status().unfinished())
        .findFirst();
  }

  @Override
  public Optional<RunRecord> unfinishedOfAnyTable(String sync) {
    return query(
            "SELECT "
                + selectColumns()
                + " FROM "
                + TABLE
                + " WHERE sync_name = ?"
                + NOT_VERIFY
                + " ORDER BY started_at DESC, run_id DESC LIMIT 1",
            sync)
        .stream()
        .filter(run -> run.status().unfinished())
        .findFirst();
  }

  @Override
  public List<RunRecord> history(String sync, String table, int limit) {
    return newestOf(sync, table, NOT_VERIFY, limit);
  }

  @Override
  public Optional<RunRecord> stoppedPartWaySince(String sync, String table, Instant since) {
    return newestOf(
            sync,
            table,
            NOT_VERIFY + " AND started_at >= ? AND status <> 'succeeded' AND applied_through > 0",
            1,
            Timestamp.from(since))
        .stream()
        .findFirst();
  }

  @Override
  public List<RunRecord> historyWithVerifies(String sync, String table, int limit) {
    return newestOf(sync, table, "", limit);
  }

  /**
   * The newest records of {@code sync} on {@code table} that meet {@code condition} (SQL that
   * follows the sync and table's, from {@code " AND"} on, its parameters {@code more}), at most
   * {@code limit}.
   */
  private List<RunRecord> newestOf(
      String sync, String table, String condition, int limit, Object... more) {
    Object[] parameters = new Object[2 + more.length];
    parameters[0] = sync;
    parameters[1] = table;
    System.arraycopy(more, 0, parameters, 2, more.length);
    return query(
        "SELECT "
            + selectColumns()
            + " FROM "
            + TABLE
            + " WHERE sync_name = ? AND target_table = ?"
            + condition
            + " ORDER BY started_at DESC, run_id DESC LIMIT "
            + Math.max(1, limit),
        parameters);
  }

  @Override
  public List<RunRecord> latestPerSync() {
    if (!exists()) {
      return List.of();
    }
    return query(
        "SELECT "
            + selectColumns()
            + " FROM "
            + TABLE
            + " r WHERE run_id = (SELECT run_id FROM "
            + TABLE
            + " n WHERE n.sync_name = r.sync_name"
            + NOT_VERIFY
            + " ORDER BY started_at DESC, run_id DESC LIMIT 1)"
            + " ORDER BY sync_name");
  }

  private boolean exists() {
    try (Statement statement = connection().createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                    + " AND TABLE_NAME = '_qsync_runs'")) {
      rows.next();
      return rows.getLong(1) > 0;
    } catch (SQLException e) {
      throw MySqlErrors.failed(connectionName, caller, "look for " + TABLE, e);
    }
  }

  /** The runs {@code sql} selects, its parameters strings or timestamps. */
  private List<RunRecord> query(String sql, Object... parameters) {
    if (parameters.length > 0 && !exists()) {
      return List.of();
    }
    List<RunRecord> runs = new ArrayList<>();
    try (PreparedStatement statement = connection().prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        if (parameters[i] instanceof Timestamp timestamp) {
          statement.setTimestamp(i + 1, timestamp);
        } else {
          statement.setString(i + 1, (String) parameters[i]);
        }
      }
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          runs.add(read(rows));
        }
      }
    } catch (SQLException e) {
      throw MySqlErrors.failed(connectionName, caller, "read run history from " + TABLE, e);
    }
    return runs;
  }

  private static RunRecord read(ResultSet rows) throws SQLException {
    Optional<ChangeCounts> counts = Optional.empty();
    rows.getLong("source_rows");
    if (!rows.wasNull()) {
      counts =
          Optional.of(
              new ChangeCounts(
                  rows.getLong("source_rows"),
                  rows.getLong("inserted"),
                  rows.getLong("updated"),
                  rows.getLong("deleted"),
                  rows.getLong("unchanged")));
    }
    Timestamp finished = rows.getTimestamp("finished_at");
    return new RunRecord(
        rows.getString("run_id"),
        rows.getString("sync_name"),
        rows.getString("target_table"),
        rows.getString("mode"),
        RunStatus.valueOf(rows.getString("status").toUpperCase(Locale.ROOT)),
        RunPhase.ofStored(rows.getString("phase")),
        rows.getTimestamp("started_at").toInstant(),
        Optional.ofNullable(finished).map(Timestamp::toInstant),
        counts,
        rows.getLong("changes_total"),
        rows.getLong("applied_through"),
        rows.getInt("batches_applied"),
        rows.getInt("resumes"),
        rows.getString("host"),
        rows.getLong("pid"),
        rows.getLong("connection_id"),
        Optional.ofNullable(rows.getString("error")),
        Optional.ofNullable(rows.getString(SOURCE_JOB)));
  }

  private static void bind(PreparedStatement statement, RunRecord run) throws SQLException {
    statement.setString(1, run.runId());
    statement.setString(2, run.sync());
    statement.setString(3, run.table());
    statement.setString(4, run.mode());
    statement.setString(5, run.status().name().toLowerCase(Locale.ROOT));
    statement.setString(6, run.phase().stored());
    statement.setTimestamp(7, Timestamp.from(run.startedAt()));
    setInstant(statement, 8, run.finishedAt().map(Timestamp::from).orElse(null));
    bindCounts(statement, 9, run.counts());
    statement.setLong(14, run.changesTotal());
    statement.setLong(15, run.appliedThrough());
    statement.setInt(16, run.batchesApplied());
    statement.setInt(17, run.resumes());
    statement.setString(18, run.host());
    statement.setLong(19, run.pid());
    statement.setLong(20, run.connectionId());
    statement.setString(21, run.error().orElse(null));
  }

  private static void bindCounts(
      PreparedStatement statement, int first, Optional<ChangeCounts> counts) throws SQLException {
    if (counts.isEmpty()) {
      for (int i = 0; i < 5; i++) {
        statement.setNull(first + i, Types.BIGINT);
      }
      return;
    }
    ChangeCounts c = counts.get();
    statement.setLong(first, c.sourceRows());
    statement.setLong(first + 1, c.inserts());
    statement.setLong(first + 2, c.updates());
    statement.setLong(first + 3, c.deletes());
    statement.setLong(first + 4, c.unchanged());
  }

  private static void setInstant(PreparedStatement statement, int index, Timestamp value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.TIMESTAMP);
    } else {
      statement.setTimestamp(index, value);
    }
  }

  private void execute(String sql) {
    try (Statement statement = connection().createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw MySqlErrors.failed(connectionName, caller, "create " + TABLE, e);
    }
  }
}
