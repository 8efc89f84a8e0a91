package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.config.QsyncConfig;
import io.qsync.config.Schedule;
import io.qsync.config.SyncConfig;
import io.qsync.engine.Progress;
import io.qsync.serve.ConfigWatch;
import io.qsync.serve.Service;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code qsync serve}: runs every sync on its schedule until stopped, reloading the config when its
 * file changes or on SIGHUP, and stopping cleanly on SIGTERM or Ctrl-C.
 */
@Command(
    name = "serve",
    description = {
      "Runs every sync on its schedule (schedule or every in the config) until stopped.",
      "Each run is logged on stderr when it starts and ends; at most serve.max_concurrent_runs"
          + " go at once, never two of one sync, and the sync lock keeps serve and a manual"
          + " qsync run apart. The config file is reloaded when it changes or on SIGHUP; a config"
          + " that fails to load is refused and the running one stays. SIGTERM or Ctrl-C stops"
          + " taking new runs, lets each run commit its current batch and record itself"
          + " interrupted (the next run resumes it), and exits with 143 or 130."
    })
final class ServeCommand implements Callable<Integer> {
  /** How often the config file is looked at for a change. */
  static final Duration RELOAD_CHECK = Duration.ofSeconds(2);

  /**
   * How long a stop waits for the runs going on: less than {@link Main#STOP_TIMEOUT}, so that their
   * interruption is recorded before the process exits.
   */
  static final Duration STOP_BOUND = Duration.ofSeconds(15);

  private final CliContext context;

  @Spec CommandSpec spec;
  @Mixin HelpOption help;
  @ParentCommand QsyncCommand parent;

  ServeCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    CommonOptions.refuseJson(
        spec,
        "qsync serve logs its runs as text on stderr; qsync status -o json gives each sync's"
            + " state as JSON");
    ConfigWatch watch = new ConfigWatch(parent.options.config); // before loading: no edit missed
    QsyncConfig config = parent.options.loadConfigForRuns();
    PrintWriter err = spec.commandLine().getErr();
    RunLog log = new RunLog(err);
    Service service =
        new Service(
            config,
            loaded -> context.qsync(loaded, Progress.silent()),
            context.clock(),
            new SplittableRandom());
    service.addListener(log);
    BlockingQueue<String> hangups = new LinkedBlockingQueue<>();
    boolean hangupsHeard = Hangups.install(() -> hangups.offer("SIGHUP"));
    List<Part> parts = new ArrayList<>();
    boolean stopped = false;
    Main.WRITING.set(true); // from now on SIGTERM and Ctrl-C interrupt this thread: a clean stop
    try {
      parts.addAll(plugIns(service, log));
      service.start();
      log.line(context.clock().instant(), started(config, hangupsHeard));
      while (true) {
        String signal = hangups.poll(RELOAD_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        boolean changed = watch.changed();
        if (signal != null || changed) {
          reload(service, log, signal != null ? signal : "the file changed");
        }
        if (Thread.interrupted()) {
          throw new InterruptedException(); // asked to stop while reading the config or history
        }
      }
    } catch (InterruptedException e) {
      log.line(
          context.clock().instant(),
          "stopping: no new runs; the runs going on stop after their current batch (waiting at"
              + " most "
              + STOP_BOUND.toSeconds()
              + " s)");
      try {
        stopped = true;
        boolean ended = service.stop(STOP_BOUND);
        log.line(
            context.clock().instant(),
            ended
                ? "stopped"
                : "stopped without waiting for every run; `qsync status` shows a run that did not"
                    + " record its end as interrupted, and its next run resumes it");
      } catch (InterruptedException again) {
        Thread.currentThread().interrupt();
      }
      return Signals.exitCode(ErrorKind.INTERRUPTED);
    } finally {
      if (!stopped) {
        stopAfterFailure(service);
      }
      Main.WRITING.set(false);
      closeInReverse(parts);
    }
  }

  /** Serve ends for an error of its own (a bug): the runs going on stop as on SIGTERM. */
  private static void stopAfterFailure(Service service) {
    try {
      service.stop(STOP_BOUND);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Where the other parts of {@code qsync serve} plug in, each given the service's board, "run now"
   * trigger, history and readiness: the status page (a part, closed on exit) and the metrics and
   * alerts ({@link io.qsync.serve.RunListener}s, added with {@link Service#addListener} before the
   * service starts). The run log is added already.
   */
  private List<Part> plugIns(Service service, RunLog log) {
    return List.of();
  }

  /** Something {@link #plugIns} opened that must be closed when serve ends. */
  interface Part extends AutoCloseable {
    @Override
    void close();
  }

  private static void closeInReverse(List<Part> parts) {
    for (int i = parts.size() - 1; i >= 0; i--) {
      parts.get(i).close();
    }
  }

  /** Loads the config again; a config that fails to load is refused and the old one stays. */
  private void reload(Service service, RunLog log, String why) {
    QsyncConfig running = service.config();
    Set<String> before = running.syncs().keySet();
    try {
      QsyncConfig fresh = parent.options.loadConfigForRuns();
      service.reload(fresh);
      if (!fresh.serve().host().equals(running.serve().host())
          || fresh.serve().port() != running.serve().port()) {
        log.line(
            context.clock().instant(),
            "serve.listen changed; serve still listens where it started: restart qsync serve to"
                + " listen at the new address");
      }
      List<String> added =
          fresh.syncs().keySet().stream().filter(name -> !before.contains(name)).toList();
      List<String> removed =
          before.stream().filter(name -> !fresh.syncs().containsKey(name)).toList();
      log.line(
          context.clock().instant(),
          "config reloaded ("
              + why
              + "): "
              + Plural.of(fresh.syncs().size(), "sync")
              + (added.isEmpty() ? "" : "; added: " + String.join(", ", added))
              + (removed.isEmpty() ? "" : "; removed: " + String.join(", ", removed)));
    } catch (QsyncException e) {
      log.line(
          context.clock().instant(),
          "config reload failed ("
              + why
              + "); the running config stays until the file loads:\n"
              + e.getMessage());
      service.reloadFailed(e.getMessage());
    }
  }

  private static String started(QsyncConfig config, boolean hangupsHeard) {
    StringBuilder line =
        new StringBuilder(
            "serving " + Plural.of(config.syncs().size(), "sync") + " of " + config.file() + ":");
    for (SyncConfig sync : config.syncs().values()) {
      line.append("\n  ")
          .append(sync.name())
          .append(": ")
          .append(sync.service().schedule().map(Schedule::describe).orElse("runs only when asked"));
    }
    line.append("\nthe config reloads when its file changes")
        .append(hangupsHeard ? " or on SIGHUP" : "")
        .append("; SIGTERM or Ctrl-C stops serve");
    return line.toString();
  }
}
