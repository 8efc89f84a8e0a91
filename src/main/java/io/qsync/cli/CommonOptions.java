package io.qsync.cli;

import io.qsync.config.ConfigLoader;
import io.qsync.config.QsyncConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command shares. */
final class CommonOptions {
  enum Output {
    text,
    json
  }

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Config file (default: ${DEFAULT-VALUE}).",
      defaultValue = "qsync.yaml")
  Path config;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "text or json (default: ${DEFAULT-VALUE}); json is one document on stdout.",
      defaultValue = "text")
  Output output;

  @Option(
      names = {"-v", "--verbose"},
      description = "Show stack traces of errors.")
  boolean verbose;

  QsyncConfig loadConfig() {
    return ConfigLoader.load(config, System.getenv());
  }

  boolean json() {
    return output == Output.json;
  }
}
