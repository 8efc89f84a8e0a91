package io.qsync.stage;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import io.qsync.source.Column;
import io.qsync.source.duckdb.DuckDbValues;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads a change set in sequence order, a batch at a time. Not thread-safe; close it. */
public final class ChangeCursor implements AutoCloseable {
  private final Statement statement;
  private final ResultSet rows;
  private final List<Column> columns;
  private boolean exhausted;

  ChangeCursor(Statement statement, ResultSet rows, List<Column> columns) {
    this.statement = statement;
    this.rows = rows;
    this.columns = List.copyOf(columns);
  }

  /** The next changes, at most {@code max}; empty at the end of the change set. */
  public List<Change> next(int max) {
    List<Change> batch = new ArrayList<>(Math.min(max, 4096));
    try {
      while (!exhausted && batch.size() < max) {
        if (!rows.next()) {
          exhausted = true;
          break;
        }
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
          row[i] = DuckDbValues.read(rows, i + 3, columns.get(i).type());
        }
        batch.add(new Change(rows.getLong(1), ChangeKind.ofCode(rows.getString(2)), row));
      }
    } catch (SQLException e) {
      throw new QsyncException(
          ErrorKind.FAILED, "cannot read the stage's change set: " + e.getMessage(), e);
    }
    return batch;
  }

  @Override
  public void close() {
    try {
      rows.close();
      statement.close();
    } catch (SQLException e) {
      throw new QsyncException(ErrorKind.FAILED, "cannot close the change set: " + e.getMessage(), e);
    }
  }
}
