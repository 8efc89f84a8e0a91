package io.qsync.verify;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of differing buckets compared one by one, by the canonical rendering of their keys:
 * missing from the table, extra in it, or different (and in which columns). Pure. Immutable.
 *
 * @param missing rows of the query's result the table lacks
 * @param extra rows of the table the query's result lacks (a second row of one key included)
 * @param different rows of the same key whose hashes differ
 */
public record RowComparison(
    List<HashedRow> missing, List<HashedRow> extra, List<Different> different) {
  public RowComparison {
    missing = List.copyOf(requireNonNull(missing, "missing is null"));
    extra = List.copyOf(requireNonNull(extra, "extra is null"));
    different = List.copyOf(requireNonNull(different, "different is null"));
  }

  /**
   * A key whose row differs.
   *
   * @param columns the positions of the columns whose renderings differ
   */
  public record Different(HashedRow warehouse, HashedRow target, List<Integer> columns) {
    public Different {
      requireNonNull(warehouse, "warehouse is null");
      requireNonNull(target, "target is null");
      columns = List.copyOf(requireNonNull(columns, "columns is null"));
    }
  }

  public static RowComparison of(List<HashedRow> warehouse, List<HashedRow> target) {
    Map<String, HashedRow> source = new LinkedHashMap<>();
    List<HashedRow> missing = new ArrayList<>();
    for (HashedRow row : warehouse) {
      if (source.putIfAbsent(row.key(), row) != null) {
        missing.add(row); // a second row of one key: the table can hold only one
      }
    }
    List<HashedRow> extra = new ArrayList<>();
    List<Different> different = new ArrayList<>();
    for (HashedRow row : target) {
      HashedRow match = source.remove(row.key());
      if (match == null) {
        extra.add(row);
      } else if (match.rowHash() != row.rowHash()) {
        List<Integer> columns = new ArrayList<>();
        for (int i = 0; i < match.columnHashes().size(); i++) {
          if (!match.columnHashes().get(i).equals(row.columnHashes().get(i))) {
            columns.add(i);
          }
        }
        different.add(new Different(match, row, columns));
      }
    }
    missing.addAll(source.values());
    return new RowComparison(missing, extra, different);
  }
}
