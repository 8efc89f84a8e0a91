package io.qsync.tools.soak;

import io.qsync.engine.Progress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the changes qsync has written, batch by batch, and keeps the self-throttle's last
 * decision, for the soak's trace. Called from the run's thread, read from the trace's.
 */
final class SyncMeter implements Progress {
  private final AtomicLong written = new AtomicLong();
  private volatile String decision = "";
  private boolean applying;
  private long last;

  long written() {
    return written.get();
  }

  String decision() {
    return decision;
  }

  @Override
  public void begin(String step, long total) {
    applying = step.equals("apply") || step.equals("heal");
    last = 0;
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
  }

  @Override
  public void paced(String reason) {
    decision = reason;
  }
}
