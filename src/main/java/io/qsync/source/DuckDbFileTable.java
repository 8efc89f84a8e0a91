package io.qsync.source;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A query result that is already a table in a DuckDB database file, complete and closed, so that
 * another DuckDB (the stage) may attach the file read-only and copy the table with SQL instead of
 * reading it row by row through JDBC. Its columns are the result's, in order.
 *
 * @param file the database file
 * @param table the table's name in the file's main schema
 * @param rows the number of rows the table holds: what a copy must add up to
 */
public record DuckDbFileTable(Path file, String table, long rows) {
  public DuckDbFileTable {
    requireNonNull(file, "file is null");
    requireNonNull(table, "table is null");
  }
}
