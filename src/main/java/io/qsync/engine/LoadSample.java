package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the throttle sees of the target at one moment. Immutable.
 *
 * @param threadsRunning the target's {@code Threads_running}, or -1 when not read
 * @param targetProblem why the target could not be read, if it could not
 * @param replicas each watched replica's lag
 * @param pauseFile the operator's pause file, when it exists
 */
public record LoadSample(
    long threadsRunning,
    Optional<String> targetProblem,
    List<ReplicaLag> replicas,
    Optional<Path> pauseFile) {
  public LoadSample {
    requireNonNull(targetProblem, "targetProblem is null");
    replicas = List.copyOf(requireNonNull(replicas, "replicas is null"));
    requireNonNull(pauseFile, "pauseFile is null");
  }

  /**
   * One replica's lag.
   *
   * @param lag {@code Seconds_Behind_Master}; empty when the replica does not replicate (its
   *     threads are stopped, or it is no replica) or could not be read
   * @param problem why there is no lag, for the reason string
   */
  public record ReplicaLag(String replica, Optional<Duration> lag, String problem) {
    public ReplicaLag {
      requireNonNull(replica, "replica is null");
      requireNonNull(lag, "lag is null");
      requireNonNull(problem, "problem is null");
    }
  }
}
