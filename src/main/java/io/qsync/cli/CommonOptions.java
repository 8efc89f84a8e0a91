package io.qsync.cli;

import io.qsync.config.ConfigLoader;
import io.qsync.config.QsyncConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Options every command shares. They are declared once, on {@code qsync}, and inherited by every
 * subcommand, so {@code qsync -c FILE status} and {@code qsync status -c FILE} both work.
 */
final class CommonOptions {
  enum Output {
    text,
    json
  }

  @Option(
      names = {"-c", "--config"},
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "Config file (default: ${DEFAULT-VALUE}).",
      defaultValue = "qsync.yaml")
  Path config;

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      paramLabel = "FORMAT",
      description = "text or json (default: ${DEFAULT-VALUE}); json is one document on stdout.",
      defaultValue = "text")
  Output output;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Show stack traces of errors.")
  boolean verbose;

  QsyncConfig loadConfig() {
    return ConfigLoader.load(config, System.getenv());
  }

  /** The config, its stage_dir checked too: for the commands that stage rows, and validate. */
  QsyncConfig loadConfigForRuns() {
    return ConfigLoader.loadForRuns(config, System.getenv());
  }

  boolean json() {
    return output == Output.json;
  }
}
