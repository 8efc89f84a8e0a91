package io.qsync.source;

import static java.util.Objects.requireNonNull;

import io.qsync.Sha256;
import java.util.List;
import java.util.Locale;

/**
 * How the tables of {@code diff: snapshot} are named: {@code qsync_<sync>_<hash>_<kind>_<run>}. The
 * hash covers the sync's name, its target and its table, so two configs that share a state dataset
 * (staging and production, say) with a sync of the same name never take each other's state. Names
 * use only lower-case letters, digits and '_', valid in BigQuery and DuckDB alike. Immutable;
 * thread-safe.
 *
 * @param prefix the start of every table name of this sync, ending in '_'
 */
public record SnapshotNames(String prefix) {
  /** The start of every table qsync keeps in a state dataset. */
  public static final String QSYNC_PREFIX = "qsync_";

  /** What stands between a sync's prefix and the run id in the name of a run's state table. */
  private static final String STATE = "_state_";

  public SnapshotNames {
    requireNonNull(prefix, "prefix is null");
  }

  /** The names of a sync's tables. */
  public static SnapshotNames of(String syncName, String targetLocation, String table) {
    String readable = syncName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    String hash = Sha256.hex(syncName + "\0" + targetLocation + "\0" + table).substring(0, 8);
    return new SnapshotNames(QSYNC_PREFIX + readable + "_" + hash + "_");
  }

  public Run run(String runId) {
    return new Run(this, tableId(runId));
  }

  /** A run id as it appears in table names: lower case, each run of other characters one '_'. */
  public static String tableId(String runId) {
    return runId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
  }

  /** The run id, as it appears in table names, of a run's state table ({@link Run#state}). */
  public static String stateTableId(String stateTable) {
    return stateTable.substring(stateTable.lastIndexOf(STATE) + STATE.length());
  }

  /** Whether a table of the dataset belongs to this sync. */
  public boolean owns(String table) {
    return table.startsWith(prefix);
  }

  /**
   * The tables of one run.
   *
   * @param id the run id as it appears in table names
   */
  public record Run(SnapshotNames sync, String id) {
    public Run {
      requireNonNull(sync, "sync is null");
      requireNonNull(id, "id is null");
    }

    /** The query's rows and their fingerprints. */
    public String result() {
      return sync.prefix() + "result_" + id;
    }

    /**
     * The keys whose rows changed, with their kind, when the run compares keys and fingerprints
     * before it fetches the changed rows.
     */
    public String keys() {
      return sync.prefix() + "keys_" + id;
    }

    /** The change set. */
    public String changes() {
      return sync.prefix() + "changes_" + id;
    }

    /** The key and fingerprint of every row the run applied: the next run's previous state. */
    public String state() {
      return sync.prefix() + STATE.substring(1) + id;
    }

    public List<String> tables() {
      return List.of(result(), keys(), changes(), state());
    }
  }
}
