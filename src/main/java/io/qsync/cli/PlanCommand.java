package io.qsync.cli;

import io.qsync.engine.PlanReport;
import io.qsync.engine.Progress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code qsync plan SYNC}: what a run would do now, nothing written. */
@Command(
    name = "plan",
    description =
        "Shows what a run of the sync would do now: counts and sample changes. Writes nothing.")
final class PlanCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec CommandSpec spec;
  @Mixin HelpOption help;
  @ParentCommand QsyncCommand parent;

  @Parameters(paramLabel = "SYNC", description = "The sync to plan.")
  String sync;

  PlanCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Progress progress =
        parent.options.json()
            ? Progress.silent()
            : new ConsoleProgress(spec.commandLine().getErr(), context.terminal(), context.clock());
    PlanReport report = context.qsync(parent.options.loadConfigForRuns(), progress).plan(sync);
    spec.commandLine()
        .getOut()
        .println(
            parent.options.json() ? Renderer.json(Renderer.map(report)) : Renderer.text(report));
    return 0;
  }
}
