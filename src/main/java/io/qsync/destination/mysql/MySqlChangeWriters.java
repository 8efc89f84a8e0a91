package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import io.qsync.destination.ChangeWriters;
import io.qsync.row.Column;
import io.qsync.state.SyncLock;
import java.time.Clock;
import java.util.List;

/**
 * Opens the writers of a run's batches: a {@link MySqlChangeWriter} on the work session, behind a
 * {@link MySqlRecoveringWriter} that replaces it when the session is lost. Not thread-safe.
 */
final class MySqlChangeWriters implements ChangeWriters {
  private final MySqlConnections connections;
  private final Clock clock;

  MySqlChangeWriters(MySqlConnections connections, Clock clock) {
    this.connections = requireNonNull(connections, "connections is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public ChangeWriter writer(
      String table,
      List<Column> columns,
      List<String> key,
      Writes writes,
      String runId,
      SyncLock lock) {
    MySqlMovedValues.Pending setAside = new MySqlMovedValues.Pending();
    return new MySqlRecoveringWriter(
        connections,
        session ->
            new MySqlChangeWriter(
                session,
                connections.dialect(),
                table,
                columns,
                key,
                writes,
                runId,
                lock,
                clock,
                connections.side(),
                setAside),
        runId,
        lock);
  }
}
