package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunOptions;
import io.qsync.engine.RunReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code qsync run SYNC...}: makes each sync's table equal to its query's result. */
@Command(
    name = "run",
    description = {
      "Makes each sync's table equal to its query's result, writing only what differs.",
      "An unfinished run of a sync (failed or killed) is resumed after its last committed batch."
    })
final class RunCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec CommandSpec spec;
  @Mixin HelpOption help;
  @ParentCommand QsyncCommand parent;

  @Mixin SyncSelection selection;

  @Option(
      names = "--restart",
      description = "Discard an unfinished run and its stage, and start over.")
  boolean restart;

  @Option(
      names = "--allow-deletes",
      description = {
        "For this run only, lift the delete guard: let an empty result empty the table "
            + "(allow_empty) and let the run delete more than max_delete_fraction of it."
      })
  boolean allowDeletes;

  @Option(
      names = "--full",
      description = {
        "For a sync with diff: snapshot, compare the whole result with the table instead of "
            + "with the state kept in the warehouse, and rebuild that state (heals hand edits)."
      })
  boolean full;

  RunCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    selection.checkNotBoth("run");
    var config = parent.options.loadConfigForRuns();
    List<String> names = selection.names(config, context.qsync(config, Progress.silent()), "run");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Progress progress =
        parent.options.json() && !context.terminal()
            ? Progress.silent()
            : new ConsoleProgress(err, context.terminal(), context.clock());
    Qsync qsync = context.qsync(config, progress);
    List<Map<String, Object>> results = new ArrayList<>();
    int exitCode = 0;
    List<String> failed = new ArrayList<>();
    int stoppedBefore = names.size();
    Main.WRITING.set(true);
    try {
      for (String name : names) {
        try {
          RunReport report = qsync.run(name, new RunOptions(restart, allowDeletes, full));
          results.add(Renderer.map(report));
          if (!parent.options.json()) {
            out.println(Renderer.text(report));
          }
        } catch (RuntimeException e) {
          // One sync's failure, even a bug, must not keep the others from running.
          QsyncException error = Main.known(e);
          results.add(Renderer.error(name, error));
          if (names.size() > 1) {
            err.println("sync " + name + " failed (exit " + Signals.exitCode(error.kind()) + "):");
          }
          Main.report(e, err, parent.options.verbose);
          failed.add(name + " (exit " + Signals.exitCode(error.kind()) + ")");
          exitCode = exitCode == 0 ? Signals.exitCode(error.kind()) : exitCode;
          if (error.kind() == ErrorKind.INTERRUPTED) {
            stoppedBefore = names.indexOf(name) + 1;
            break; // asked to stop: the syncs not run yet stay for the next time
          }
        }
      }
    } finally {
      Main.WRITING.set(false);
    }
    if (parent.options.json()) {
      out.println(Renderer.json(Map.of("runs", results)));
    } else if (names.size() > 1 && !failed.isEmpty()) {
      // Several syncs' output scrolls by; the last line says which ones need attention.
      List<String> notRun = names.subList(stoppedBefore, names.size());
      err.println(
          Plural.of(failed.size(), "sync")
              + " of "
              + names.size()
              + " failed: "
              + String.join(", ", failed)
              + (notRun.isEmpty() ? "" : "; not run: " + String.join(", ", notRun)));
    }
    return exitCode;
  }
}
