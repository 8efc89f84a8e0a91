package io.qsync.tools.soak;

import io.qsync.engine.Progress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the changes qsync has written, batch by batch, keeps the self-throttle's last decision,
 * for the soak's trace, and what qsync is doing at each moment (the run's step, or the soak's own
 * work between runs) with the time spent on each, so that the application's latencies can be told
 * apart by it. Called from the run's thread; {@link #written}, {@link #decision} and {@link #doing}
 * are read from others.
 */
final class SyncMeter implements Progress {
  /** A run's time outside its named steps: the query, the checks, the commit of its state. */
  static final String OUTSIDE_STEPS = "run, outside its steps";

  /** No run: the phase has no sync, or it is over. */
  static final String NO_RUN = "no run";

  /**
   * Between two runs the soak changes the warehouse: its own work, on the same machine, which a
   * real warehouse does elsewhere. The application's operations meanwhile are kept apart.
   */
  static final String WAREHOUSE_CHANGE = "the soak's change of the warehouse, between runs";

  private final AtomicLong written = new AtomicLong();
  private volatile String decision = "";
  private volatile String doing = NO_RUN;
  private final Map<String, Long> nanosDoing = new LinkedHashMap<>();
  private long doingSince = System.nanoTime();
  private boolean applying;
  private long last;

  long written() {
    return written.get();
  }

  String decision() {
    return decision;
  }

  /**
   * What qsync is doing now: a step's name, {@link #OUTSIDE_STEPS}, {@link #WAREHOUSE_CHANGE} or
   * {@link #NO_RUN}.
   */
  String doing() {
    return doing;
  }

  /** From now on qsync does {@code what}; the time since the last change goes to what it did. */
  void doing(String what) {
    long now = System.nanoTime();
    nanosDoing.merge(doing, now - doingSince, Long::sum);
    doingSince = now;
    doing = what;
  }

  /** Seconds spent on each thing qsync did, in the order first done; call at the phase's end. */
  Map<String, Double> secondsDoing() {
    doing(doing);
    Map<String, Double> seconds = new LinkedHashMap<>();
    nanosDoing.forEach((what, nanos) -> seconds.put(what, nanos / 1e9));
    return seconds;
  }

  @Override
  public void begin(String step, long total) {
    applying = step.equals("apply") || step.equals("heal");
    last = 0;
    doing(step);
  }

  @Override
  public void beginAt(String step, long total, long done) {
    begin(step, total);
    last = done;
  }

  @Override
  public void advance(long done) {
    if (applying) {
      written.addAndGet(done - last);
      last = done;
    }
  }

  @Override
  public void end() {
    applying = false;
    doing(OUTSIDE_STEPS);
  }

  @Override
  public void paced(String reason) {
    decision = reason;
  }
}
