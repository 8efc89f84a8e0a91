package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.config.SyncConfig;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.ValidationReport;
import java.util.ArrayList;
import java.util.List;
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
    description = {
      "Checks the config, then (unless --offline) each sync's connections, query and table.",
      "Says on stderr what it checks and each retry; a passing failure (a warehouse that does not"
          + " answer) is retried for at most 30s, or the connection's retry_timeout if shorter."
    })
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
    String valid =
        "config "
            + config.file()
            + ": valid ("
            + Plural.of(config.syncs().size(), "sync")
            + ", "
            + Plural.of(config.connections().size(), "connection")
            + ")";
    if (offline) {
      out.println(
          parent.options.json()
              ? Renderer.json(java.util.Map.of("config", config.file().toString(), "valid", true))
              : valid);
      return 0;
    }
    // A person waits for the connections' answers: say what is done and what is being checked,
    // and each retry (ConsoleProgress), so the terminal is never silent; JSON output stays clean.
    var err = spec.commandLine().getErr();
    boolean json = parent.options.json();
    Progress progress =
        json ? Progress.silent() : new ConsoleProgress(err, context.terminal(), context.clock());
    if (!json) {
      err.println(valid + "; now checking each sync's connections, query and table");
      err.flush();
    }
    Qsync qsync = context.qsync(config, progress);
    List<ValidationReport.SyncCheck> checks = new ArrayList<>();
    for (SyncConfig sync : config.syncs().values()) {
      if (!json) {
        err.println(
            "checking sync "
                + sync.name()
                + ": its query on connection '"
                + sync.source()
                + "', its table "
                + sync.table()
                + " on connection '"
                + sync.target()
                + "'");
        err.flush();
      }
      checks.add(qsync.validate(sync.name()));
    }
    ValidationReport report = new ValidationReport(config.file(), checks);
    out.println(json ? Renderer.json(Renderer.map(report)) : Renderer.text(report));
    return report.ok() ? 0 : ErrorKind.NEEDS_ACTION.exitCode();
  }
}
