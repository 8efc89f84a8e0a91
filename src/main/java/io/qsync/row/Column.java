package io.qsync.row;

import static java.util.Objects.requireNonNull;

/** One column of a query result: its name as the query spells it, and its type. */
public record Column(String name, SqlType type) {
  public Column {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
  }
}
