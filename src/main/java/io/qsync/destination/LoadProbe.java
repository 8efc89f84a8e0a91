package io.qsync.destination;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** How busy the server is, for the throttle. */
public interface LoadProbe {
  /**
   * The server's {@code Threads_running} now: statements executing at this moment, a measure of how
   * busy it is.
   *
   * @throws io.qsync.TransientException when the server cannot be reached just now
   */
  long threadsRunning();

  /**
   * How far this server, as a replica, lags its primary ({@code Seconds_Behind_Master}); empty when
   * it does not replicate (no replication configured, or its threads are stopped).
   */
  Optional<Duration> replicationLag();

  /**
   * Opens a session of its own that times a primary-key read of {@code table} (the first row in the
   * order of {@code key}); it needs only SELECT on the table. When the table does not exist, it
   * times {@code SELECT 1}.
   */
  LatencyProbe openLatencyProbe(String table, List<String> key);

  /**
   * How many statements the work session has run ({@code Questions} of the session): the ones the
   * server counts that come from this run's writes.
   */
  long statementsRun();
}
