package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.ConfigLoader;
import io.qsync.config.QsyncConfig;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
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

  /**
   * A command whose result is for people only: it refuses {@code -o json} ({@link #refuseJson}) and
   * its help does not list {@code -o} ({@link TextOnlyHelp}).
   */
  interface TextOnly {}

  /**
   * Hides the inherited {@code -o} from the help of each {@link TextOnly} command. The option stays
   * (hidden), so that {@code qsync bench -o json} is refused with a message, as JSON, instead of
   * being an unknown option.
   */
  static final class TextOnlyHelp implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      for (CommandLine command : spec.subcommands().values()) {
        CommandSpec sub = command.getCommandSpec();
        OptionSpec output = sub.findOption("--output");
        if (sub.userObject() instanceof TextOnly && output != null && !output.hidden()) {
          sub.remove(output);
          sub.addOption(output.toBuilder().hidden(true).build());
        }
      }
      return spec;
    }
  }

  /**
   * Refuses {@code -o json} for a command whose result is for people only, so that a caller who
   * asked for JSON gets a JSON error instead of text it cannot parse.
   */
  static void refuseJson(CommandSpec spec, String instead) {
    if (spec.findOption("--output").getValue() == Output.json) {
      throw new QsyncException(
          ErrorKind.USAGE, "qsync " + spec.name() + " prints text only\n" + instead);
    }
  }
}
