package io.qsync.destination;

import java.time.Duration;
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
}
