package io.qsync.cli;

import io.qsync.engine.Progress;
import io.qsync.engine.PruneReport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code qsync prune}: drops the warehouse tables of diff: snapshot that no sync needs. */
@Command(
    name = "prune",
    description = {
      "Drops the warehouse tables of diff: snapshot that no sync of this config needs.",
      "Those of syncs removed from the config, and old states, results and change sets. Looks "
          + "only in the state datasets the config's syncs name."
    })
final class PruneCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec CommandSpec spec;
  @Mixin HelpOption help;
  @ParentCommand QsyncCommand parent;

  @Option(names = "--dry-run", description = "List what would be dropped; drop nothing.")
  boolean dryRun;

  PruneCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    List<PruneReport> reports =
        context.qsync(parent.options.loadConfig(), Progress.silent()).prune(dryRun);
    if (parent.options.json()) {
      spec.commandLine()
          .getOut()
          .println(
              Renderer.json(
                  Map.of(
                      "tables",
                      reports.stream()
                          .map(
                              report ->
                                  Map.of(
                                      "location",
                                      report.location(),
                                      "table",
                                      report.table(),
                                      "reason",
                                      report.reason(),
                                      "dropped",
                                      report.dropped()))
                          .toList())));
      return 0;
    }
    if (reports.isEmpty()) {
      spec.commandLine().getOut().println("nothing to prune");
    }
    for (PruneReport report : reports) {
      spec.commandLine()
          .getOut()
          .println(
              (report.dropped() ? "dropped " : "would drop ")
                  + report.table()
                  + " in "
                  + report.location()
                  + " ("
                  + report.reason()
                  + ")");
    }
    return 0;
  }
}
