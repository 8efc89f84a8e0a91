package io.qsync.testing;

import io.qsync.engine.Progress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Records what a run tells a person about pauses and retries, and the self-throttle's decisions
 * apart ({@link #paced}), and lets a test wait, bounded, until the run pauses or retries.
 * Thread-safe: the run reports on its thread, the test waits on its own.
 */
public final class RecordingProgress implements Progress {
  public final List<String> events = new CopyOnWriteArrayList<>();
  private final CountDownLatch paused = new CountDownLatch(1);

  /** The self-throttle's decisions told, in order. */
  public final List<String> paced = new CopyOnWriteArrayList<>();

  /** The step the run was in at each decision of {@link #paced} ("" between steps), in order. */
  public final List<String> pacedDuring = new CopyOnWriteArrayList<>();

  private volatile String step = "";

  private volatile Runnable onRetry = () -> {};
  private volatile Consumer<String> onPaced = reason -> {};

  @Override
  public void begin(String step, long total) {
    this.step = step;
  }

  @Override
  public void advance(long done) {}

  @Override
  public void end() {
    step = "";
  }

  @Override
  public void paused(String reason) {
    events.add("paused: " + reason);
    paused.countDown();
  }

  @Override
  public void resumed(Duration pausedFor) {
    events.add("resumed after " + pausedFor.toSeconds() + "s");
  }

  @Override
  public void retrying(String what, int failedTries, Duration wait, String error) {
    events.add("retrying " + what + " (try " + failedTries + " failed: " + error + ")");
    onRetry.run();
  }

  @Override
  public void paced(String reason) {
    pacedDuring.add(step);
    paced.add(reason);
    onPaced.accept(reason);
  }

  /** The step the run is in now, as its last {@link #begin} named it; "" between steps. */
  public String step() {
    return step;
  }

  /** Runs {@code action} on the run's thread with each self-throttle decision told. */
  public RecordingProgress onPaced(Consumer<String> action) {
    onPaced = action;
    return this;
  }

  /** Runs {@code action} on the run's thread each time a batch is about to be tried again. */
  public void onRetry(Runnable action) {
    onRetry = action;
  }

  /** Waits until the run pauses; fails after a minute. */
  public void awaitPause() {
    try {
      if (!paused.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the run did not pause; it said: " + events);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
