package io.qsync.stage;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import io.qsync.duckdb.DuckDbValues;
import io.qsync.row.Column;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads a change set in sequence order, a batch at a time. With read-ahead, the next batch is read
 * from the stage on a thread of its own while the caller writes the current one to the target, so
 * decoding and the target's work overlap; at most one batch is held ahead. Not thread-safe (one
 * caller); close it.
 */
public final class ChangeCursor implements AutoCloseable {
  private final Statement statement;
  private final ResultSet rows;
  private final List<Column> columns;
  private final ExecutorService readAhead;
  private final ArrayDeque<Change> buffer = new ArrayDeque<>();
  private Future<List<Change>> pending;
  private boolean exhausted;

  /** The columns the result carries: values, or new rows as LOAD DATA text instead of values. */
  private final ChangeRead read;

  /**
   * The number the next change must have, when the result is the change set from a point on (every
   * number in turn); -1 for a sample, whose numbers have gaps.
   */
  private long expectedSeq;

  private final Runnable afterClose;

  /**
   * @param afterSeq the number the result starts after, when it holds every change from there on in
   *     order, which the cursor checks change by change; -1 when it holds some changes only
   * @param afterClose run once the result and its statement are closed
   */
  ChangeCursor(
      Statement statement,
      ResultSet rows,
      List<Column> columns,
      boolean readAhead,
      ChangeRead read,
      long afterSeq,
      Runnable afterClose) {
    this.afterClose = afterClose;
    this.read = requireNonNull(read, "read is null");
    this.expectedSeq = afterSeq < 0 ? -1 : afterSeq + 1;
    this.statement = statement;
    this.rows = rows;
    this.columns = List.copyOf(columns);
    this.readAhead =
        readAhead
            ? Executors.newSingleThreadExecutor(
                task -> {
                  Thread thread = new Thread(task, "qsync-stage-read-ahead");
                  thread.setDaemon(true);
                  return thread;
                })
            : null;
  }

  /** The next changes, at most {@code max}; empty at the end of the change set. */
  public List<Change> next(int max) {
    if (readAhead == null) {
      return read(max);
    }
    List<Change> batch = new ArrayList<>(Math.min(max, 4096));
    while (batch.size() < max) {
      if (buffer.isEmpty()) {
        if (pending == null) {
          if (exhausted) {
            break;
          }
          pending = readAhead.submit(() -> read(max));
        }
        buffer.addAll(awaitPending());
        if (buffer.isEmpty()) {
          break;
        }
      }
      while (batch.size() < max && !buffer.isEmpty()) {
        batch.add(buffer.poll());
      }
    }
    if (pending == null && !exhausted) {
      pending = readAhead.submit(() -> read(max));
    }
    return batch;
  }

  private List<Change> awaitPending() {
    try {
      return pending.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QsyncException(
          ErrorKind.INTERRUPTED, "interrupted while reading the change set", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pending = null;
    }
  }

  private List<Change> read(int max) {
    List<Change> batch = new ArrayList<>(Math.min(max, 4096));
    try {
      while (!exhausted && batch.size() < max) {
        if (!rows.next()) {
          exhausted = true;
          break;
        }
        long seq = rows.getLong(1);
        if (expectedSeq >= 0) {
          checkSequence(seq);
        }
        ChangeKind kind = ChangeKind.ofCode(rows.getInt(2));
        if (read != ChangeRead.VALUES && kind == ChangeKind.INSERT) {
          // The values stay in the stage: the writer gets the row's bytes as LOAD DATA text.
          batch.add(new Change(seq, kind, null, rows.getBytes(read.textColumn(columns.size()))));
          continue;
        }
        if (read == ChangeRead.TEXT_ONLY) {
          throw new QsyncException(
              ErrorKind.INTERNAL,
              "the stage's change set holds a change of kind "
                  + kind
                  + " (change "
                  + seq
                  + ") where it was read as new rows only. Nothing from change "
                  + seq
                  + " on was written; the run resumes from its checkpoint. This is a bug in qsync:"
                  + " please report it.");
        }
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
          row[i] = DuckDbValues.read(rows, i + 3, columns.get(i).type());
        }
        batch.add(new Change(seq, kind, row));
      }
    } catch (SQLException e) {
      throw new QsyncException(
          ErrorKind.FAILED, "cannot read the stage's change set: " + e.getMessage(), e);
    }
    return batch;
  }

  /**
   * Changes are written (and checkpoints taken) by number: one read out of turn would write a
   * change twice or skip one on resume. The change set is read in the order the stage stores it,
   * unsorted, so this stops the run before the change out of turn is handed on.
   */
  private void checkSequence(long seq) {
    if (seq != expectedSeq) {
      throw new QsyncException(
          ErrorKind.INTERNAL,
          "the stage's change set came out of order: change "
              + seq
              + " where change "
              + expectedSeq
              + " was due. Nothing from change "
              + expectedSeq
              + " on was written; the run resumes from its checkpoint. This is a bug in qsync:"
              + " please report it.");
    }
    expectedSeq++;
  }

  @Override
  public void close() {
    try {
      if (readAhead != null) {
        if (pending != null) {
          // The result set must not be closed under a read in progress: wait for it (one batch).
          try {
            awaitPending();
          } catch (RuntimeException ignored) {
            // Closing: a failed read-ahead no longer matters.
          }
        }
        readAhead.shutdownNow();
      }
      rows.close();
      statement.close();
      afterClose.run();
    } catch (SQLException e) {
      throw new QsyncException(
          ErrorKind.FAILED, "cannot close the change set: " + e.getMessage(), e);
    }
  }
}
