package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.destination.Destination;
import io.qsync.diff.Change;
import io.qsync.state.SyncLock;
import java.sql.Connection;
import java.util.List;
import java.util.function.Function;

/**
 * Makes trying a batch again safe after a passing error. After a failed batch, or when the work
 * session was replaced (the server closed the old one), it first makes sure the run still holds its
 * lock, taking it again on a new session if its session ended too (a server restart ends both):
 * when another run holds the lock now, or took this run over while the lock was free, this run
 * stops. Then it reads the run's checkpoint on the current session: a batch whose commit reached
 * the server before the connection died has moved it to the batch's end already, and is skipped; a
 * checkpoint anywhere but the batch's start means another process applied it, and the run fails. A
 * lost session is replaced by a new one, with a new writer on it. Not thread-safe.
 */
final class MySqlRecoveringWriter implements Destination.ChangeWriter {
  private final MySqlConnections connections;
  private final Function<Connection, Destination.ChangeWriter> writers;
  private final String runId;
  private final SyncLock lock;
  private Connection session;
  private Destination.ChangeWriter writer;
  private boolean uncertain;

  /**
   * @param writers a writer of batches on a given session
   */
  MySqlRecoveringWriter(
      MySqlConnections connections,
      Function<Connection, Destination.ChangeWriter> writers,
      String runId,
      SyncLock lock) {
    this.connections = requireNonNull(connections, "connections is null");
    this.writers = requireNonNull(writers, "writers is null");
    this.runId = requireNonNull(runId, "runId is null");
    this.lock = requireNonNull(lock, "lock is null");
  }

  /** Its writers are {@link MySqlChangeWriter}s, which decode text wherever they need values. */
  @Override
  public boolean takesInsertText() {
    return true;
  }

  @Override
  public void apply(List<Change> batch, long afterSeq) {
    if (batch.isEmpty()) {
      return;
    }
    long lastSeq = batch.get(batch.size() - 1).seq();
    Connection current = connections.connection();
    if (current != session) {
      uncertain |= session != null;
      session = current;
      connections.limitWriteStatements(current);
      writer = writers.apply(current);
    }
    if (uncertain) {
      holdLock(lastSeq);
      long checkpoint = checkpoint();
      if (checkpoint == lastSeq) {
        uncertain = false;
        return; // committed before the failure was seen: nothing to do again
      }
      if (checkpoint != afterSeq) {
        throw new QsyncException(
            ErrorKind.FAILED,
            "run "
                + runId
                + ": the checkpoint is at change "
                + checkpoint
                + ", expected "
                + afterSeq
                + " before trying the batch ending at change "
                + lastSeq
                + " again (another process applied changes)\nCheck `qsync status` and run again.");
      }
      uncertain = false;
    }
    try {
      writer.apply(batch, afterSeq);
    } catch (RuntimeException e) {
      uncertain = true;
      throw e;
    }
  }

  /** Writes what the batches set aside, on the current session. */
  @Override
  public java.util.Optional<String> finish() {
    if (writer == null) {
      return java.util.Optional.empty();
    }
    Connection current = connections.connection();
    if (current != session) {
      session = current;
      connections.limitWriteStatements(current);
      writer = writers.apply(current);
    }
    holdLock(checkpoint());
    return writer.finish();
  }

  /**
   * Takes the lock again if its session ended. While it was free another run may have taken it: it
   * then holds it still, or has recorded this run as resumed or abandoned by it.
   */
  private void holdLock(long lastSeq) {
    if (lock.held()) {
      return;
    }
    if (!lock.retake()) {
      throw new QsyncException(
          ErrorKind.LOCK_HELD,
          "run "
              + runId
              + " lost its lock (its database session ended) before the batch ending at"
              + " change "
              + lastSeq
              + ", and another run of the sync holds it now\nLet that run"
              + " finish: it takes over from the last committed batch.");
    }
    long lockSession = lock.sessionId();
    if (!MySqlCheckpoint.claimRun(
        connections.connection(), runId, lockSession, connections.side())) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "run "
              + runId
              + " lost its lock (its database session ended) before the batch ending at"
              + " change "
              + lastSeq
              + ", and another run took the sync over meanwhile\nCheck"
              + " `qsync status`: the next run starts from what the table holds.");
    }
  }

  /** The run's checkpoint, read on the work session. */
  private long checkpoint() {
    return MySqlCheckpoint.read(connections.connection(), runId, connections.side());
  }
}
