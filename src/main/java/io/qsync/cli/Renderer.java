package io.qsync.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.config.ConfigException;
import io.qsync.config.ConfigProblem;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.PlanReport;
import io.qsync.engine.RunFailedException;
import io.qsync.engine.RunFailures;
import io.qsync.engine.RunReport;
import io.qsync.engine.StatusReport;
import io.qsync.engine.ThrottleReport;
import io.qsync.engine.ValidationReport;
import io.qsync.source.ResultRead;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders reports for people (text) and for schedulers (JSON). JSON field names are snake_case and
 * stable: add fields, never rename them. Stateless; thread-safe.
 */
final class Renderer {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Renderer() {}

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a report could not be written as JSON", e);
    }
  }

  // ---- run ----

  static String text(RunReport report) {
    ChangeCounts counts = report.counts();
    StringBuilder text = new StringBuilder();
    for (String note : report.notes()) {
      text.append("note: ").append(note).append('\n');
    }
    text.append(
        String.format(
            Locale.ROOT,
            "%s: %s -> table %s (%s): %,d inserted, %,d updated, %,d deleted, %,d unchanged"
                + " (%s) in %s, %s, run %s",
            report.sync(),
            report.status().name().toLowerCase(Locale.ROOT),
            report.table(),
            report.mode(),
            counts.inserts(),
            counts.updates(),
            counts.deletes(),
            counts.unchanged(),
            Plural.of(counts.sourceRows(), "source row"),
            duration(report.duration()),
            Plural.of(report.batches(), "batch"),
            report.runId()));
    throttle(report.throttle()).ifPresent(line -> text.append('\n').append(line));
    billed(report.commandBytesBilled()).ifPresent(line -> text.append('\n').append(line));
    report
        .verified()
        .ifPresent(
            verified ->
                text.append("\nverify, due: ")
                    .append(verified.why())
                    .append('\n')
                    .append(VerifyCommand.text(verified.report(), true)));
    return text.toString();
  }

  static Map<String, Object> map(RunReport report) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("sync", report.sync());
    map.put("status", report.status().name().toLowerCase(Locale.ROOT));
    map.put("run_id", report.runId());
    map.put("mode", report.mode());
    map.put("table", report.table());
    map.put("counts", map(report.counts()));
    map.put("resumed", report.resumed());
    map.put("resumed_after_change", report.resumedAfter());
    map.put("batches", report.batches());
    map.put("duration_ms", report.duration().toMillis());
    map.put("notes", report.notes());
    map.put("throttle", map(report.throttle()));
    map.put("bytes_billed", bytesBilled(report.bytesBilled()));
    map.put("reads", reads(report.reads()));
    map.put("caught_up", report.caughtUp().map(Renderer::map).orElse(null));
    map.put(
        "verify",
        report
            .verified()
            .map(
                verified -> {
                  Map<String, Object> verify = new LinkedHashMap<>();
                  verify.put("due", verified.why());
                  verify.putAll(VerifyCommand.map(verified.report()));
                  return verify;
                })
            .orElse(null));
    return map;
  }

  /**
   * {@code billed 31,457,280 bytes (30.0 MiB) in the warehouse: query 10.0 MiB, key checks 10.0
   * MiB, changes 10.0 MiB, state 0 bytes}, or nothing for a run whose warehouse billed no job.
   */
  static java.util.Optional<String> billed(Map<String, Long> bytesBilled) {
    if (bytesBilled.isEmpty()) {
      return java.util.Optional.empty();
    }
    List<String> kinds = new ArrayList<>();
    bytesBilled.forEach((kind, bytes) -> kinds.add(kind + " " + shortBytes(bytes)));
    long total = bytesBilled.values().stream().mapToLong(Long::longValue).sum();
    return java.util.Optional.of(
        "billed " + VerifyCommand.bytes(total) + " in the warehouse: " + String.join(", ", kinds));
  }

  /**
   * {@code read query: 1,234,567 rows with the Storage Read API over 4 streams (read_api: auto,
   * ...; billed by bytes read)}: which result, and how and why it was read.
   */
  static String readLine(ResultRead read) {
    return "read " + read.result() + ": " + read.describe();
  }

  /**
   * {@code [{"result": "query", "api": "storage_read", "streams": 4, "rows": 1234567, "reason":
   * "..."}]}: how a run read the warehouse's results; empty when it recorded none.
   */
  static List<Map<String, Object>> reads(List<ResultRead> reads) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (ResultRead read : reads) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("result", read.result());
      map.put("api", read.api().stored());
      map.put("streams", read.streams());
      map.put("rows", read.rows());
      map.put("reason", read.reason());
      list.add(map);
    }
    return list;
  }

  /** {@code {"total": 31457280, "by_job": {"query": 10485760, ...}}}; null when none billed. */
  static Map<String, Object> bytesBilled(Map<String, Long> bytesBilled) {
    if (bytesBilled.isEmpty()) {
      return null;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("total", bytesBilled.values().stream().mapToLong(Long::longValue).sum());
    map.put("by_job", new LinkedHashMap<>(bytesBilled));
    return map;
  }

  /** {@code 512 bytes}, {@code 10.0 MiB}. */
  static String shortBytes(long bytes) {
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%,d bytes", bytes);
    }
    String[] units = {"MiB", "GiB", "TiB", "PiB"};
    double value = bytes / (1024.0 * 1024.0);
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /**
   * {@code throttled 12.3s (Threads_running >= 50: 10.0s, pause file /x: 2.3s); 2 batches retried;
   * batch size 250-1000}, or nothing for a run that neither waited nor retried.
   */
  static java.util.Optional<String> throttle(ThrottleReport report) {
    List<String> parts = new ArrayList<>();
    if (!report.throttled().isZero()) {
      List<String> rules = new ArrayList<>();
      report.throttledBy().forEach((rule, time) -> rules.add(rule + ": " + duration(time)));
      parts.add(
          "throttled " + duration(report.throttled()) + " (" + String.join(", ", rules) + ")");
    }
    if (report.retries() > 0) {
      parts.add(Plural.of(report.retries(), "batch") + " retried");
    }
    if (report.smallestBatch() != report.largestBatch()) {
      parts.add("batch size " + report.smallestBatch() + "-" + report.largestBatch());
    }
    return parts.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(String.join("; ", parts));
  }

  static Map<String, Object> map(ThrottleReport report) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("throttled_ms", report.throttled().toMillis());
    Map<String, Object> byRule = new LinkedHashMap<>();
    report.throttledBy().forEach((rule, time) -> byRule.put(rule, time.toMillis()));
    map.put("throttled_ms_by_reason", byRule);
    map.put("retries", report.retries());
    map.put("smallest_batch", report.smallestBatch());
    map.put("largest_batch", report.largestBatch());
    map.put("decisions", report.decisions());
    return map;
  }

  static Map<String, Object> map(ChangeCounts counts) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("source_rows", counts.sourceRows());
    map.put("inserted", counts.inserts());
    map.put("updated", counts.updates());
    map.put("deleted", counts.deletes());
    map.put("unchanged", counts.unchanged());
    return map;
  }

  /**
   * A failure as JSON: its kind, exit code and message; for a run that failed, also its run id, the
   * phase it stopped in and its checkpoint (the changes committed before it stopped).
   */
  static Map<String, Object> error(String sync, QsyncException error) {
    Map<String, Object> map = new LinkedHashMap<>();
    if (sync != null) {
      map.put("sync", sync);
    }
    map.put("status", "error");
    map.put("error_kind", error.kind().name().toLowerCase(Locale.ROOT));
    map.put("exit_code", Signals.exitCode(error.kind()));
    map.put("message", error.getMessage());
    if (error instanceof RunFailedException run) {
      map.put("run_id", run.runId());
      map.put("phase", run.phase().stored());
      map.put("applied_through", run.appliedThrough());
      map.put("changes_total", run.changesTotal());
    }
    return map;
  }

  /**
   * A command that failed before it had a result, as the one JSON document it prints: {@link
   * #error}'s fields and the command's name; a config's problems each with file, line, column and
   * key; for {@code run}, its (empty) list of runs, so its document keeps one shape.
   */
  static Map<String, Object> failure(String command, QsyncException error) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("command", command);
    map.putAll(error(null, error));
    if (error instanceof ConfigException config) {
      List<Map<String, Object>> problems = new ArrayList<>();
      for (ConfigProblem problem : config.problems()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("file", problem.file().toString());
        entry.put("line", problem.line());
        entry.put("column", problem.column());
        entry.put("key", problem.keyPath());
        entry.put("message", problem.message());
        problems.add(entry);
      }
      map.put("problems", problems);
    }
    if (command.equals("run")) {
      map.put("runs", List.of());
    }
    return map;
  }

  // ---- plan ----

  static String text(PlanReport report) {
    ChangeCounts counts = report.counts();
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "plan for %s -> table %s (%s): %,d to insert, %,d to update, %,d to delete,"
                + " %,d unchanged (%s); nothing was written\n",
            report.sync(),
            report.table(),
            report.mode(),
            counts.inserts(),
            counts.updates(),
            counts.deletes(),
            counts.unchanged(),
            Plural.of(counts.sourceRows(), "source row")));
    report
        .createStatement()
        .ifPresent(
            statement ->
                text.append("the table does not exist; a run creates it:\n")
                    .append(statement)
                    .append('\n'));
    report.samples().entrySet().stream()
        .filter(entry -> !entry.getValue().isEmpty())
        .forEach(
            entry -> {
              text.append("sample of ").append(entry.getKey()).append(":\n");
              for (PlanReport.Sample sample : entry.getValue()) {
                text.append("  ").append(sample(entry.getKey(), sample)).append('\n');
              }
            });
    report.notes().forEach(note -> text.append("note: ").append(note).append('\n'));
    report
        .savedTo()
        .ifPresent(
            file ->
                text.append("plan ")
                    .append(report.planId().orElse(""))
                    .append(" saved to ")
                    .append(file)
                    .append("; apply exactly this change with: qsync run ")
                    .append(report.sync())
                    .append(" --plan ")
                    .append(file)
                    .append('\n'));
    return text.toString().stripTrailing();
  }

  /**
   * {@code id=1, name='a'}; an update as its key and each changed column's old and new value
   * ({@code id=2: name 'a' -> 'b'}); a row the table does not hold (any more) says so.
   */
  private static String sample(String kind, PlanReport.Sample sample) {
    if (!kind.equals("insert") && !sample.inTable()) {
      return row(sample.row()) + " (not in the table now)";
    }
    if (!kind.equals("update") || sample.old().isEmpty()) {
      return row(sample.row());
    }
    List<String> changes = new ArrayList<>();
    sample
        .old()
        .forEach(
            (column, old) ->
                changes.add(
                    column + " " + display(old) + " -> " + display(sample.row().get(column))));
    return row(sample.key()) + ": " + String.join(", ", changes);
  }

  private static String row(Map<String, Object> row) {
    List<String> parts = new ArrayList<>();
    row.forEach((column, value) -> parts.add(column + "=" + display(value)));
    return String.join(", ", parts);
  }

  private static String display(Object value) {
    Object plain = plain(value);
    if (plain == null) {
      return "NULL";
    }
    String text = plain.toString();
    if (text.length() > 40) {
      text = text.substring(0, 37) + "...";
    }
    return value instanceof String ? "'" + text + "'" : text;
  }

  /** A value as JSON carries it: numbers that fit stay numbers, exact decimals become strings. */
  static Object plain(Object value) {
    if (value == null
        || value instanceof Boolean
        || value instanceof Long
        || value instanceof String) {
      return value;
    }
    if (value instanceof Double || value instanceof Float) {
      double number = ((Number) value).doubleValue();
      return Double.isFinite(number) ? value : value.toString();
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof BigInteger integer) {
      return integer.toString();
    }
    if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    return value.toString();
  }

  static Map<String, Object> map(PlanReport report) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("sync", report.sync());
    map.put("mode", report.mode());
    map.put("table", report.table());
    map.put("counts", map(report.counts()));
    map.put("create_table", report.createStatement().orElse(null));
    Map<String, Object> samples = new LinkedHashMap<>();
    List<Map<String, Object>> updates = new ArrayList<>();
    report
        .samples()
        .forEach(
            (kind, sampled) -> {
              List<Map<String, Object>> rows = new ArrayList<>();
              for (PlanReport.Sample sample : sampled) {
                rows.add(plain(sample.row()));
                if (kind.equals("update") && sample.inTable()) {
                  Map<String, Object> changed = new LinkedHashMap<>();
                  sample
                      .old()
                      .forEach(
                          (column, old) -> {
                            Map<String, Object> values = new LinkedHashMap<>();
                            values.put("old", plain(old));
                            values.put("new", plain(sample.row().get(column)));
                            changed.put(column, values);
                          });
                  Map<String, Object> update = new LinkedHashMap<>();
                  update.put("key", plain(sample.key()));
                  update.put("changed", changed);
                  updates.add(update);
                }
              }
              samples.put(kind, rows);
            });
    map.put("samples", samples);
    map.put("updates", updates);
    map.put("notes", report.notes());
    map.put("plan_file", report.savedTo().orElse(null));
    map.put("plan_id", report.planId().orElse(null));
    return map;
  }

  private static Map<String, Object> plain(Map<String, Object> row) {
    Map<String, Object> plainRow = new LinkedHashMap<>();
    row.forEach((column, value) -> plainRow.put(column, plain(value)));
    return plainRow;
  }

  // ---- status and history ----

  static String text(List<StatusReport> reports) {
    StringBuilder text = new StringBuilder();
    String row = "%-24s %-24s %-12s %-10s %s%n";
    text.append(String.format(Locale.ROOT, row, "SYNC", "TABLE", "LAST RUN", "AGO", "CHANGES"));
    for (StatusReport report : reports) {
      String status = report.lastStatus();
      String ago = report.age().map(Renderer::duration).orElse("-");
      String changes =
          report.lastRun().flatMap(RunRecord::counts).map(Renderer::shortCounts).orElse("-");
      text.append(
          String.format(Locale.ROOT, row, report.sync(), report.table(), status, ago, changes));
      report
          .error()
          .ifPresent(
              error -> text.append("  cannot read history: ").append(indented(error)).append('\n'));
      report
          .lastRun()
          .filter(run -> !status.equals("interrupted"))
          .flatMap(RunRecord::error)
          .ifPresent(
              error -> text.append("  error: ").append(indented(recorded(error))).append('\n'));
      if (status.equals("interrupted") || status.equals("failed")) {
        report
            .lastRun()
            .ifPresent(run -> text.append("  ").append(nextRun(run, report.sync())).append('\n'));
      }
    }
    return text.toString().stripTrailing();
  }

  /**
   * A run's recorded error without its last line on the next run, which the line below it says by
   * the step the run stopped in ({@link #nextRun}).
   */
  private static String recorded(String error) {
    String suffix = "\n" + RunFailures.FRESH_CHANGE_SET;
    return error.endsWith(suffix) ? error.substring(0, error.length() - suffix.length()) : error;
  }

  /** A message of several lines, its later lines indented under the first. */
  private static String indented(String message) {
    return message.strip().replace("\n", "\n    ");
  }

  /** What the next run of a failed or interrupted run does, by the step it stopped in. */
  static String nextRun(RunRecord run, String sync) {
    return switch (run.phase()) {
      case APPLY, STATE, SWAP ->
          run.appliesPlan()
              ? String.format(
                  Locale.ROOT,
                  "%,d of %,d changes of the saved plan applied; `qsync run %s --plan FILE` with"
                      + " the plan's file applies the rest as reviewed (a plain `qsync run %s`"
                      + " finishes it too, then compares with the query's current result)",
                  run.appliedThrough(),
                  run.changesTotal(),
                  sync,
                  sync)
              : String.format(
                  Locale.ROOT,
                  "%,d of %,d changes applied; the next `qsync run %s` resumes it",
                  run.appliedThrough(),
                  run.changesTotal(),
                  sync);
      case EXTRACT ->
          run.sourceJob()
              .map(
                  job ->
                      "stopped while extracting; the next run reads the result of its job again ("
                          + job
                          + ")")
              .orElse(
                  "stopped while extracting, before its change set was complete; the next run"
                      + " starts over");
      case QUERY ->
          "stopped at the query, before writing anything; once what the error names is"
              + " fixed, the next run starts over";
      case READ ->
          "stopped while reading the table, before writing anything; once what the error"
              + " names is fixed, the next run starts over";
      case CHECK ->
          "stopped before writing: the result failed a check (the error names it); once"
              + " fixed, the next run starts over";
      case REJECTED ->
          String.format(
              Locale.ROOT,
              "the database rejected a row after %,d of %,d changes were committed (they stay);"
                  + " once fixed, the next run computes a fresh change set",
              run.appliedThrough(),
              run.changesTotal());
      case DONE -> "finished";
    };
  }

  static Map<String, Object> map(StatusReport report) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("sync", report.sync());
    map.put("table", report.table());
    map.put("last_status", report.lastStatus());
    map.put("running_now", report.lockHeld());
    map.put("last_run", report.lastRun().map(Renderer::map).orElse(null));
    map.put("age_seconds", report.age().map(Duration::toSeconds).orElse(null));
    // Only a status that could not be read (its database unreachable) has an error of its own;
    // the last run's error is last_run.error.
    report.error().ifPresent(error -> map.put("error", error));
    return map;
  }

  static String historyText(List<RunRecord> runs) {
    return historyText(runs, Map.of(), Map.of());
  }

  /**
   * The history, each run with the bytes its warehouse jobs billed and how it read their results,
   * where it recorded them.
   */
  static String historyText(
      List<RunRecord> runs,
      Map<String, Map<String, Long>> bytesBilled,
      Map<String, List<ResultRead>> reads) {
    StringBuilder text = new StringBuilder();
    // Run ids and statuses vary in width (plan-… and heal-… ids, verify:differs): the columns are
    // as wide as their widest cell, so the rows stay aligned.
    int idWidth = Math.max(23, runs.stream().mapToInt(run -> run.runId().length()).max().orElse(0));
    int statusWidth =
        Math.max(14, runs.stream().mapToInt(run -> status(run).length()).max().orElse(0));
    String header = "%-" + idWidth + "s %-" + statusWidth + "s %-20s %-9s %-40s %s%n";
    String row = "%-" + idWidth + "s %-" + statusWidth + "s %-20s %-9s %-40s %,d/%,d%s%n";
    text.append(
        String.format(
            Locale.ROOT,
            header,
            "RUN",
            "STATUS",
            "STARTED (UTC)",
            "DURATION",
            "CHANGES",
            "APPLIED"));
    for (RunRecord run : runs) {
      text.append(
          String.format(
              Locale.ROOT,
              row,
              run.runId(),
              status(run),
              run.startedAt()
                  .truncatedTo(ChronoUnit.SECONDS)
                  .toString()
                  .replace('T', ' ')
                  .replace("Z", ""),
              run.duration().map(Renderer::duration).orElse("-"),
              run.counts().map(Renderer::shortCounts).orElse("-"),
              run.appliedThrough(),
              run.changesTotal(),
              run.resumes() > 0 ? "  (resumed " + run.resumes() + "x)" : ""));
      billed(bytesBilled.getOrDefault(run.runId(), Map.of()))
          .ifPresent(line -> text.append("  ").append(line).append('\n'));
      reads
          .getOrDefault(run.runId(), List.of())
          .forEach(read -> text.append("  ").append(readLine(read)).append('\n'));
      // What a verify found and why a run was abandoned are not errors.
      String label =
          run.isVerify() ? "found" : run.status() == RunStatus.ABANDONED ? "why" : "error";
      run.error()
          .filter(error -> run.status() != RunStatus.INTERRUPTED)
          .ifPresent(
              error ->
                  text.append("  ")
                      .append(label)
                      .append(": ")
                      .append(indented(recorded(error)))
                      .append('\n'));
      if (!run.isVerify()
          && (run.status() == RunStatus.FAILED || run.status() == RunStatus.INTERRUPTED)) {
        text.append("  ").append(nextRun(run, run.sync())).append('\n');
      }
    }
    return text.toString().stripTrailing();
  }

  /**
   * A run's status; a verify's ({@code qsync verify} records one) as {@code verify: equal} or
   * {@code verify: differs}, its counts then being missing (+), different (~) and extra (-) rows.
   */
  private static String status(RunRecord run) {
    if (run.isVerify()) {
      return run.status() == RunStatus.SUCCEEDED ? "verify:equal" : "verify:differs";
    }
    return run.status().name().toLowerCase(Locale.ROOT);
  }

  static Map<String, Object> map(RunRecord run) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("run_id", run.runId());
    map.put("sync", run.sync());
    map.put("table", run.table());
    map.put("mode", run.mode());
    map.put("status", run.status().name().toLowerCase(Locale.ROOT));
    map.put("phase", run.phase().stored());
    map.put("started_at", run.startedAt().toString());
    map.put("finished_at", run.finishedAt().map(Instant::toString).orElse(null));
    map.put("duration_ms", run.duration().map(Duration::toMillis).orElse(null));
    map.put("counts", run.counts().map(Renderer::map).orElse(null));
    map.put("changes_total", run.changesTotal());
    map.put("applied_through", run.appliedThrough());
    map.put("batches_applied", run.batchesApplied());
    map.put("resumes", run.resumes());
    map.put("host", run.host());
    map.put("pid", run.pid());
    map.put("error", run.error().orElse(null));
    return map;
  }

  private static String shortCounts(ChangeCounts counts) {
    return String.format(
        Locale.ROOT,
        "+%,d ~%,d -%,d =%,d",
        counts.inserts(),
        counts.updates(),
        counts.deletes(),
        counts.unchanged());
  }

  // ---- validate ----

  static String text(ValidationReport report) {
    StringBuilder text = new StringBuilder("config " + report.config() + ": valid\n");
    for (ValidationReport.SyncCheck check : report.syncs()) {
      text.append(check.sync())
          .append(": ")
          .append(check.problems().isEmpty() ? "ok" : "NOT READY")
          .append('\n');
      check.notes().forEach(note -> text.append("  ").append(note).append('\n'));
      check
          .problems()
          .forEach(
              problem ->
                  text.append("  problem: ").append(problem.replace("\n", "\n    ")).append('\n'));
    }
    return text.toString().stripTrailing();
  }

  static Map<String, Object> map(ValidationReport report) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("config", report.config().toString());
    List<Map<String, Object>> syncs = new ArrayList<>();
    for (ValidationReport.SyncCheck check : report.syncs()) {
      Map<String, Object> sync = new LinkedHashMap<>();
      sync.put("sync", check.sync());
      sync.put("ok", check.problems().isEmpty());
      sync.put("notes", check.notes());
      sync.put("problems", check.problems());
      syncs.add(sync);
    }
    map.put("syncs", syncs);
    return map;
  }

  /** See {@link io.qsync.Messages#duration}. */
  static String duration(Duration duration) {
    return io.qsync.Messages.duration(duration);
  }
}
