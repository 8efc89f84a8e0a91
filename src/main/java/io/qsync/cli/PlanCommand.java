package io.qsync.cli;

import io.qsync.engine.PlanReport;
import io.qsync.engine.Progress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code qsync plan SYNC}: what a run would do now, nothing written. */
@Command(
    name = "plan",
    description = {
      "Shows what a run of the sync would do now: counts and sample changes. Writes nothing to"
          + " the table.",
      "With --out FILE, also saves the plan: its change set and fingerprints of the query's result"
          + " and of the table, so that 'qsync run SYNC --plan FILE' applies exactly the reviewed"
          + " change (mirror and upsert syncs)."
    })
final class PlanCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec CommandSpec spec;
  @Mixin HelpOption help;
  @ParentCommand QsyncCommand parent;

  @Parameters(paramLabel = "SYNC", description = "The sync to plan.")
  String sync;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = {
        "Save the plan to FILE (a DuckDB file; plan.qsp, say), replacing it: the change set in key"
            + " order and what it was computed against. Apply it with: qsync run SYNC --plan FILE"
      })
  Path out;

  PlanCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Progress progress =
        parent.options.json()
            ? Progress.silent()
            : new ConsoleProgress(spec.commandLine().getErr(), context.terminal(), context.clock());
    PlanReport report =
        context
            .qsync(parent.options.loadConfigForRuns(), progress)
            .plan(sync, Optional.ofNullable(out));
    spec.commandLine()
        .getOut()
        .println(
            parent.options.json() ? Renderer.json(Renderer.map(report)) : Renderer.text(report));
    return 0;
  }
}
