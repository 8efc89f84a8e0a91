package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.engine.Progress;
import io.qsync.engine.ValidationReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code qsync validate}: the config, then each sync's connections and schema. */
@Command(
    name = "validate",
    description =
        "Checks the config, then (unless --offline) each sync's connections, query and table.")
final class ValidateCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec CommandSpec spec;
  @Mixin HelpOption help;
  @ParentCommand QsyncCommand parent;

  @Option(names = "--offline", description = "Check the config file only; connect to nothing.")
  boolean offline;

  ValidateCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    var config = parent.options.loadConfigForRuns();
    var out = spec.commandLine().getOut();
    if (offline) {
      out.println(
          parent.options.json()
              ? Renderer.json(java.util.Map.of("config", config.file().toString(), "valid", true))
              : "config "
                  + config.file()
                  + ": valid ("
                  + Plural.of(config.syncs().size(), "sync")
                  + ", "
                  + Plural.of(config.connections().size(), "connection")
                  + ")");
      return 0;
    }
    ValidationReport report = context.qsync(config, Progress.silent()).validate();
    out.println(
        parent.options.json() ? Renderer.json(Renderer.map(report)) : Renderer.text(report));
    return report.ok() ? 0 : ErrorKind.NEEDS_ACTION.exitCode();
  }
}
