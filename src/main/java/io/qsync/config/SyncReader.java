package io.qsync.config;

import static io.qsync.config.YamlReader.or;
import static java.util.Objects.requireNonNull;

import io.qsync.config.ConfigRules.ConnectionTypes;
import io.qsync.config.YamlReader.Fields;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads one named sync, its delete guard, its {@code throttle}, {@code retries} and {@code alerts}
 * blocks over the top level's, and what {@code qsync serve} needs of it ({@link ServiceReader}).
 * Not thread-safe: it reads one file.
 */
final class SyncReader {
  private static final List<String> SOURCE_TYPES = List.of("duckdb", "bigquery");
  private static final List<String> TARGET_TYPES = List.of("mysql");
  private static final List<String> MODES =
      Arrays.stream(Mode.values()).map(Mode::configName).toList();
  private static final List<String> DIFFS =
      Arrays.stream(Diff.Strategy.values()).map(Diff.Strategy::configName).toList();
  private static final List<String> COMPARES =
      Arrays.stream(Diff.Compare.values()).map(Diff.Compare::configName).toList();

  /** A dataset's name: letters, digits and '_' (BigQuery's rule, and a plain DuckDB schema). */
  private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9_]{1,1024}");

  private static final Pattern SYNC_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
  private static final String KEY_EXPECTED =
      "the column(s) that identify a row, like key:"
          + " [user_id] (only mode: append may go without)";

  static final ConfigKey<String> SOURCE =
      ConfigKey.required(
          "source",
          YamlReader::nonBlank,
          "the name of a " + or(SOURCE_TYPES) + " connection",
          "a bigquery or duckdb connection");
  static final ConfigKey<String> QUERY =
      ConfigKey.required(
          "query",
          YamlReader::nonBlank,
          "a non-blank SQL query",
          "the query whose result the table must equal");
  static final ConfigKey<String> TARGET =
      ConfigKey.required(
          "target",
          YamlReader::nonBlank,
          "the name of a " + or(TARGET_TYPES) + " connection",
          "a mysql connection");
  static final ConfigKey<String> TABLE =
      ConfigKey.required(
          "table", YamlReader::nonBlank, "a non-blank table name", "the target table");
  static final ConfigKey<List<String>> KEY =
      ConfigKey.optional(
          "key",
          YamlReader::strings,
          KEY_EXPECTED,
          "required but in `append`",
          "the column(s) identifying a row");
  static final ConfigKey<String> MODE =
      ConfigKey.withDefault(
          "mode",
          YamlReader.choice(MODES),
          or(MODES),
          Mode.MIRROR.configName(),
          "what the table ends as");
  static final ConfigKey<Boolean> CREATE_TABLE =
      ConfigKey.withDefault(
          "create_table", YamlReader::bool, "true or false", false, "create the table when absent");
  static final ConfigKey<Integer> BATCH_SIZE =
      ConfigKey.withDefault(
          "batch_size",
          ThrottleReader.BATCH_SIZE_TYPE,
          "a positive whole number",
          SyncConfig.DEFAULT_BATCH_SIZE,
          "changes per transaction at the start of a run");
  static final ConfigKey<Duration> LOCK_TIMEOUT =
      ConfigKey.duration(
          "lock_timeout",
          SyncConfig.DEFAULT_LOCK_TIMEOUT,
          "how long a run waits for another run of the same sync");
  static final ConfigKey<Boolean> ALLOW_EMPTY =
      ConfigKey.withDefault(
          "allow_empty",
          YamlReader::bool,
          "true or false",
          DeleteGuard.DEFAULT.allowEmpty(),
          "let a result of no rows empty a table that holds rows");
  static final ConfigKey<Double> MAX_DELETE_FRACTION =
      ConfigKey.withDefault(
          "max_delete_fraction",
          YamlReader::fraction,
          "a fraction from 0 to 1, like 0.5",
          DeleteGuard.DEFAULT_MAX_DELETE_FRACTION,
          "the largest share of the table one run may delete");
  static final ConfigKey<Fields> THROTTLE =
      ConfigKey.block(
          "throttle",
          YamlReader.mapWithKeys(ThrottleReader.SECTION.names()),
          "the top level's throttle",
          "the sync's throttle, key by key over the top level's");
  static final ConfigKey<Fields> RETRIES =
      ConfigKey.block(
          "retries",
          YamlReader.mapWithKeys(RetryReader.SECTION.names()),
          "the top level's retries",
          "the sync's retries, key by key over the top level's");
  static final ConfigKey<String> DIFF =
      ConfigKey.withDefault(
          "diff",
          YamlReader.choice(DIFFS),
          or(DIFFS),
          Diff.Strategy.TARGET.configName(),
          "how the run finds its change set");
  static final ConfigKey<String> STATE_DATASET =
      ConfigKey.optional(
          "state_dataset",
          SyncReader::dataset,
          "a dataset name of letters, digits and '_', like qsync_state",
          "required with `diff: snapshot`",
          "where the warehouse keeps the sync's state");
  static final ConfigKey<VerifyEvery> VERIFY_EVERY =
      ConfigKey.optional(
          "verify_every",
          SyncReader::verifyEvery,
          "a duration like 7d or 12h, or a number of runs of at least 1 like 10 runs",
          "none",
          "with `diff: snapshot`: after a run, verify the table (and heal what differs) when the"
              + " last verify is this old, or after this many runs");
  static final ConfigKey<String> COMPARE =
      ConfigKey.withDefault(
          "compare",
          YamlReader.choice(COMPARES),
          or(COMPARES),
          Diff.Compare.ROWS.configName(),
          "how a comparison with the table reads it: every row whole, or key and row hash");
  static final ConfigSection SECTION =
      ConfigSection.of(
          "syncs.NAME.",
          "",
          List.of(
              SOURCE,
              QUERY,
              TARGET,
              TABLE,
              KEY,
              MODE,
              CREATE_TABLE,
              BATCH_SIZE,
              LOCK_TIMEOUT,
              ALLOW_EMPTY,
              MAX_DELETE_FRACTION,
              THROTTLE,
              RETRIES,
              DIFF,
              STATE_DATASET,
              VERIFY_EVERY,
              COMPARE),
          ServiceReader.KEYS);

  private final YamlReader reader;
  private final ConfigRules rules;
  private final ThrottleReader throttleReader;
  private final RetryReader retryReader;
  private final ServiceReader serviceReader;

  SyncReader(YamlReader reader, ConfigRules rules) {
    this.reader = requireNonNull(reader, "reader is null");
    this.rules = requireNonNull(rules, "rules is null");
    this.throttleReader = new ThrottleReader(reader, rules);
    this.retryReader = new RetryReader(reader);
    this.serviceReader = new ServiceReader(reader);
  }

  /**
   * The sync {@code name} over the top level's throttle and retries; its connections are checked
   * against {@code connections} (empty: the connections block is unusable). Its {@code table} node
   * goes into {@code tableNodes}, for problems that concern two syncs.
   */
  Optional<SyncConfig> read(
      String name,
      NodeTuple tuple,
      String path,
      Optional<ConnectionTypes> connections,
      ThrottleConfig defaultThrottle,
      RetryConfig defaultRetries,
      Alerts defaultAlerts,
      Map<String, Node> tableNodes) {
    int before = reader.problemCount();
    if (!SYNC_NAME.matcher(name).matches()) {
      reader.problem(
          tuple.getKeyNode(),
          path,
          "sync name '"
              + name
              + "' names lock and stage"
              + " files, so it may hold only letters, digits, '_', '.' and '-', and not start with '.'"
              + " or '-'; rename it, e.g. '"
              + name.replaceAll("^[.-]|[^A-Za-z0-9_.-]", "_")
              + "'");
    }
    Optional<Fields> block =
        reader.fields(tuple.getValueNode(), path, YamlReader.mapWithKeys(SECTION.names()));
    if (block.isEmpty()) {
      return Optional.empty();
    }
    Fields fields = block.get();
    reader.rejectUnknownKeys(fields, SECTION.names());
    Optional<String> source =
        reader
            .read(fields, SOURCE)
            .flatMap(
                connection ->
                    rules.connectionOfRole(
                        fields, "source", connection, SOURCE_TYPES, connections));
    Optional<String> query = reader.read(fields, QUERY);
    rules.noLegacySql(fields, query, source, connections);
    Optional<String> target =
        reader
            .read(fields, TARGET)
            .flatMap(
                connection ->
                    rules.connectionOfRole(
                        fields, "target", connection, TARGET_TYPES, connections));
    Optional<String> table = reader.read(fields, TABLE);
    fields.value(TABLE.name()).ifPresent(node -> tableNodes.put(name, node));
    Optional<Mode> mode =
        reader.read(fields, MODE).map(modeName -> Mode.valueOf(modeName.toUpperCase(Locale.ROOT)));
    Optional<List<String>> key = keyColumns(fields);
    rules.keyForMode(fields, mode, key, KEY_EXPECTED);
    Optional<Boolean> createTable = reader.read(fields, CREATE_TABLE);
    Optional<Integer> batchSize = reader.read(fields, BATCH_SIZE);
    Optional<Duration> lockTimeout = reader.read(fields, LOCK_TIMEOUT);
    Optional<Boolean> allowEmpty = reader.read(fields, ALLOW_EMPTY);
    Optional<Double> maxDeleteFraction = reader.read(fields, MAX_DELETE_FRACTION);
    Optional<ThrottleConfig> throttle = throttleReader.read(fields, defaultThrottle, connections);
    Optional<RetryConfig> retries = retryReader.read(fields, defaultRetries);
    if (throttle.isPresent() && batchSize.isPresent()) {
      rules.batchSizeWithinThrottle(fields, batchSize.get(), throttle.get());
    }
    Optional<Diff.Compare> compare =
        reader
            .read(fields, COMPARE)
            .map(value -> Diff.Compare.valueOf(value.toUpperCase(Locale.ROOT)));
    Optional<Diff> diff =
        rules
            .diff(
                fields,
                reader.read(fields, DIFF),
                reader.read(fields, STATE_DATASET),
                reader.read(fields, VERIFY_EVERY),
                mode)
            .flatMap(found -> compare.map(found::withCompare));
    Optional<SyncService> service = serviceReader.read(fields, defaultAlerts);
    return reader.problemCount() > before
        ? Optional.empty()
        : Optional.of(
            SyncConfig.builder(name, source.get(), query.get(), target.get(), table.get())
                .key(key.get())
                .mode(mode.get())
                .createTable(createTable.get())
                .batchSize(batchSize.get())
                .lockTimeout(lockTimeout.get())
                .deleteGuard(new DeleteGuard(allowEmpty.get(), maxDeleteFraction.get()))
                .throttle(throttle.get())
                .retries(retries.get())
                .diff(diff.get())
                .service(service.get())
                .queryAt(fields.value(QUERY.name()).map(reader::where).orElse(""))
                .build());
  }

  /** The key columns, each once (column names ignore case); none when {@code key} is absent. */
  private Optional<List<String>> keyColumns(Fields fields) {
    Optional<Node> node = fields.value(KEY.name());
    if (node.isEmpty()) {
      return Optional.of(List.of());
    }
    String path = fields.pathOf(KEY.name());
    Optional<List<String>> columns = reader.strings(node.get(), path, "a column name");
    Set<String> seen = new HashSet<>();
    List<String> names = columns.orElse(List.of());
    for (int i = 0; i < names.size(); i++) {
      if (!seen.add(names.get(i).toLowerCase(Locale.ROOT))) {
        reader.problem(
            ((SequenceNode) node.get()).getValue().get(i),
            path + "[" + i + "]",
            "duplicate key column '"
                + names.get(i)
                + "' (column names ignore case); list each"
                + " column once");
      }
    }
    return columns;
  }

  private static final Pattern RUNS = Pattern.compile("(\\d{1,9})\\s*runs?");

  /** {@code 7d}, {@code 12h} or {@code 10 runs}; at least 1s, or 1 run. */
  private static Optional<VerifyEvery> verifyEvery(
      YamlReader reader, Node node, String path, String expected) {
    Optional<String> text = reader.nonBlank(node, path, expected);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    java.util.regex.Matcher runs = RUNS.matcher(text.get().strip());
    if (runs.matches()) {
      int count = Integer.parseInt(runs.group(1));
      return count >= 1
          ? Optional.of(VerifyEvery.runs(count))
          : reader.invalid(node, path, expected, text.get());
    }
    return reader
        .duration(node, path, expected)
        .flatMap(
            duration ->
                duration.compareTo(EverySchedule.MINIMUM) >= 0
                    ? Optional.of(VerifyEvery.interval(duration))
                    : reader.invalid(node, path, expected, text.get()));
  }

  private static Optional<String> dataset(
      YamlReader reader, Node node, String path, String expected) {
    return reader
        .nonBlank(node, path, expected)
        .flatMap(
            text ->
                DATASET.matcher(text).matches()
                    ? Optional.of(text)
                    : reader.invalid(node, path, expected, text));
  }
}
