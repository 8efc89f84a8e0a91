package io.qsync.target;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An existing target table: its columns in order and its unique keys (the primary key first).
 *
 * @param uniqueKeys each unique key's columns, in index order
 */
public record TargetTable(String name, List<TargetColumn> columns, List<List<String>> uniqueKeys) {
  public TargetTable {
    requireNonNull(name, "name is null");
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
    uniqueKeys = uniqueKeys.stream().map(List::copyOf).toList();
  }

  /** The column of that name; MySQL column names are case-insensitive. */
  public Optional<TargetColumn> column(String name) {
    String wanted = name.toLowerCase(Locale.ROOT);
    return columns.stream()
        .filter(column -> column.name().toLowerCase(Locale.ROOT).equals(wanted))
        .findFirst();
  }
}
