package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunOptions;
import io.qsync.engine.RunReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
          + " With --plan FILE, applies exactly the change set 'qsync plan SYNC --out FILE' saved,"
          + " and refuses (exit 5, nothing written) when the plan is another sync's, the sync's"
          + " definition changed, the plan is older than --max-plan-age, or the query's result or"
          + " the table changed since the plan was made."
    })
final class RunCommand implements Callable<Integer> {
  private static final Pattern AGE = Pattern.compile("(\\d{1,9})([smhd])");

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

  @Option(
      names = "--plan",
      paramLabel = "FILE",
      description = {
        "Apply exactly the change set saved in FILE by 'qsync plan SYNC --out FILE' (one sync). A"
            + " reviewed plan passes the delete guard. If the run stops part-way, the same command"
            + " resumes it after its last committed batch."
      })
  Path plan;

  @Option(
      names = "--max-plan-age",
      paramLabel = "AGE",
      description = {
        "With --plan: refuse a plan made longer ago than AGE (90s, 30m, 24h, 7d; default: 24h)."
      })
  String maxPlanAge;

  RunCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    selection.checkNotBoth("run");
    RunOptions options = options();
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
          RunReport report = qsync.run(name, options);
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

  /** The run's options; a usage error for {@code --plan} beside what it excludes. */
  private RunOptions options() {
    if (plan == null) {
      if (maxPlanAge != null) {
        throw new QsyncException(
            ErrorKind.USAGE, "--max-plan-age goes with --plan FILE; there is no plan to age");
      }
      return new RunOptions(restart, allowDeletes, full);
    }
    if (selection.all || selection.syncs.size() != 1) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "--plan applies one sync's saved plan: name that one sync (qsync run SYNC --plan "
              + plan
              + ")");
    }
    if (full || allowDeletes) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "--plan applies the reviewed change set as it is, so "
              + (full ? "--full" : "--allow-deletes")
              + " does not go with it (a reviewed plan passes the delete guard)\nDrop "
              + (full ? "--full" : "--allow-deletes")
              + ", or make a new plan");
    }
    RunOptions options = RunOptions.applying(plan);
    if (maxPlanAge != null) {
      options = options.withMaxPlanAge(age(maxPlanAge));
    }
    return restart ? options.withRestart() : options;
  }

  /** {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}. */
  static Duration age(String text) {
    Matcher matcher = AGE.matcher(text.strip());
    if (!matcher.matches()) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "--max-plan-age takes a duration such as 90s, 30m, 24h or 7d, not '" + text + "'");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }
}
