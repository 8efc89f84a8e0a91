package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.diff.ChangeCounts;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a run of a sync would do now: its counts and a few changes of each kind, nothing written.
 *
 * @param createStatement the CREATE TABLE a run would issue, when the table is absent
 * @param samples a few changes of each kind ({@code insert}, {@code update}, {@code delete}), each
 *     a map of column name to value, in key order
 */
public record PlanReport(
    String sync,
    String mode,
    String table,
    ChangeCounts counts,
    Optional<String> createStatement,
    Map<String, List<Map<String, Object>>> samples,
    List<String> notes) {
  public PlanReport {
    requireNonNull(sync, "sync is null");
    requireNonNull(mode, "mode is null");
    requireNonNull(table, "table is null");
    requireNonNull(counts, "counts is null");
    requireNonNull(createStatement, "createStatement is null");
    samples = Map.copyOf(samples);
    notes = List.copyOf(notes);
  }
}
