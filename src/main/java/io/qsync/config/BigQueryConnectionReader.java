package io.qsync.config;

import static io.qsync.config.YamlReader.or;
import static io.qsync.config.YamlReader.quote;
import static java.util.Objects.requireNonNull;

import io.qsync.config.BigQueryConnectionConfig.Credentials;
import io.qsync.config.BigQueryConnectionConfig.QueryParameter;
import io.qsync.config.YamlReader.Fields;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Reads a connection of {@code type: bigquery}. Not thread-safe: it reads one file. */
final class BigQueryConnectionReader {
  private static final List<String> PARAMETER_TYPES =
      List.of(
          "STRING",
          "INT64",
          "FLOAT64",
          "NUMERIC",
          "BIGNUMERIC",
          "BOOL",
          "DATE",
          "DATETIME",
          "TIME",
          "TIMESTAMP");
  private static final Pattern BIGQUERY_NAME = Pattern.compile("[A-Za-z0-9_-]{1,1024}");

  /** Lowercase letters (international ones too: those without case), digits, '_' and '-'. */
  private static final Pattern LABEL = Pattern.compile("[\\p{Ll}\\p{Lo}\\p{Nd}_-]*");

  private static final Pattern LABEL_START = Pattern.compile("[\\p{Ll}\\p{Lo}]");

  /** BigQuery's 64 labels per job or table, less tool and qsync_sync, which qsync sets. */
  private static final int MAX_LABELS = 62;

  private static final long MAX_PAGE_SIZE = 100_000;

  static final ConfigKey<String> PROJECT =
      ConfigKey.required(
          "project",
          YamlReader::nonBlank,
          "a Google Cloud project id, like my-project",
          "the project the jobs run in and are billed to");
  static final ConfigKey<String> LOCATION =
      ConfigKey.withDefault(
          "location",
          YamlReader::nonBlank,
          "a BigQuery location such as US, EU or europe-west3",
          BigQueryConnectionConfig.DEFAULT_LOCATION,
          "where jobs run");
  static final ConfigKey<String> CREDENTIALS_FILE =
      ConfigKey.optional(
          "credentials_file",
          YamlReader::nonBlank,
          "a service-account key file, or none (an emulator)",
          "Application Default Credentials",
          "a service-account key (JSON); none: no credentials");
  static final ConfigKey<String> HOST =
      ConfigKey.optional(
          "host",
          BigQueryConnectionReader::host,
          "a URL like https://bigquery.example.com",
          "Google's",
          "the API's root URL");
  static final ConfigKey<Map<String, String>> LABELS =
      ConfigKey.optional(
          "labels",
          BigQueryConnectionReader::labels,
          "a map of label names to values (lowercase letters, digits, _ and -)",
          "`tool: qsync`",
          "labels on every job and table qsync makes, for billing reports");
  static final ConfigKey<Long> MAXIMUM_BYTES_BILLED =
      ConfigKey.optional(
          "maximum_bytes_billed",
          YamlReader::positiveLong,
          "a whole number of bytes, like 10000000000",
          "none",
          "a query that would bill more bytes fails instead of running");
  static final ConfigKey<String> STAGING_DATASET =
      ConfigKey.optional(
          "staging_dataset",
          BigQueryConnectionReader::bigQueryName,
          "a dataset name (letters, digits and _)",
          "none",
          "a dataset qsync may write each run's result to");
  static final ConfigKey<Duration> STAGING_EXPIRATION =
      ConfigKey.withDefault(
          "staging_expiration",
          YamlReader::duration,
          "a duration like 48h or 30m (a bare number means seconds)",
          BigQueryConnectionConfig.DEFAULT_STAGING_EXPIRATION,
          "how long a result table in staging_dataset is kept");
  static final ConfigKey<Long> PAGE_SIZE =
      ConfigKey.withDefault(
          "page_size",
          YamlReader::positiveLong,
          "a whole number of rows from 1 to 100000",
          (long) BigQueryConnectionConfig.DEFAULT_PAGE_SIZE,
          "rows per page read from the result");
  static final ConfigKey<Map<String, QueryParameter>> QUERY_PARAMETERS =
      ConfigKey.optional(
          "query_parameters",
          BigQueryConnectionReader::queryParameters,
          "a map of parameter names to values",
          "none",
          "named parameters, @name in the query");
  static final ConfigKey<Duration> RETRY_DELAY =
      ConfigKey.withDefault(
          "retry_delay",
          YamlReader::duration,
          "a duration like 1s or 500ms (a bare number means seconds)",
          BigQueryConnectionConfig.DEFAULT_RETRY_DELAY,
          "the first wait before retrying an error");
  static final ConfigKey<Duration> CONNECT_TIMEOUT =
      ConfigKey.duration(
          "connect_timeout",
          BigQueryTimeouts.DEFAULT.connect(),
          "opening a connection to the API (1ms to 24h)");
  static final ConfigKey<Duration> READ_TIMEOUT =
      ConfigKey.duration(
          "read_timeout",
          BigQueryTimeouts.DEFAULT.read(),
          "how long a call may go without an answer (1ms to 24h)");
  static final ConfigKey<Duration> RETRY_TIMEOUT =
      ConfigKey.duration(
          "retry_timeout",
          " (0: no retries)",
          BigQueryTimeouts.DEFAULT.retry(),
          "how long a call is retried after its first failure");
  static final ConfigKey<String> READ_API =
      ConfigKey.withDefault(
          "read_api",
          YamlReader.choice(List.of("auto", "storage", "rest")),
          "auto, storage or rest",
          "auto",
          "how results are read: the Storage Read API (billed by bytes read) or tabledata.list"
              + " (free); auto picks by size");
  static final ConfigKey<Long> READ_API_MIN_ROWS =
      ConfigKey.withDefault(
          "read_api_min_rows",
          YamlReader::positiveLong,
          "a whole number of rows, like 100000",
          BigQueryReadApi.DEFAULT_MIN_ROWS,
          "the smallest result read_api: auto reads with the Storage Read API");
  static final ConfigKey<Long> READ_STREAMS =
      ConfigKey.withDefault(
          "read_streams",
          YamlReader::positiveLong,
          "a whole number of streams from 1 to 64",
          (long) BigQueryReadApi.DEFAULT_STREAMS,
          "how many Storage Read API streams are read at once");
  static final ConfigKey<String> STORAGE_HOST =
      ConfigKey.optional(
          "storage_host",
          BigQueryConnectionReader::host,
          "a URL like http://127.0.0.1:9090 (plaintext) or https://host:443",
          "Google's",
          "the Storage Read API's endpoint");
  static final ConfigSection SECTION =
      ConfigSection.of(
          "connections.NAME.",
          "bigquery",
          List.of(
              ConnectionReader.TYPE,
              PROJECT,
              LOCATION,
              CREDENTIALS_FILE,
              HOST,
              LABELS,
              MAXIMUM_BYTES_BILLED,
              STAGING_DATASET,
              STAGING_EXPIRATION,
              PAGE_SIZE,
              QUERY_PARAMETERS,
              RETRY_DELAY,
              CONNECT_TIMEOUT,
              READ_TIMEOUT,
              RETRY_TIMEOUT,
              READ_API,
              READ_API_MIN_ROWS,
              READ_STREAMS,
              STORAGE_HOST));

  private final YamlReader reader;

  BigQueryConnectionReader(YamlReader reader) {
    this.reader = requireNonNull(reader, "reader is null");
  }

  Optional<ConnectionConfig> read(String name, Fields fields) {
    int before = reader.problemCount();
    reader.rejectUnknownKeys(fields, SECTION.names());
    Optional<String> project = reader.read(fields, PROJECT);
    Optional<String> location = reader.read(fields, LOCATION);
    Optional<Credentials> credentials = credentials(fields);
    Optional<String> host = reader.read(fields, HOST);
    Optional<Map<String, String>> labels = reader.read(fields, LABELS, Map.of());
    Optional<Long> maximumBytes = reader.read(fields, MAXIMUM_BYTES_BILLED);
    Optional<String> stagingDataset = reader.read(fields, STAGING_DATASET);
    Optional<Duration> stagingExpiration = reader.read(fields, STAGING_EXPIRATION);
    Optional<Long> pageSize = reader.read(fields, PAGE_SIZE);
    if (pageSize.filter(size -> size > MAX_PAGE_SIZE).isPresent()) {
      reader.problem(
          fields.valueOrMap("page_size"),
          fields.pathOf("page_size"),
          "expected a whole number of rows from 1 to 100000, got " + pageSize.get());
    }
    Optional<Map<String, QueryParameter>> parameters =
        reader.read(fields, QUERY_PARAMETERS, Map.of());
    Optional<Duration> retryDelay = reader.read(fields, RETRY_DELAY);
    Optional<BigQueryTimeouts> timeouts = timeouts(fields);
    Optional<BigQueryReadApi> readApi = readApi(fields);
    if (host.isPresent()
        && readApi.filter(api -> api.mode() == BigQueryReadApi.Mode.STORAGE).isPresent()
        && readApi.get().storageHost().isEmpty()) {
      // Jobs would go to host and the reads of their results to Google's endpoint.
      reader.problem(
          fields.valueOrMap("read_api"),
          fields.pathOf("read_api"),
          "read_api: storage with host "
              + host.get()
              + " needs storage_host, where that host serves the Storage Read API (its reads would"
              + " go to Google's endpoint); set storage_host, or read_api: rest");
    }
    return reader.problemCount() > before
        ? Optional.empty()
        : Optional.of(
            BigQueryConnectionConfig.builder(name, project.get())
                .location(location.get())
                .credentials(credentials.get())
                .host(host)
                .labels(labels.get())
                .maximumBytesBilled(maximumBytes.map(OptionalLong::of).orElse(OptionalLong.empty()))
                .stagingDataset(stagingDataset)
                .stagingExpiration(stagingExpiration.get())
                .pageSize(pageSize.get().intValue())
                .queryParameters(parameters.get())
                .retryDelay(retryDelay.get())
                .timeouts(timeouts.get())
                .readApi(readApi.get())
                .build());
  }

  private Optional<BigQueryReadApi> readApi(Fields fields) {
    Optional<String> mode = reader.read(fields, READ_API);
    Optional<Long> minRows = reader.read(fields, READ_API_MIN_ROWS);
    Optional<Long> streams = reader.read(fields, READ_STREAMS);
    Optional<String> storageHost = reader.read(fields, STORAGE_HOST);
    if (streams.filter(count -> count > 64).isPresent()) {
      reader.problem(
          fields.valueOrMap("read_streams"),
          fields.pathOf("read_streams"),
          "expected a whole number of streams from 1 to 64, got " + streams.get());
      return Optional.empty();
    }
    return mode.isEmpty() || minRows.isEmpty() || streams.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new BigQueryReadApi(
                BigQueryReadApi.Mode.valueOf(mode.get().toUpperCase(Locale.ROOT)),
                minRows.get(),
                streams.get().intValue(),
                storageHost));
  }

  /** Application Default Credentials, none (an emulator), or a key file. */
  private Optional<Credentials> credentials(Fields fields) {
    Optional<String> text = reader.read(fields, CREDENTIALS_FILE);
    if (text.isEmpty()) {
      return fields.has(CREDENTIALS_FILE.name())
          ? Optional.empty()
          : Optional.of(Credentials.APPLICATION_DEFAULT);
    }
    if (text.get().equals("none")) {
      return Optional.of(Credentials.NONE);
    }
    return reader
        .folderPath(
            fields.valueOrMap("credentials_file"),
            fields.pathOf("credentials_file"),
            "a service-account key file")
        .map(Credentials::file);
  }

  private Optional<BigQueryTimeouts> timeouts(Fields fields) {
    Optional<Duration> connect = socketTimeout(fields, CONNECT_TIMEOUT);
    Optional<Duration> read = socketTimeout(fields, READ_TIMEOUT);
    Optional<Duration> retry = reader.read(fields, RETRY_TIMEOUT);
    return connect.isEmpty() || read.isEmpty() || retry.isEmpty()
        ? Optional.empty()
        : Optional.of(new BigQueryTimeouts(connect.get(), read.get(), retry.get()));
  }

  /** A timeout of the HTTP client, which counts in int milliseconds: 1ms to 24h. */
  private Optional<Duration> socketTimeout(Fields fields, ConfigKey<Duration> key) {
    return reader
        .read(fields, key)
        .flatMap(
            value ->
                value.isZero() || value.compareTo(Duration.ofHours(24)) > 0
                    ? reader.reject(
                        fields.valueOrMap(key.name()),
                        fields.pathOf(key.name()),
                        "expected a duration from 1ms to 24h, got "
                            + YamlReader.describe(fields.valueOrMap(key.name())))
                    : Optional.of(value));
  }

  private static Optional<String> host(YamlReader reader, Node node, String path, String expected) {
    return reader
        .nonBlank(node, path, expected)
        .flatMap(
            text ->
                text.startsWith("http://") || text.startsWith("https://")
                    ? Optional.of(text)
                    : reader.invalid(node, path, expected, text));
  }

  private static Optional<String> bigQueryName(
      YamlReader reader, Node node, String path, String expected) {
    return reader
        .nonBlank(node, path, expected)
        .flatMap(
            text ->
                BIGQUERY_NAME.matcher(text).matches()
                    ? Optional.of(text)
                    : reader.invalid(node, path, expected, text));
  }

  /**
   * Labels by BigQuery's rules (cloud.google.com/bigquery/docs/labels-intro#requirements): keys of
   * 1 to 63 characters that start with a lowercase letter (international ones too), values of up to
   * 63, both of lowercase letters, digits, '_' and '-'; at most 64 on a job or table, of which
   * qsync sets {@code tool} and {@code qsync_sync} (see BigQuerySource.labels).
   */
  private static Optional<Map<String, String>> labels(
      YamlReader reader, Node node, String path, String expected) {
    int before = reader.problemCount();
    Map<String, String> values = new LinkedHashMap<>();
    reader
        .fields(node, path, expected)
        .ifPresent(
            entries -> {
              if (entries.byKey().size() > MAX_LABELS) {
                reader.problem(
                    node,
                    path,
                    entries.byKey().size()
                        + " labels, but BigQuery allows 64 on a"
                        + " job or table and qsync adds tool and qsync_sync: at most "
                        + MAX_LABELS);
              }
              entries
                  .byKey()
                  .forEach(
                      (key, tuple) -> {
                        String labelPath = entries.pathOf(key);
                        Node valueNode = tuple.getValueNode();
                        Optional<String> value =
                            YamlReader.isNull(valueNode)
                                ? Optional.of("")
                                : reader.text(valueNode, labelPath, "a label value (may be empty)");
                        Optional<String> keyProblem = labelKeyProblem(key);
                        keyProblem.ifPresent(
                            message -> reader.problem(tuple.getKeyNode(), labelPath, message));
                        Optional<String> valueProblem =
                            value.flatMap(BigQueryConnectionReader::labelValueProblem);
                        valueProblem.ifPresent(
                            message -> reader.problem(valueNode, labelPath, message));
                        if (value.isPresent() && keyProblem.isEmpty() && valueProblem.isEmpty()) {
                          values.put(key, value.get());
                        }
                      });
            });
    return reader.problemCount() > before ? Optional.empty() : Optional.of(values);
  }

  private static Optional<String> labelKeyProblem(String key) {
    String suggestion =
        key.toLowerCase(Locale.ROOT)
            .replaceAll("[^\\p{Ll}\\p{Lo}\\p{Nd}_-]", "_")
            .replaceFirst("^[^\\p{Ll}\\p{Lo}]+", "");
    String rename = "; rename it, e.g. " + quote(suggestion.isEmpty() ? "label" : suggestion);
    if (key.equals("qsync_sync")) {
      return Optional.of("qsync sets this label itself (the sync's table prefix); rename yours");
    }
    if (key.isEmpty() || key.codePointCount(0, key.length()) > 63) {
      return Optional.of(
          "a BigQuery label key holds 1 to 63 characters, got "
              + key.codePointCount(0, key.length())
              + rename);
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
      return Optional.of(
          "a BigQuery label value holds at most 63 characters, got "
              + value.codePointCount(0, value.length()));
    }
    if (!LABEL.matcher(value).matches()) {
      return Optional.of(
          "a BigQuery label value holds lowercase letters, digits, _ and -, got " + quote(value));
    }
    return Optional.empty();
  }

  /** name: value (typed by YAML: INT64, FLOAT64, BOOL, else STRING) or name: {type, value}. */
  private static Optional<Map<String, QueryParameter>> queryParameters(
      YamlReader reader, Node node, String path, String expected) {
    int before = reader.problemCount();
    Optional<Fields> entries = reader.fields(node, path, expected);
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    Map<String, QueryParameter> values = new LinkedHashMap<>();
    entries
        .get()
        .byKey()
        .forEach(
            (key, tuple) -> {
              String parameterPath = entries.get().pathOf(key);
              Node value = tuple.getValueNode();
              if (!BIGQUERY_NAME.matcher(key).matches()) {
                reader.problem(
                    tuple.getKeyNode(),
                    parameterPath,
                    "a parameter name holds letters, digits and _ only; got " + quote(key));
                return;
              }
              if (value instanceof MappingNode) {
                typedParameter(reader, value, parameterPath)
                    .ifPresent(parameter -> values.put(key, parameter));
                return;
              }
              reader
                  .text(value, parameterPath, "a value, or {type: ..., value: ...}")
                  .ifPresent(
                      text -> {
                        Tag tag = ((ScalarNode) value).getTag();
                        String type =
                            Tag.INT.equals(tag)
                                ? "INT64"
                                : Tag.FLOAT.equals(tag)
                                    ? "FLOAT64"
                                    : Tag.BOOL.equals(tag) ? "BOOL" : "STRING";
                        values.put(key, new QueryParameter(type, text));
                      });
            });
    return reader.problemCount() > before ? Optional.empty() : Optional.of(values);
  }

  private static final ConfigKey<String> PARAMETER_TYPE =
      ConfigKey.required(
          "type",
          YamlReader.choice(PARAMETER_TYPES),
          or(PARAMETER_TYPES),
          "the parameter's GoogleSQL type");
  private static final ConfigKey<String> PARAMETER_VALUE =
      ConfigKey.required(
          "value",
          YamlReader::text,
          "the value as a GoogleSQL literal of its type",
          "null for NULL");

  /** {type: DATE, value: '2024-01-01'}; a value of null is SQL's NULL. */
  private static Optional<QueryParameter> typedParameter(
      YamlReader reader, Node node, String path) {
    Fields typed = reader.fields(node, path, "{type: DATE, value: '2024-01-01'}").orElseThrow();
    reader.rejectUnknownKeys(typed, List.of(PARAMETER_TYPE.name(), PARAMETER_VALUE.name()));
    Optional<String> type = reader.read(typed, PARAMETER_TYPE);
    Optional<String> text =
        typed.value("value").filter(YamlReader::isNull).isPresent()
            ? Optional.empty()
            : reader.read(typed, PARAMETER_VALUE);
    return type.map(name -> new QueryParameter(name, text.orElse(null)));
  }
}
