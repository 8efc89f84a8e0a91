package io.qsync.testing;

import static java.util.Objects.requireNonNull;

import io.qsync.row.Column;
import io.qsync.row.RowSink;
import io.qsync.source.QueryDialect;
import io.qsync.source.Source;
import io.qsync.source.SourceResult;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A source whose every query returns the rows the test set, in memory: for unit tests of the
 * runner's decisions, never proof that a warehouse path works. Not thread-safe.
 */
public final class FakeSource implements Source {
  private final List<Column> columns;
  private List<Object[]> rows = List.of();
  private int queries;

  public FakeSource(List<Column> columns) {
    this.columns = List.copyOf(requireNonNull(columns, "columns is null"));
  }

  /** The rows the next queries return, each as {@link #columns} in their order. */
  public FakeSource returning(List<Object[]> newRows) {
    rows = List.copyOf(newRows);
    return this;
  }

  /** How many queries ran. */
  public int queries() {
    return queries;
  }

  @Override
  public SourceResult query(String sql, String runId) {
    queries++;
    List<Object[]> result = new ArrayList<>(rows);
    return new SourceResult() {
      @Override
      public List<Column> columns() {
        return columns;
      }

      @Override
      public OptionalLong totalRows() {
        return OptionalLong.of(result.size());
      }

      @Override
      public void read(long fromRow, RowSink sink) {
        for (int i = (int) fromRow; i < result.size(); i++) {
          sink.accept(result.get(i).clone());
        }
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public QueryDialect dialect() {
    return QueryDialect.DUCKDB;
  }

  @Override
  public List<Column> describe(String sql) {
    return columns;
  }

  @Override
  public void close() {}
}
