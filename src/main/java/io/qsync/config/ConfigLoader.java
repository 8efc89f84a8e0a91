package io.qsync.config;

import static java.util.Comparator.comparingInt;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a {@code qsync.yaml} into a validated {@link QsyncConfig} without connecting to anything.
 * Every problem in the file is collected, placed at the line and column of the YAML node it
 * concerns, and thrown together in one {@link ConfigException}. Any scalar value may hold
 * {@code ${VAR}} placeholders, filled from the given environment (see {@link Placeholders}).
 *
 * <p>Thread-safe: each call works on its own instance.
 */
public final class ConfigLoader {
  /** Where stage files go when {@code stage_dir} is absent, relative to the config's folder. */
  public static final String DEFAULT_STAGE_DIR = ".qsync/stage";
  /** The largest {@code batch_size}: bigger batches hold row locks and memory for no gain. */
  public static final int MAX_BATCH_SIZE = 100_000;

  private static final List<String> TOP_KEYS =
      List.of("connections", "syncs", "stage_dir", "throttle", "retries");
  private static final List<String> DUCKDB_KEYS = List.of("type", "path", "setup");
  private static final List<String> MYSQL_KEYS =
      List.of("type", "url", "user", "password", "properties", "password_file", "tls", "ca_file",
          "connect_timeout", "statement_timeout", "lock_wait_timeout");
  private static final List<String> SYNC_KEYS =
      List.of("source", "query", "target", "table", "key", "mode", "create_table", "batch_size",
          "lock_timeout", "allow_empty", "max_delete_fraction", "throttle", "retries", "diff",
          "state_dataset");
  private static final List<String> THROTTLE_KEYS =
      List.of("max_rows_per_second", "batch_time", "min_batch_size", "max_batch_size",
          "max_threads_running", "critical_threads_running", "replicas", "max_replica_lag",
          "critical_replica_lag", "pause_file", "max_pause", "probe_interval");
  private static final List<String> RETRY_KEYS = List.of("max_time", "max_attempts", "max_backoff");
  private static final List<String> TLS_MODES =
      Arrays.stream(TlsConfig.Mode.values()).map(TlsConfig.Mode::configName).toList();
  private static final String DURATION_EXPECTED =
      "a duration like 30s, 2m or 500ms (a bare number means seconds)";
  private static final List<String> BIGQUERY_KEYS =
      List.of("type", "project", "location", "credentials_file", "host", "labels",
          "maximum_bytes_billed", "staging_dataset", "staging_expiration", "page_size",
          "query_parameters", "retry_delay", "connect_timeout", "read_timeout", "retry_timeout");
  private static final List<String> CONNECTION_TYPES = List.of("duckdb", "mysql", "bigquery");
  private static final List<String> SOURCE_TYPES = List.of("duckdb", "bigquery");
  private static final List<String> TARGET_TYPES = List.of("mysql");
  private static final List<String> PARAMETER_TYPES =
      List.of("STRING", "INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC", "BOOL", "DATE", "DATETIME",
          "TIME", "TIMESTAMP");
  private static final Pattern BIGQUERY_NAME = Pattern.compile("[A-Za-z0-9_-]{1,1024}");
  /** Lowercase letters (international ones too: those without case), digits, '_' and '-'. */
  private static final Pattern LABEL = Pattern.compile("[\\p{Ll}\\p{Lo}\\p{Nd}_-]*");
  private static final Pattern LABEL_START = Pattern.compile("[\\p{Ll}\\p{Lo}]");
  /** BigQuery's 64 labels per job or table, less tool and qsync_sync, which qsync sets. */
  private static final int MAX_LABELS = 62;
  private static final List<String> MODES =
      Arrays.stream(Mode.values()).map(Mode::configName).toList();
  private static final List<String> DIFFS =
      Arrays.stream(Diff.Strategy.values()).map(Diff.Strategy::configName).toList();
  /** A dataset's name: letters, digits and '_' (BigQuery's rule, and a plain DuckDB schema). */
  private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9_]{1,1024}");
  private static final List<String> URL_PREFIXES = List.of("jdbc:mariadb://", "jdbc:mysql://");
  private static final Pattern SYNC_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[-+]?\\d{1,12}");
  private static final Pattern FRACTION = Pattern.compile("[-+]?(\\d{1,6}(\\.\\d{0,9})?|\\.\\d{1,9})");
  private static final Pattern DURATION = Pattern.compile("(-?\\d{1,12})\\s*(ms|s|m|h)?");
  private static final String MOVE_PASSWORD =
      " would be printed; move it to the connection's password key, like password: ${DB_PASSWORD}";

  private final Path file;
  private final Path folder;
  private final Map<String, String> environment;
  private final boolean checkStageDir;
  private final List<ConfigProblem> problems = new ArrayList<>();
  /** Each sync's {@code table} node, for problems that concern two syncs. */
  private final Map<String, Node> tableNodes = new LinkedHashMap<>();
  /** The top level's throttle and retries: every sync's defaults. */
  private ThrottleConfig defaultThrottle = ThrottleConfig.DEFAULT;
  private RetryConfig defaultRetries = RetryConfig.DEFAULT;

  private ConfigLoader(Path file, Map<String, String> environment, boolean checkStageDir) {
    this.file = requireNonNull(file, "file is null");
    this.folder = file.toAbsolutePath().normalize().getParent();
    this.environment = requireNonNull(environment, "environment is null");
    this.checkStageDir = checkStageDir;
  }

  /** Reads and validates {@code file}; throws {@link ConfigException} listing every problem. */
  public static QsyncConfig load(Path file, Map<String, String> environment) {
    return load(file, environment, false);
  }

  /**
   * Like {@link #load(Path, Map)}, and also makes sure {@code stage_dir} can be used: creates it
   * when absent and writes a file there. For the commands that stage rows ({@code run}, {@code
   * plan}) and {@code validate}; the others ({@code status}, {@code history}) may run as a user
   * who cannot write there.
   */
  public static QsyncConfig loadForRuns(Path file, Map<String, String> environment) {
    return load(file, environment, true);
  }

  private static QsyncConfig load(
      Path file, Map<String, String> environment, boolean checkStageDir) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw ConfigException.unreadable(file, e);
    }
    return parse(file, text, environment, checkStageDir);
  }

  /** Validates {@code text} as if read from {@code file}, which is never opened. */
  public static QsyncConfig parse(Path file, String text, Map<String, String> environment) {
    return parse(file, text, environment, false);
  }

  /**
   * Validates {@code text} as if read from {@code file}, which is never opened; with {@code
   * checkStageDir}, also checks that {@code stage_dir} can be created and written.
   */
  public static QsyncConfig parse(
      Path file, String text, Map<String, String> environment, boolean checkStageDir) {
    requireNonNull(text, "text is null");
    ConfigLoader loader = new ConfigLoader(file, environment, checkStageDir);
    QsyncConfig config = loader.read(text);
    if (!loader.problems.isEmpty()) {
      loader.problems.sort(
          comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
      throw new ConfigException(file, loader.problems);
    }
    return config;
  }

  private QsyncConfig read(String text) {
    Node root = compose(text);
    Entries top = root == null ? null : entries(root, "", mapWithKeys(TOP_KEYS));
    if (top == null) {
      return null;
    }
    rejectUnknownKeys(top, TOP_KEYS);
    Path stageDir = optional(top, "stage_dir", folder.resolve(DEFAULT_STAGE_DIR).normalize(),
        "a folder path", this::folderPath);
    if (checkStageDir && stageDir != null) {
      Node written = top.value("stage_dir");
      checkStageDir(written != null ? written : root, stageDir, written == null);
    }

    Entries connectionEntries = required(top, "connections",
        "a map of named connections, like warehouse: {type: duckdb}", this::entries);
    Map<String, String> connectionTypes = new LinkedHashMap<>(); // name -> type, null if invalid
    Map<String, ConnectionConfig> connections = new LinkedHashMap<>();
    if (connectionEntries != null) {
      connectionEntries.byKey().forEach((name, tuple) -> {
        ConnectionConfig connection = connection(
            name, tuple.getValueNode(), connectionEntries.pathOf(name), connectionTypes);
        if (connection != null) {
          connections.put(name, connection);
        }
      });
    }

    ThrottleConfig topThrottle = throttle(top, ThrottleConfig.DEFAULT, connectionTypes);
    defaultThrottle = topThrottle == null ? ThrottleConfig.DEFAULT : topThrottle;
    RetryConfig topRetries = retries(top, RetryConfig.DEFAULT);
    defaultRetries = topRetries == null ? RetryConfig.DEFAULT : topRetries;

    Entries syncEntries = required(top, "syncs",
        "a map of named syncs, like orders: {source: ..., query: ...}", this::entries);
    Map<String, SyncConfig> syncs = new LinkedHashMap<>();
    if (syncEntries != null) {
      syncEntries.byKey().forEach((name, tuple) -> {
        SyncConfig sync = sync(name, tuple, syncEntries.pathOf(name),
            connectionEntries == null ? null : connectionTypes);
        if (sync != null) {
          syncs.put(name, sync);
        }
      });
    }
    rejectSharedTables(syncs, connections);
    return problems.isEmpty()
        ? new QsyncConfig(file.toAbsolutePath().normalize(), stageDir, connections, syncs)
        : null;
  }

  /**
   * Two syncs writing one table would undo each other's rows run after run (and trip the delete
   * guard): the database is told by the target connections' hosts, ports and database, not by
   * their names, so two connections to one database count as one.
   */
  private void rejectSharedTables(
      Map<String, SyncConfig> syncs, Map<String, ConnectionConfig> connections) {
    Map<String, SyncConfig> firstByTable = new LinkedHashMap<>();
    for (SyncConfig sync : syncs.values()) {
      if (!(connections.get(sync.target()) instanceof MySqlConnectionConfig target)) {
        continue;
      }
      String database = new JdbcUrl(target.url()).database();
      SyncConfig first = firstByTable.putIfAbsent(database + "\0" + sync.table(), sync);
      if (first != null) {
        Mark firstMark = tableNodes.get(first.name()).getStartMark();
        problem(tableNodes.get(sync.name()), "syncs." + sync.name() + ".table", "syncs '"
            + first.name() + "' (" + file + ":" + (firstMark.getLine() + 1) + ":"
            + (firstMark.getColumn() + 1) + ") and '" + sync.name() + "' both write table "
            + sync.table() + " in " + database + ", and each run would undo the other's rows;"
            + " give each sync its own table, or join the queries into one sync");
      }
    }
  }

  /** Creates {@code stageDir} when absent and writes (and deletes) a file in it. */
  private void checkStageDir(Node node, Path stageDir, boolean defaulted) {
    try {
      Files.createDirectories(stageDir);
      Files.delete(Files.createTempFile(stageDir, ".qsync-check-", ".tmp"));
    } catch (IOException | SecurityException e) {
      String why = e instanceof java.nio.file.FileSystemException failure && failure.getReason() != null
          ? failure.getReason()
          : e instanceof java.nio.file.NoSuchFileException ? "the folder cannot be created there"
          : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : e instanceof java.nio.file.FileAlreadyExistsException ? "a file of that name is in the way"
          : String.valueOf(e.getMessage());
      problem(node, "stage_dir", "cannot use " + stageDir + (defaulted
          ? " (the default stage_dir, " + DEFAULT_STAGE_DIR + " beside the config)" : "")
          + ": " + why + "; point stage_dir at a folder qsync's user may write, with room for a"
          + " run's result and the table's rows");
    }
  }

  private Node compose(String text) {
    try {
      Node root = new Yaml().compose(new StringReader(text));
      if (root == null) {
        problems.add(new ConfigProblem(file, 1, 1, "",
            "the file holds no YAML; expected " + mapWithKeys(TOP_KEYS)));
      }
      return root;
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      problems.add(new ConfigProblem(file, mark == null ? 0 : mark.getLine() + 1,
          mark == null ? 0 : mark.getColumn() + 1, "", "invalid YAML: "
              + (e.getProblem() != null ? e.getProblem() : e.getMessage())
              + "; check the indentation, colons and quotes here"));
    } catch (YAMLException e) {
      problems.add(new ConfigProblem(file, 0, 0, "",
          "invalid YAML: " + e.getMessage() + "; simplify the file to plain maps and lists"));
    }
    return null;
  }

  // ---- connections and syncs ----

  private ConnectionConfig connection(
      String name, Node node, String path, Map<String, String> connectionTypes) {
    int before = problems.size();
    connectionTypes.put(name, null);
    Entries fields = entries(node, path, "a map with type: duckdb, type: mysql or type: bigquery");
    String type = fields == null
        ? null
        : required(fields, "type", or(CONNECTION_TYPES), choice(CONNECTION_TYPES));
    if (type == null) {
      return null;
    }
    connectionTypes.put(name, type);
    if (type.equals("bigquery")) {
      return bigQuery(name, fields, before);
    }
    if (type.equals("duckdb")) {
      rejectUnknownKeys(fields, DUCKDB_KEYS);
      Path database = optional(fields, "path", null, "a database file path", this::folderPath);
      List<String> setup = optional(fields, "setup", List.of(), "a SQL statement", this::strings);
      // ":memory:" is DuckDB's own name for "no file", the same as leaving path out
      Optional<Path> databaseFile =
          Optional.ofNullable(database).filter(resolved -> !resolved.endsWith(":memory:"));
      return problems.size() > before
          ? null
          : new DuckDbConnectionConfig(name, databaseFile, setup);
    }
    rejectUnknownKeys(fields, MYSQL_KEYS);
    String url = required(fields, "url", "a URL starting with " + or(URL_PREFIXES), this::jdbcUrl);
    String user = required(fields, "user", "a non-blank user name", this::nonBlank);
    String password = optional(fields, "password", "", "a string", this::text);
    String passwordFromFile = optional(fields, "password_file", null,
        "the path of a file holding the password", this::passwordFile);
    if (passwordFromFile != null && fields.value("password") != null) {
      problem(fields.value("password_file"), fields.pathOf("password_file"),
          "both password and password_file are set; keep one");
    }
    Map<String, String> properties = optional(fields, "properties", Map.of(),
        "a map of driver property names to values", this::properties);
    TlsConfig tls = tls(fields, properties);
    MySqlTimeouts timeouts = timeouts(fields);
    return problems.size() > before
        ? null
        : new MySqlConnectionConfig(name, url, user,
            new Secret(passwordFromFile != null ? passwordFromFile : password), properties, tls,
            timeouts);
  }

  private ConnectionConfig bigQuery(String name, Entries fields, int before) {
    rejectUnknownKeys(fields, BIGQUERY_KEYS);
    String project = required(fields, "project", "a Google Cloud project id, like my-project",
        this::nonBlank);
    String location = optional(fields, "location", BigQueryConnectionConfig.DEFAULT_LOCATION,
        "a BigQuery location such as US, EU or europe-west3", this::nonBlank);
    String credentialsText = optional(fields, "credentials_file", null,
        "a service-account key file, or none (an emulator)", this::nonBlank);
    BigQueryConnectionConfig.Credentials credentials =
        BigQueryConnectionConfig.Credentials.APPLICATION_DEFAULT;
    if ("none".equals(credentialsText)) {
      credentials = BigQueryConnectionConfig.Credentials.NONE;
    } else if (credentialsText != null) {
      Path file = folderPath(fields.value("credentials_file"), fields.pathOf("credentials_file"),
          "a service-account key file");
      credentials = file == null ? null : BigQueryConnectionConfig.Credentials.file(file);
    }
    String host = optional(fields, "host", null, "a URL like https://bigquery.example.com",
        (node, path, expected) -> {
          String text = nonBlank(node, path, expected);
          return text == null || text.startsWith("http://") || text.startsWith("https://")
              ? text : invalid(node, path, expected, text);
        });
    Map<String, String> labels = optional(fields, "labels", Map.of(),
        "a map of label names to values (lowercase letters, digits, _ and -)", this::labels);
    Long maximumBytes = optional(fields, "maximum_bytes_billed", null,
        "a whole number of bytes, like 10000000000", this::positiveLong);
    String stagingDataset = optional(fields, "staging_dataset", null,
        "a dataset name (letters, digits and _)", this::bigQueryName);
    Duration stagingExpiration = optional(fields, "staging_expiration",
        BigQueryConnectionConfig.DEFAULT_STAGING_EXPIRATION,
        "a duration like 48h or 30m (a bare number means seconds)", this::duration);
    Long pageSize = optional(fields, "page_size", (long) BigQueryConnectionConfig.DEFAULT_PAGE_SIZE,
        "a whole number of rows from 1 to 100000", this::positiveLong);
    if (pageSize != null && pageSize > 100_000) {
      problem(fields.value("page_size"), fields.pathOf("page_size"),
          "expected a whole number of rows from 1 to 100000, got " + pageSize);
    }
    Map<String, BigQueryConnectionConfig.QueryParameter> parameters = optional(fields,
        "query_parameters", Map.of(), "a map of parameter names to values", this::queryParameters);
    Duration retryDelay = optional(fields, "retry_delay",
        BigQueryConnectionConfig.DEFAULT_RETRY_DELAY,
        "a duration like 1s or 500ms (a bare number means seconds)", this::duration);
    BigQueryTimeouts timeouts = bigQueryTimeouts(fields);
    return problems.size() > before
        ? null
        : new BigQueryConnectionConfig(name, project, location, credentials,
            Optional.ofNullable(host), labels,
            maximumBytes == null ? java.util.OptionalLong.empty()
                : java.util.OptionalLong.of(maximumBytes),
            Optional.ofNullable(stagingDataset), stagingExpiration, pageSize.intValue(), parameters,
            retryDelay, timeouts);
  }

  private BigQueryTimeouts bigQueryTimeouts(Entries fields) {
    BigQueryTimeouts fallback = BigQueryTimeouts.DEFAULT;
    Duration connect = socketTimeout(fields, "connect_timeout", fallback.connect());
    Duration read = socketTimeout(fields, "read_timeout", fallback.read());
    Duration retry = optional(fields, "retry_timeout", fallback.retry(),
        DURATION_EXPECTED + " (0: no retries)", this::duration);
    return connect == null || read == null || retry == null
        ? null
        : new BigQueryTimeouts(connect, read, retry);
  }

  /** A timeout of the HTTP client, which counts in int milliseconds: 1ms to 24h. */
  private Duration socketTimeout(Entries fields, String key, Duration fallback) {
    Duration value = optional(fields, key, fallback, DURATION_EXPECTED, this::duration);
    if (value != null && (value.isZero() || value.compareTo(Duration.ofHours(24)) > 0)) {
      return reject(fields.value(key), fields.pathOf(key),
          "expected a duration from 1ms to 24h, got " + describe(fields.value(key)));
    }
    return value;
  }

  private Long positiveLong(Node node, String path, String expected) {
    String text = text(node, path, expected);
    if (text == null || !text.strip().matches("\\d{1,18}") || Long.parseLong(text.strip()) < 1) {
      return text == null ? null : invalid(node, path, expected, text);
    }
    return Long.parseLong(text.strip());
  }

  private String bigQueryName(Node node, String path, String expected) {
    String text = nonBlank(node, path, expected);
    return text == null || BIGQUERY_NAME.matcher(text).matches()
        ? text : invalid(node, path, expected, text);
  }

  /**
   * Labels by BigQuery's rules (cloud.google.com/bigquery/docs/labels-intro#requirements): keys
   * of 1 to 63 characters that start with a lowercase letter (international ones too), values of
   * up to 63, both of lowercase letters, digits, '_' and '-'; at most 64 on a job or table, of
   * which qsync sets {@code tool} and {@code qsync_sync} (see BigQuerySource.labels).
   */
  private Map<String, String> labels(Node node, String path, String expected) {
    int before = problems.size();
    Entries entries = entries(node, path, expected);
    Map<String, String> values = new LinkedHashMap<>();
    if (entries != null) {
      if (entries.byKey().size() > MAX_LABELS) {
        problem(node, path, entries.byKey().size() + " labels, but BigQuery allows 64 on a job or"
            + " table and qsync adds tool and qsync_sync: at most " + MAX_LABELS);
      }
      entries.byKey().forEach((key, tuple) -> {
        String labelPath = entries.pathOf(key);
        Node valueNode = tuple.getValueNode();
        String value = valueNode instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag())
            ? "" : text(valueNode, labelPath, "a label value (may be empty)");
        Optional<String> keyProblem = labelKeyProblem(key);
        keyProblem.ifPresent(message -> problem(tuple.getKeyNode(), labelPath, message));
        Optional<String> valueProblem = value == null ? Optional.empty() : labelValueProblem(value);
        valueProblem.ifPresent(message -> problem(valueNode, labelPath, message));
        if (value != null && keyProblem.isEmpty() && valueProblem.isEmpty()) {
          values.put(key, value);
        }
      });
    }
    return problems.size() > before ? null : values;
  }

  private static Optional<String> labelKeyProblem(String key) {
    String suggestion = key.toLowerCase(Locale.ROOT).replaceAll("[^\\p{Ll}\\p{Lo}\\p{Nd}_-]", "_")
        .replaceFirst("^[^\\p{Ll}\\p{Lo}]+", "");
    String rename = "; rename it, e.g. " + quote(suggestion.isEmpty() ? "label" : suggestion);
    if (key.equals("qsync_sync")) {
      return Optional.of("qsync sets this label itself (the sync's table prefix); rename yours");
    }
    if (key.isEmpty() || key.codePointCount(0, key.length()) > 63) {
      return Optional.of("a BigQuery label key holds 1 to 63 characters, got "
          + key.codePointCount(0, key.length()) + rename);
    }
    if (!LABEL_START.matcher(key).lookingAt()) {
      return Optional.of("a BigQuery label key starts with a lowercase letter" + rename);
    }
    if (!LABEL.matcher(key).matches()) {
      return Optional.of("a BigQuery label key holds lowercase letters, digits, _ and -" + rename);
    }
    return Optional.empty();
  }

  private static Optional<String> labelValueProblem(String value) {
    if (value.codePointCount(0, value.length()) > 63) {
      return Optional.of("a BigQuery label value holds at most 63 characters, got "
          + value.codePointCount(0, value.length()));
    }
    if (!LABEL.matcher(value).matches()) {
      return Optional.of("a BigQuery label value holds lowercase letters, digits, _ and -, got "
          + quote(value));
    }
    return Optional.empty();
  }

  /** name: value (typed by YAML: INT64, FLOAT64, BOOL, else STRING) or name: {type, value}. */
  private Map<String, BigQueryConnectionConfig.QueryParameter> queryParameters(
      Node node, String path, String expected) {
    int before = problems.size();
    Entries entries = entries(node, path, expected);
    Map<String, BigQueryConnectionConfig.QueryParameter> values = new LinkedHashMap<>();
    if (entries == null) {
      return null;
    }
    entries.byKey().forEach((key, tuple) -> {
      String parameterPath = entries.pathOf(key);
      Node value = tuple.getValueNode();
      if (!BIGQUERY_NAME.matcher(key).matches()) {
        problem(tuple.getKeyNode(), parameterPath,
            "a parameter name holds letters, digits and _ only; got " + quote(key));
        return;
      }
      if (value instanceof MappingNode) {
        Entries typed = entries(value, parameterPath, "{type: DATE, value: '2024-01-01'}");
        rejectUnknownKeys(typed, List.of("type", "value"));
        String type = required(typed, "type", or(PARAMETER_TYPES), choice(PARAMETER_TYPES));
        Node valueNode = typed.value("value");
        String text = valueNode instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag())
            ? null
            : required(typed, "value", "the value as a GoogleSQL literal of its type", this::text);
        if (type != null) {
          values.put(key, new BigQueryConnectionConfig.QueryParameter(type, text));
        }
        return;
      }
      String text = text(value, parameterPath, "a value, or {type: ..., value: ...}");
      if (text == null) {
        return;
      }
      Tag tag = ((ScalarNode) value).getTag();
      String type = Tag.INT.equals(tag) ? "INT64" : Tag.FLOAT.equals(tag) ? "FLOAT64"
          : Tag.BOOL.equals(tag) ? "BOOL" : "STRING";
      values.put(key, new BigQueryConnectionConfig.QueryParameter(type, text));
    });
    return problems.size() > before ? null : values;
  }

  private SyncConfig sync(
      String name, NodeTuple tuple, String path, Map<String, String> connectionTypes) {
    int before = problems.size();
    if (!SYNC_NAME.matcher(name).matches()) {
      problem(tuple.getKeyNode(), path, "sync name '" + name + "' names lock and stage files, so it"
          + " may hold only letters, digits, '_', '.' and '-', and not start with '.' or '-';"
          + " rename it, e.g. '" + name.replaceAll("^[.-]|[^A-Za-z0-9_.-]", "_") + "'");
    }
    Entries fields = entries(tuple.getValueNode(), path, mapWithKeys(SYNC_KEYS));
    if (fields == null) {
      return null;
    }
    rejectUnknownKeys(fields, SYNC_KEYS);
    String source = connectionName(fields, "source", SOURCE_TYPES, connectionTypes);
    String query = required(fields, "query", "a non-blank SQL query", this::nonBlank);
    if (query != null && source != null && connectionTypes != null
        && "bigquery".equals(connectionTypes.get(source))
        && query.strip().toLowerCase(Locale.ROOT).startsWith("#legacysql")) {
      problem(fields.value("query"), fields.pathOf("query"), "legacy SQL is not supported: qsync"
          + " runs BigQuery queries as GoogleSQL (standard SQL); rewrite the query in GoogleSQL"
          + " (`project.dataset.table` instead of [project:dataset.table]) and drop #legacySQL");
    }
    String target = connectionName(fields, "target", TARGET_TYPES, connectionTypes);
    String table = required(fields, "table", "a non-blank table name", this::nonBlank);
    tableNodes.put(name, fields.value("table"));
    String modeName = optional(fields, "mode", Mode.MIRROR.configName(), or(MODES), choice(MODES));
    Mode mode = modeName == null ? null : Mode.valueOf(modeName.toUpperCase(Locale.ROOT));
    List<String> key = keyColumns(fields, mode);
    Boolean createTable = optional(fields, "create_table", false, "true or false", this::bool);
    Integer batchSize = optional(fields, "batch_size", SyncConfig.DEFAULT_BATCH_SIZE,
        "a positive whole number", this::batchSize);
    Duration lockTimeout = optional(fields, "lock_timeout", SyncConfig.DEFAULT_LOCK_TIMEOUT,
        "a duration like 30s, 2m or 500ms (a bare number means seconds)", this::duration);
    Boolean allowEmpty = optional(fields, "allow_empty", false, "true or false", this::bool);
    Double maxDeleteFraction = optional(fields, "max_delete_fraction",
        DeleteGuard.DEFAULT_MAX_DELETE_FRACTION, "a fraction from 0 to 1, like 0.5", this::fraction);
    ThrottleConfig throttle = throttle(fields, defaultThrottle, connectionTypes);
    RetryConfig retries = retries(fields, defaultRetries);
    if (throttle != null && batchSize != null) {
      int min = throttle.minBatchSize(batchSize);
      int max = throttle.maxBatchSize(batchSize);
      if (min > max || batchSize < min || batchSize > max) {
        Node where = fields.value("batch_size") != null ? fields.value("batch_size") : fields.map();
        problem(where, fields.pathOf("batch_size"), "batch_size " + batchSize + " must lie within"
            + " min_batch_size " + min + " and max_batch_size " + max + " (the throttle's bounds);"
            + " change batch_size or the bounds");
      }
    }
    Diff diff = diff(fields, mode);
    return problems.size() > before
        ? null
        : new SyncConfig(name, source, query, target, table, key, mode, createTable, batchSize,
            lockTimeout, new DeleteGuard(allowEmpty, maxDeleteFraction), throttle, retries, diff);
  }

  /** {@code diff} and {@code state_dataset}: a snapshot needs a dataset and a keyed, diffing mode. */
  private Diff diff(Entries fields, Mode mode) {
    String strategy = optional(fields, "diff", Diff.Strategy.TARGET.configName(), or(DIFFS), choice(DIFFS));
    Node datasetNode = fields.value("state_dataset");
    String dataset = optional(fields, "state_dataset", null,
        "a dataset name of letters, digits and '_', like qsync_state",
        (node, path, expected) -> {
          String text = nonBlank(node, path, expected);
          return text == null || DATASET.matcher(text).matches() ? text : invalid(node, path, expected, text);
        });
    if (strategy == null || (datasetNode != null && dataset == null)) {
      return null;
    }
    if (strategy.equals(Diff.Strategy.TARGET.configName())) {
      if (dataset != null) {
        problem(datasetNode, fields.pathOf("state_dataset"), "state_dataset is used only with"
            + " diff: snapshot; add diff: snapshot, or remove state_dataset");
      }
      return Diff.TARGET;
    }
    Node where = fields.value("diff");
    if (mode != null && mode != Mode.MIRROR && mode != Mode.UPSERT) {
      problem(where, fields.pathOf("diff"), "diff: snapshot works with mode mirror or upsert, not "
          + mode.configName() + " (which writes the whole result every run); remove diff: snapshot"
          + " or change the mode");
      return null;
    }
    if (dataset == null) {
      problem(where, fields.pathOf("state_dataset"), "diff: snapshot needs state_dataset: the"
          + " warehouse dataset (a DuckDB schema) where qsync keeps the sync's state and change"
          + " sets, e.g. state_dataset: qsync_state; qsync must be allowed to create tables there");
      return null;
    }
    return Diff.snapshot(dataset);
  }

  /** A sync's connection, which must exist and have the type {@code role} needs; null: unknown. */
  private String connectionName(
      Entries fields, String role, List<String> types, Map<String, String> connectionTypes) {
    String type = or(types);
    String name = required(fields, role, "the name of a " + type + " connection", this::nonBlank);
    if (name == null || connectionTypes == null) {
      return name; // without a usable connections map there is nothing to check against
    }
    Node node = fields.value(role);
    String path = fields.pathOf(role);
    if (!connectionTypes.containsKey(name)) {
      return reject(node, path, "unknown connection '" + name + "'"
          + suggestion(name, connectionTypes.keySet())
          + "; valid connections: " + names(connectionTypes.keySet()));
    }
    String actualType = connectionTypes.get(name);
    if (actualType != null && !types.contains(actualType)) {
      // a connection whose type is invalid has type null, which List.of(...).contains refuses
      List<String> eligible = connectionTypes.entrySet().stream()
          .filter(entry -> entry.getValue() != null && types.contains(entry.getValue()))
          .map(Map.Entry::getKey).toList();
      return reject(node, path, "connection '" + name + "' has type " + actualType + ", but a "
          + role + " must be a " + type + " connection; valid " + role + "s: " + names(eligible));
    }
    return name;
  }

  private List<String> keyColumns(Entries fields, Mode mode) {
    Node node = fields.value("key");
    String path = fields.pathOf("key");
    boolean needed = mode != null && mode.needsKey();
    String expected = "the column(s) that identify a row, like key: [user_id]"
        + " (only mode: append may go without)";
    if (node == null) {
      if (needed) {
        problem(fields.map(), path, "missing required key 'key'; expected " + expected);
      }
      return List.of();
    }
    List<String> columns = strings(node, path, "a column name");
    if (columns != null && columns.isEmpty() && needed) {
      problem(node, path, "expected " + expected + ", got an empty list");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; columns != null && i < columns.size(); i++) {
      if (!seen.add(columns.get(i).toLowerCase(Locale.ROOT))) {
        problem(((SequenceNode) node).getValue().get(i), path + "[" + i + "]", "duplicate key"
            + " column '" + columns.get(i) + "' (column names ignore case); list each column once");
      }
    }
    return columns;
  }

  // ---- throttle, retries, TLS, timeouts ----

  /**
   * The {@code throttle} block of {@code parent} over {@code fallback}: each key given replaces
   * the fallback's value, so a sync's block overrides the top level's key by key.
   */
  private ThrottleConfig throttle(
      Entries parent, ThrottleConfig fallback, Map<String, String> connectionTypes) {
    Node node = parent.value("throttle");
    if (node == null) {
      return fallback;
    }
    int before = problems.size();
    Entries fields = entries(node, parent.pathOf("throttle"), mapWithKeys(THROTTLE_KEYS));
    if (fields == null) {
      return null;
    }
    rejectUnknownKeys(fields, THROTTLE_KEYS);
    String whole = "a whole number, 0 or more (0: off)";
    Long rate = optional(fields, "max_rows_per_second", fallback.maxRowsPerSecond(), whole,
        this::wholeNumber);
    Duration batchTime = optional(fields, "batch_time", fallback.batchTime(),
        DURATION_EXPECTED + " (0: fixed batches)", this::duration);
    Integer minBatch = optional(fields, "min_batch_size", fallback.minBatchSize(),
        "a positive whole number", this::batchSize);
    Integer maxBatch = optional(fields, "max_batch_size", fallback.maxBatchSize(),
        "a positive whole number", this::batchSize);
    Long threads = optional(fields, "max_threads_running", (long) fallback.maxThreadsRunning(),
        whole, this::wholeNumber);
    Long criticalThreads = optional(fields, "critical_threads_running",
        (long) fallback.criticalThreadsRunning(), whole, this::wholeNumber);
    List<String> replicas = optional(fields, "replicas", fallback.replicas(),
        "the name of a mysql connection", this::strings);
    Duration lag = optional(fields, "max_replica_lag", fallback.maxReplicaLag(),
        DURATION_EXPECTED, this::duration);
    Duration criticalLag = optional(fields, "critical_replica_lag",
        fallback.criticalReplicaLag(), DURATION_EXPECTED + " (0: off)", this::duration);
    Path pauseFile = optional(fields, "pause_file", fallback.pauseFile().orElse(null),
        "a file path", this::folderPath);
    Duration maxPause = optional(fields, "max_pause", fallback.maxPause(), DURATION_EXPECTED,
        this::duration);
    Duration probeInterval = optional(fields, "probe_interval", fallback.probeInterval(),
        DURATION_EXPECTED + " (0: before every batch)", this::duration);
    for (int i = 0; replicas != null && connectionTypes != null && i < replicas.size(); i++) {
      String replica = replicas.get(i);
      if (!"mysql".equals(connectionTypes.get(replica))) {
        List<String> mysql = connectionTypes.entrySet().stream()
            .filter(entry -> "mysql".equals(entry.getValue())).map(Map.Entry::getKey).toList();
        problem(fields.value("replicas"), fields.pathOf("replicas"), "replica '" + replica
            + "' is not a mysql connection" + suggestion(replica, mysql)
            + "; list connections (type: mysql) that reach the replicas");
      }
    }
    if (threads != null && criticalThreads != null && criticalThreads > 0
        && criticalThreads <= threads) {
      problem(fields.value("critical_threads_running"), fields.pathOf("critical_threads_running"),
          "critical_threads_running " + criticalThreads + " must be above max_threads_running "
              + threads + " (the run pauses at the one, stops at the other)");
    }
    if (lag != null && criticalLag != null && !criticalLag.isZero()
        && criticalLag.compareTo(lag) <= 0) {
      problem(fields.value("critical_replica_lag"), fields.pathOf("critical_replica_lag"),
          "critical_replica_lag must be longer than max_replica_lag (the run pauses at the one,"
              + " stops at the other)");
    }
    if (problems.size() > before) {
      return null;
    }
    for (String name : List.of("max_threads_running", "critical_threads_running")) {
      long value = name.equals("max_threads_running") ? threads : criticalThreads;
      if (value > 100_000) {
        problem(fields.value(name), fields.pathOf(name),
            "expected a thread count from 0 to 100000, got " + value);
      }
    }
    return problems.size() > before
        ? null
        : new ThrottleConfig(rate, batchTime, minBatch, maxBatch, threads.intValue(),
            criticalThreads.intValue(), replicas, lag, criticalLag, Optional.ofNullable(pauseFile),
            maxPause, probeInterval);
  }

  /** The longest {@code retries.max_time}: a run holds its lock and stage while it retries. */
  private static final Duration MAX_RETRY_TIME = Duration.ofHours(1);

  private RetryConfig retries(Entries parent, RetryConfig fallback) {
    Node node = parent.value("retries");
    if (node == null) {
      return fallback;
    }
    int before = problems.size();
    Entries fields = entries(node, parent.pathOf("retries"), mapWithKeys(RETRY_KEYS));
    if (fields == null) {
      return null;
    }
    rejectUnknownKeys(fields, RETRY_KEYS);
    Long attempts = optional(fields, "max_attempts", (long) fallback.maxAttempts(),
        "a whole number from 1 to 100 (1: no retries)", this::wholeNumber);
    Duration maxBackoff = optional(fields, "max_backoff", fallback.maxBackoff(),
        DURATION_EXPECTED, this::duration);
    Duration maxTime = optional(fields, "max_time", fallback.maxTime(),
        DURATION_EXPECTED + " (0: no retries)", this::duration);
    if (attempts != null && (attempts < 1 || attempts > 100)) {
      problem(fields.value("max_attempts"), fields.pathOf("max_attempts"),
          "expected a whole number from 1 to 100 (1: no retries), got " + quote("" + attempts));
    }
    if (maxTime != null && maxTime.compareTo(MAX_RETRY_TIME) > 0) {
      problem(fields.value("max_time"), fields.pathOf("max_time"),
          "expected at most 1h (a failover longer than that is an outage: the next run resumes),"
              + " got " + maxTime.toSeconds() + "s");
    }
    return problems.size() > before
        ? null
        : new RetryConfig(attempts.intValue(), maxBackoff, maxTime);
  }

  /** TLS of a mysql connection: off unless asked for; verify-full when a CA file is given. */
  private TlsConfig tls(Entries fields, Map<String, String> properties) {
    Path ca = optional(fields, "ca_file", null, "a PEM file path", this::existingFile);
    String modeName = optional(fields, "tls", ca != null ? "verify-full" : "disabled",
        or(TLS_MODES), choice(TLS_MODES));
    if (fields.value("tls") != null && properties != null
        && properties.keySet().stream().anyMatch(name -> name.equalsIgnoreCase("sslMode"))) {
      problem(fields.value("tls"), fields.pathOf("tls"),
          "both tls and properties.sslMode are set; keep tls");
    }
    if (modeName == null) {
      return null;
    }
    TlsConfig.Mode mode =
        TlsConfig.Mode.valueOf(modeName.toUpperCase(Locale.ROOT).replace('-', '_'));
    if (mode == TlsConfig.Mode.DISABLED && ca != null) {
      problem(fields.value("tls"), fields.pathOf("tls"), "tls is disabled but ca_file is set;"
          + " use tls: verify-full (or remove ca_file)");
    }
    return new TlsConfig(mode, Optional.ofNullable(ca));
  }

  private MySqlTimeouts timeouts(Entries fields) {
    MySqlTimeouts fallback = MySqlTimeouts.DEFAULT;
    Duration connect = optional(fields, "connect_timeout", fallback.connect(), DURATION_EXPECTED,
        this::duration);
    Duration statement = optional(fields, "statement_timeout", fallback.statement(),
        DURATION_EXPECTED + " (0: no limit)", this::duration);
    Duration lockWait = optional(fields, "lock_wait_timeout", fallback.lockWait(),
        DURATION_EXPECTED, this::duration);
    if (connect != null && connect.isZero()) {
      problem(fields.value("connect_timeout"), fields.pathOf("connect_timeout"),
          "expected a duration of 1s or more, got 0");
    }
    if (lockWait != null && lockWait.toSeconds() < 1) {
      problem(fields.value("lock_wait_timeout"), fields.pathOf("lock_wait_timeout"),
          "expected whole seconds, 1s or more (MySQL counts lock waits in seconds)");
    }
    return connect == null || statement == null || lockWait == null
        ? null
        : new MySqlTimeouts(connect, statement, lockWait);
  }

  /**
   * The password in a file, read now, one trailing line break removed. The file's content is
   * never quoted in a problem.
   */
  private String passwordFile(Node node, String path, String expected) {
    Path file = folderPath(node, path, expected);
    if (file == null) {
      return null;
    }
    try {
      return Files.readString(file).replaceFirst("\\r?\\n\\z", "");
    } catch (IOException e) {
      return reject(node, path, "cannot read password_file " + file + ": " + reason(e)
          + "; create it (readable by qsync's user only) or fix the path");
    }
  }

  private Path existingFile(Node node, String path, String expected) {
    Path file = folderPath(node, path, expected);
    if (file != null && !Files.isReadable(file)) {
      return reject(node, path, "cannot read " + file + ": " + (Files.exists(file)
          ? "permission denied" : "no such file") + "; fix the path");
    }
    return file;
  }

  private static String reason(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException ? "no such file"
        : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
        : e instanceof java.nio.charset.CharacterCodingException ? "it is not UTF-8 text"
        : String.valueOf(e.getMessage());
  }

  private Long wholeNumber(Node node, String path, String expected) {
    String text = text(node, path, expected);
    if (text == null || !WHOLE_NUMBER.matcher(text.strip()).matches()) {
      return text == null ? null : invalid(node, path, expected, text);
    }
    long value = Long.parseLong(text.strip());
    return value < 0 ? invalid(node, path, expected, text) : value;
  }

  // ---- maps and keys ----

  /** The entries of one YAML map by key, the first of duplicate keys winning. */
  private record Entries(MappingNode map, String path, Map<String, NodeTuple> byKey) {
    Node value(String key) {
      NodeTuple tuple = byKey.get(key);
      return tuple == null ? null : tuple.getValueNode();
    }

    String pathOf(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }
  }

  /** Turns one YAML node into a value, or reports a problem and returns null. */
  @FunctionalInterface
  private interface ValueReader<T> {
    T read(Node node, String path, String expected);
  }

  private Entries entries(Node node, String path, String expected) {
    if (!(node instanceof MappingNode map)) {
      return reject(node, path, "expected " + expected + ", got " + describe(node));
    }
    Entries entries = new Entries(map, path, new LinkedHashMap<>());
    for (NodeTuple tuple : map.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        problem(tuple.getKeyNode(), path,
            "expected a plain name as key, got " + describe(tuple.getKeyNode()));
        continue;
      }
      NodeTuple first = entries.byKey().putIfAbsent(keyNode.getValue(), tuple);
      if (first != null) {
        problem(keyNode, entries.pathOf(keyNode.getValue()), "duplicate key '" + keyNode.getValue()
            + "' (first at line " + (first.getKeyNode().getStartMark().getLine() + 1)
            + "); keep only one");
      }
    }
    return entries;
  }

  private void rejectUnknownKeys(Entries entries, List<String> allowed) {
    entries.byKey().forEach((key, tuple) -> {
      if (!allowed.contains(key)) {
        problem(tuple.getKeyNode(), entries.pathOf(key), "unknown key '" + key + "'"
            + suggestion(key, allowed) + "; valid keys: " + String.join(", ", allowed));
      }
    });
  }

  private <T> T required(Entries fields, String key, String expected, ValueReader<T> reader) {
    Node node = fields.value(key);
    return node == null
        ? reject(fields.map(), fields.pathOf(key),
            "missing required key '" + key + "'; expected " + expected)
        : reader.read(node, fields.pathOf(key), expected);
  }

  private <T> T optional(
      Entries fields, String key, T fallback, String expected, ValueReader<T> reader) {
    Node node = fields.value(key);
    return node == null ? fallback : reader.read(node, fields.pathOf(key), expected);
  }

  // ---- values; each reports its own problem and returns null ----

  /** A scalar's text with {@code ${VAR}} replaced. Never quoted in a problem: it may be secret. */
  private String text(Node node, String path, String expected) {
    if (!(node instanceof ScalarNode scalar) || Tag.NULL.equals(scalar.getTag())) {
      return reject(node, path, "expected " + expected + ", got " + describe(node));
    }
    return Placeholders.substitute(
        scalar.getValue(), environment, message -> problem(node, path, message));
  }

  private String nonBlank(Node node, String path, String expected) {
    String text = text(node, path, expected);
    return text != null && text.isBlank() ? invalid(node, path, expected, text) : text;
  }

  /** One string or a list of them, each non-blank. */
  private List<String> strings(Node node, String path, String expected) {
    if (!(node instanceof SequenceNode sequence)) {
      String single = nonBlank(node, path, expected + " or a list of them");
      return single == null ? null : List.of(single);
    }
    List<String> values = new ArrayList<>();
    for (int i = 0; i < sequence.getValue().size(); i++) {
      values.add(nonBlank(sequence.getValue().get(i), path + "[" + i + "]", expected));
    }
    return values.contains(null) ? null : values;
  }

  private ValueReader<String> choice(List<String> allowed) {
    return (node, path, expected) -> {
      String text = text(node, path, expected);
      return text == null || allowed.contains(text)
          ? text
          : reject(node, path, "expected " + expected + ", got " + quote(text)
              + suggestion(text, allowed));
    };
  }

  private Boolean bool(Node node, String path, String expected) {
    String text = text(node, path, expected); // YAML 1.1's yes/no/on/off are refused on purpose
    return text == null || text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")
        ? (text == null ? null : Boolean.parseBoolean(text))
        : invalid(node, path, expected, text);
  }

  private Integer batchSize(Node node, String path, String expected) {
    String text = text(node, path, expected);
    if (text == null || !WHOLE_NUMBER.matcher(text.strip()).matches()) {
      return text == null ? null : invalid(node, path, expected, text);
    }
    long value = Long.parseLong(text.strip());
    return value >= 1 && value <= MAX_BATCH_SIZE
        ? (int) value
        : invalid(node, path, "a whole number from 1 to " + MAX_BATCH_SIZE, text);
  }

  private Double fraction(Node node, String path, String expected) {
    String text = text(node, path, expected);
    if (text == null || !FRACTION.matcher(text.strip()).matches()) {
      return text == null ? null : invalid(node, path, expected, text);
    }
    double value = Double.parseDouble(text.strip());
    return value >= 0 && value <= 1 ? value : invalid(node, path, expected, text);
  }

  private Duration duration(Node node, String path, String expected) {
    String text = text(node, path, expected);
    Matcher matcher = text == null ? null : DURATION.matcher(text.strip());
    if (matcher == null || !matcher.matches()) {
      return text == null ? null : invalid(node, path, expected, text);
    }
    long amount = Long.parseLong(matcher.group(1));
    if (amount < 0) {
      return invalid(node, path, "a duration of 0s or more", text);
    }
    return switch (matcher.group(2) == null ? "s" : matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
  }

  private String jdbcUrl(Node node, String path, String expected) {
    String url = text(node, path, expected);
    if (url != null && URL_PREFIXES.stream().noneMatch(url::startsWith)) {
      int schemeEnd = url.indexOf("//"); // show only the scheme: the rest may hold credentials
      return reject(node, path, "expected " + expected + ", got " + (schemeEnd < 0
          ? "a value without a scheme://"
          : "one starting with " + quote(url.substring(0, Math.min(schemeEnd + 2, 40)))));
    }
    // ?password=... and user:password@host alike: every message would show it
    return url != null && (url.toLowerCase(Locale.ROOT).contains("password=")
        || new JdbcUrl(url).hasPassword())
        ? reject(node, path, "a password in the url" + MOVE_PASSWORD)
        : url;
  }

  private Map<String, String> properties(Node node, String path, String expected) {
    int before = problems.size();
    Entries entries = entries(node, path, expected);
    Map<String, String> values = new LinkedHashMap<>();
    if (entries != null) {
      entries.byKey().forEach((key, tuple) -> {
        if (key.equalsIgnoreCase("password")) {
          problem(tuple.getKeyNode(), entries.pathOf(key), "a password among properties"
              + MOVE_PASSWORD);
        } else {
          values.put(key, text(tuple.getValueNode(), entries.pathOf(key),
              "a plain value (a string, number or true/false)"));
        }
      });
    }
    return problems.size() > before ? null : values;
  }

  /** A path resolved against the config file's folder. */
  private Path folderPath(Node node, String path, String expected) {
    String text = nonBlank(node, path, expected);
    try {
      return text == null ? null : folder.resolve(text).normalize();
    } catch (InvalidPathException e) {
      return reject(node, path, e.getReason() + "; expected " + expected + ", got " + quote(text));
    }
  }

  // ---- problems ----

  private void problem(Node node, String path, String message) {
    Mark mark = node.getStartMark();
    problems.add(new ConfigProblem(file, mark.getLine() + 1, mark.getColumn() + 1, path, message));
  }

  /** Records a problem and returns null, for {@code return reject(...)}. */
  private <T> T reject(Node node, String path, String message) {
    problem(node, path, message);
    return null;
  }

  private <T> T invalid(Node node, String path, String expected, String got) {
    return reject(node, path, "expected " + expected + ", got " + quote(got));
  }

  private static String describe(Node node) {
    if (node instanceof ScalarNode scalar) {
      return Tag.NULL.equals(scalar.getTag()) ? "nothing" : quote(scalar.getValue());
    }
    return node instanceof SequenceNode ? "a list" : "a map";
  }

  private static String quote(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }

  /** "a or b", "a, b or c". */
  private static String or(List<String> alternatives) {
    int last = alternatives.size() - 1;
    if (last == 0) {
      return alternatives.get(0);
    }
    return String.join(", ", alternatives.subList(0, last)) + " or " + alternatives.get(last);
  }

  private static String mapWithKeys(List<String> keys) {
    return "a map with the keys " + String.join(", ", keys);
  }

  private static String names(Collection<String> names) {
    return names.isEmpty() ? "none yet (add one under connections)" : String.join(", ", names);
  }

  /** " (did you mean 'x'?)" for the candidate within two edits of {@code given}, else "". */
  private static String suggestion(String given, Collection<String> candidates) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : candidates) {
      int distance =
          editDistance(given.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  /** Levenshtein distance: the fewest one-character inserts, deletes and changes from a to b. */
  private static int editDistance(String a, String b) {
    int[] row = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      row[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int diagonal = row[0];
      row[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int above = row[j];
        row[j] = Math.min(diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1),
            Math.min(above, row[j - 1]) + 1);
        diagonal = above;
      }
    }
    return row[b.length()];
  }
}
