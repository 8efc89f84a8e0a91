package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.config.ThrottleConfig;
import java.time.Duration;
import java.util.Locale;

/**
 * Decides from a {@link LoadSample} whether the next batch may go: critical thresholds stop the
 * run, the pause file and the pause thresholds hold it, otherwise it goes. Pure; thread-safe.
 */
final class ThrottlePolicy {
  private final ThrottleConfig config;

  ThrottlePolicy(ThrottleConfig config) {
    this.config = requireNonNull(config, "config is null");
  }

  ThrottleDecision decide(LoadSample sample) {
    long threads = sample.threadsRunning();
    int critical = config.criticalThreadsRunning();
    if (critical > 0 && threads >= critical) {
      return ThrottleDecision.abort(
          "Threads_running=" + threads + " >= " + critical + " (critical_threads_running)",
          "Threads_running >= " + critical + " (critical)");
    }
    Duration criticalLag = config.criticalReplicaLag();
    for (LoadSample.ReplicaLag replica : sample.replicas()) {
      if (!criticalLag.isZero()
          && replica.lag().filter(lag -> lag.compareTo(criticalLag) >= 0).isPresent()) {
        return ThrottleDecision.abort(
            "replica '"
                + replica.replica()
                + "' lag "
                + seconds(replica.lag().get())
                + " >= "
                + seconds(criticalLag)
                + " (critical_replica_lag)",
            "replica lag >= " + seconds(criticalLag) + " (critical)");
      }
    }
    if (sample.pauseFile().isPresent()) {
      return ThrottleDecision.pause(
          "pause file " + sample.pauseFile().get() + " exists",
          "pause file " + sample.pauseFile().get());
    }
    if (sample.targetProblem().isPresent()) {
      return ThrottleDecision.pause(
          "cannot read the target's load: " + sample.targetProblem().get(), "target unreachable");
    }
    int max = config.maxThreadsRunning();
    if (max > 0 && threads >= max) {
      return ThrottleDecision.pause(
          "Threads_running=" + threads + " >= " + max, "Threads_running >= " + max);
    }
    Duration maxLag = config.maxReplicaLag();
    for (LoadSample.ReplicaLag replica : sample.replicas()) {
      if (replica.lag().isEmpty()) {
        return ThrottleDecision.pause(
            "replica '" + replica.replica() + "' " + replica.problem(),
            "replica '" + replica.replica() + "' not replicating");
      }
      if (replica.lag().get().compareTo(maxLag) >= 0) {
        return ThrottleDecision.pause(
            "replica '"
                + replica.replica()
                + "' lag "
                + seconds(replica.lag().get())
                + " >= "
                + seconds(maxLag),
            "replica lag >= " + seconds(maxLag));
      }
    }
    return ThrottleDecision.GO;
  }

  /** {@code 7s}, {@code 7.2s}. */
  static String seconds(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0
        ? millis / 1000 + "s"
        : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
  }
}
