package io.qsync.source;

import io.qsync.row.Column;
import io.qsync.row.RowSink;
import java.util.List;
import java.util.OptionalLong;

/**
 * The result of one query: its columns up front, then its rows in pages. Memory is bounded by one
 * page whatever the result's size. Lifecycle: columns / totalRows, one or more {@link #read}, then
 * {@link #close}.
 */
public interface SourceResult extends AutoCloseable {
  List<Column> columns();

  /** The number of rows, where the source knows it before reading them. */
  OptionalLong totalRows();

  /**
   * Streams rows starting at a zero-based row offset. Row order is the source's; a caller that
   * re-reads from an offset must check that what it got adds up (see DESIGN.md, "Resume").
   */
  void read(long fromRow, RowSink sink);

  /**
   * Where the result lives at the source, for the run's checkpoint and history (a BigQuery job id,
   * its location and result table); empty for a source without jobs.
   */
  default java.util.Optional<String> job() {
    return java.util.Optional.empty();
  }

  /**
   * The result as a table in a DuckDB file, where the source already holds it as one: the stage
   * then copies it with SQL, without decoding a row in Java. Empty for other sources.
   */
  default java.util.Optional<DuckDbFileTable> duckDbFile() {
    return java.util.Optional.empty();
  }

  /** Things the run report should say about the query (retried errors, a query run again). */
  default List<String> notes() {
    return List.of();
  }

  @Override
  void close();
}
