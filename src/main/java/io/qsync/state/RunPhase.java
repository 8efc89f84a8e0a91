package io.qsync.state;

import java.util.Locale;

/**
 * The step a run is in, or stopped in. Stored in run history by its lower-case name; the next run
 * decides from it whether to resume ({@link #resumable()}) or start over.
 */
public enum RunPhase {
  /**
   * Running the query, reading its result into the stage, reading the table and computing the
   * change set. A run stopped here by a passing failure starts over, or, for a source with jobs
   * (BigQuery), reads its job's result again without querying again.
   */
  EXTRACT,
  /**
   * Stopped needing action while running the query or reading its result: the warehouse refused the
   * query, or its result cannot be carried. Nothing was written; the next run starts over.
   */
  QUERY,
  /**
   * Stopped needing action while reading the table or comparing with it. Nothing was written; the
   * next run starts over.
   */
  READ,
  /**
   * Stopped before writing because the result failed a check: the table's schema, the keys, the
   * values, or a delete guard. Nothing was written; the next run starts over.
   */
  CHECK,
  /** Applying the change set in batches after the checkpoint; resumable. */
  APPLY,
  /**
   * The database rejected a row while applying: batches before it stay committed, and the change
   * set is stale once the data is fixed, so the next run computes a fresh one.
   */
  REJECTED,
  /** Every change is applied; the warehouse state advances ({@code diff: snapshot}). Resumable. */
  STATE,
  /** {@code replace}: swapping the new table in for the old one. Resumable. */
  SWAP,
  /** Finished successfully. */
  DONE;

  /** The name run history stores. */
  public String stored() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The phase run history stored as {@code name}. */
  public static RunPhase ofStored(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** Whether the change set is complete and the run continues from its checkpoint. */
  public boolean resumable() {
    return this == APPLY || this == STATE || this == SWAP;
  }

  /** Whether the run stopped needing action before it could write anything, or mid-way. */
  public boolean startsOver() {
    return this == QUERY || this == READ || this == CHECK || this == REJECTED;
  }

  @Override
  public String toString() {
    return stored();
  }
}
