package io.qsync.serve;

import static java.util.Objects.requireNonNull;

import io.qsync.engine.Qsync;
import io.qsync.state.RunRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A sync's run history read from its target's {@code _qsync_runs}, each run with the time it waited
 * for its throttle per rule: what the status page charts. Each call opens the target, reads, and
 * closes it. Thread-safe.
 */
public final class TargetHistory implements HistoryReader {
  private final Supplier<Qsync> qsync;

  /**
   * @param qsync the commands over the config in force now: asked on every call, so a reloaded
   *     config's syncs and connections are read from then on
   */
  public TargetHistory(Supplier<Qsync> qsync) {
    this.qsync = requireNonNull(qsync, "qsync is null");
  }

  /**
   * {@inheritDoc} A run recorded as running whose lock no session holds shows as interrupted, as in
   * {@code qsync history}.
   *
   * @throws io.qsync.QsyncException {@code USAGE} for a sync not in the config; {@code FAILED} when
   *     the target cannot be read
   */
  @Override
  public List<RunView> history(String sync, int limit) {
    Qsync commands = requireNonNull(qsync.get(), "qsync.get() is null");
    List<RunRecord> runs = commands.history(sync, limit);
    if (runs.isEmpty()) {
      return List.of();
    }
    Map<String, Map<String, Duration>> throttled =
        commands.throttledBy(sync, runs.stream().map(RunRecord::runId).toList());
    return runs.stream()
        .map(run -> new RunView(run, throttled.getOrDefault(run.runId(), Map.of())))
        .toList();
  }
}
