package io.qsync.destination;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An existing target table: its columns in order and its unique keys (the primary key first).
 *
 * @param uniqueKeys each unique key's columns, in index order
 * @param tableType what the catalogue calls it: {@value #BASE_TABLE}, {@code VIEW}, ...
 */
public record DestinationTable(
    String name, List<DestinationColumn> columns, List<List<String>> uniqueKeys, String tableType) {
  /** The table type of an ordinary table. */
  public static final String BASE_TABLE = "BASE TABLE";

  public DestinationTable {
    requireNonNull(name, "name is null");
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
    uniqueKeys = uniqueKeys.stream().map(List::copyOf).toList();
    requireNonNull(tableType, "tableType is null");
  }

  /** An ordinary table. */
  public DestinationTable(
      String name, List<DestinationColumn> columns, List<List<String>> uniqueKeys) {
    this(name, columns, uniqueKeys, BASE_TABLE);
  }

  /** The column of that name; MySQL column names are case-insensitive. */
  public Optional<DestinationColumn> column(String name) {
    String wanted = name.toLowerCase(Locale.ROOT);
    return columns.stream()
        .filter(column -> column.name().toLowerCase(Locale.ROOT).equals(wanted))
        .findFirst();
  }
}
