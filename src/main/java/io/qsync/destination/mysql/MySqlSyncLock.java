package io.qsync.destination.mysql;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.Sha256;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStore;
import io.qsync.state.SyncLock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * A sync's lock: MySQL's {@code GET_LOCK}, held by a session of its own (not the one that writes),
 * so the lock lives exactly as long as that session: a killed process frees it. Before each commit
 * the writer asks {@link #held()}, which checks {@code IS_USED_LOCK(name) = CONNECTION_ID()}: a
 * dropped lock session must not leave a run writing unguarded. After a server restart the lock can
 * be {@linkplain #retake() taken again} on a new session, unless another run holds it by then. Not
 * thread-safe.
 */
final class MySqlSyncLock implements SyncLock {
  private static final int MAX_LOCK_NAME = 64;

  private final MySqlConnections connections;
  private final String name;
  private Connection session;

  private MySqlSyncLock(MySqlConnections connections, Connection session, String name) {
    this.connections = connections;
    this.session = session;
    this.name = name;
  }

  /**
   * Takes the lock on a session of its own.
   *
   * @param runs the run history, to name the run that holds the lock
   * @throws QsyncException of kind LOCK_HELD naming the holder when the lock stays taken
   */
  static MySqlSyncLock acquire(
      MySqlConnections connections, RunStore runs, String sync, Duration timeout) {
    Connection session = connections.openSession();
    boolean taken = false;
    try {
      String name = lockName(database(session), sync);
      if (getLock(session, name, timeout)) {
        taken = true;
        return new MySqlSyncLock(connections, session, name);
      }
      throw new QsyncException(
          ErrorKind.LOCK_HELD,
          "sync '"
              + sync
              + "' is locked by "
              + holder(runs, session, name, sync)
              + " (waited "
              + timeout.toSeconds()
              + "s)\nWait for that run to finish, or raise the sync's"
              + " lock_timeout.");
    } catch (SQLException e) {
      throw connections.failed("take the lock of sync '" + sync + "'", e);
    } finally {
      if (!taken) {
        closeQuietly(session); // whatever failed, a session that holds no lock is not kept
      }
    }
  }

  private static boolean getLock(Connection session, String name, Duration timeout)
      throws SQLException {
    try (PreparedStatement statement = session.prepareStatement("SELECT GET_LOCK(?, ?)")) {
      statement.setString(1, name);
      statement.setDouble(2, timeout.toMillis() / 1000.0);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() && rows.getInt(1) == 1;
      }
    }
  }

  /**
   * Takes the lock again on a new session after its session ended, without waiting: the lock was
   * free since then, and another run that took it meanwhile holds it now (false), or recorded that
   * it took this run over, which the caller checks.
   *
   * @throws io.qsync.TransientException while the server cannot be reached
   */
  @Override
  public boolean retake() {
    if (held()) {
      return true;
    }
    closeQuietly(session);
    Connection fresh = connections.openSession();
    try {
      if (getLock(fresh, name, Duration.ZERO)) {
        session = fresh;
        return true;
      }
      closeQuietly(fresh);
      return false;
    } catch (SQLException e) {
      closeQuietly(fresh);
      throw connections.failed("take the lock " + name + " again", e);
    }
  }

  static String database(Connection session) throws SQLException {
    try (var statement = session.createStatement();
        ResultSet rows = statement.executeQuery("SELECT DATABASE()")) {
      rows.next();
      return Optional.ofNullable(rows.getString(1)).orElse("");
    }
  }

  /** Lock names are server-wide, so the database is part of the name; at most 64 characters. */
  static String lockName(String database, String sync) {
    String name = "qsync/" + database + "/" + sync;
    if (name.length() <= MAX_LOCK_NAME) {
      return name;
    }
    return name.substring(0, MAX_LOCK_NAME - 17) + "#" + Sha256.hex(name).substring(0, 16);
  }

  /**
   * Who holds the lock: the run recorded with that session, or the session's id. A run history that
   * cannot be read (absent, not granted) leaves the session's id: the lock is held all the same,
   * and that is what the person must hear.
   */
  private static String holder(RunStore runs, Connection session, String name, String sync)
      throws SQLException {
    long connectionId;
    try (PreparedStatement statement = session.prepareStatement("SELECT IS_USED_LOCK(?)")) {
      statement.setString(1, name);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        connectionId = rows.getLong(1);
        if (rows.wasNull()) {
          return "a run that has just finished";
        }
      }
    }
    Optional<RunRecord> run;
    try {
      run = runs.unfinishedOfAnyTable(sync);
    } catch (QsyncException unreadable) {
      run = Optional.empty();
    }
    if (run.isPresent() && run.get().connectionId() == connectionId) {
      RunRecord holder = run.get();
      return "run "
          + holder.runId()
          + " (started "
          + holder.startedAt()
          + " on "
          + holder.host()
          + ", pid "
          + holder.pid()
          + ")";
    }
    return "database session " + connectionId;
  }

  /** The id of the session holding the lock, recorded in run history to name the holder. */
  @Override
  public long sessionId() {
    try (var statement = session.createStatement();
        ResultSet rows = statement.executeQuery("SELECT CONNECTION_ID()")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw connections.failed("read the lock session's id", e);
    }
  }

  @Override
  public boolean held() {
    try (PreparedStatement statement =
        session.prepareStatement("SELECT IS_USED_LOCK(?) = CONNECTION_ID()")) {
      statement.setString(1, name);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() && rows.getBoolean(1);
      }
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    try (PreparedStatement statement = session.prepareStatement("SELECT RELEASE_LOCK(?)")) {
      statement.setString(1, name);
      statement.executeQuery().close();
    } catch (SQLException e) {
      // Closing the session below releases the lock all the same.
    } finally {
      closeQuietly(session);
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // Nothing to do: the server ends the session and frees its locks.
    }
  }
}
