package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.Secret;
import io.qsync.state.SyncLock;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sync lock's sessions: none is left open by a refusal, and a lost one is taken again. */
@ExtendWith(MariaDbExtension.class)
class MySqlSyncLockIT {
  @Test
  void aLockHeldElsewhereLeavesNoSessionOpenWhenItsHolderCannotBeNamed(TestDatabase database)
      throws SQLException {
    // A run history qsync cannot read (here: not qsync's table): naming the holder's run fails.
    database.execute("CREATE TABLE `_qsync_runs` (note VARCHAR(10))");
    try (Connection holder = database.connect();
        MySqlDestination target = target(database)) {
      long holderId = getLock(holder, MySqlSyncLock.lockName(database.name(), "s"));

      QsyncException refused =
          catchThrowableOfType(QsyncException.class, () -> target.lock("s", Duration.ZERO));

      target.close();
      assertThat(otherSessions(database))
          .as("sessions left in the database but the holder's")
          .isEqualTo(1);
      assertThat(refused.kind()).isEqualTo(ErrorKind.LOCK_HELD);
      assertThat(refused.getMessage())
          .startsWith("sync 's' is locked by database session " + holderId);
    }
  }

  @Test
  void aLockWhoseSessionEndedIsTakenAgainUnlessAnotherSessionHoldsIt(TestDatabase database)
      throws SQLException {
    try (MySqlDestination target = target(database);
        SyncLock lock = target.lock("s", Duration.ZERO);
        Connection admin = database.connect()) {
      kill(admin, lock.sessionId());
      assertThat(lock.held()).isFalse();

      assertThat(lock.retake()).isTrue();
      assertThat(lock.held()).isTrue();

      long second = lock.sessionId();
      kill(admin, second);
      try (Connection other = database.connect()) {
        getLock(other, MySqlSyncLock.lockName(database.name(), "s"));
        assertThat(lock.retake()).as("taken by another session meanwhile").isFalse();
        assertThat(lock.held()).isFalse();
      }
    }
  }

  private static MySqlDestination target(TestDatabase database) {
    return new MySqlDestination(
        new MySqlConnectionConfig("app", database.url(), "root", new Secret(""), Map.of()),
        Clock.systemUTC());
  }

  private static long getLock(Connection session, String name) throws SQLException {
    try (PreparedStatement statement =
        session.prepareStatement("SELECT GET_LOCK(?, 0), CONNECTION_ID()")) {
      statement.setString(1, name);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        assertThat(rows.getInt(1)).isEqualTo(1);
        return rows.getLong(2);
      }
    }
  }

  private static void kill(Connection admin, long sessionId) throws SQLException {
    try (var statement = admin.createStatement()) {
      statement.execute("KILL " + sessionId);
    }
    waitUntil(
        admin, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + sessionId, 0);
  }

  /** Sessions in the test's database but the asking one, once closed ones are gone (bounded). */
  private static long otherSessions(TestDatabase database) throws SQLException {
    try (Connection connection = database.connect()) {
      return waitUntil(
          connection,
          "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '"
              + database.name()
              + "' AND ID <> CONNECTION_ID()",
          1);
    }
  }

  /**
   * Polls {@code countSql} for up to five seconds until it says {@code expected}; the last count.
   */
  private static long waitUntil(Connection connection, String countSql, long expected)
      throws SQLException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    long count;
    do {
      try (var statement = connection.createStatement();
          ResultSet rows = statement.executeQuery(countSql)) {
        rows.next();
        count = rows.getLong(1);
      }
    } while (count != expected && System.nanoTime() < deadline && pause());
    return count;
  }

  private static boolean pause() {
    try {
      Thread.sleep(10); // waits on the server to end a session, not on qsync
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
