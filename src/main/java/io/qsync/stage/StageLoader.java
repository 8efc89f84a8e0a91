package io.qsync.stage;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.duckdb.DuckDbValues;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.Unrepresentable;
import io.qsync.source.ArrowStreamSink;
import io.qsync.source.DuckDbFileTable;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Brings rows into the stage's temporary tables: the query's result ({@code src}), the target's
 * rows ({@code tgt}) and a change set the warehouse computed ({@code snap}), either row by row
 * through DuckDB's appender, or, when the rows are a table in a DuckDB file, with one SQL copy, or,
 * when they come as an Arrow stream ({@link ArrowStreamSink}), with one insert DuckDB reads the
 * stream for. Not thread-safe: one run uses one stage.
 */
final class StageLoader {
  private final StageFile file;

  StageLoader(StageFile file) {
    this.file = file;
  }

  Stage.StageWriter sourceWriter(List<Column> columns) {
    return new AppenderWriter(StageSql.SOURCE, columns, false);
  }

  Stage.StageWriter targetWriter(List<Column> columns) {
    return new AppenderWriter(StageSql.TARGET, columns, true);
  }

  Stage.StageWriter targetHashWriter(List<String> key) {
    file.execute(file.sql().createTargetHashes(key), "prepare the target's row hashes");
    return new AppenderWriter(StageSql.TARGET_HASHES, file.sql().targetHashColumns(key), false);
  }

  long readSourceInPlace(DuckDbFileTable result) {
    file.readSourceInPlace(result.file(), result.table());
    return requireAll(result, file.count(StageSql.SOURCE_ROWS));
  }

  Stage.StageWriter warehouseChangeWriter() {
    file.execute(file.sql().createWarehouseChanges(), "prepare the change set");
    return new AppenderWriter(
        StageSql.WAREHOUSE_CHANGES, file.sql().warehouseChangeColumns(), false);
  }

  long copyWarehouseChanges(DuckDbFileTable changes) {
    file.execute(file.sql().createWarehouseChanges(), "prepare the change set");
    return copy(changes, StageSql.WAREHOUSE_CHANGES);
  }

  private long copy(DuckDbFileTable result, String stageTable) {
    long copied;
    try (Statement statement = file.connection().createStatement()) {
      statement.execute(StageSql.attach(result.file().toString()));
      try {
        // The order matters to append without a key (the change set follows the rowid).
        file.keepInsertionOrder(true);
        copied = statement.executeUpdate(StageSql.copy(result.table(), stageTable));
      } finally {
        file.keepInsertionOrder(false);
        statement.execute(StageSql.DETACH);
      }
    } catch (SQLException e) {
      throw file.failed("copy the query result", e);
    }
    return requireAll(result, copied);
  }

  /** The rows the stage found in a result's file ({@code read}): all of them, or a failure. */
  private long requireAll(DuckDbFileTable result, long read) {
    if (read != result.rows()) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "the stage "
              + result.file()
              + " found "
              + read
              + " rows of a query result of "
              + result.rows()
              + "\n"
              + file.caller().again()
              + " If it repeats, report it as a bug.");
    }
    return read;
  }

  /**
   * Appends rows to one stage table through DuckDB's appender, or inserts an Arrow stream's rows
   * with one statement. Not thread-safe.
   */
  private final class AppenderWriter implements Stage.StageWriter, ArrowStreamSink {
    private final String table;
    private final List<Column> columns;
    private final DuckDBAppender appender;
    private final List<SqlType> types;
    private final boolean marksInexact;
    private long rows;

    private AppenderWriter(String table, List<Column> columns, boolean marksInexact) {
      this.table = table;
      this.columns = List.copyOf(columns);
      this.types = columns.stream().map(Column::type).toList();
      this.marksInexact = marksInexact;
      try {
        this.appender =
            file.connection().createAppender("temp", DuckDBConnection.DEFAULT_SCHEMA, table);
      } catch (SQLException e) {
        throw file.failed("write rows", e);
      }
    }

    @Override
    public void accept(Object[] row) {
      try {
        appender.beginRow();
        boolean inexact = false;
        for (int i = 0; i < types.size(); i++) {
          if (row[i] == Unrepresentable.VALUE) {
            inexact = true;
            appender.appendNull();
          } else {
            DuckDbValues.append(appender, row[i], types.get(i));
          }
        }
        if (marksInexact) {
          appender.append(inexact);
        }
        appender.endRow();
        rows++;
      } catch (SQLException e) {
        throw file.failed("write rows", e);
      }
    }

    @Override
    public long insertArrow(ArrowArrayStream stream, List<String> select) {
      long inserted = 0;
      RuntimeException failure = null;
      try (Statement statement = file.connection().createStatement()) {
        file.connection().registerArrowStream(StageSql.ARROW_STREAM, stream);
        // In the stream's order, as the appender would have appended its rows.
        file.keepInsertionOrder(true);
        inserted =
            statement.executeUpdate(StageSql.insertArrow(table, columns, select, marksInexact));
      } catch (SQLException e) {
        failure = file.failed("write rows", e);
      } catch (RuntimeException e) {
        // registerArrowStream wraps DuckDB's SQLException in a RuntimeException
        failure = e.getCause() instanceof SQLException cause ? file.failed("write rows", cause) : e;
      }
      // Each on a statement of its own, since DuckDB closes a statement whose execution failed;
      // a failure to clean up must not hide the insert's own.
      for (Runnable cleanUp :
          List.<Runnable>of(
              () -> file.keepInsertionOrder(false),
              () -> file.execute(StageSql.DROP_ARROW_STREAM, "drop the Arrow stream's view"))) {
        try {
          cleanUp.run();
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      rows += inserted;
      return inserted;
    }

    @Override
    public long rows() {
      return rows;
    }

    @Override
    public void close() {
      try {
        appender.close();
      } catch (SQLException e) {
        throw file.failed("write rows", e);
      }
    }
  }
}
