package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.diff.ChangeCounts;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a run of a sync would do now: its counts and a few changes of each kind, nothing written.
 *
 * @param createStatement the CREATE TABLE a run would issue, when the table is absent
 * @param samples a few changes of each kind ({@code insert}, {@code update}, {@code delete}), in
 *     the order the runner built them (kinds as given, each kind's changes in key order)
 * @param savedTo the file the plan was saved to ({@code plan --out}), to apply with {@code run
 *     --plan}
 * @param planId the saved plan's id, which the run that applies it takes as its run id
 */
public record PlanReport(
    String sync,
    String mode,
    String table,
    ChangeCounts counts,
    Optional<String> createStatement,
    Map<String, List<Sample>> samples,
    List<String> notes,
    Optional<String> savedTo,
    Optional<String> planId) {
  public PlanReport {
    requireNonNull(sync, "sync is null");
    requireNonNull(mode, "mode is null");
    requireNonNull(table, "table is null");
    requireNonNull(counts, "counts is null");
    requireNonNull(createStatement, "createStatement is null");
    samples = ordered(samples);
    notes = List.copyOf(notes);
    requireNonNull(savedTo, "savedTo is null");
    requireNonNull(planId, "planId is null");
  }

  /** A plan that was not saved. */
  public PlanReport(
      String sync,
      String mode,
      String table,
      ChangeCounts counts,
      Optional<String> createStatement,
      Map<String, List<Sample>> samples,
      List<String> notes) {
    this(
        sync,
        mode,
        table,
        counts,
        createStatement,
        samples,
        notes,
        Optional.empty(),
        Optional.empty());
  }

  /**
   * One sampled change, showing what is known and nothing made up: a delete the warehouse computed
   * ({@code diff: snapshot}) carries only its key, so its other columns come from the table or are
   * left out.
   *
   * @param key the key columns and their values
   * @param row column name to value, in the result's order: the row as a run writes it; for a
   *     delete, the row as the table holds it now, or only its key when the table does not hold it
   *     (any more)
   * @param old for an update, the columns the run changes, with their values in the table now;
   *     empty otherwise
   * @param inTable whether the table holds a row with this key now (never, for an insert)
   */
  public record Sample(
      Map<String, Object> key, Map<String, Object> row, Map<String, Object> old, boolean inTable) {
    public Sample {
      key = ordered(key);
      row = ordered(row);
      old = ordered(old);
    }

    /** An insert: the new row. */
    public static Sample insert(Map<String, Object> key, Map<String, Object> row) {
      return new Sample(key, row, Map.of(), false);
    }
  }

  /** An unmodifiable copy that keeps the given order (Map.copyOf would not; nulls are values). */
  private static <K, V> Map<K, V> ordered(Map<K, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(map, "map is null")));
  }
}
