package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.source.ResultRead;
import io.qsync.state.RunRecord;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code qsync history SYNC}: the sync's runs and verifies, newest first. */
@Command(name = "history", description = "Lists a sync's runs and verifies, newest first.")
final class HistoryCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec CommandSpec spec;
  @Mixin HelpOption help;
  @ParentCommand QsyncCommand parent;

  @Parameters(paramLabel = "SYNC", description = "The sync.")
  String sync;

  @Option(
      names = {"-n", "--limit"},
      paramLabel = "N",
      description = "How many entries (runs and verifies) to list (default: ${DEFAULT-VALUE}).",
      defaultValue = "20")
  int limit;

  HistoryCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new QsyncException(
          ErrorKind.USAGE, "-n/--limit is how many runs to show: at least 1, got " + limit);
    }
    Qsync qsync = context.qsync(parent.options.loadConfig(), Progress.silent());
    List<RunRecord> runs = qsync.historyWithVerifies(sync, limit);
    List<String> runIds = runs.stream().map(RunRecord::runId).toList();
    Map<String, Map<String, Long>> billed =
        runs.isEmpty() ? Map.of() : qsync.bytesBilled(sync, runIds);
    Map<String, List<ResultRead>> reads = runs.isEmpty() ? Map.of() : qsync.reads(sync, runIds);
    spec.commandLine()
        .getOut()
        .println(
            parent.options.json()
                ? Renderer.json(
                    Map.of(
                        "sync",
                        sync,
                        "runs",
                        runs.stream()
                            .map(
                                run -> {
                                  Map<String, Object> map = Renderer.map(run);
                                  map.put(
                                      "bytes_billed",
                                      Renderer.bytesBilled(
                                          billed.getOrDefault(run.runId(), Map.of())));
                                  map.put(
                                      "reads",
                                      Renderer.reads(reads.getOrDefault(run.runId(), List.of())));
                                  return map;
                                })
                            .toList()))
                : runs.isEmpty()
                    ? "sync " + sync + " has not run yet"
                    : Renderer.historyText(runs, billed, reads));
    return 0;
  }
}
