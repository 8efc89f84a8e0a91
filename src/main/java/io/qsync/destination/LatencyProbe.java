package io.qsync.destination;

import java.time.Duration;

/**
 * Times a tiny query on a session of its own, as an application's query would wait on the server
 * now, and reads how many statements the server has run. Lifecycle: open ({@link
 * LoadProbe#openLatencyProbe}), {@link #read()} as often as wanted, {@link #close()}. Confined to
 * one thread.
 */
public interface LatencyProbe extends AutoCloseable {
  /**
   * One look at the server.
   *
   * @param latency how long the probe query took, round trip included
   * @param serverStatements the server's {@code Questions} (statements run by every session since
   *     it started), read after the probe query
   * @param ownStatements the statements this probe's session has run, the ones just counted
   *     included, so that the rate of other sessions' statements can be told apart
   */
  record Reading(Duration latency, long serverStatements, long ownStatements) {}

  /**
   * @throws io.qsync.QsyncException when the server cannot be read
   */
  Reading read();

  @Override
  void close();
}
