package io.qsync.destination.mysql;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Every statement on a run's checkpoint (the {@code applied_through} of its row in {@value
 * MySqlRunStore#TABLE}) and on the lock session it records: a batch moves the checkpoint inside its
 * own transaction, fenced on where it expects it; a writer that lost its session reads it back and
 * claims the run for its new lock session. {@link MySqlRunStore} writes the rest of the row.
 * Stateless.
 */
final class MySqlCheckpoint {
  private MySqlCheckpoint() {}

  /**
   * Moves the checkpoint from exactly {@code afterSeq} to {@code lastSeq}, inside the batch's
   * transaction on {@code session}: if another process moved it, this batch is not the next one any
   * more, and committing it could apply changes twice.
   *
   * @throws QsyncException when the checkpoint is not at {@code afterSeq}; the caller rolls back
   */
  static void advance(Connection session, String runId, long afterSeq, long lastSeq, Instant now)
      throws SQLException {
    try (PreparedStatement statement =
        session.prepareStatement(
            "UPDATE "
                + MySqlRunStore.TABLE
                + " SET applied_through = ?, batches_applied ="
                + " batches_applied + 1, updated_at = ? WHERE run_id = ? AND applied_through = ?")) {
      statement.setLong(1, lastSeq);
      statement.setTimestamp(2, Timestamp.from(now));
      statement.setString(3, runId);
      statement.setLong(4, afterSeq);
      if (statement.executeUpdate() != 1) {
        throw new QsyncException(
            ErrorKind.FAILED,
            "run "
                + runId
                + ": the checkpoint is no longer at change "
                + afterSeq
                + " (another process applied this batch); the batch was rolled back\n"
                + "Check `qsync status` and run again.");
      }
    }
  }

  /** The run's checkpoint: the sequence number of the last change it committed. */
  static long read(Connection session, String runId, String side) {
    try (PreparedStatement statement =
        session.prepareStatement(
            "SELECT applied_through FROM " + MySqlRunStore.TABLE + " WHERE run_id = ?")) {
      statement.setString(1, runId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw new SQLException("run " + runId + " is not in " + MySqlRunStore.TABLE);
        }
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw MySqlErrors.failed(side, "read the checkpoint of run " + runId, e);
    }
  }

  /**
   * Records {@code lockSession} as the session holding the lock of run {@code runId}, if the run is
   * still recorded as running: false when another run took it over (resumed or abandoned it) while
   * its lock was free.
   */
  static boolean claimRun(Connection session, String runId, long lockSession, String side) {
    try (PreparedStatement statement =
        session.prepareStatement(
            "UPDATE "
                + MySqlRunStore.TABLE
                + " SET connection_id = ? WHERE run_id = ?"
                + " AND status = 'running'")) {
      statement.setLong(1, lockSession);
      statement.setString(2, runId);
      // Affected rows: 0 also when the id is unchanged (a session id the server handed out
      // again after a restart), so the status is what is read back.
      statement.executeUpdate();
    } catch (SQLException e) {
      throw MySqlErrors.failed(side, "record the new lock session of run " + runId, e);
    }
    try (PreparedStatement statement =
        session.prepareStatement(
            "SELECT status, connection_id FROM " + MySqlRunStore.TABLE + " WHERE run_id = ?")) {
      statement.setString(1, runId);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() && "running".equals(rows.getString(1)) && rows.getLong(2) == lockSession;
      }
    } catch (SQLException e) {
      throw MySqlErrors.failed(side, "read run " + runId + " from " + MySqlRunStore.TABLE, e);
    }
  }
}
