package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.VerifyReport;
import java.io.PrintWriter;
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

/** {@code qsync verify SYNC...}: is each sync's table exactly its query's result? */
@Command(
    name = "verify",
    description = {
      "Checks that each sync's table holds exactly its query's current result, without moving"
          + " the rows: the warehouse and the database each compute checksums of ranges of keys,"
          + " and only the ranges that differ are looked at more closely, down to the keys. It"
          + " reads only and takes no lock: a run that changes the table meanwhile makes it say so"
          + " and stop.",
      "Prints whether the table is equal, or how many rows are missing from it, extra in it or"
          + " different, with a few keys of each. Exits 0 when every table is equal (or was healed), 6"
          + " when one differs. On BigQuery each pass is one query job; the bytes they billed are"
          + " shown."
    })
final class VerifyCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec CommandSpec spec;
  @Mixin HelpOption help;
  @ParentCommand QsyncCommand parent;

  @Mixin SyncSelection selection;

  @Option(
      names = "--samples",
      paramLabel = "N",
      defaultValue = "10",
      description = "Show at most N keys of each kind of difference (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(
      names = "--heal",
      description = {
        "Then write exactly the keys found differing, as a run would (under the sync's lock, with"
            + " its delete guard, writer and throttle, recorded in the history): rows missing or"
            + " different get the query's values, extra rows are deleted (mirror; upsert keeps"
            + " them). A following verify is equal."
      })
  boolean heal;

  VerifyCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    selection.checkNotBoth("verify");
    if (samples < 0) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "--samples must be 0 or more, got " + samples + "\nGive e.g. --samples 10.");
    }
    var config = parent.options.loadConfigForRuns();
    List<String> names =
        selection.names(config, context.qsync(config, Progress.silent()), "verify");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Qsync qsync = context.qsync(config, Progress.silent());
    List<Map<String, Object>> results = new ArrayList<>();
    int exitCode = 0;
    for (String name : names) {
      try {
        VerifyReport report = qsync.verify(name, samples, heal);
        results.add(map(report));
        if (!parent.options.json()) {
          out.println(text(report, qsync.sync(name).diff().snapshot()));
        }
        if (!report.equal() && report.healed() == 0 && exitCode == 0) {
          exitCode = ErrorKind.DIFFERS.exitCode();
        }
      } catch (RuntimeException e) {
        QsyncException error = Main.known(e);
        results.add(Renderer.error(name, error));
        if (names.size() > 1) {
          err.println("sync " + name + " failed (exit " + Signals.exitCode(error.kind()) + "):");
        }
        Main.report(e, err, parent.options.verbose);
        if (exitCode == 0 || exitCode == ErrorKind.DIFFERS.exitCode()) {
          exitCode = Signals.exitCode(error.kind());
        }
        if (error.kind() == ErrorKind.INTERRUPTED) {
          break;
        }
      }
    }
    if (parent.options.json()) {
      out.println(Renderer.json(Map.of("verifies", results)));
    }
    return exitCode;
  }

  /**
   * @param snapshot whether the sync diffs in the warehouse ({@code diff: snapshot}), whose plain
   *     run compares with its state and so does not write what a verify found in the table
   */
  static String text(VerifyReport report, boolean snapshot) {
    StringBuilder text = new StringBuilder();
    String cost =
        Plural.of(report.passes(), "pass")
            + ", "
            + Plural.of(report.rowsFetched(), "row")
            + " fetched, "
            + Renderer.duration(report.took())
            + (report.bytesBilled().isPresent()
                ? ", " + bytes(report.bytesBilled().getAsLong()) + " billed by BigQuery"
                : "");
    if (report.missing() == 0 && report.extra() == 0 && report.different() == 0) {
      text.append(
          String.format(
              Locale.ROOT,
              "%s: equal: table %s holds exactly the query's %s (%s)",
              report.sync(),
              report.table(),
              Plural.of(report.warehouseRows(), "row"),
              cost));
      return text.toString();
    }
    text.append(
        String.format(
            Locale.ROOT,
            "%s: %s: table %s: %,d missing, %,d extra%s, %,d different (query %s, table %s; %s)",
            report.sync(),
            report.equal() ? "equal" : "differs",
            report.table(),
            report.missing(),
            report.extra(),
            report.extraKept() ? " (kept: the sync upserts)" : "",
            report.different(),
            Plural.of(report.warehouseRows(), "row"),
            Plural.of(report.tableRows(), "row"),
            cost));
    for (VerifyReport.KeyDifference sample : report.samples()) {
      text.append("\n  ")
          .append(String.format(Locale.ROOT, "%-9s", sample.kind().label()))
          .append(' ')
          .append(String.join(", ", sample.key()));
      if (!sample.columns().isEmpty()) {
        text.append(": ").append(String.join(", ", sample.columns()));
      }
    }
    if (report.healed() > 0) {
      text.append("\nhealed: wrote ")
          .append(Plural.of(report.healed(), "key"))
          .append(" as the query has them (see qsync history ")
          .append(report.sync())
          .append(")");
    } else if (!report.equal()) {
      text.append(
              snapshot
                  ? "\nA run with --full writes what differs (a plain run of this diff: snapshot"
                      + " sync compares with its state in the warehouse, not with the table): qsync"
                      + " run --full "
                  : "\nA run of the sync writes what differs: qsync run ")
          .append(report.sync())
          .append(", or only the differing keys: qsync verify --heal ")
          .append(report.sync());
    }
    return text.toString();
  }

  /** Bytes as a person reads them: 10,485,760 bytes (10 MiB). */
  static String bytes(long bytes) {
    String exact = String.format(Locale.ROOT, "%,d bytes", bytes);
    return bytes < 1024 * 1024 ? exact : exact + " (" + Renderer.shortBytes(bytes) + ")";
  }

  static Map<String, Object> map(VerifyReport report) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("sync", report.sync());
    map.put("status", report.equal() ? "equal" : "differs");
    map.put("table", report.table());
    map.put("query_rows", report.warehouseRows());
    map.put("table_rows", report.tableRows());
    map.put("missing", report.missing());
    map.put("extra", report.extra());
    map.put("extra_kept", report.extraKept());
    map.put("different", report.different());
    List<Map<String, Object>> samples = new ArrayList<>();
    for (VerifyReport.KeyDifference sample : report.samples()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("kind", sample.kind().label());
      entry.put("key", sample.key());
      entry.put("columns", sample.columns());
      samples.add(entry);
    }
    map.put("samples", samples);
    map.put("buckets_by", report.bucketValue().name().toLowerCase(Locale.ROOT));
    map.put("passes", report.passes());
    map.put("rows_fetched", report.rowsFetched());
    map.put("healed", report.healed());
    map.put("duration_ms", report.took().toMillis());
    if (report.bytesBilled().isPresent()) {
      map.put("bytes_billed", report.bytesBilled().getAsLong());
    }
    return map;
  }
}
