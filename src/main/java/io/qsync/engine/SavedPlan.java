package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.ChangeCounts;
import io.qsync.verify.BucketSum;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a saved plan ({@code qsync plan SYNC --out FILE}) says beside its change set: whose it is,
 * made from which definition, when, and the fingerprints of what it was computed against (the
 * query's result in the warehouse, the table in the database). The decisions {@code qsync run SYNC
 * --plan FILE} takes on it are pure functions here, unit-tested on plain values. Immutable.
 *
 * @param id the plan's id, which is also the id of the run that applies it
 * @param definition a hash of the sync's definition (query, key, table, mode, source and target)
 *     and the result's columns: a plan is applied only by the definition that made it
 * @param counts the change set's counts, as {@code plan} showed them
 * @param changesTotal the change set's length
 * @param createsTable whether the table did not exist and the run creates it
 * @param shape a hash of the columns the fingerprints render, as the warehouse described them
 * @param source the query result's fingerprint; empty when the warehouse cannot compute one
 * @param table the table's fingerprint; empty when the table did not exist
 */
record SavedPlan(
    int format,
    String id,
    String sync,
    String table,
    String mode,
    String definition,
    Instant createdAt,
    ChangeCounts counts,
    long changesTotal,
    boolean createsTable,
    String shape,
    Optional<BucketSum> source,
    Optional<BucketSum> tableSum) {
  /**
   * The format this build writes: 2, whose change set may be the view that numbers its rows by
   * place (a first load's, {@code StageSql.insertAll}), which builds that read format 1 only cannot
   * read (they refuse the plan by its format rather than fail on the view).
   */
  static final int FORMAT = 2;

  /** The oldest format this build reads: format 1's change set is always a table. */
  static final int OLDEST_FORMAT = 1;

  /** How old a plan may be when {@code --max-plan-age} does not say. */
  static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);

  SavedPlan {
    requireNonNull(id, "id is null");
    requireNonNull(sync, "sync is null");
    requireNonNull(table, "table is null");
    requireNonNull(mode, "mode is null");
    requireNonNull(definition, "definition is null");
    requireNonNull(createdAt, "createdAt is null");
    requireNonNull(counts, "counts is null");
    requireNonNull(shape, "shape is null");
    requireNonNull(source, "source is null");
    requireNonNull(tableSum, "tableSum is null");
  }

  /** The facts as the plan file keeps them, text by name. */
  Map<String, String> facts() {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("format", Integer.toString(format));
    facts.put("plan_id", id);
    facts.put("sync", sync);
    facts.put("table", table);
    facts.put("mode", mode);
    facts.put("definition", definition);
    facts.put("created_at", createdAt.toString());
    facts.put("source_rows", Long.toString(counts.sourceRows()));
    facts.put("inserts", Long.toString(counts.inserts()));
    facts.put("updates", Long.toString(counts.updates()));
    facts.put("deletes", Long.toString(counts.deletes()));
    facts.put("unchanged", Long.toString(counts.unchanged()));
    facts.put("changes_total", Long.toString(changesTotal));
    facts.put("creates_table", Boolean.toString(createsTable));
    facts.put("shape", shape);
    facts.put("source_fingerprint", source.map(SavedPlan::text).orElse("none"));
    facts.put("table_fingerprint", tableSum.map(SavedPlan::text).orElse("absent"));
    return facts;
  }

  /**
   * Reads the facts a plan file keeps; refuses (exit 5) a file that holds none, or that a newer
   * build wrote.
   */
  static SavedPlan of(Map<String, String> facts, Path file) {
    if (!facts.containsKey("plan_id") || !facts.containsKey("format")) {
      throw refused(
          file
              + " is not a qsync plan (it holds no plan's facts); nothing was written\n"
              + "Make one with: qsync plan SYNC --out "
              + file);
    }
    try {
      int format = Integer.parseInt(facts.get("format"));
      if (format < OLDEST_FORMAT || format > FORMAT) {
        throw refused(
            "plan "
                + file
                + " has format "
                + format
                + ", which this build of qsync does not read (it reads "
                + OLDEST_FORMAT
                + " to "
                + FORMAT
                + "); nothing was written\nMake the plan again with this build: qsync plan "
                + facts.get("sync")
                + " --out "
                + file);
      }
      return new SavedPlan(
          format,
          facts.get("plan_id"),
          facts.get("sync"),
          facts.get("table"),
          facts.get("mode"),
          facts.get("definition"),
          Instant.parse(facts.get("created_at")),
          new ChangeCounts(
              number(facts, "source_rows"),
              number(facts, "inserts"),
              number(facts, "updates"),
              number(facts, "deletes"),
              number(facts, "unchanged")),
          number(facts, "changes_total"),
          Boolean.parseBoolean(facts.get("creates_table")),
          facts.get("shape"),
          sum(facts.get("source_fingerprint")),
          sum(facts.get("table_fingerprint")));
    } catch (NumberFormatException | DateTimeParseException | NullPointerException e) {
      throw refused(
          "plan "
              + file
              + " is damaged ("
              + e.getMessage()
              + "); nothing was written\nMake the plan again: qsync plan SYNC --out "
              + file);
    }
  }

  /**
   * Why this plan is not one the sync may apply as it is defined now: another sync's, another
   * table's, or made before its definition changed. Empty when it is the sync's.
   */
  Optional<String> notFor(String syncName, String tableName, String definitionNow, Path file) {
    if (!sync.equals(syncName)) {
      return Optional.of(
          "plan "
              + file
              + " is a plan for sync '"
              + sync
              + "' (table "
              + table
              + "), not for sync '"
              + syncName
              + "' (table "
              + tableName
              + "); nothing was written\nApply it to its own sync, or make a plan for this one:"
              + " qsync plan "
              + syncName
              + " --out FILE");
    }
    if (!table.equals(tableName) || !definition.equals(definitionNow)) {
      return Optional.of(
          "sync '"
              + syncName
              + "': its definition ("
              + (table.equals(tableName)
                  ? "query, key, table, mode, source, target or the query's columns"
                  : "its table, " + table + " when the plan was made, is " + tableName + " now")
              + ") changed since plan "
              + file
              + " was made, so the plan's change set is not the one a run would make; nothing"
              + " was written\nMake a new plan: qsync plan "
              + syncName
              + " --out "
              + file);
    }
    return Optional.empty();
  }

  /** Why the plan is too old to apply at {@code now}; empty while it is young enough. */
  Optional<String> tooOld(Instant now, Duration maxAge, Path file) {
    Duration age = Duration.between(createdAt, now);
    if (age.compareTo(maxAge) <= 0) {
      return Optional.empty();
    }
    return Optional.of(
        "sync '"
            + sync
            + "': plan "
            + file
            + " was made "
            + age(age)
            + " ago ("
            + createdAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            + "), more than --max-plan-age "
            + age(maxAge)
            + " allows; nothing was written\nMake a new plan: qsync plan "
            + sync
            + " --out "
            + file
            + " (or allow an older one with --max-plan-age)");
  }

  /**
   * What moved since the plan was made, given the fingerprints now: the query's result (when the
   * plan has its fingerprint) and the table (empty when it does not exist). Empty when nothing did.
   */
  Optional<String> moved(
      String shapeNow, Optional<BucketSum> sourceNow, Optional<BucketSum> tableNow, Path file) {
    String remedy =
        "; nothing was written\nReview the change again in a new plan: qsync plan "
            + sync
            + " --out "
            + file
            + ", then qsync run "
            + sync
            + " --plan "
            + file;
    if (source.isPresent() && !shape.equals(shapeNow)) {
      return Optional.of(
          "sync '"
              + sync
              + "': the query's columns in the warehouse changed since the plan was made"
              + remedy);
    }
    if (source.isPresent() && sourceNow.isPresent() && !source.equals(sourceNow)) {
      return Optional.of(
          "sync '"
              + sync
              + "': the query's result in the warehouse changed since the plan was made ("
              + then(source.get(), sourceNow.get())
              + ")"
              + remedy);
    }
    if (!tableSum.equals(tableNow)) {
      String how =
          tableNow.isEmpty()
              ? "it no longer exists"
              : tableSum.isEmpty()
                  ? "it did not exist then and holds " + rows(tableNow.get().rows()) + " now"
                  : then(tableSum.get(), tableNow.get());
      return Optional.of(
          "sync '"
              + sync
              + "': table "
              + table
              + " in the database changed since the plan was made ("
              + how
              + ")"
              + remedy);
    }
    return Optional.empty();
  }

  /** {@code 26h05m}, {@code 45m}, {@code 30s}: an age as a person reads it. */
  static String age(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return seconds / 60 + "m";
    }
    long minutes = seconds / 60 % 60;
    return seconds / 3600
        + "h"
        + (minutes == 0 ? "" : String.format(Locale.ROOT, "%02dm", minutes));
  }

  private static String then(BucketSum then, BucketSum now) {
    return then.rows() == now.rows()
        ? rows(then.rows()) + " then and now, with different values"
        : rows(then.rows()) + " then, " + String.format(Locale.ROOT, "%,d", now.rows()) + " now";
  }

  private static String rows(long count) {
    return String.format(Locale.ROOT, "%,d row%s", count, count == 1 ? "" : "s");
  }

  private static String text(BucketSum sum) {
    return sum.rows() + ":" + Long.toHexString(sum.xor());
  }

  private static Optional<BucketSum> sum(String text) {
    requireNonNull(text, "a fingerprint is missing");
    int colon = text.indexOf(':');
    if (colon < 0) {
      return Optional.empty(); // "none" or "absent"
    }
    return Optional.of(
        new BucketSum(
            Long.parseLong(text.substring(0, colon)),
            Long.parseUnsignedLong(text.substring(colon + 1), 16)));
  }

  private static long number(Map<String, String> facts, String name) {
    String value = facts.get(name);
    if (value == null) {
      throw new NumberFormatException(name + " is missing");
    }
    return Long.parseLong(value);
  }

  private static QsyncException refused(String message) {
    return new QsyncException(ErrorKind.NEEDS_ACTION, message);
  }
}
