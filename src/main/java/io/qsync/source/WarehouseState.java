package io.qsync.source;

import io.qsync.diff.KeyCollation;
import io.qsync.diff.KeyProblem;
import io.qsync.row.Column;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A sync's applied state, kept in the warehouse ({@code diff: snapshot}), and the queries that
 * compare a new result with it, so that only the change set leaves the warehouse. The tables live
 * in one dataset (a schema, for DuckDB) and are named by {@link SnapshotNames}; their SQL comes
 * from {@link SnapshotSql}:
 *
 * <ul>
 *   <li>a run's <em>result</em> table: the query's rows plus each row's fingerprint ({@value
 *       SnapshotSql#FINGERPRINT});
 *   <li>a run's <em>keys</em> table, when it compares in two steps: the keys whose rows changed;
 *   <li>a run's <em>changes</em> table: the change set between the result and the previous state;
 *   <li>a run's <em>state</em> table: the key and fingerprint of every row the run applied. The
 *       target's run history names the state table of the sync's last successful run, so the state
 *       advances only once the target holds every change.
 * </ul>
 *
 * <p>Every step is idempotent for a run: a resumed run finds its tables (or jobs) again instead of
 * paying for them twice. Obtained from {@link Source#state}; it lives as long as its source. Not
 * thread-safe.
 */
public interface WarehouseState {
  /** The dataset (or schema) holding the tables, for messages. */
  String location();

  /**
   * What keeps the sync's query from being compared in this warehouse, found before any job that
   * costs money (on BigQuery, a dry run): columns whose names qsync's own SQL uses ({@link
   * SnapshotSql#reservedNameProblems}), key columns of a type the warehouse cannot group, compare
   * or order. One line per problem, naming the column and ending with its remedy; empty when the
   * query can be compared.
   */
  List<String> problems(String sql, List<String> key);

  /**
   * Runs the sync's query into the run's result table, with each row's fingerprint, or finds that
   * table again when the run resumes. The returned result's columns are the query's (without the
   * fingerprint); reading it reads every row, for a full comparison.
   */
  SourceResult materialize(String sql, SnapshotNames.Run run);

  /**
   * NULL key parts, duplicate keys and keys equal under the target's collations in the run's result
   * table, with a few samples each; empty when the keys are fit to write. Computed in the
   * warehouse, so the rows need not leave it.
   */
  List<KeyProblem> checkKeys(
      SnapshotNames.Run run, List<String> key, List<KeyCollation> collations, int samples);

  /** The columns of a table in the dataset, or empty when there is no such table. */
  Optional<List<Column>> describe(String table);

  /**
   * Computes the change set of the run's result against a state table into the run's changes table
   * in one statement (see {@link SnapshotSql#changes}), which reads every column of the result, and
   * returns it: column {@value SnapshotSql#OP} (one of {@code insert}, {@code update}, {@code
   * delete}), then the result's columns (on a delete, all NULL but the key). Rows come in no
   * particular order.
   *
   * @param deletes whether keys that left the result are part of the change set (mirror)
   */
  SourceResult changes(SnapshotNames.Run run, String stateTable, List<String> key, boolean deletes);

  /**
   * The first of two steps that give the rows of {@link #changes}: compares the result's key and
   * fingerprint alone with the state's ({@link SnapshotSql#changedKeys}), writes the changed keys
   * and their kind to the run's keys table, and returns how many there are (empty when the
   * warehouse does not say: the caller then fetches). Finds the table again when the run resumes.
   */
  OptionalLong compare(SnapshotNames.Run run, String stateTable, List<String> key, boolean deletes);

  /**
   * The second step: the change set of the keys {@link #compare} found, with the result's columns
   * of those keys ({@link SnapshotSql#fetch}), into the run's changes table; the same rows as
   * {@link #changes}.
   */
  SourceResult fetch(SnapshotNames.Run run, List<String> key);

  /**
   * Why comparing keys and fingerprints first ({@link #compare}, then {@link #fetch}) could not
   * cost less than {@link #changes} for the run's result even when nothing changed; empty when it
   * can. On BigQuery, a result table no larger than the 10 MB a job is billed at least per table it
   * reads: the comparison bills the same 10 MB for it as the one query.
   */
  Optional<String> whyOneQuery(SnapshotNames.Run run);

  /** The statements of a change set, for {@link #diffBytes}. */
  enum Step {
    /** {@link #changes}: compare and fetch in one statement. */
    CHANGES,
    /** {@link #compare}. */
    COMPARE,
    /** {@link #fetch}, once {@link #compare} wrote the keys table. */
    FETCH
  }

  /**
   * How many bytes a step of the diff would scan, where the warehouse can say without running it (a
   * BigQuery dry run); empty otherwise.
   */
  OptionalLong diffBytes(
      SnapshotNames.Run run, String stateTable, List<String> key, boolean deletes, Step step);

  /**
   * Writes the run's state table (key and fingerprint of its result) from its result table; doing
   * it again gives the same table. Fails when the result table is gone.
   */
  void advance(SnapshotNames.Run run, List<String> key);

  /** The names of the tables in the dataset whose names start with {@code prefix}. */
  List<String> tables(String prefix);

  /** Drops a table of the dataset; an absent table is fine. */
  void drop(String table);
}
