package io.qsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.JdbcUrl;
import io.qsync.tools.soak.Soak;
import io.qsync.tools.soak.SoakTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qsync soak}: what a sync costs an application that shares its table. */
@Command(
    name = "soak",
    description = {
      "Measures what syncing costs an application that uses the same table.",
      "Its read and write latencies alone, while qsync re-syncs the table again and again "
          + "unthrottled, with its default (self-)throttle and held to a fixed rate. Works in a scratch database it creates and drops (default "
          + "qsync_soak)."
    })
final class SoakCommand implements Callable<Integer>, CommonOptions.TextOnly {
  /** A throttle that visibly holds a sync back on a small machine: short batches, a row rate. */
  /** Where the password was read from before {@code --password-env}; still read without it. */
  private static final String OLD_PASSWORD_VARIABLE = "QSYNC_SOAK_PASSWORD";

  private static final List<String> DEFAULT_THROTTLE =
      List.of("batch_time=50ms", "max_rows_per_second=2000");

  @Spec CommandSpec spec;
  @Mixin HelpOption help;

  @Mixin ServerOptions server;

  /**
   * The older spelling of the server: a JDBC URL without a database, the password in {@code
   * QSYNC_SOAK_PASSWORD}. Still taken; not listed.
   */
  @Option(
      names = "--url",
      paramLabel = "JDBC_URL",
      hidden = true,
      description = "Older spelling of --host and --port: the server as a JDBC URL.")
  String url;

  @Option(
      names = "--database",
      paramLabel = "NAME",
      defaultValue = "qsync_soak",
      description =
          "Scratch database, created at the start (it must not exist) and dropped at the end (default: ${DEFAULT-VALUE}).")
  String database;

  @Option(
      names = "--rows",
      paramLabel = "N",
      defaultValue = "200000",
      description = "Rows in the table (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--clients",
      paramLabel = "N",
      defaultValue = "4",
      description = "Application connections (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(
      names = "--writes",
      paramLabel = "SHARE",
      defaultValue = "0.1",
      description =
          "Share of application operations that update a row (default: ${DEFAULT-VALUE}).")
  double writes;

  @Option(
      names = "--changed",
      paramLabel = "SHARE",
      defaultValue = "0.05",
      description =
          "Share of the warehouse rows changed before each sync run (default: ${DEFAULT-VALUE}).")
  double changed;

  @Option(
      names = "--seconds",
      paramLabel = "N",
      defaultValue = "20",
      description = "Length of each phase (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--throttle",
      paramLabel = "KEY=VALUE",
      description =
          "A throttle setting of the fixed-rate phase, e.g. --throttle max_rows_per_second=5000;"
              + " repeat for more (default: batch_time=50ms and max_rows_per_second=2000). The"
              + " phase runs without the self-throttle unless one sets max_latency_increase or"
              + " max_probe_latency_ms.")
  List<String> throttle = new ArrayList<>();

  @Option(names = "--no-throttled", description = "Skip the fixed-rate phase.")
  boolean noThrottled;

  @Option(
      names = "--load-change",
      description =
          "Add a phase three times --seconds long in which the application is idle, busy, then"
              + " idle again while qsync re-syncs with its default settings, and print its trace.")
  boolean loadChange;

  @Option(
      names = "--rates",
      paramLabel = "RATE",
      split = ",",
      description =
          "Add a phase for each rate, held to that many rows a second by the fixed-rate phase's"
              + " other settings (--throttle), to show how the application's p99 follows the"
              + " sync's rate, e.g. --rates 1000,2000,4000 (default: none).")
  List<Long> rates = new ArrayList<>();

  @Option(
      names = "--dir",
      paramLabel = "PATH",
      defaultValue = ".qsync/soak",
      description = "Work folder (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = "--json",
      paramLabel = "PATH",
      description = "Also write the figures to this JSON file.")
  Path json;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "N",
      description = "Seed of the application's key choice (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    CommonOptions.refuseJson(spec, "Leave out -o json; --json PATH writes the figures as JSON.");
    checkOptions();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String password = server.password(System.getenv(), Optional.of(OLD_PASSWORD_VARIABLE));
    String serverUrl = url == null ? server.url() : url.endsWith("/") ? url : url + "/";
    List<String> settings =
        noThrottled ? List.of() : throttle.isEmpty() ? DEFAULT_THROTTLE : throttle;
    List<String> throttleLines =
        settings.stream().map(setting -> setting.replaceFirst("=", ": ")).toList();
    Soak.Options options =
        new Soak.Options(
            serverUrl,
            server.user,
            password,
            database,
            rows,
            clients,
            writes,
            changed,
            seconds,
            throttleLines,
            dir,
            seed,
            loadChange,
            rates);
    List<Soak.Phase> phases =
        new Soak(
                options,
                line -> {
                  err.println("soak: " + line);
                  err.flush();
                })
            .run();
    out.println(SoakTable.render(phases));
    if (json != null) {
      try {
        new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .writeValue(json.toFile(), SoakTable.figures(options, phases));
      } catch (IOException e) {
        throw new QsyncException(
            ErrorKind.FAILED, "cannot write " + json + ": " + e.getMessage(), e);
      }
    }
    return 0;
  }

  private void checkOptions() {
    List<String> problems = new ArrayList<>();
    if (rows < 100) {
      problems.add("--rows must be at least 100");
    }
    if (clients < 1 || clients > 256) {
      problems.add("--clients must be from 1 to 256");
    }
    if (writes < 0 || writes > 1 || changed <= 0 || changed > 1) {
      problems.add("--writes must be from 0 to 1 and --changed above 0 and at most 1");
    }
    if (seconds < 1) {
      problems.add("--seconds must be at least 1");
    }
    if (rates.stream().anyMatch(rate -> rate < 1)) {
      problems.add("--rates must be rows a second, each at least 1");
    }
    if (url != null
        && (url.toLowerCase(Locale.ROOT).contains("password=") || new JdbcUrl(url).hasPassword())) {
      problems.add(
          "--url holds a password, which would be printed; pass it with --password-env VAR");
    }
    if (url != null
        && (spec.commandLine().getParseResult().hasMatchedOption("--host")
            || spec.commandLine().getParseResult().hasMatchedOption("--port"))) {
      problems.add("--url (the older spelling) and --host or --port: give --host and --port only");
    }
    if (!database.matches("[A-Za-z0-9_]+")) {
      problems.add("--database must be a plain name (letters, digits, _): the soak drops it");
    }
    throttle.stream()
        .filter(setting -> !setting.matches("[a-z_]+=\\S+"))
        .forEach(setting -> problems.add("--throttle takes KEY=VALUE, got '" + setting + "'"));
    if (!problems.isEmpty()) {
      throw new QsyncException(ErrorKind.USAGE, String.join("\n", problems));
    }
  }
}
