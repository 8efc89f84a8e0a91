package io.qsync.testing.bigquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.qsync.testing.JdbcRows;
import io.qsync.testing.bigquery.BigQueryFields.Field;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * An in-process BigQuery: an HTTP server on 127.0.0.1 that speaks enough of the BigQuery v2 REST
 * protocol for Google's Java client ({@code BigQueryOptions.setHost(emulator.host())} with {@code
 * NoCredentials}), running the SQL in an embedded DuckDB. Source tables are created with {@link
 * #execute} in DuckDB's dialect, a dataset being a DuckDB schema; queries may name them as {@code
 * dataset.table} or {@code `project.dataset.table`}.
 *
 * <p>Faithful where qsync depends on it, each behaviour cited from Google's reference beside its
 * code: jobs with caller-chosen ids (a second insert of an id is a 409 {@code duplicate}), the
 * anonymous result table every query job writes and {@code tabledata.list} re-reads, page tokens
 * and {@code startIndex}, value encodings ({@link BigQueryValues}), error bodies, tables.list in
 * pages, table labels and expirations (a dataset's default one too), bytes processed and billed
 * (dry runs and jobs) counted as BigQuery counts them, only the columns a query reads ({@link
 * #bytes}), and the GoogleSQL functions of {@code diff: snapshot} ({@link #MACROS}, {@link
 * #functions}), GoogleSQL's lexical structure (comments, string escapes, raw and triple-quoted
 * strings: {@link GoogleSqlText}). Jobs finish before {@code jobs.insert} returns. The Storage Read
 * API is served beside it, plain gRPC on a port of its own ({@link #storageHost}, {@link
 * BigQueryReadService}), in Arrow, from the rows {@code tabledata.list} gives.
 *
 * <p>Faults for tests: {@link #failRequest}, {@link #stallRequests}, {@link #slowRequests}, {@link
 * #expireResultTable}, {@link #reverseTableData}; for the Storage Read API {@link
 * #denyReadSessions}, {@link #expireNewReadSessions}, {@link #expireReadSessionAfterRows}, {@link
 * #breakReadStreams}. Counters: {@link #queriesRun}, {@link #rowsServed}, {@link #requests} ({@code
 * storage.createReadSession}, {@code storage.readRows} too), {@link #readSessionsCreated}, {@link
 * #jobIds}. Thread-safe; {@link #close} stops the server.
 */
public final class BigQueryEmulator implements AutoCloseable {
  /** The dataset that holds the anonymous result tables of queries without a destination. */
  public static final String ANONYMOUS_DATASET = "_qsync_emulator_anonymous";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String PREFIX = "/bigquery/v2/projects/";
  private static final Pattern STRUCT = Pattern.compile("(?i)\\bSTRUCT\\s*\\(");
  private static final Pattern NUMERIC_CAST = Pattern.compile("(?i)\\bAS\\s+NUMERIC\\b");
  private static final Pattern STRING_CAST = Pattern.compile("(?is)(.*)\\s+AS\\s+STRING\\s*");
  private static final Pattern UNNEST_WITH_OFFSET =
      Pattern.compile(
          "(?i)\\bUNNEST\\(([^()]*)\\)\\s+AS\\s+(\\w+)\\s+WITH\\s+OFFSET\\s+AS\\s+(\\w+)");
  private static final Pattern FLOAT64_CAST = Pattern.compile("(?i)\\bAS\\s+FLOAT64\\b");
  private static final Pattern NORMALIZE_NFD =
      Pattern.compile("(?is)\\s*NORMALIZE\\s*\\((.*),\\s*NFD\\s*\\)\\s*");

  /**
   * GoogleSQL functions qsync's snapshot SQL uses, as DuckDB macros:
   *
   * <ul>
   *   <li>{@code FARM_FINGERPRINT(s)}: "a signed INT64 fingerprint of a STRING or BYTES"
   *       (cloud.google.com/bigquery/docs/reference/standard-sql/hash_functions#farm_fingerprint);
   *       DuckDB's hash() (an unsigned 64-bit hash) moved into INT64's range. Another hash than
   *       Farm's, but as deterministic: equal inputs, equal fingerprints.
   *   <li>{@code TO_JSON_STRING(x)}: a value, or a whole row named by its table alias, as JSON text
   *       (cloud.google.com/bigquery/docs/reference/standard-sql/json_functions#to_json_string);
   *       DuckDB's to_json, which takes a row alias as a struct alike.
   * </ul>
   *
   * <p>And those of {@code qsync verify}'s checksums ({@code MD5} and {@code TO_HEX} are renamed by
   * {@link #functions}, as DuckDB has functions of those names that do otherwise):
   *
   * <ul>
   *   <li>{@code MD5(x)}: "Computes the hash of the input using the MD5 algorithm. The input can
   *       either be STRING or BYTES ... This function returns 16 bytes" (hash_functions#md5);
   *       DuckDB's md5 gives the hex of those bytes, which unhex turns back into the bytes.
   *   <li>{@code TO_HEX(bytes)}: "Converts a sequence of BYTES into a hexadecimal STRING ... The
   *       letters in the STRING are lowercase" (string_functions#to_hex); DuckDB's hex writes upper
   *       case.
   *   <li>{@code BYTE_LENGTH(x)}: "Gets the number of BYTES in a STRING or BYTES value"
   *       (string_functions#byte_length); DuckDB's strlen, the bytes of a VARCHAR's UTF-8.
   *   <li>{@code IS_NAN(x)}, {@code IS_INF(x)} (mathematical_functions#is_nan, #is_inf): DuckDB's
   *       isnan, isinf.
   *   <li>{@code FORMAT_DATETIME(f, x)}, {@code FORMAT_TIME(f, x)}, {@code FORMAT_TIMESTAMP(f, x,
   *       'UTC')} (datetime_functions#format_datetime, ...): DuckDB's strftime, whose elements are
   *       C's as BigQuery's are, but for {@code %E6S}, "seconds with 6 digits of fractional
   *       precision" (format-elements#format_elements_date_time), DuckDB's {@code %S.%f}. The
   *       emulator's time zone is UTC; another zone is refused.
   *   <li>{@code ST_ASTEXT(g)}: "Returns the WKT representation of an input GEOGRAPHY"
   *       (geography_functions#st_astext); the emulator holds a GEOGRAPHY as its WKT text.
   *   <li>{@code CAST(x AS STRING)} of an INTERVAL: its canonical format, {@code Y-M D H:M:S[.F]}
   *       (data-types#interval_type, conversion_functions#cast_as_string), as the API returns it
   *       ({@link BigQueryValues}): {@code bq_cast_string}, which {@link #functions} puts in place
   *       of every such cast, casts any other type as DuckDB does (the type is known when the query
   *       is bound, so the CASE folds away).
   * </ul>
   */
  private static final List<String> MACROS =
      List.of(
          "CREATE MACRO farm_fingerprint(x) AS (hash(x)::HUGEINT - 9223372036854775808)::BIGINT",
          "CREATE MACRO to_json_string(x) AS to_json(x)::VARCHAR",
          "CREATE MACRO bq_md5(x) AS unhex(md5(x))",
          "CREATE MACRO bq_to_hex(x) AS lower(hex(x))",
          "CREATE MACRO byte_length(x) AS strlen(x)",
          "CREATE MACRO is_nan(x) AS isnan(x)",
          "CREATE MACRO is_inf(x) AS isinf(x)",
          "CREATE MACRO format_datetime(f, x) AS strftime(x, replace(f, '%E6S', '%S.%f'))",
          "CREATE MACRO format_time(f, x) AS"
              + " strftime(DATE '2000-01-01' + x, replace(f, '%E6S', '%S.%f'))",
          "CREATE MACRO format_timestamp(f, x, z) AS CASE WHEN z = 'UTC' THEN"
              + " strftime(x, replace(f, '%E6S', '%S.%f')) ELSE error('the emulator formats"
              + " timestamps in UTC only') END",
          "CREATE MACRO st_astext(g) AS g",
          "CREATE MACRO bq_regexp_extract(s, p, g) AS nullif(regexp_extract(s, p, g), '')",
          "CREATE MACRO bq_micros_text(u) AS CASE WHEN u < 0 THEN '-' ELSE '' END"
              + " || CAST(abs(u) // 3600000000 AS VARCHAR) || ':'"
              + " || CAST(abs(u) // 60000000 % 60 AS VARCHAR) || ':'"
              + " || CAST(abs(u) // 1000000 % 60 AS VARCHAR) || CASE WHEN abs(u) % 1000000 = 0"
              + " THEN '' ELSE '.' || rtrim(lpad(CAST(abs(u) % 1000000 AS VARCHAR), 6, '0'), '0')"
              + " END",
          "CREATE MACRO bq_interval_text(x) AS CASE WHEN datepart('year', x) * 12"
              + " + datepart('month', x) < 0 THEN '-' ELSE '' END"
              + " || CAST(abs(datepart('year', x) * 12 + datepart('month', x)) // 12 AS VARCHAR)"
              + " || '-' || CAST(abs(datepart('year', x) * 12 + datepart('month', x)) % 12 AS"
              + " VARCHAR) || ' ' || CAST(datepart('day', x) AS VARCHAR) || ' '"
              + " || bq_micros_text((datepart('hour', x) * 3600::BIGINT + datepart('minute', x)"
              + " * 60) * 1000000 + datepart('microseconds', x))",
          "CREATE MACRO bq_cast_string(x) AS CASE WHEN typeof(x) = 'INTERVAL' THEN"
              + " bq_interval_text(TRY_CAST(CAST(x AS VARCHAR) AS INTERVAL)) WHEN typeof(x) LIKE"
              + " 'DECIMAL%' AND contains(CAST(x AS VARCHAR), '.') THEN"
              + " rtrim(rtrim(CAST(x AS VARCHAR), '0'), '.') ELSE CAST(x AS VARCHAR) END");

  private final String project;
  private final HttpServer server;
  private final ExecutorService executor;
  private final Connection duckDb;
  private final Map<String, String> declaredTypes = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> jobs = new ConcurrentHashMap<>();
  private final Map<String, Map<String, ObjectNode>> tables = new ConcurrentHashMap<>();
  private final Map<String, Duration> defaultExpirations = new ConcurrentHashMap<>();
  private final Map<String, Long> timeTravelHours = new ConcurrentHashMap<>();
  private final Map<String, Long> requestCounts = new ConcurrentHashMap<>();
  private final List<Fault> faults = new ArrayList<>();
  private final List<Stall> stalls = new ArrayList<>();
  private final Map<String, Long> expiries = new HashMap<>();
  private final Map<String, Duration> delays = new ConcurrentHashMap<>();
  private final AtomicLong queries = new AtomicLong();
  private final AtomicLong rows = new AtomicLong();
  private volatile boolean reverseTableData;
  private volatile Long bytesProcessedPerQuery;
  private final BigQueryReadService storage;
  private volatile int storageStreams = 3;

  /** A fault armed for the {@code nth} request of {@code kind} (any kind when null) from now. */
  private static final class Fault {
    final String kind;
    long remaining;
    final int status;
    final String reason;
    int times;

    Fault(String kind, long nth, int status, String reason, int times) {
      this.kind = kind;
      this.remaining = nth;
      this.status = status;
      this.reason = reason;
      this.times = times;
    }
  }

  /** A stall armed for the {@code nth} request of {@code kind} from now. */
  private static final class Stall {
    final String kind;
    long remaining;
    final Duration hold;
    int times;

    Stall(String kind, long nth, Duration hold, int times) {
      this.kind = kind;
      this.remaining = nth;
      this.hold = hold;
      this.times = times;
    }
  }

  private BigQueryEmulator(String project) throws IOException, SQLException {
    this.project = project;
    this.duckDb = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement statement = duckDb.createStatement()) {
      statement.execute("CREATE SCHEMA \"" + ANONYMOUS_DATASET + "\"");
      statement.execute("SET TimeZone = 'UTC'");
      for (String macro : MACROS) {
        statement.execute(macro);
      }
    }
    tables.put(ANONYMOUS_DATASET, new ConcurrentHashMap<>());
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    // A thread per request in flight: a stalled answer holds its thread, not the others'.
    this.executor =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread = new Thread(runnable, "bigquery-emulator");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    this.storage = new BigQueryReadService(this);
  }

  /** Starts an emulator for one project on a free port. */
  public static BigQueryEmulator start(String project) {
    try {
      return new BigQueryEmulator(project);
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("cannot start the BigQuery emulator: " + e.getMessage(), e);
    }
  }

  /** What the client's {@code setHost} takes: {@code http://127.0.0.1:PORT}. */
  public String host() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public String project() {
    return project;
  }

  // ---- the Storage Read API (BigQueryReadService) ----

  /** What {@code storage_host} takes: {@code http://127.0.0.1:PORT} (plaintext gRPC). */
  public String storageHost() {
    return "http://127.0.0.1:" + storage.port();
  }

  /** At most this many streams per read session (3 unless set; BigQuery decides its own). */
  public void storageStreams(int streams) {
    this.storageStreams = streams;
  }

  int storageStreams() {
    return storageStreams;
  }

  /** Rows per Arrow record batch of ReadRows (1024 unless set). */
  public void storageBatchRows(int rows) {
    storage.batchRows = rows;
  }

  /** The next {@code times} CreateReadSession calls are denied (PERMISSION_DENIED). */
  public void denyReadSessions(int times) {
    storage.deny.set(times);
  }

  /** The next {@code times} read sessions are expired when first read (FAILED_PRECONDITION). */
  public void expireNewReadSessions(int times) {
    storage.expireNew.set(times);
  }

  /**
   * The read session of the next ReadRows call to have sent {@code rows} rows expires there, as one
   * does that lives past its hours while it is read.
   */
  public void expireReadSessionAfterRows(long rows) {
    storage.expireAfterRows.set(rows);
  }

  /** Every read session made so far expires. */
  public void expireReadSessions() {
    storage.expireAll();
  }

  /**
   * The next {@code times} ReadRows calls that have sent {@code rows} rows break there
   * (UNAVAILABLE), as a reset connection does.
   */
  public void breakReadStreams(long rows, int times) {
    storage.breakAfterRows = rows;
    storage.breaks.set(times);
  }

  /** Read sessions created so far. */
  public long readSessionsCreated() {
    return storage.sessionsCreated();
  }

  /**
   * Rows {@code start} to {@code start + count} of a table as {@code tabledata.list} gives them
   * (timestamps as int64 microseconds), with its schema and {@code totalRows}: what the Storage
   * Read API serves in Arrow.
   */
  ObjectNode storagePage(String dataset, String table, long start, long count) {
    return page(
        dataset,
        table,
        Map.of(
            "startIndex",
            Long.toString(start),
            "maxResults",
            Long.toString(count),
            "formatOptions.useInt64Timestamp",
            "true"));
  }

  void countRequest(String kind) {
    requestCounts.merge(kind, 1L, Long::sum);
  }

  /**
   * Runs DuckDB statements in the emulator's warehouse, e.g. {@code CREATE SCHEMA ds; CREATE TABLE
   * ds.t AS ...}. A schema is a dataset; its tables are BigQuery tables.
   */
  public synchronized void execute(String... statements) {
    try (Statement statement = duckDb.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("emulator SQL failed: " + e.getMessage(), e);
    }
  }

  /**
   * Declares the BigQuery type of VARCHAR result columns of this name, for types DuckDB lacks:
   * {@code GEOGRAPHY} (WKT text), {@code BIGNUMERIC} (decimal text beyond 38 digits), {@code
   * RANGE<DATE>} ({@code "[2024-01-01, UNBOUNDED)"}).
   */
  public void declareType(String column, String bigQueryType) {
    declaredTypes.put(column.toLowerCase(Locale.ROOT), bigQueryType);
  }

  /**
   * The bytes every job that runs from now processes and bills, instead of what it reads (see
   * {@link #bytes}): a size no test table has, for maximumBytesBilled.
   */
  public void bytesProcessedPerQuery(long bytes) {
    bytesProcessedPerQuery = bytes;
  }

  /** Every row of a DuckDB query over the emulator's warehouse, as strings, for assertions. */
  public synchronized List<List<String>> rows(String sql) {
    try {
      return JdbcRows.read(duckDb, sql);
    } catch (SQLException e) {
      throw new IllegalStateException("emulator SQL failed: " + e.getMessage(), e);
    }
  }

  // ---- faults and counters ----

  /**
   * Answers the {@code nth} request of {@code kind} from now ({@code "tabledata.list"}, {@code
   * "jobs.insert"}, ...; null for any kind) with an error of this status and reason, {@code times}
   * times in a row.
   */
  public synchronized void failRequest(String kind, int nth, int status, String reason, int times) {
    faults.add(new Fault(kind, nth, status, reason, times));
  }

  public void failRequest(String kind, int nth, int status, String reason) {
    failRequest(kind, nth, status, reason, 1);
  }

  /**
   * Holds the answer to the {@code nth} request of {@code kind} from now for {@code hold}, {@code
   * times} requests in a row: the request takes effect (a job is created, a page is read), but its
   * answer is sent only after {@code hold} — to a client that has usually stopped waiting. This is
   * how a stalled connection or an overloaded frontend looks from the client's side: no error body,
   * no status, only silence until the client's read timeout. Google's client surfaces it as a
   * {@code BigQueryException} without a reason, caused by an {@code InterruptedException} (gax's
   * DirectRetryingExecutor turns the socket's SocketTimeoutException, an InterruptedIOException,
   * into an interrupt).
   */
  public synchronized void stallRequests(String kind, int nth, Duration hold, int times) {
    stalls.add(new Stall(kind, nth, hold, times));
  }

  /** Disarms every fault, stall and expiry not yet spent: BigQuery is well again. */
  public synchronized void clearFaults() {
    faults.clear();
    stalls.clear();
    expiries.clear();
  }

  /** Delays every request of {@code kind} (a slow page), until set to {@link Duration#ZERO}. */
  public void slowRequests(String kind, Duration delay) {
    delays.put(kind, delay);
  }

  /** Deletes a job's result table, as BigQuery does when a temporary table expires. */
  public synchronized void expireResultTable(String jobId) {
    ObjectNode job = jobs.get(jobId);
    if (job == null || !job.path("configuration").path("query").has("destinationTable")) {
      throw new IllegalArgumentException("no query job " + jobId);
    }
    JsonNode destination = job.path("configuration").path("query").path("destinationTable");
    dropTable(destination.path("datasetId").asText(), destination.path("tableId").asText());
  }

  /**
   * Drops the table that the {@code nth} request of {@code kind} from now names (a {@code
   * tabledata.list} or {@code tables.get} of it) just before serving it, as BigQuery deletes a
   * table whose expiration time passes ("When the expiration time is reached, the table is deleted
   * along with all of its data",
   * cloud.google.com/bigquery/docs/managing-tables#updating_a_tables_expiration_time): a read in
   * progress then meets a 404 {@code notFound}, "Not found: Table ...".
   */
  public synchronized void expireTableAt(String kind, int nth) {
    expiries.put(kind, (long) nth);
  }

  /** Serves table data in reverse order from now: row order across reads is not documented. */
  public void reverseTableData(boolean reverse) {
    reverseTableData = reverse;
  }

  /** Queries that ran (jobs.insert and jobs.query, dry runs excluded). */
  public long queriesRun() {
    return queries.get();
  }

  /** Rows served by tabledata.list, jobs.query and jobs.getQueryResults. */
  public long rowsServed() {
    return rows.get();
  }

  /** Requests of one kind served or failed so far. */
  public long requests(String kind) {
    return requestCounts.getOrDefault(kind, 0L);
  }

  public Map<String, Long> requests() {
    return Map.copyOf(requestCounts);
  }

  /** Ids of the jobs created so far. */
  public List<String> jobIds() {
    return List.copyOf(jobs.keySet());
  }

  @Override
  public void close() {
    storage.close();
    server.stop(0);
    executor.shutdownNow();
    try {
      duckDb.close();
    } catch (SQLException e) {
      // an in-memory database loses nothing
    }
  }

  // ---- HTTP ----

  /** An error answered in Google's shape (cloud.google.com/bigquery/docs/error-messages). */
  static final class ApiError extends RuntimeException {
    final int status;
    final String reason;

    ApiError(int status, String reason, String message) {
      super(message);
      this.status = status;
      this.reason = reason;
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      Map<String, String> query = queryParameters(exchange.getRequestURI().getRawQuery());
      // The client's HTTP transport sends PATCH as POST with X-HTTP-Method-Override.
      String method =
          Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-HTTP-Method-Override"))
              .orElse(exchange.getRequestMethod());
      JsonNode reply;
      int status = 200;
      String kind = "unknown";
      Duration stall = Duration.ZERO;
      try {
        if (!path.startsWith(PREFIX)) {
          throw new ApiError(404, "notFound", "Not found: URL " + path);
        }
        List<String> segments = new ArrayList<>();
        for (String segment : path.substring(PREFIX.length()).split("/")) {
          segments.add(URLDecoder.decode(segment, StandardCharsets.UTF_8));
        }
        String requestProject = segments.get(0);
        List<String> rest = segments.subList(1, segments.size());
        kind = kind(method, rest);
        requestCounts.merge(kind, 1L, Long::sum);
        stall = stall(kind);
        Duration delay = delays.getOrDefault(kind, Duration.ZERO);
        if (!delay.isZero()) {
          Thread.sleep(delay.toMillis());
        }
        injectFault(kind);
        expireIfDue(kind, rest);
        JsonNode body = readBody(exchange);
        reply = dispatch(kind, requestProject, rest, query, body);
        if (reply == null) {
          status = 204;
        }
      } catch (ApiError e) {
        status = e.status;
        reply = errorBody(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        status = 503;
        reply = errorBody(new ApiError(503, "backendError", "emulator stopping"));
      } catch (RuntimeException e) {
        status = 500;
        reply = errorBody(new ApiError(500, "internalError", "emulator bug in " + kind + ": " + e));
      }
      if (!stall.isZero()) {
        try {
          Thread.sleep(stall.toMillis()); // an error answer stalls alike
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return; // the emulator is closing
        }
      }
      byte[] bytes = reply == null ? new byte[0] : JSON.writeValueAsBytes(reply);
      try {
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        }
      } catch (IOException e) {
        // The client stopped waiting (a stalled answer, past its read timeout): nobody to tell.
      }
    }
  }

  private static String kind(String method, List<String> rest) {
    String resource = rest.isEmpty() ? "" : rest.get(0);
    int depth = rest.size();
    return switch (resource) {
      case "jobs" ->
          depth == 1
              ? (method.equals("POST") ? "jobs.insert" : "jobs.list")
              : depth == 3 && rest.get(2).equals("cancel")
                  ? "jobs.cancel"
                  : method.equals("DELETE") ? "jobs.delete" : "jobs.get";
      case "queries" -> depth == 1 ? "jobs.query" : "jobs.getQueryResults";
      case "datasets" -> {
        if (depth <= 2) {
          yield "datasets." + verb(method, depth == 1);
        }
        if (depth <= 4) {
          yield "tables." + verb(method, depth == 3);
        }
        yield method.equals("POST") ? "tabledata.insertAll" : "tabledata.list";
      }
      default -> method + " " + String.join("/", rest);
    };
  }

  private static String verb(String method, boolean collection) {
    return switch (method) {
      case "POST" -> collection ? "insert" : "post";
      case "DELETE" -> "delete";
      case "PATCH" -> "patch";
      case "PUT" -> "update";
      default -> collection ? "list" : "get";
    };
  }

  private synchronized void injectFault(String kind) {
    for (Fault fault : faults) {
      if (fault.times > 0 && (fault.kind == null || fault.kind.equals(kind))) {
        if (fault.remaining > 1) {
          fault.remaining--;
          continue;
        }
        fault.times--;
        throw new ApiError(
            fault.status,
            fault.reason,
            "injected " + fault.reason + " (" + fault.status + ") on " + kind);
      }
    }
  }

  private synchronized void expireIfDue(String kind, List<String> rest) {
    Long remaining = expiries.get(kind);
    if (remaining == null) {
      return;
    }
    if (remaining > 1) {
      expiries.put(kind, remaining - 1);
      return;
    }
    expiries.remove(kind);
    if (rest.size() < 4 || !rest.get(2).equals("tables")) {
      throw new IllegalStateException("request " + kind + " names no table to expire");
    }
    dropTable(rest.get(1), rest.get(3));
  }

  /** How long to hold the answer to this request: zero unless a stall is armed for it. */
  private synchronized Duration stall(String kind) {
    for (Stall stall : stalls) {
      if (stall.times > 0 && (stall.kind == null || stall.kind.equals(kind))) {
        if (stall.remaining > 1) {
          stall.remaining--;
          continue;
        }
        stall.times--;
        return stall.hold;
      }
    }
    return Duration.ZERO;
  }

  private JsonNode dispatch(
      String kind,
      String requestProject,
      List<String> rest,
      Map<String, String> query,
      JsonNode body) {
    return switch (kind) {
      case "jobs.insert" -> insertJob(requestProject, body, query);
      case "jobs.get" -> getJob(rest.get(1));
      case "jobs.cancel" ->
          NODES
              .objectNode()
              .put("kind", "bigquery#jobCancelResponse")
              .set("job", getJob(rest.get(1)));
      case "jobs.query" -> query(requestProject, body);
      case "jobs.getQueryResults" -> getQueryResults(rest.get(1), query);
      case "datasets.get" -> getDataset(rest.get(1));
      case "datasets.insert" -> insertDataset(body);
      case "datasets.patch", "datasets.update" -> patchDataset(rest.get(1), body);
      case "datasets.delete" ->
          deleteDataset(rest.get(1), "true".equals(query.get("deleteContents")));
      case "tables.get" -> getTable(rest.get(1), rest.get(3));
      case "tables.list" -> listTables(rest.get(1), query);
      case "tables.insert" -> insertTable(rest.get(1), body);
      case "tables.patch", "tables.update" -> patchTable(rest.get(1), rest.get(3), body);
      case "tables.delete" -> {
        getTable(rest.get(1), rest.get(3));
        dropTable(rest.get(1), rest.get(3));
        yield null;
      }
      case "tabledata.list" -> listTableData(rest.get(1), rest.get(3), query);
      default -> throw new ApiError(404, "notFound", "the emulator does not serve " + kind);
    };
  }

  // ---- jobs ----

  private synchronized JsonNode insertJob(
      String requestProject, JsonNode body, Map<String, String> query) {
    ObjectNode job = body == null ? NODES.objectNode() : ((ObjectNode) body).deepCopy();
    ObjectNode reference = job.withObjectProperty("jobReference");
    String jobId = reference.path("jobId").asText(UUID.randomUUID().toString());
    reference.put("projectId", requestProject).put("jobId", jobId);
    reference.put("location", reference.path("location").asText("US"));
    JsonNode configuration = job.path("configuration");
    if (!configuration.has("query")) {
      throw new ApiError(400, "invalid", "the emulator runs query jobs only");
    }
    boolean dryRun = configuration.path("dryRun").asBoolean(false);
    if (!dryRun && jobs.containsKey(jobId)) {
      // "If the job ID is already in use, the request fails with a duplicate (409) error"
      // (cloud.google.com/bigquery/docs/running-jobs#generate-jobid).
      throw new ApiError(
          409,
          "duplicate",
          "Already Exists: Job "
              + requestProject
              + ":"
              + reference.path("location").asText()
              + "."
              + jobId);
    }
    job.put("kind", "bigquery#job");
    job.put("id", requestProject + ":" + reference.path("location").asText() + "." + jobId);
    job.put("selfLink", host() + PREFIX + requestProject + "/jobs/" + jobId);
    job.put("user_email", "emulator@qsync.invalid");
    ObjectNode queryConfiguration = (ObjectNode) configuration.path("query");
    if (queryConfiguration.path("useLegacySql").asBoolean(false)) {
      fail(job, new ApiError(400, "invalidQuery", "the emulator speaks GoogleSQL only"));
      return remember(job, dryRun);
    }
    try {
      String sql =
          translate(
              queryConfiguration.path("query").asText(),
              queryConfiguration.path("queryParameters"));
      if (dryRun) {
        List<Field> schema = describe(sql);
        job.withObjectProperty("status").put("state", "DONE");
        ObjectNode statistics = job.withObjectProperty("statistics");
        long bytes = bytes(sql).processed();
        statistics.put("totalBytesProcessed", Long.toString(bytes));
        statistics
            .withObjectProperty("query")
            .set("schema", NODES.objectNode().set("fields", BigQueryFields.toJson(schema)));
        statistics.withObjectProperty("query").put("totalBytesProcessed", Long.toString(bytes));
        return job;
      }
      Long fixed = bytesProcessedPerQuery;
      Bytes bytes = fixed == null ? bytes(sql) : new Bytes(fixed, fixed);
      long maximumBytesBilled =
          queryConfiguration.path("maximumBytesBilled").asLong(Long.MAX_VALUE);
      if (bytes.billed() > maximumBytesBilled) {
        // "bytesBilledLimitExceeded 400: the query exceeds the limit set by maximumBytesBilled"
        // (cloud.google.com/bigquery/docs/error-messages).
        throw new ApiError(
            400,
            "bytesBilledLimitExceeded",
            "Query exceeded limit for bytes billed: "
                + maximumBytesBilled
                + ". "
                + bytes.billed()
                + " or higher required.");
      }
      String dataset;
      String table;
      if (queryConfiguration.has("destinationTable")) {
        dataset = queryConfiguration.path("destinationTable").path("datasetId").asText();
        table = queryConfiguration.path("destinationTable").path("tableId").asText();
        if (!datasetExists(dataset)) {
          throw new ApiError(
              404, "notFound", "Not found: Dataset " + requestProject + ":" + dataset);
        }
      } else {
        // A query without a destination writes to a table in a hidden anonymous dataset, kept
        // about 24 hours
        // (cloud.google.com/bigquery/docs/writing-results#temporary_and_permanent_tables).
        dataset = ANONYMOUS_DATASET;
        table = "anon" + jobId.replaceAll("[^A-Za-z0-9_]", "_");
        queryConfiguration
            .withObjectProperty("destinationTable")
            .put("projectId", requestProject)
            .put("datasetId", dataset)
            .put("tableId", table);
      }
      queries.incrementAndGet();
      long count;
      try (Statement statement = duckDb.createStatement()) {
        statement.execute("CREATE OR REPLACE TABLE " + duckName(dataset, table) + " AS " + sql);
        try (ResultSet result =
            statement.executeQuery("SELECT count(*) FROM " + duckName(dataset, table))) {
          result.next();
          count = result.getLong(1);
        }
      } catch (SQLException e) {
        throw sqlError(e);
      }
      List<Field> schema = describe("SELECT * FROM " + duckName(dataset, table));
      registerTable(requestProject, dataset, table, schema, count);
      job.withObjectProperty("status").put("state", "DONE");
      ObjectNode statistics = job.withObjectProperty("statistics");
      statistics.put("creationTime", Long.toString(System.currentTimeMillis()));
      statistics.put("startTime", Long.toString(System.currentTimeMillis()));
      statistics.put("endTime", Long.toString(System.currentTimeMillis()));
      statistics.put("totalBytesProcessed", Long.toString(bytes.processed()));
      ObjectNode queryStatistics = statistics.withObjectProperty("query");
      queryStatistics.put("totalBytesProcessed", Long.toString(bytes.processed()));
      queryStatistics.put("totalBytesBilled", Long.toString(bytes.billed()));
      queryStatistics.put("cacheHit", false);
      queryStatistics.put("statementType", "SELECT");
      queryStatistics.set(
          "schema", NODES.objectNode().set("fields", BigQueryFields.toJson(schema)));
      job.put("qsyncEmulatorRows", count);
    } catch (ApiError e) {
      if (dryRun) {
        throw e;
      }
      // A query that fails still leaves its job: DONE, with errorResult
      // (cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobStatus).
      fail(job, e);
    }
    return remember(job, dryRun);
  }

  private ObjectNode remember(ObjectNode job, boolean dryRun) {
    if (!dryRun) {
      jobs.put(job.path("jobReference").path("jobId").asText(), job);
    }
    return publicJob(job);
  }

  private static ObjectNode publicJob(ObjectNode job) {
    ObjectNode copy = job.deepCopy();
    copy.remove("qsyncEmulatorRows");
    return copy;
  }

  private static void fail(ObjectNode job, ApiError error) {
    ObjectNode status = job.withObjectProperty("status");
    status.put("state", "DONE");
    ObjectNode errorResult = status.putObject("errorResult");
    errorResult.put("reason", error.reason).put("message", error.getMessage());
    status
        .putArray("errors")
        .addObject()
        .put("reason", error.reason)
        .put("message", error.getMessage());
    job.put("qsyncEmulatorStatus", error.status);
  }

  private ObjectNode job(String jobId) {
    ObjectNode job = jobs.get(jobId);
    if (job == null) {
      throw new ApiError(404, "notFound", "Not found: Job " + project + ":US." + jobId);
    }
    return job;
  }

  private ObjectNode getJob(String jobId) {
    ObjectNode copy = publicJob(job(jobId));
    copy.remove("qsyncEmulatorStatus");
    return copy;
  }

  /** jobs.query: a job with a generated id, its first page in the response. */
  private JsonNode query(String requestProject, JsonNode body) {
    ObjectNode request = body == null ? NODES.objectNode() : (ObjectNode) body;
    ObjectNode insert = NODES.objectNode();
    ObjectNode reference = insert.putObject("jobReference");
    reference.put("jobId", "job_" + UUID.randomUUID().toString().replace("-", ""));
    if (request.has("location")) {
      reference.put("location", request.path("location").asText());
    }
    ObjectNode configuration = insert.putObject("configuration").putObject("query");
    for (String copied :
        List.of(
            "query",
            "useLegacySql",
            "queryParameters",
            "maximumBytesBilled",
            "defaultDataset",
            "parameterMode")) {
      if (request.has(copied)) {
        configuration.set(copied, request.get(copied));
      }
    }
    if (request.path("dryRun").asBoolean(false)) {
      insert.withObjectProperty("configuration").put("dryRun", true);
    }
    JsonNode job = insertJob(requestProject, insert, Map.of());
    String jobId = job.path("jobReference").path("jobId").asText();
    Map<String, String> pageQuery = new HashMap<>();
    if (request.has("maxResults")) {
      pageQuery.put("maxResults", request.path("maxResults").asText());
    }
    pageQuery.put(
        "formatOptions.useInt64Timestamp",
        request.path("formatOptions").path("useInt64Timestamp").asText("false"));
    ObjectNode response = (ObjectNode) getQueryResults(jobId, pageQuery);
    response.put("kind", "bigquery#queryResponse");
    return response;
  }

  private JsonNode getQueryResults(String jobId, Map<String, String> query) {
    ObjectNode job = job(jobId);
    JsonNode errorResult = job.path("status").path("errorResult");
    if (!errorResult.isMissingNode()) {
      throw new ApiError(
          job.path("qsyncEmulatorStatus").asInt(400),
          errorResult.path("reason").asText(),
          errorResult.path("message").asText());
    }
    JsonNode destination = job.path("configuration").path("query").path("destinationTable");
    ObjectNode response =
        page(destination.path("datasetId").asText(), destination.path("tableId").asText(), query);
    response.put("kind", "bigquery#getQueryResultsResponse");
    response.set("jobReference", job.path("jobReference"));
    response.put("jobComplete", true);
    response.put("cacheHit", false);
    response.put(
        "totalBytesProcessed", job.path("statistics").path("totalBytesProcessed").asText("0"));
    return response;
  }

  /** What a query reads and bills, counted before it runs. */
  private record Bytes(long processed, long billed) {}

  /** 10 MB: the least a query billed on demand pays per table it references. */
  static final long MINIMUM_BILLED_PER_TABLE = 10L * 1024 * 1024;

  private static final long MB = 1024 * 1024;

  /**
   * What a query would process and bill, as BigQuery counts on demand:
   *
   * <ul>
   *   <li>processed: the columns the query reads, every row of them, whatever its WHERE or LIMIT
   *       ("BigQuery charges for the columns you select ... applying a LIMIT clause does not affect
   *       the amount of data that is read", cloud.google.com/bigquery/docs/best-practices-costs),
   *       sized by BigQuery's data-size rules
   *       (cloud.google.com/bigquery/pricing#data_size_calculation): INT64, FLOAT64, DATE,
   *       DATETIME, TIME, TIMESTAMP 8 bytes; NUMERIC 16; BIGNUMERIC 32; INTERVAL 16; RANGE 16; BOOL
   *       1; STRING 2 + its UTF-8 bytes; BYTES 2 + its bytes; JSON its text's bytes; GEOGRAPHY 16 +
   *       24 per vertex; NULL 0. ARRAY and STRUCT count their JSON text's bytes, an approximation.
   *       {@code COUNT(*)} reads no column and processes 0 bytes. Which columns a query reads is
   *       DuckDB's plan's word: the projections and filters of its table scans (with statistics
   *       propagation off, which would otherwise prove a scan empty and skip it; BigQuery reads the
   *       columns anyway).
   *   <li>billed: "Charges are rounded up to the nearest MB, with a minimum 10 MB data processed
   *       per table referenced by the query" (cloud.google.com/bigquery/pricing#on_demand_pricing):
   *       each table's bytes rounded up to a MB, at least 10 MB; 0 when nothing is processed.
   * </ul>
   *
   * {@link #bytesProcessedPerQuery} overrides both for jobs that run.
   */
  private synchronized Bytes bytes(String sql) {
    Map<String, Set<String>> read = columnsRead(sql);
    long processed = 0;
    long billed = 0;
    try {
      for (Map.Entry<String, Set<String>> table : read.entrySet()) {
        String[] name = table.getKey().split("\0", 2);
        long bytes = tableBytes(name[0], name[1], table.getValue());
        processed += bytes;
        billed += Math.max(MINIMUM_BILLED_PER_TABLE, (bytes + MB - 1) / MB * MB);
      }
    } catch (SQLException e) {
      throw sqlError(e);
    }
    return new Bytes(processed, processed == 0 ? 0 : billed);
  }

  /**
   * The columns a query reads, per table ({@code dataset\0table}) it references: the union of its
   * scans' projections and of the columns their pushed-down filters name.
   */
  private Map<String, Set<String>> columnsRead(String sql) {
    Map<String, Set<String>> read = new LinkedHashMap<>();
    try (Statement statement = duckDb.createStatement()) {
      Map<String, List<String[]>> byName = new HashMap<>();
      try (ResultSet named =
          statement.executeQuery(
              "SELECT table_schema, table_name FROM"
                  + " information_schema.tables WHERE table_schema <> 'main'")) {
        while (named.next()) {
          String dataset = named.getString(1);
          String table = named.getString(2);
          Pattern reference =
              Pattern.compile(
                  "(?i)(?<![\\w\"])\"?"
                      + Pattern.quote(dataset)
                      + "\"?\\s*\\.\\s*\"?"
                      + Pattern.quote(table)
                      + "\"?(?![\\w\"])");
          if (reference.matcher(sql).find()) {
            byName
                .computeIfAbsent(table, key -> new ArrayList<>())
                .add(new String[] {dataset, table});
          }
        }
      }
      if (byName.isEmpty()) {
        return read;
      }
      JsonNode plan;
      statement.execute("SET disabled_optimizers = 'statistics_propagation'");
      try (Statement explain = duckDb.createStatement();
          ResultSet explained = explain.executeQuery("EXPLAIN (FORMAT JSON) " + sql)) {
        StringBuilder text = new StringBuilder();
        while (explained.next()) {
          text.append(explained.getString(2));
        }
        plan = JSON.readTree(text.toString());
      } finally {
        // a failed EXPLAIN closes its statement: reset on another one
        try (Statement reset = duckDb.createStatement()) {
          reset.execute("RESET disabled_optimizers");
        }
      }
      List<JsonNode> scans = new ArrayList<>();
      collectScans(plan, scans);
      for (JsonNode scan : scans) {
        JsonNode info = scan.path("extra_info");
        // A scan names its table without its dataset: a table of that name the query references.
        for (String[] table : byName.getOrDefault(info.path("Table").asText(), List.of())) {
          Set<String> columns =
              read.computeIfAbsent(table[0] + "\0" + table[1], key -> new LinkedHashSet<>());
          List<String> all = columnNames(table[0], table[1]);
          for (JsonNode projection : texts(info.path("Projections"))) {
            all.stream().filter(projection.asText()::equals).forEach(columns::add);
          }
          for (JsonNode filter : texts(info.path("Filters"))) {
            for (String column : all) {
              if (Pattern.compile("(?<![\\w])\"?" + Pattern.quote(column) + "\"?(?![\\w])")
                  .matcher(filter.asText())
                  .find()) {
                columns.add(column);
              }
            }
          }
          break;
        }
      }
    } catch (SQLException e) {
      throw sqlError(e);
    } catch (IOException e) {
      throw new IllegalStateException("the emulator cannot read DuckDB's plan: " + e, e);
    }
    return read;
  }

  private static void collectScans(JsonNode node, List<JsonNode> scans) {
    if (node.isArray()) {
      node.forEach(child -> collectScans(child, scans));
      return;
    }
    if (node.path("name").asText().strip().endsWith("_SCAN")
        && node.path("extra_info").has("Table")) {
      scans.add(node);
    }
    collectScans(node.path("children"), scans);
  }

  /** A plan's field that is one text or an array of them ({@code "id"}, {@code ["id", "v"]}). */
  private static List<JsonNode> texts(JsonNode node) {
    List<JsonNode> texts = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(texts::add);
    } else if (node.isTextual() && !node.asText().isEmpty()) {
      texts.add(node);
    }
    return texts;
  }

  private List<String> columnNames(String dataset, String table) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement statement = duckDb.createStatement();
        ResultSet described = statement.executeQuery("DESCRIBE " + duckName(dataset, table))) {
      while (described.next()) {
        names.add(described.getString(1));
      }
    }
    return names;
  }

  /** The bytes of these columns of a table, every row, by BigQuery's data-size rules. */
  private long tableBytes(String dataset, String table, Set<String> read) throws SQLException {
    List<String> sizes = new ArrayList<>();
    try (Statement statement = duckDb.createStatement();
        ResultSet described = statement.executeQuery("DESCRIBE " + duckName(dataset, table))) {
      while (described.next()) {
        if (!read.contains(described.getString(1))) {
          continue;
        }
        Field field =
            BigQueryFields.field(described.getString(1), described.getString(2), declaredTypes);
        String column = quote(described.getString(1));
        sizes.add("CASE WHEN " + column + " IS NULL THEN 0 ELSE " + size(field, column) + " END");
      }
    }
    if (sizes.isEmpty()) {
      return 0;
    }
    try (Statement statement = duckDb.createStatement();
        ResultSet sum =
            statement.executeQuery(
                "SELECT coalesce(sum("
                    + String.join(" + ", sizes)
                    + "), 0) FROM "
                    + duckName(dataset, table))) {
      sum.next();
      return sum.getLong(1);
    }
  }

  /** A SQL expression of the size of one non-NULL value of {@code field}. */
  private static String size(Field field, String column) {
    if (field.repeated() || field.type().equals("RECORD") || field.type().equals("JSON")) {
      return "strlen(CAST(" + column + " AS VARCHAR))";
    }
    return switch (field.type()) {
      case "BOOLEAN" -> "1";
      case "NUMERIC", "INTERVAL", "RANGE" -> "16";
      case "BIGNUMERIC" -> "32";
      case "STRING" -> "2 + strlen(" + column + ")";
      case "BYTES" -> "2 + octet_length(" + column + ")";
      case "GEOGRAPHY" ->
          "16 + 24 * (length(" + column + ") - length(replace(" + column + ", ',', '')) + 1)";
      default -> "8"; // INTEGER, FLOAT, DATE, DATETIME, TIME, TIMESTAMP
    };
  }

  // ---- datasets and tables ----

  private synchronized boolean datasetExists(String dataset) {
    if (tables.containsKey(dataset)) {
      return true;
    }
    try (Statement statement = duckDb.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT count(*) FROM information_schema.schemata WHERE schema_name = '"
                    + dataset.replace("'", "''")
                    + "'")) {
      result.next();
      if (result.getLong(1) == 0) {
        return false;
      }
    } catch (SQLException e) {
      throw sqlError(e);
    }
    tables.put(dataset, new ConcurrentHashMap<>());
    return true;
  }

  private JsonNode getDataset(String dataset) {
    if (!datasetExists(dataset)) {
      throw new ApiError(404, "notFound", "Not found: Dataset " + project + ":" + dataset);
    }
    ObjectNode node = NODES.objectNode();
    node.put("kind", "bigquery#dataset");
    node.put("id", project + ":" + dataset);
    node.putObject("datasetReference").put("projectId", project).put("datasetId", dataset);
    node.put("location", "US");
    node.put("maxTimeTravelHours", Long.toString(timeTravelHours.getOrDefault(dataset, 168L)));
    return node;
  }

  /**
   * datasets.patch and datasets.update: the emulator keeps {@code maxTimeTravelHours} only, "in
   * multiples of 24 hours, between 48 and 168"
   * (cloud.google.com/bigquery/docs/time-travel#configure_the_time_travel_window); other fields are
   * accepted and left as they were.
   */
  private synchronized JsonNode patchDataset(String dataset, JsonNode body) {
    getDataset(dataset);
    if (body != null && body.hasNonNull("maxTimeTravelHours")) {
      long hours = body.path("maxTimeTravelHours").asLong(-1);
      if (hours < 48 || hours > 168 || hours % 24 != 0) {
        throw new ApiError(
            400,
            "invalid",
            "Invalid value for maxTimeTravelHours: "
                + body.path("maxTimeTravelHours").asText()
                + ". It must be a multiple of 24 between 48 and 168.");
      }
      timeTravelHours.put(dataset, hours);
    }
    return getDataset(dataset);
  }

  /** A dataset's time travel window, in hours (168, BigQuery's default, until set). */
  public long timeTravelHours(String dataset) {
    return timeTravelHours.getOrDefault(dataset, 168L);
  }

  private synchronized JsonNode insertDataset(JsonNode body) {
    String dataset = body.path("datasetReference").path("datasetId").asText();
    if (datasetExists(dataset)) {
      throw new ApiError(409, "duplicate", "Already Exists: Dataset " + project + ":" + dataset);
    }
    execute("CREATE SCHEMA " + quote(dataset));
    tables.put(dataset, new ConcurrentHashMap<>());
    return getDataset(dataset);
  }

  /** Creates a dataset (a DuckDB schema) known to the API, e.g. a staging dataset. */
  public void createDataset(String dataset) {
    insertDataset(
        NODES.objectNode().set("datasetReference", NODES.objectNode().put("datasetId", dataset)));
  }

  /** Creates a dataset whose new tables expire after {@code defaultTableExpiration}. */
  public void createDataset(String dataset, Duration defaultTableExpiration) {
    defaultExpirations.put(dataset, defaultTableExpiration);
    createDataset(dataset);
  }

  private synchronized JsonNode deleteDataset(String dataset, boolean deleteContents) {
    getDataset(dataset);
    if (!deleteContents && !tables.get(dataset).isEmpty()) {
      throw new ApiError(
          400, "resourceInUse", "Dataset " + project + ":" + dataset + " is still in use");
    }
    execute("DROP SCHEMA " + quote(dataset) + " CASCADE");
    tables.remove(dataset);
    return null;
  }

  private synchronized ObjectNode table(String dataset, String table) {
    syncTablesFromDuckDb(dataset);
    ObjectNode node = tables.getOrDefault(dataset, Map.of()).get(table);
    if (node == null) {
      throw new ApiError(
          404, "notFound", "Not found: Table " + project + ":" + dataset + "." + table);
    }
    return node;
  }

  /** Tables a test created with {@link #execute} become API tables on first use. */
  private void syncTablesFromDuckDb(String dataset) {
    try (Statement statement = duckDb.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                    + dataset.replace("'", "''")
                    + "'")) {
      List<String> names = new ArrayList<>();
      while (result.next()) {
        names.add(result.getString(1));
      }
      Map<String, ObjectNode> known =
          tables.computeIfAbsent(dataset, name -> new ConcurrentHashMap<>());
      for (String name : names) {
        if (!known.containsKey(name)) {
          registerTable(
              project,
              dataset,
              name,
              describe("SELECT * FROM " + duckName(dataset, name)),
              count(dataset, name));
        }
      }
      known.keySet().removeIf(name -> !names.contains(name));
    } catch (SQLException e) {
      throw sqlError(e);
    }
  }

  private long count(String dataset, String table) throws SQLException {
    try (Statement statement = duckDb.createStatement();
        ResultSet result =
            statement.executeQuery("SELECT count(*) FROM " + duckName(dataset, table))) {
      result.next();
      return result.getLong(1);
    }
  }

  /**
   * A table's logical bytes, as {@code numBytes} reports them: every column's, sized as a query
   * that reads it is billed.
   */
  private long logicalBytes(String dataset, String table, List<Field> schema) {
    Set<String> all = new LinkedHashSet<>();
    schema.forEach(field -> all.add(field.name()));
    try {
      return tableBytes(dataset, table, all);
    } catch (SQLException e) {
      throw sqlError(e);
    }
  }

  private void registerTable(
      String tableProject, String dataset, String table, List<Field> schema, long count) {
    ObjectNode node = NODES.objectNode();
    node.put("kind", "bigquery#table");
    node.put("id", tableProject + ":" + dataset + "." + table);
    node.putObject("tableReference")
        .put("projectId", tableProject)
        .put("datasetId", dataset)
        .put("tableId", table);
    node.putObject("schema").set("fields", BigQueryFields.toJson(schema));
    node.put("numRows", Long.toString(count));
    node.put("numBytes", Long.toString(logicalBytes(dataset, table, schema)));
    node.put("type", "TABLE");
    node.put("location", "US");
    node.put("creationTime", Long.toString(System.currentTimeMillis()));
    Map<String, ObjectNode> known =
        tables.computeIfAbsent(dataset, name -> new ConcurrentHashMap<>());
    ObjectNode previous = known.get(table);
    if (previous != null) {
      // WRITE_TRUNCATE replaces the data and the schema, not the table's metadata
      // (cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationQuery.FIELDS.write_disposition).
      for (String kept : List.of("expirationTime", "labels", "description", "friendlyName")) {
        if (previous.has(kept)) {
          node.set(kept, previous.get(kept));
        }
      }
    } else if (defaultExpirations.containsKey(dataset)) {
      // "the default table expiration ... applies to tables created after it is set"
      // (cloud.google.com/bigquery/docs/updating-datasets#table-expiration).
      node.put(
          "expirationTime",
          Long.toString(System.currentTimeMillis() + defaultExpirations.get(dataset).toMillis()));
    }
    known.put(table, node);
  }

  /** A table's metadata as tables.get answers it, for assertions; empty when there is none. */
  public synchronized Optional<JsonNode> tableMetadata(String dataset, String table) {
    try {
      return Optional.of(getTable(dataset, table));
    } catch (ApiError e) {
      return Optional.empty();
    }
  }

  /**
   * tables.list: {@code tables} (each with kind, id, tableReference, type, creationTime and, where
   * set, labels and expirationTime), {@code totalItems}, and {@code nextPageToken} unless it is the
   * last page; {@code maxResults} bounds a page
   * (cloud.google.com/bigquery/docs/reference/rest/v2/tables/list). Listed in name order.
   */
  private synchronized JsonNode listTables(String dataset, Map<String, String> query) {
    getDataset(dataset);
    syncTablesFromDuckDb(dataset);
    List<String> names = new ArrayList<>(tables.get(dataset).keySet());
    names.sort(null);
    int start = query.containsKey("pageToken") ? (int) decodeToken(query.get("pageToken")) : 0;
    int end =
        (int)
            Math.min(names.size(), start + Long.parseLong(query.getOrDefault("maxResults", "50")));
    ObjectNode response = NODES.objectNode();
    response.put("kind", "bigquery#tableList");
    response.put("totalItems", names.size());
    ArrayNode listed = response.putArray("tables");
    for (String name : names.subList(Math.min(start, end), end)) {
      ObjectNode full = tables.get(dataset).get(name);
      ObjectNode item = listed.addObject();
      for (String field :
          List.of(
              "kind", "id", "tableReference", "type", "creationTime", "labels", "expirationTime")) {
        if (full.has(field)) {
          item.set(field, full.get(field));
        }
      }
    }
    if (end < names.size()) {
      response.put("nextPageToken", encodeToken(end));
    }
    return response;
  }

  private JsonNode getTable(String dataset, String table) {
    return table(dataset, table).deepCopy();
  }

  private synchronized JsonNode insertTable(String dataset, JsonNode body) {
    getDataset(dataset);
    String table = body.path("tableReference").path("tableId").asText();
    if (tables.get(dataset).containsKey(table)) {
      throw new ApiError(
          409, "duplicate", "Already Exists: Table " + project + ":" + dataset + "." + table);
    }
    List<String> columns = new ArrayList<>();
    for (JsonNode field : body.path("schema").path("fields")) {
      columns.add(quote(field.path("name").asText()) + " " + duckDbType(field));
    }
    if (columns.isEmpty()) {
      throw new ApiError(400, "invalid", "the emulator creates tables with a schema only");
    }
    execute("CREATE TABLE " + duckName(dataset, table) + " (" + String.join(", ", columns) + ")");
    syncTablesFromDuckDb(dataset);
    ObjectNode node = tables.get(dataset).get(table);
    if (body.has("expirationTime")) {
      node.set("expirationTime", body.get("expirationTime"));
    }
    return node.deepCopy();
  }

  private synchronized JsonNode patchTable(String dataset, String table, JsonNode body) {
    ObjectNode node = table(dataset, table);
    for (String field : List.of("expirationTime", "description", "labels", "friendlyName")) {
      if (body.has(field) && body.get(field).isNull()) {
        node.remove(field); // an explicit null clears the field (tables/patch: PATCH semantics)
      } else if (body.has(field)) {
        node.set(field, body.get(field));
      }
    }
    return node.deepCopy();
  }

  private static String duckDbType(JsonNode field) {
    String type =
        switch (field.path("type").asText()) {
          case "INTEGER", "INT64" -> "BIGINT";
          case "FLOAT", "FLOAT64" -> "DOUBLE";
          case "BOOLEAN", "BOOL" -> "BOOLEAN";
          case "NUMERIC" -> "DECIMAL(38,9)";
          case "BYTES" -> "BLOB";
          case "DATE" -> "DATE";
          case "TIME" -> "TIME";
          case "DATETIME" -> "TIMESTAMP";
          case "TIMESTAMP" -> "TIMESTAMPTZ";
          case "JSON" -> "JSON";
          default -> "VARCHAR";
        };
    return field.path("mode").asText().equals("REPEATED") ? type + "[]" : type;
  }

  private synchronized void dropTable(String dataset, String table) {
    execute("DROP TABLE IF EXISTS " + duckName(dataset, table));
    Map<String, ObjectNode> known = tables.get(dataset);
    if (known != null) {
      known.remove(table);
    }
  }

  // ---- reading ----

  private JsonNode listTableData(String dataset, String table, Map<String, String> query) {
    ObjectNode response = page(dataset, table, query);
    response.put("kind", "bigquery#tableDataList");
    return response;
  }

  /**
   * One page of a table: {@code pageToken} wins over {@code startIndex} (the client was seen to
   * send both, startIndex=0, for later pages); {@code maxResults} bounds the page; {@code
   * totalRows} is the table's row count as a string; {@code pageToken} is absent on the last page
   * (cloud.google.com/bigquery/docs/reference/rest/v2/tabledata/list).
   */
  private synchronized ObjectNode page(String dataset, String table, Map<String, String> query) {
    ObjectNode node = table(dataset, table);
    List<Field> schema = schema(node);
    long total = node.path("numRows").asLong();
    long start =
        query.containsKey("pageToken")
            ? decodeToken(query.get("pageToken"))
            : Long.parseLong(query.getOrDefault("startIndex", "0"));
    long maxResults = Long.parseLong(query.getOrDefault("maxResults", "100000"));
    boolean int64 =
        Boolean.parseBoolean(query.getOrDefault("formatOptions.useInt64Timestamp", "false"));
    ObjectNode response = NODES.objectNode();
    response.put("totalRows", Long.toString(total));
    response.put("etag", Integer.toHexString(node.hashCode()));
    response.set("schema", node.path("schema"));
    ArrayNode page = NODES.arrayNode();
    if (maxResults > 0 && start < total) {
      List<String> projections = new ArrayList<>();
      for (Field field : schema) {
        projections.add(BigQueryValues.projection(field, quote(field.name())));
      }
      String sql =
          "SELECT "
              + String.join(", ", projections)
              + " FROM "
              + duckName(dataset, table)
              + " ORDER BY rowid"
              + (reverseTableData ? " DESC" : "")
              + " LIMIT "
              + maxResults
              + " OFFSET "
              + start;
      try (Statement statement = duckDb.createStatement();
          ResultSet result = statement.executeQuery(sql)) {
        while (result.next()) {
          Object[] values = new Object[schema.size()];
          for (int i = 0; i < values.length; i++) {
            values[i] =
                schema.get(i).type().equals("FLOAT") && !schema.get(i).repeated()
                    ? result.getObject(i + 1)
                    : result.getString(i + 1);
          }
          page.add(BigQueryValues.row(schema, values, int64));
        }
      } catch (SQLException e) {
        throw sqlError(e);
      }
    }
    long next = start + page.size();
    if (page.size() > 0) {
      response.set("rows", page);
    }
    if (next < total && maxResults > 0) {
      response.put("pageToken", encodeToken(next));
    }
    rows.addAndGet(page.size());
    return response;
  }

  private List<Field> schema(JsonNode table) {
    List<Field> schema = new ArrayList<>();
    String dataset = table.path("tableReference").path("datasetId").asText();
    String name = table.path("tableReference").path("tableId").asText();
    try (Statement statement = duckDb.createStatement();
        ResultSet described = statement.executeQuery("DESCRIBE " + duckName(dataset, name))) {
      while (described.next()) {
        schema.add(
            BigQueryFields.field(described.getString(1), described.getString(2), declaredTypes));
      }
    } catch (SQLException e) {
      throw sqlError(e);
    }
    return schema;
  }

  private static String encodeToken(long row) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("row:" + row).getBytes(StandardCharsets.UTF_8));
  }

  private static long decodeToken(String token) {
    String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    if (!text.startsWith("row:")) {
      throw new ApiError(400, "invalid", "Invalid page token");
    }
    return Long.parseLong(text.substring(4));
  }

  // ---- SQL ----

  private synchronized List<Field> describe(String sql) {
    List<Field> schema = new ArrayList<>();
    try (Statement statement = duckDb.createStatement();
        ResultSet described = statement.executeQuery("DESCRIBE " + sql)) {
      while (described.next()) {
        schema.add(
            BigQueryFields.field(described.getString(1), described.getString(2), declaredTypes));
      }
    } catch (SQLException e) {
      throw sqlError(e);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "invalidQuery", e.getMessage());
    }
    return schema;
  }

  /**
   * A GoogleSQL query in DuckDB's terms: its lexical structure by {@link GoogleSqlText} (comments,
   * string literals with their escapes, backquoted names, named parameters), then the functions
   * DuckDB spells otherwise ({@link #functions}). A closing {@code ;} is dropped, as BigQuery
   * accepts one after a single statement; one inside the text stays, and fails as it does there.
   */
  private String translate(String sql, JsonNode parameters) {
    Map<String, String> values = new LinkedHashMap<>();
    for (JsonNode parameter : parameters) {
      String type = parameter.path("parameterType").path("type").asText("STRING");
      JsonNode value = parameter.path("parameterValue").path("value");
      String literal =
          value.isMissingNode() || value.isNull()
              ? "NULL"
              : "CAST('"
                  + value.asText().replace("'", "''")
                  + "' AS "
                  + duckDbType(NODES.objectNode().put("type", type))
                  + ")";
      values.put(parameter.path("name").asText(), literal);
    }
    String duckDb;
    try {
      duckDb = GoogleSqlText.toDuckDb(sql, values);
    } catch (GoogleSqlText.SyntaxError e) {
      throw new ApiError(400, "invalidQuery", e.getMessage());
    }
    return functions(duckDb.strip().replaceAll(";+$", ""));
  }

  /**
   * GoogleSQL functions DuckDB spells otherwise (those it lacks are {@link #MACROS}):
   *
   * <ul>
   *   <li>{@code STRUCT(a, b)}: a struct whose fields take the names of the columns given
   *       (cloud.google.com/bigquery/docs/reference/standard-sql/data-types#constructing_a_struct);
   *       DuckDB's struct_pack names them alike.
   *   <li>{@code REGEXP_REPLACE(s, re, t)} replaces every match (string_functions#regexp_replace);
   *       DuckDB's only with the 'g' option.
   *   <li>{@code REGEXP_REPLACE(NORMALIZE(s, NFD), r'\pM', '')}: the documented way to strip
   *       accents (string_functions#normalize); DuckDB's strip_accents, as DuckDB has no NFD.
   *   <li>{@code REGEXP_EXTRACT(s, re)}: "If the regular expression contains a capturing group, the
   *       function returns the substring that is matched by that capturing group"; NULL when
   *       nothing matches (string_functions#regexp_extract); DuckDB's returns the whole match
   *       unless given the group, and '' when nothing matches.
   *   <li>{@code SAFE_CAST(x AS T)}: NULL instead of an error (conversion_functions#safe_casting);
   *       DuckDB's TRY_CAST.
   *   <li>{@code FORMAT('%.17g', x)} and the other C conversions (string_functions#format_string,
   *       "%g ... %e ... as in C"): DuckDB's printf.
   *   <li>{@code DIV(x, y)}: "integer division of X by Y ... rounds toward zero", of INT64, NUMERIC
   *       (mathematical_functions#div): DuckDB's {@code //} of HUGEINTs (on DECIMAL it divides
   *       exactly instead).
   *   <li>{@code MD5}, {@code TO_HEX}: the macros {@code bq_md5}, {@code bq_to_hex} (see {@link
   *       #MACROS}).
   *   <li>{@code UNNEST(a) AS e WITH OFFSET AS o}: each element with its zero-based offset
   *       (query-syntax#unnest_operator), which qsync only orders by; DuckDB's {@code unnest(a)
   *       WITH ORDINALITY AS _t(e, o)} counts from one.
   *   <li>{@code CAST(x AS NUMERIC)}: NUMERIC is "Decimal values with 38 decimal digits of
   *       precision and 9 decimal digits of scale" (data-types#decimal_types); DuckDB's NUMERIC is
   *       DECIMAL(18,3). {@code CAST(x AS FLOAT64)}: "Double precision (approximate) numeric
   *       values" (data-types#floating_point_types), DuckDB's DOUBLE.
   * </ul>
   */
  private static String functions(String sql) {
    sql =
        rewriteCalls(
            sql,
            "REGEXP_EXTRACT",
            arguments -> {
              boolean group = arguments.size() == 2 && arguments.get(1).contains("(");
              return "bq_regexp_extract("
                  + String.join(",", arguments)
                  + (group ? ", 1" : ", 0")
                  + ")";
            });
    sql = rewriteCalls(sql, "SAFE_CAST", arguments -> "TRY_CAST(" + arguments.get(0) + ")");
    sql = rewriteCalls(sql, "FORMAT", arguments -> "printf(" + String.join(",", arguments) + ")");
    sql =
        rewriteCalls(
            sql,
            "DIV",
            arguments ->
                "(CAST("
                    + arguments.get(0)
                    + " AS HUGEINT) // CAST("
                    + arguments.get(1)
                    + " AS HUGEINT))");
    sql = rewriteCalls(sql, "MD5", arguments -> "bq_md5(" + arguments.get(0) + ")");
    sql = rewriteCalls(sql, "TO_HEX", arguments -> "bq_to_hex(" + arguments.get(0) + ")");
    sql =
        rewriteCalls(
            sql,
            "CAST",
            arguments -> {
              Matcher toString =
                  arguments.size() == 1 ? STRING_CAST.matcher(arguments.get(0)) : null;
              return toString != null && toString.matches()
                  ? "bq_cast_string(" + toString.group(1) + ")"
                  : "CAST(" + String.join(",", arguments) + ")";
            });
    sql = NUMERIC_CAST.matcher(sql).replaceAll("AS DECIMAL(38,9)");
    sql = UNNEST_WITH_OFFSET.matcher(sql).replaceAll("unnest($1) WITH ORDINALITY AS _t($2, $3)");
    sql = FLOAT64_CAST.matcher(sql).replaceAll("AS DOUBLE");
    String translated =
        rewriteCalls(
            sql,
            "REGEXP_REPLACE",
            arguments -> {
              if (arguments.size() == 3) {
                Matcher normalized = NORMALIZE_NFD.matcher(arguments.get(0));
                if (normalized.matches()
                    && arguments.get(1).strip().equals("'\\pM'")
                    && arguments.get(2).strip().equals("''")) {
                  return "strip_accents(" + normalized.group(1) + ")";
                }
              }
              return "regexp_replace(" + String.join(",", arguments) + ", 'g')";
            });
    return STRUCT.matcher(translated).replaceAll("struct_pack(");
  }

  /**
   * Rewrites every call of function {@code name} (any case) given its top-level arguments as
   * written; calls inside the arguments are rewritten too.
   */
  private static String rewriteCalls(
      String sql, String name, Function<List<String>, String> rewrite) {
    Pattern call = Pattern.compile("(?i)\\b" + name + "\\s*\\(");
    String text = sql;
    int from = 0;
    Matcher matcher = call.matcher(text);
    while (matcher.find(from)) {
      int open = matcher.end() - 1;
      List<String> arguments = new ArrayList<>();
      int depth = 0;
      int argumentStart = open + 1;
      int close = -1;
      for (int i = open; i < text.length() && close < 0; i++) {
        char c = text.charAt(i);
        if (c == '\'' || c == '"') {
          i = text.indexOf(c, i + 1); // quotes in SQL strings are doubled: each half closes
          if (i < 0) {
            throw new ApiError(400, "invalidQuery", "Unclosed string literal");
          }
        } else if (c == '(') {
          depth++;
        } else if (c == ')' && --depth == 0) {
          arguments.add(text.substring(argumentStart, i));
          close = i;
        } else if (c == ',' && depth == 1) {
          arguments.add(text.substring(argumentStart, i));
          argumentStart = i + 1;
        }
      }
      if (close < 0) {
        throw new ApiError(400, "invalidQuery", "Unclosed call of " + name);
      }
      text =
          text.substring(0, matcher.start()) + rewrite.apply(arguments) + text.substring(close + 1);
      from = matcher.start() + 1;
      matcher = call.matcher(text);
    }
    return text;
  }

  private ApiError sqlError(SQLException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    if (message.contains("Catalog Error") && message.contains("does not exist")) {
      return new ApiError(404, "notFound", "Not found: " + message);
    }
    return new ApiError(400, "invalidQuery", message);
  }

  private static String duckName(String dataset, String table) {
    return quote(dataset) + "." + quote(table);
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private static JsonNode errorBody(ApiError error) {
    // {"error": {"code", "message", "errors": [{"reason", "message", "domain"}], "status"}}
    // (cloud.google.com/bigquery/docs/error-messages: "an errors object, which contains an array
    // of ErrorProto objects").
    ObjectNode body = NODES.objectNode();
    ObjectNode inner = body.putObject("error");
    inner.put("code", error.status);
    inner.put("message", error.getMessage());
    inner
        .putArray("errors")
        .addObject()
        .put("message", error.getMessage())
        .put("domain", "global")
        .put("reason", error.reason);
    inner.put(
        "status",
        switch (error.status) {
          case 400 -> "INVALID_ARGUMENT";
          case 403 -> "PERMISSION_DENIED";
          case 404 -> "NOT_FOUND";
          case 409 -> "ALREADY_EXISTS";
          case 429 -> "RESOURCE_EXHAUSTED";
          case 503 -> "UNAVAILABLE";
          default -> "INTERNAL";
        });
    return body;
  }

  private static JsonNode readBody(HttpExchange exchange) throws IOException {
    byte[] raw;
    try (InputStream in = exchange.getRequestBody()) {
      raw = in.readAllBytes();
    }
    if (raw.length == 0) {
      return null;
    }
    // The client gzips request bodies (Content-Encoding: gzip).
    String encoding =
        Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Encoding")).orElse("");
    if (encoding.contains("gzip")) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
        raw = in.readAllBytes();
      }
    }
    return JSON.readTree(raw);
  }

  private static Map<String, String> queryParameters(String rawQuery) {
    Map<String, String> parameters = new HashMap<>();
    if (rawQuery == null) {
      return parameters;
    }
    for (String pair : rawQuery.split("&")) {
      int equals = pair.indexOf('=');
      String name =
          URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
      String value =
          equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
      parameters.put(name, value);
    }
    return parameters;
  }
}
