package io.qsync.config;

import static java.util.Objects.requireNonNull;

import io.qsync.config.YamlReader.Fields;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads an {@code alerts} block, at the top level (every sync's webhooks) or in a sync, where each
 * key given replaces the top level's. The URLs are secrets: a problem never quotes them. Not
 * thread-safe: it reads one file.
 */
final class AlertsReader {
  private static final String URL_EXPECTED =
      "an http or https URL, like https://hooks.slack.com/services/... (use ${VAR} for a secret"
          + " one)";

  static final ConfigKey<Secret> ON_FAILURE =
      ConfigKey.optional(
          "on_failure",
          AlertsReader::url,
          URL_EXPECTED,
          "none",
          "a webhook `qsync serve` posts to when a run fails");
  static final ConfigKey<Secret> ON_STALE =
      ConfigKey.optional(
          "on_stale",
          AlertsReader::url,
          URL_EXPECTED,
          "none",
          "a webhook `qsync serve` posts to when a sync's last success grows older than its"
              + " max_staleness");
  static final ConfigSection SECTION =
      ConfigSection.of("alerts.", "", List.of(ON_FAILURE, ON_STALE));

  private final YamlReader reader;

  AlertsReader(YamlReader reader) {
    this.reader = requireNonNull(reader, "reader is null");
  }

  /** The {@code alerts} block of {@code parent} over {@code fallback}, key by key. */
  Optional<Alerts> read(Fields parent, Alerts fallback) {
    Optional<Node> node = parent.value("alerts");
    if (node.isEmpty()) {
      return Optional.of(fallback);
    }
    int before = reader.problemCount();
    Optional<Fields> block =
        reader.fields(node.get(), parent.pathOf("alerts"), YamlReader.mapWithKeys(SECTION.names()));
    if (block.isEmpty()) {
      return Optional.empty();
    }
    Fields fields = block.get();
    reader.rejectUnknownKeys(fields, SECTION.names());
    Optional<Secret> onFailure =
        fields.has(ON_FAILURE.name()) ? reader.read(fields, ON_FAILURE) : fallback.onFailure();
    Optional<Secret> onStale =
        fields.has(ON_STALE.name()) ? reader.read(fields, ON_STALE) : fallback.onStale();
    return reader.problemCount() > before
        ? Optional.empty()
        : Optional.of(new Alerts(onFailure, onStale));
  }

  /**
   * An http or https URL with a host, kept as a secret; a problem describes it, never quotes it.
   */
  private static Optional<Secret> url(YamlReader reader, Node node, String path, String expected) {
    return reader
        .text(node, path, expected)
        .flatMap(
            text -> {
              String why = urlProblem(text.strip());
              return why == null
                  ? Optional.of(new Secret(text.strip(), "the alert URL " + path))
                  : reader.reject(
                      node, path, "expected " + expected + ", got " + why + " (not shown)");
            });
  }

  /** What is wrong with {@code text} as a webhook URL, without quoting it; null when nothing. */
  private static String urlProblem(String text) {
    if (text.isEmpty()) {
      return "an empty value";
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return "a value that is no URL";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return uri.getScheme() == null
          ? "a value without http:// or https://"
          : "a " + scheme + ": URL";
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return "a URL without a host";
    }
    return null;
  }
}
