package io.qsync.config;

import static io.qsync.config.YamlReader.or;
import static io.qsync.config.YamlReader.quote;
import static java.util.Objects.requireNonNull;

import io.qsync.config.YamlReader.Fields;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads a connection of {@code type: mysql}. Not thread-safe: it reads one file. */
final class MySqlConnectionReader {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");
  private static final List<String> URL_PREFIXES = List.of("jdbc:mariadb://", "jdbc:mysql://");
  private static final String MOVE_PASSWORD =
      " would be printed; move it to the connection's password key, like password: ${DB_PASSWORD}";

  static final ConfigKey<String> URL =
      ConfigKey.required(
          "url",
          MySqlConnectionReader::jdbcUrl,
          "a URL starting with " + or(URL_PREFIXES),
          "the database: jdbc:mariadb://host:port/database");
  static final ConfigKey<String> USER =
      ConfigKey.required("user", YamlReader::nonBlank, "a non-blank user name", "the user name");
  static final ConfigKey<String> PASSWORD =
      ConfigKey.optional(
          "password",
          YamlReader::text,
          "a string",
          "empty",
          "the password; use ${VAR}, or password_file");
  static final ConfigKey<Map<String, String>> PROPERTIES =
      ConfigKey.optional(
          "properties",
          MySqlConnectionReader::properties,
          "a map of driver property names to values",
          "none",
          "extra driver properties; values are never printed");
  static final ConfigKey<String> PASSWORD_FILE =
      ConfigKey.optional(
          "password_file",
          MySqlConnectionReader::passwordFile,
          "the path of a file holding the password",
          "none",
          "a file holding the password, read at start");
  static final ConfigKey<Duration> CONNECT_TIMEOUT =
      ConfigKey.duration(
          "connect_timeout",
          MySqlTimeouts.DEFAULT.connect(),
          "how long opening a connection may take");
  static final ConfigKey<Duration> STATEMENT_TIMEOUT =
      ConfigKey.duration(
          "statement_timeout",
          " (0: no limit)",
          MySqlTimeouts.DEFAULT.statement(),
          "the longest write statement (MariaDB); 0: no limit");
  static final ConfigKey<Duration> LOCK_WAIT_TIMEOUT =
      ConfigKey.duration(
          "lock_wait_timeout",
          MySqlTimeouts.DEFAULT.lockWait(),
          "row and metadata lock waits of qsync's sessions, whole seconds");
  static final ConfigSection SECTION =
      ConfigSection.of(
          "connections.NAME.",
          "mysql",
          List.of(ConnectionReader.TYPE, URL, USER, PASSWORD, PROPERTIES, PASSWORD_FILE),
          TlsReader.KEYS,
          List.of(CONNECT_TIMEOUT, STATEMENT_TIMEOUT, LOCK_WAIT_TIMEOUT));

  private final YamlReader reader;
  private final ConfigRules rules;
  private final TlsReader tls;

  MySqlConnectionReader(YamlReader reader, ConfigRules rules) {
    this.reader = requireNonNull(reader, "reader is null");
    this.rules = requireNonNull(rules, "rules is null");
    this.tls = new TlsReader(reader, rules);
  }

  Optional<ConnectionConfig> read(String name, Fields fields) {
    int before = reader.problemCount();
    reader.rejectUnknownKeys(fields, SECTION.names());
    Optional<String> url = reader.read(fields, URL);
    Optional<String> user = reader.read(fields, USER);
    Optional<String> password = reader.read(fields, PASSWORD);
    Optional<String> passwordFromFile = reader.read(fields, PASSWORD_FILE);
    rules.passwordOrPasswordFile(fields, passwordFromFile);
    Optional<Map<String, String>> properties = reader.read(fields, PROPERTIES, Map.of());
    Optional<TlsConfig> tlsConfig = tls.read(fields, properties);
    Optional<MySqlTimeouts> timeouts = timeouts(fields);
    return reader.problemCount() > before
        ? Optional.empty()
        : Optional.of(
            new MySqlConnectionConfig(
                name,
                url.get(),
                user.get(),
                new Secret(passwordFromFile.or(() -> password).orElse(""), passwordOrigin(fields)),
                properties.get(),
                tlsConfig.get(),
                timeouts.get()));
  }

  /**
   * Where the password came from, in words an access-denied message can show: the variables it
   * names (never a default written beside them), the file, the config's own text, or none.
   */
  static String passwordOrigin(Fields fields) {
    NodeTuple file = fields.byKey().get(PASSWORD_FILE.name());
    if (file != null && file.getValueNode() instanceof ScalarNode path) {
      return "the file " + path.getValue() + " (password_file)";
    }
    NodeTuple password = fields.byKey().get(PASSWORD.name());
    if (password == null || !(password.getValueNode() instanceof ScalarNode raw)) {
      return "no password: the connection sets neither password nor password_file";
    }
    List<String> variables = new ArrayList<>();
    Matcher variable = VARIABLE.matcher(raw.getValue());
    while (variable.find()) {
      variables.add(variable.group(1));
    }
    return variables.isEmpty()
        ? "the password written in the config (password:)"
        : "the password from "
            + (variables.size() == 1 ? "the environment variable " : "the variables ")
            + String.join(", ", variables)
            + " (password:)";
  }

  private Optional<MySqlTimeouts> timeouts(Fields fields) {
    Optional<Duration> connect = reader.read(fields, CONNECT_TIMEOUT);
    Optional<Duration> statement = reader.read(fields, STATEMENT_TIMEOUT);
    Optional<Duration> lockWait = reader.read(fields, LOCK_WAIT_TIMEOUT);
    if (connect.filter(Duration::isZero).isPresent()) {
      reader.problem(
          fields.valueOrMap("connect_timeout"),
          fields.pathOf("connect_timeout"),
          "expected a duration of 1s or more, got 0");
    }
    if (lockWait.filter(value -> value.toSeconds() < 1).isPresent()) {
      reader.problem(
          fields.valueOrMap("lock_wait_timeout"),
          fields.pathOf("lock_wait_timeout"),
          "expected whole seconds, 1s or more (MySQL counts lock waits in seconds)");
    }
    return connect.isEmpty() || statement.isEmpty() || lockWait.isEmpty()
        ? Optional.empty()
        : Optional.of(new MySqlTimeouts(connect.get(), statement.get(), lockWait.get()));
  }

  private static Optional<String> jdbcUrl(
      YamlReader reader, Node node, String path, String expected) {
    return reader
        .text(node, path, expected)
        .flatMap(
            url -> {
              if (URL_PREFIXES.stream().noneMatch(url::startsWith)) {
                int schemeEnd =
                    url.indexOf("//"); // show only the scheme: the rest may hold credentials
                return reader.reject(
                    node,
                    path,
                    "expected "
                        + expected
                        + ", got "
                        + (schemeEnd < 0
                            ? "a value without a scheme://"
                            : "one starting with "
                                + quote(url.substring(0, Math.min(schemeEnd + 2, 40)))));
              }
              // ?password=... and user:password@host alike: every message would show it
              return url.toLowerCase(Locale.ROOT).contains("password=")
                      || new JdbcUrl(url).hasPassword()
                  ? reader.reject(node, path, "a password in the url" + MOVE_PASSWORD)
                  : Optional.of(url);
            });
  }

  private static Optional<Map<String, String>> properties(
      YamlReader reader, Node node, String path, String expected) {
    int before = reader.problemCount();
    Map<String, String> values = new LinkedHashMap<>();
    reader
        .fields(node, path, expected)
        .ifPresent(
            fields ->
                fields
                    .byKey()
                    .forEach(
                        (key, tuple) -> {
                          if (key.equalsIgnoreCase("password")) {
                            reader.problem(
                                tuple.getKeyNode(),
                                fields.pathOf(key),
                                "a password among properties" + MOVE_PASSWORD);
                          } else {
                            reader
                                .text(
                                    tuple.getValueNode(),
                                    fields.pathOf(key),
                                    "a plain value (a string, number or true/false)")
                                .ifPresent(value -> values.put(key, value));
                          }
                        }));
    return reader.problemCount() > before ? Optional.empty() : Optional.of(values);
  }

  /**
   * The password in a file, read now, one trailing line break removed. The file's content is never
   * quoted in a problem.
   */
  private static Optional<String> passwordFile(
      YamlReader reader, Node node, String path, String expected) {
    return reader
        .folderPath(node, path, expected)
        .flatMap(
            file -> {
              try {
                return Optional.of(Files.readString(file).replaceFirst("\\r?\\n\\z", ""));
              } catch (IOException e) {
                return reader.reject(
                    node,
                    path,
                    "cannot read password_file "
                        + file
                        + ": "
                        + YamlReader.reason(e)
                        + "; create it (readable by qsync's user only) or fix the path");
              }
            });
  }
}
