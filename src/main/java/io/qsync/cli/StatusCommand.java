package io.qsync.cli;

import io.qsync.engine.Progress;
import io.qsync.engine.StatusReport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code qsync status}: every sync's last run, its result and age. */
@Command(name = "status", description = "Shows every sync's last run: result, age and counts.")
final class StatusCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec CommandSpec spec;
  @Mixin HelpOption help;
  @ParentCommand QsyncCommand parent;

  StatusCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    List<StatusReport> reports =
        context.qsync(parent.options.loadConfig(), Progress.silent()).status();
    spec.commandLine()
        .getOut()
        .println(
            parent.options.json()
                ? Renderer.json(Map.of("syncs", reports.stream().map(Renderer::map).toList()))
                : Renderer.text(reports));
    return 0;
  }
}
