package io.qsync.engine;

import static io.qsync.Messages.firstLine;
import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.TransientException;
import io.qsync.config.ThrottleConfig;
import io.qsync.destination.Destination;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads what the throttle watches: the target's {@code Threads_running} (only when a limit on it is
 * set), each listed replica's lag, and whether the pause file exists. A target that cannot be read
 * for a passing reason (a lost connection) and a replica that cannot be reached are reported in the
 * sample, so the run pauses rather than fails; a replica whose user lacks the privilege fails the
 * run at once. Not thread-safe.
 */
final class ThrottleProbe implements Supplier<LoadSample> {
  private final ThrottleConfig config;
  private final Destination target;
  private final Map<String, Destination> replicas;

  ThrottleProbe(ThrottleConfig config, Destination target, Map<String, Destination> replicas) {
    this.config = requireNonNull(config, "config is null");
    this.target = requireNonNull(target, "target is null");
    this.replicas = Map.copyOf(requireNonNull(replicas, "replicas is null"));
  }

  @Override
  public LoadSample get() {
    long threads = -1;
    Optional<String> problem = Optional.empty();
    if (config.maxThreadsRunning() > 0 || config.criticalThreadsRunning() > 0) {
      try {
        threads = target.threadsRunning();
      } catch (TransientException e) {
        problem = Optional.of(firstLine(e));
      }
    }
    List<LoadSample.ReplicaLag> lags = new ArrayList<>();
    for (String name : config.replicas()) {
      Destination replica = replicas.get(name);
      try {
        Optional<Duration> lag = replica.replicationLag();
        lags.add(
            new LoadSample.ReplicaLag(
                name,
                lag,
                lag.isPresent()
                    ? ""
                    : "is not replicating"
                        + " (SHOW SLAVE STATUS: no replication, or Seconds_Behind_Master NULL)"));
      } catch (QsyncException e) {
        if (e.kind() == ErrorKind.NEEDS_ACTION) {
          throw e; // a missing privilege or a wrong password does not pass by waiting
        }
        lags.add(
            new LoadSample.ReplicaLag(name, Optional.empty(), "cannot be read: " + firstLine(e)));
      }
    }
    return new LoadSample(threads, problem, lags, config.pauseFile().filter(Files::exists));
  }
}
