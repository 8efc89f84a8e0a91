package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The target database's sessions as an operator sees them: the sync lock's holder, and KILL of a
 * run's lock session or work session from another connection, the way a DBA or a network failure
 * would end them.
 */
public final class Sessions {
  private static final long KILL_WAIT_MILLIS = 10_000;

  private Sessions() {}

  /** The sync lock's name: {@code qsync/<database>/<sync>}. */
  static String lockName(TestDatabase database, String sync) {
    return "qsync/" + database.name() + "/" + sync;
  }

  /** The session holding the sync's lock, or null when it is free. */
  static String lockHolder(TestDatabase database, String sync) {
    try (Connection connection = database.connect();
        PreparedStatement statement = connection.prepareStatement("SELECT IS_USED_LOCK(?)")) {
      statement.setString(1, lockName(database, sync));
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getString(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void assertLockFree(TestDatabase database, String sync) {
    assertThat(lockHolder(database, sync))
        .as("IS_USED_LOCK('%s') after the run", lockName(database, sync))
        .isNull();
  }

  /**
   * Kills the session that holds the running run's lock (recorded as the run's connection_id), and
   * waits until the server has ended it.
   */
  static void killLockSession(TestDatabase database) {
    List<List<String>> running =
        database.rows("SELECT connection_id FROM `_qsync_runs` WHERE status = 'running'");
    assertThat(running).as("the running run's lock session").hasSize(1);
    kill(database, Long.parseLong(running.get(0).get(0)));
  }

  /**
   * Kills the run's work session: the one session in the database that is neither the lock's nor
   * this one. Sessions the test itself just closed may linger for a moment, so this waits, bounded,
   * until exactly one candidate is left.
   */
  static void killWorkSession(TestDatabase database) {
    try (Connection connection = database.connect();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <>"
                    + " CONNECTION_ID() AND ID NOT IN (SELECT connection_id FROM `_qsync_runs`"
                    + " WHERE status = 'running')")) {
      statement.setString(1, database.name());
      long deadline = System.nanoTime() + KILL_WAIT_MILLIS * 1_000_000;
      List<Long> ids = candidates(statement);
      while (ids.size() > 1 && System.nanoTime() < deadline) {
        Thread.sleep(5); // waits on the server to end sessions this test closed
        ids = candidates(statement);
      }
      assertThat(ids).as("the run's work session").hasSize(1);
      kill(database, ids.get(0));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<Long> candidates(PreparedStatement statement) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        ids.add(rows.getLong(1));
      }
    }
    return ids;
  }

  private static void kill(TestDatabase database, long id) {
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("KILL CONNECTION " + id);
      long deadline = System.nanoTime() + KILL_WAIT_MILLIS * 1_000_000;
      while (true) {
        try (ResultSet rows =
            statement.executeQuery(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + id)) {
          rows.next();
          if (rows.getLong(1) == 0) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("session " + id + " still exists after KILL");
        }
        Thread.sleep(5); // waits on the server's own thread, which this test cannot signal
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
