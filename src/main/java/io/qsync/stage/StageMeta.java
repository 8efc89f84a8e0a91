package io.qsync.stage;

import static java.util.Objects.requireNonNull;

import io.qsync.diff.ChangeCounts;
import io.qsync.row.Column;
import java.util.List;
import java.util.Optional;

/**
 * What a stage file holds: whose run, made from which definition, and how far it got.
 *
 * @param fingerprint a hash of the sync's definition and the result's columns; a resumed run uses
 *     the stage only when it still matches
 * @param counts the change set's counts, once diffed
 */
public record StageMeta(
    String runId,
    String fingerprint,
    Phase phase,
    List<Column> columns,
    Optional<ChangeCounts> counts) {
  public enum Phase {
    /** The result is being read in; the stage cannot be resumed from. */
    EXTRACTING,
    /** The change set is complete, in key order; apply may start or resume. */
    DIFFED
  }

  public StageMeta {
    requireNonNull(runId, "runId is null");
    requireNonNull(fingerprint, "fingerprint is null");
    requireNonNull(phase, "phase is null");
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
    requireNonNull(counts, "counts is null");
  }
}
