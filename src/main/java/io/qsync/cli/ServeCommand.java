package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.config.Alerts;
import io.qsync.config.QsyncConfig;
import io.qsync.config.Schedule;
import io.qsync.config.ServeConfig;
import io.qsync.config.SyncConfig;
import io.qsync.engine.Progress;
import io.qsync.serve.ConfigWatch;
import io.qsync.serve.Service;
import io.qsync.serve.alert.WebhookAlerts;
import io.qsync.serve.metrics.PrometheusMetrics;
import io.qsync.serve.web.StatusServer;
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
      "Runs every sync on its schedule until stopped, serving a status page, Prometheus metrics"
          + " and health probes.",
      "Each sync runs on its schedule: (a cron expression) or every: (an interval); one with"
          + " neither runs only when asked (the page's Run now, or qsync run). The serve block of the config sets where the"
          + " page, /metrics, /healthz and /readyz listen (default 127.0.0.1:8080), how many runs"
          + " may go at once (never two of one sync; the sync lock also keeps serve and a manual"
          + " qsync run apart) and the token that turns on the page's Run now. Each run is logged"
          + " on stderr when it starts and ends; the alerts block's on_failure and on_stale"
          + " webhooks are posted. The config is reloaded when its file changes or on SIGHUP; one"
          + " that fails to load is refused, the running one stays, and /readyz and the page say"
          + " why. SIGTERM or Ctrl-C stops taking new runs, lets each run commit its current batch"
          + " and record itself interrupted (the next run resumes it), and exits with 143 or 130"
          + " within 15 s. More in docs/service.md."
    })
final class ServeCommand implements Callable<Integer>, CommonOptions.TextOnly {
  /** How often the config file is looked at for a change. */
  static final Duration RELOAD_CHECK = Duration.ofSeconds(2);

  /**
   * How long a stop waits for the runs going on: less than {@link Main#STOP_TIMEOUT}, so that their
   * interruption is recorded before the process exits.
   */
  static final Duration STOP_BOUND = Duration.ofSeconds(15);

  /** How long a stop lets the page's requests under way finish. */
  static final Duration PAGE_STOP_GRACE = Duration.ofSeconds(2);

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
    boolean hangupsHeard = Signals.onHangup(() -> hangups.offer("SIGHUP"));
    List<Part> parts = new ArrayList<>();
    WebhookAlerts alerts =
        new WebhookAlerts(
            sync ->
                service
                    .config()
                    .sync(sync)
                    .map(known -> known.service().alerts())
                    .orElse(Alerts.NONE),
            service.board());
    parts.add(alerts::close);
    boolean stopped = false;
    Main.WRITING.set(true); // from now on SIGTERM and Ctrl-C interrupt this thread: a clean stop
    try {
      StatusServer page = openPage(service, alerts);
      parts.add(() -> page.stop(PAGE_STOP_GRACE));
      service.start();
      log.line(context.clock().instant(), started(config, hangupsHeard, page.port()));
      while (true) {
        String signal = hangups.poll(RELOAD_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        boolean changed = watch.changed();
        if (signal != null || changed) {
          reload(service, log, signal != null ? signal : "the file changed");
        }
        alerts.check(context.clock().instant()); // a sync that turned stale is posted once
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
   * The parts of {@code qsync serve} beside the scheduler, each given the service's board, "run
   * now" trigger, history and readiness: the metrics and the alerts hear every run ({@link
   * io.qsync.serve.RunListener}s, added before the service starts), and the status page serves the
   * page, {@code /metrics} and the probes; the page is returned started.
   */
  private StatusServer openPage(Service service, WebhookAlerts alerts) {
    PrometheusMetrics metrics = new PrometheusMetrics(service.board(), context.clock());
    service.addListener(metrics);
    service.addListener(alerts);
    ServeConfig serve = service.config().serve();
    StatusServer page =
        new StatusServer(
            serve.host(),
            serve.port(),
            serve.token(),
            service.board(),
            service.trigger(),
            service.history(),
            metrics,
            service.readiness(),
            context.clock());
    page.start();
    return page;
  }

  /** Something serve opened that must be closed when it ends. */
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
      if (!fresh.serve().token().equals(running.serve().token())) {
        log.line(
            context.clock().instant(),
            "serve.token changed; the page still takes the token it started with: restart qsync"
                + " serve to use the new one");
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

  private static String started(QsyncConfig config, boolean hangupsHeard, int port) {
    StringBuilder line =
        new StringBuilder(
            "serving " + Plural.of(config.syncs().size(), "sync") + " of " + config.file() + ":");
    for (SyncConfig sync : config.syncs().values()) {
      line.append("\n  ")
          .append(sync.name())
          .append(": ")
          .append(sync.service().schedule().map(Schedule::describe).orElse("runs only when asked"));
    }
    String host = config.serve().host();
    line.append("\nstatus page, /metrics, /healthz and /readyz at http://")
        .append(host.contains(":") ? "[" + host + "]" : host)
        .append(':')
        .append(port)
        .append('/');
    line.append("\nthe config reloads when its file changes")
        .append(hangupsHeard ? " or on SIGHUP" : "")
        .append("; SIGTERM or Ctrl-C stops serve");
    return line.toString();
  }
}
