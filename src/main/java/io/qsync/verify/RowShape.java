package io.qsync.verify;

import static java.util.Objects.requireNonNull;

import io.qsync.row.Column;
import java.util.List;
import java.util.Locale;

/**
 * What a verify compares: the query's columns in its types, the key, what the buckets go by, and
 * how doubles are rendered (the table's server decides). Immutable.
 */
public record RowShape(
    List<Column> columns, List<String> key, BucketValue bucketValue, DoubleText doubles) {
  public RowShape {
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
    key = List.copyOf(requireNonNull(key, "key is null"));
    requireNonNull(bucketValue, "bucketValue is null");
    requireNonNull(doubles, "doubles is null");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("a verify needs a key");
    }
    for (String name : key) {
      index(columns, name);
    }
  }

  /** The position of column {@code name} (compared ignoring case), as MySQL and DuckDB match. */
  public int index(String name) {
    return index(columns, name);
  }

  /**
   * The last two columns of a query of bucket checksums, in SQL that MySQL, DuckDB and BigQuery
   * read alike: by the first key column, the smallest and largest {@code value} of each bucket of
   * more than {@value BucketSearch#ROWS_PER_BUCKET} rows, as {@code text}, for {@link
   * BucketSum#of}; NULL for smaller buckets, which are fetched, never split, and by the key's hash,
   * whose values fill a bucket evenly: so that the checksums of many small buckets carry no span.
   */
  public String occupiedColumns(String value, String text) {
    if (bucketValue != BucketValue.FIRST_KEY_COLUMN) {
      return "NULL, NULL";
    }
    String large = "CASE WHEN COUNT(*) > " + BucketSearch.ROWS_PER_BUCKET + " THEN CAST(";
    return large + "MIN(" + value + ") AS " + text + ") END, " + large + "MAX(" + value + ") AS "
        + text + ") END";
  }

  /** The key's columns, in the key's order. */
  public List<Column> keyColumns() {
    return key.stream().map(name -> columns.get(index(name))).toList();
  }

  private static int index(List<Column> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        return i;
      }
    }
    throw new IllegalArgumentException("key column " + name + " is not among the columns");
  }
}
