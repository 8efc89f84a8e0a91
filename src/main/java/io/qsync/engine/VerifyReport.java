package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.verify.BucketValue;
import java.time.Duration;
import java.util.List;

/**
 * What {@code qsync verify} found for one sync: the rows on each side, how many keys are missing
 * from the table, extra in it or different, a few of each, and what the comparison cost. Immutable.
 *
 * @param extraKept whether the sync's mode keeps rows the query no longer returns ({@code upsert}):
 *     then extra rows are reported but do not make the table differ
 * @param passes how many times both sides computed bucket checksums
 * @param rowsFetched how many rows (both sides together) were fetched as key and hashes
 * @param healed how many keys {@code --heal} wrote (0 without it)
 * @param bytesBilled the bytes the warehouse's queries billed (BigQuery's jobs), verify and heal
 *     together; empty for a warehouse that bills none (DuckDB)
 */
public record VerifyReport(
    String sync,
    String table,
    BucketValue bucketValue,
    long warehouseRows,
    long tableRows,
    long missing,
    long extra,
    long different,
    List<KeyDifference> samples,
    boolean extraKept,
    int passes,
    long rowsFetched,
    long healed,
    Duration took,
    java.util.OptionalLong bytesBilled) {

  public VerifyReport {
    requireNonNull(sync, "sync is null");
    requireNonNull(table, "table is null");
    requireNonNull(bucketValue, "bucketValue is null");
    samples = List.copyOf(requireNonNull(samples, "samples is null"));
    requireNonNull(took, "took is null");
    requireNonNull(bytesBilled, "bytesBilled is null");
  }

  /** How a key differs. */
  public enum Kind {
    /** The query returns it; the table lacks it. */
    MISSING,
    /** The table holds it; the query does not return it. */
    EXTRA,
    /** Both hold it, with different values in {@link KeyDifference#columns}. */
    DIFFERENT;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One differing key.
   *
   * @param key the key columns' values as text
   * @param columns for {@link Kind#DIFFERENT}: the columns whose values differ
   */
  public record KeyDifference(Kind kind, List<String> key, List<String> columns) {
    public KeyDifference {
      requireNonNull(kind, "kind is null");
      key = List.copyOf(requireNonNull(key, "key is null"));
      columns = List.copyOf(requireNonNull(columns, "columns is null"));
    }
  }

  /** Whether the table holds exactly what the query returns (extra rows aside, under upsert). */
  public boolean equal() {
    return missing == 0 && different == 0 && (extraKept || extra == 0);
  }

  /**
   * The same report after {@code --heal} wrote {@code keys} keys, with what the warehouse billed in
   * all.
   */
  public VerifyReport withHealed(long keys, java.util.OptionalLong billed) {
    return new VerifyReport(
        sync,
        table,
        bucketValue,
        warehouseRows,
        tableRows,
        missing,
        extra,
        different,
        samples,
        extraKept,
        passes,
        rowsFetched,
        keys,
        took,
        billed);
  }
}
