package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import io.qsync.destination.SyncLocks;
import io.qsync.state.RunStore;
import io.qsync.state.SyncLock;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The locks of a database's syncs, as MySQL's named locks ({@link MySqlSyncLock}). Not thread-safe.
 */
final class MySqlSyncLocks implements SyncLocks {
  private final MySqlConnections connections;
  private final RunStore runs;

  /**
   * @param runs the run history, to name the run that holds a lock
   */
  MySqlSyncLocks(MySqlConnections connections, RunStore runs) {
    this.connections = requireNonNull(connections, "connections is null");
    this.runs = requireNonNull(runs, "runs is null");
  }

  @Override
  public SyncLock lock(String sync, Duration timeout) {
    return MySqlSyncLock.acquire(connections, runs, sync, timeout);
  }

  @Override
  public boolean lockHeld(String sync) {
    try (PreparedStatement statement =
        connections.connection().prepareStatement("SELECT IS_USED_LOCK(?)")) {
      statement.setString(
          1, MySqlSyncLock.lockName(MySqlSyncLock.database(connections.connection()), sync));
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        rows.getLong(1);
        return !rows.wasNull();
      }
    } catch (SQLException e) {
      throw connections.failed("look at the lock of sync '" + sync + "'", e);
    }
  }
}
