package io.qsync.config;

import static java.util.Objects.requireNonNull;

import io.qsync.config.ConfigRules.ConnectionTypes;
import io.qsync.config.YamlReader.Fields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a {@code qsync.yaml} into a validated {@link QsyncConfig} without connecting to anything.
 * Every problem in the file is collected, placed at the line and column of the YAML node it
 * concerns, and thrown together in one {@link ConfigException}. Any scalar value may hold {@code
 * ${VAR}} placeholders, filled from the given environment (see {@link Placeholders}).
 *
 * <p>The top level is read here; each block by the reader that declares its keys ({@link
 * ConnectionReader}, {@link SyncReader}, {@link ThrottleReader}, {@link RetryReader}, {@link
 * ServeReader}, {@link AlertsReader}, ...), and the rules between keys are in {@link ConfigRules}.
 * {@link #SECTIONS} lists every block.
 *
 * <p>Thread-safe: each call works on its own instance.
 */
public final class ConfigLoader {
  /** Where stage files go when {@code stage_dir} is absent, relative to the config's folder. */
  public static final String DEFAULT_STAGE_DIR = ".qsync/stage";

  /** The largest {@code batch_size}: bigger batches hold row locks and memory for no gain. */
  public static final int MAX_BATCH_SIZE = 100_000;

  static final ConfigKey<Fields> CONNECTIONS =
      ConfigKey.block(
          "connections",
          "a map of named connections, like warehouse: {type: duckdb}",
          "required",
          "the named connections: sources and targets");
  static final ConfigKey<Fields> SYNCS =
      ConfigKey.block(
          "syncs",
          "a map of named syncs, like orders: {source: ..., query: ...}",
          "required",
          "the named syncs");
  static final ConfigKey<Path> STAGE_DIR =
      ConfigKey.optional(
          "stage_dir",
          YamlReader::folderPath,
          "a folder path",
          "`" + DEFAULT_STAGE_DIR + "`",
          "where per-run stage files live, relative to the config file");
  static final ConfigKey<Fields> THROTTLE =
      ConfigKey.block(
          "throttle",
          YamlReader.mapWithKeys(ThrottleReader.SECTION.names()),
          "the defaults",
          "every sync's throttle defaults");
  static final ConfigKey<Fields> RETRIES =
      ConfigKey.block(
          "retries",
          YamlReader.mapWithKeys(RetryReader.SECTION.names()),
          "the defaults",
          "every sync's retry defaults");
  static final ConfigKey<Fields> SERVE =
      ConfigKey.block(
          "serve",
          YamlReader.mapWithKeys(ServeReader.SECTION.names()),
          "the defaults",
          "how `qsync serve` listens and runs syncs");
  static final ConfigKey<Fields> ALERTS =
      ConfigKey.block(
          "alerts",
          YamlReader.mapWithKeys(AlertsReader.SECTION.names()),
          "none",
          "every sync's webhooks");
  static final ConfigSection TOP =
      ConfigSection.of(
          "", "", List.of(CONNECTIONS, SYNCS, STAGE_DIR, THROTTLE, RETRIES, SERVE, ALERTS));

  /** Every block of the file with its keys: what the config reference documents. */
  static final List<ConfigSection> SECTIONS =
      List.of(
          TOP,
          DuckDbConnectionReader.SECTION,
          MySqlConnectionReader.SECTION,
          BigQueryConnectionReader.SECTION,
          SyncReader.SECTION,
          ThrottleReader.SECTION,
          RetryReader.SECTION,
          ServeReader.SECTION,
          AlertsReader.SECTION);

  private final YamlReader reader;
  private final ConfigRules rules;
  private final boolean checkStageDir;

  private ConfigLoader(Path file, Map<String, String> environment, boolean checkStageDir) {
    this.reader = new YamlReader(file, environment);
    this.rules = new ConfigRules(reader);
    this.checkStageDir = checkStageDir;
  }

  /** Reads and validates {@code file}; throws {@link ConfigException} listing every problem. */
  public static QsyncConfig load(Path file, Map<String, String> environment) {
    return load(file, environment, false);
  }

  /**
   * Like {@link #load(Path, Map)}, and also makes sure {@code stage_dir} can be used: creates it
   * when absent and writes a file there. For the commands that stage rows ({@code run}, {@code
   * plan}) and {@code validate}; the others ({@code status}, {@code history}) may run as a user who
   * cannot write there.
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
    Optional<QsyncConfig> config = loader.read(text);
    if (loader.reader.problemCount() > 0) {
      throw new ConfigException(file, loader.reader.problems());
    }
    return config.orElseThrow();
  }

  private Optional<QsyncConfig> read(String text) {
    String expected = YamlReader.mapWithKeys(TOP.names());
    Optional<Node> root = reader.compose(text, expected);
    Optional<Fields> fields = root.flatMap(node -> reader.fields(node, "", expected));
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    Fields top = fields.get();
    reader.rejectUnknownKeys(top, TOP.names());
    Optional<Path> stageDir =
        reader.read(top, STAGE_DIR, reader.folder().resolve(DEFAULT_STAGE_DIR).normalize());
    if (checkStageDir && stageDir.isPresent()) {
      checkStageDir(top.valueOrMap(STAGE_DIR.name()), stageDir.get(), !top.has(STAGE_DIR.name()));
    }

    Optional<Fields> connectionFields = reader.read(top, CONNECTIONS);
    ConnectionTypes connectionTypes = new ConnectionTypes();
    Map<String, ConnectionConfig> connections = new LinkedHashMap<>();
    ConnectionReader connectionReader = new ConnectionReader(reader, rules);
    connectionFields.ifPresent(
        entries ->
            entries
                .byKey()
                .forEach(
                    (name, tuple) ->
                        connectionReader
                            .read(name, tuple.getValueNode(), entries.pathOf(name), connectionTypes)
                            .ifPresent(connection -> connections.put(name, connection))));

    ThrottleConfig defaultThrottle =
        new ThrottleReader(reader, rules)
            .read(top, ThrottleConfig.DEFAULT, Optional.of(connectionTypes))
            .orElse(ThrottleConfig.DEFAULT);
    RetryConfig defaultRetries =
        new RetryReader(reader).read(top, RetryConfig.DEFAULT).orElse(RetryConfig.DEFAULT);
    Alerts defaultAlerts = new AlertsReader(reader).read(top, Alerts.NONE).orElse(Alerts.NONE);
    Optional<ServeConfig> serve = new ServeReader(reader).read(top);

    Optional<Fields> syncFields = reader.read(top, SYNCS);
    Map<String, SyncConfig> syncs = new LinkedHashMap<>();
    Map<String, Node> tableNodes = new LinkedHashMap<>();
    SyncReader syncReader = new SyncReader(reader, rules);
    Optional<ConnectionTypes> knownTypes = connectionFields.map(ignored -> connectionTypes);
    syncFields.ifPresent(
        entries ->
            entries
                .byKey()
                .forEach(
                    (name, tuple) ->
                        syncReader
                            .read(
                                name,
                                tuple,
                                entries.pathOf(name),
                                knownTypes,
                                defaultThrottle,
                                defaultRetries,
                                defaultAlerts,
                                tableNodes)
                            .ifPresent(sync -> syncs.put(name, sync))));
    rules.targetTables(syncs.values(), connections, tableNodes);
    return reader.problemCount() > 0
        ? Optional.empty()
        : Optional.of(
            new QsyncConfig(
                reader.file().toAbsolutePath().normalize(),
                stageDir.get(),
                connections,
                syncs,
                serve.get()));
  }

  /** Creates {@code stageDir} when absent and writes (and deletes) a file in it. */
  private void checkStageDir(Node node, Path stageDir, boolean defaulted) {
    try {
      Files.createDirectories(stageDir);
      Files.delete(Files.createTempFile(stageDir, ".qsync-check-", ".tmp"));
    } catch (IOException | SecurityException e) {
      String why =
          e instanceof java.nio.file.FileSystemException failure && failure.getReason() != null
              ? failure.getReason()
              : e instanceof java.nio.file.NoSuchFileException
                  ? "the folder cannot be created there"
                  : e instanceof java.nio.file.AccessDeniedException
                      ? "permission denied"
                      : e instanceof java.nio.file.FileAlreadyExistsException
                          ? "a file of that name is in the way"
                          : String.valueOf(e.getMessage());
      reader.problem(
          node,
          "stage_dir",
          "cannot use "
              + stageDir
              + (defaulted
                  ? " (the default stage_dir, " + DEFAULT_STAGE_DIR + " beside the config)"
                  : "")
              + ": "
              + why
              + "; point stage_dir at a folder qsync's user may write, with room for a"
              + " run's result and the table's rows");
    }
  }
}
