package io.qsync.config;

import static java.util.Objects.requireNonNull;

import io.qsync.config.YamlReader.Fields;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the top level's {@code serve} block: where {@code qsync serve} listens, how many runs go at
 * once and the token of the page's actions. Not thread-safe: it reads one file.
 */
final class ServeReader {
  /** The most runs {@code max_concurrent_runs} may allow: each holds connections and a stage. */
  static final int MAX_CONCURRENT_RUNS = 64;

  /** The shortest token: anything shorter is guessed. */
  static final int MIN_TOKEN_LENGTH = 16;

  /** {@code host:port} or {@code [ipv6]:port}. */
  private static final Pattern LISTEN =
      Pattern.compile("(?:\\[([0-9A-Fa-f:.%\\w]+)]|([^\\[\\]:\\s]+)):(\\d{1,5})");

  /** Where to listen, as {@code listen} gives it. Immutable. */
  record Listen(String host, int port) {
    Listen {
      requireNonNull(host, "host is null");
    }
  }

  static final ConfigKey<Listen> LISTEN_KEY =
      ConfigKey.withDefault(
          "listen",
          ServeReader::listen,
          "host:port, like 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080 (port 0: any free port)",
          new Listen(ServeConfig.DEFAULT_HOST, ServeConfig.DEFAULT_PORT),
          "where the status page, /metrics and the probes listen; 0.0.0.0 opens them to the"
              + " network");
  static final ConfigKey<Integer> MAX_CONCURRENT_RUNS_KEY =
      ConfigKey.withDefault(
          "max_concurrent_runs",
          (reader, node, path, expected) ->
              reader.wholeNumberUpTo(MAX_CONCURRENT_RUNS, node, path, expected),
          "a whole number from 1 to " + MAX_CONCURRENT_RUNS,
          ServeConfig.DEFAULT_MAX_CONCURRENT_RUNS,
          "how many syncs may run side by side");
  static final ConfigKey<Secret> TOKEN =
      ConfigKey.optional(
          "token",
          ServeReader::token,
          "a token of at least " + MIN_TOKEN_LENGTH + " characters, like ${QSYNC_TOKEN}",
          "none",
          "what a person gives to start a run from the page; none: the page's actions are off");
  static final ConfigSection SECTION =
      ConfigSection.of("serve.", "", List.of(LISTEN_KEY, MAX_CONCURRENT_RUNS_KEY, TOKEN));

  private final YamlReader reader;

  ServeReader(YamlReader reader) {
    this.reader = requireNonNull(reader, "reader is null");
  }

  /** The top level's {@code serve} block; the defaults when it is absent. */
  Optional<ServeConfig> read(Fields top) {
    Optional<Node> node = top.value("serve");
    if (node.isEmpty()) {
      return Optional.of(ServeConfig.DEFAULT);
    }
    int before = reader.problemCount();
    Optional<Fields> block =
        reader.fields(node.get(), top.pathOf("serve"), YamlReader.mapWithKeys(SECTION.names()));
    if (block.isEmpty()) {
      return Optional.empty();
    }
    Fields fields = block.get();
    reader.rejectUnknownKeys(fields, SECTION.names());
    Optional<Listen> listen = reader.read(fields, LISTEN_KEY);
    Optional<Integer> maxRuns = reader.read(fields, MAX_CONCURRENT_RUNS_KEY);
    Optional<Secret> token = reader.read(fields, TOKEN);
    return reader.problemCount() > before
        ? Optional.empty()
        : Optional.of(
            new ServeConfig(
                listen.get().host(),
                listen.get().port(),
                maxRuns.get(),
                token.filter(secret -> !secret.isEmpty())));
  }

  private static Optional<Listen> listen(
      YamlReader reader, Node node, String path, String expected) {
    return reader
        .nonBlank(node, path, expected)
        .flatMap(
            text -> {
              Matcher matcher = LISTEN.matcher(text.strip());
              if (!matcher.matches()) {
                return reader.invalid(node, path, expected, text);
              }
              int port = Integer.parseInt(matcher.group(3));
              if (port > 65535) {
                return reader.invalid(node, path, "a port from 0 to 65535", matcher.group(3));
              }
              String host = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
              return Optional.of(new Listen(host, port));
            });
  }

  /**
   * A token of at least {@link #MIN_TOKEN_LENGTH} characters, or empty text (the actions are off);
   * a problem gives its length, never the token.
   */
  private static Optional<Secret> token(
      YamlReader reader, Node node, String path, String expected) {
    if (YamlReader.isNull(node)) {
      return Optional.of(new Secret("", "the token " + path));
    }
    return reader
        .text(node, path, expected)
        .flatMap(
            text -> {
              if (!text.isEmpty() && text.length() < MIN_TOKEN_LENGTH) {
                return reader.reject(
                    node,
                    path,
                    "expected "
                        + expected
                        + ", got one of "
                        + text.length()
                        + " (not shown): a short token is guessed; make one with `openssl rand"
                        + " -hex 16`, or leave token out to turn the page's actions off");
              }
              return Optional.of(new Secret(text, "the token " + path));
            });
  }
}
