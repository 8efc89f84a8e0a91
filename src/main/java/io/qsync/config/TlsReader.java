package io.qsync.config;

import static java.util.Objects.requireNonNull;

import io.qsync.config.YamlReader.Fields;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the TLS keys of a mysql connection: off unless asked for; {@code verify-full} when a CA
 * file is given. Not thread-safe: it reads one file.
 */
final class TlsReader {
  private static final List<String> MODES =
      Arrays.stream(TlsConfig.Mode.values()).map(TlsConfig.Mode::configName).toList();

  static final ConfigKey<String> TLS =
      ConfigKey.optional(
          "tls",
          YamlReader.choice(MODES),
          YamlReader.or(MODES),
          "`disabled`; `verify-full` with `ca_file`",
          "whether to encrypt, and how much of the server's certificate to check");
  static final ConfigKey<Path> CA_FILE =
      ConfigKey.optional(
          "ca_file",
          YamlReader::existingFile,
          "a PEM file path",
          "none",
          "the CA certificate (PEM) the server's certificate must chain to");
  static final List<ConfigKey<?>> KEYS = List.of(TLS, CA_FILE);

  private final YamlReader reader;
  private final ConfigRules rules;

  TlsReader(YamlReader reader, ConfigRules rules) {
    this.reader = requireNonNull(reader, "reader is null");
    this.rules = requireNonNull(rules, "rules is null");
  }

  /** The connection's TLS; {@code properties} (empty if invalid) may not set sslMode beside it. */
  Optional<TlsConfig> read(Fields fields, Optional<Map<String, String>> properties) {
    Optional<Path> ca = reader.read(fields, CA_FILE);
    Optional<String> modeName =
        reader.read(fields, TLS, ca.isPresent() ? "verify-full" : "disabled");
    rules.tlsOrSslMode(fields, properties);
    if (modeName.isEmpty()) {
      return Optional.empty();
    }
    TlsConfig.Mode mode =
        TlsConfig.Mode.valueOf(modeName.get().toUpperCase(Locale.ROOT).replace('-', '_'));
    rules.caFileNeedsTls(fields, mode, ca);
    return Optional.of(new TlsConfig(mode, ca));
  }
}
