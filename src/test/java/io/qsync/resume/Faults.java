package io.qsync.resume;

import io.qsync.engine.FaultPoint;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The fault point a test gives its {@code Qsync}: one armed fault, which the test disarms before
 * the resuming run so both runs share one {@code Qsync}, plus watchers that see every point of
 * every run (e.g. to put counting triggers on a shadow table once it exists). Thread-safe.
 */
final class Faults implements FaultPoint {
  private final List<FaultPoint> watchers = new CopyOnWriteArrayList<>();
  private volatile FaultPoint armed = FaultPoint.NONE;

  void arm(FaultPoint fault) {
    armed = fault;
  }

  void disarm() {
    armed = FaultPoint.NONE;
  }

  void watch(FaultPoint watcher) {
    watchers.add(watcher);
  }

  @Override
  public void reached(Point point, long value) {
    for (FaultPoint watcher : watchers) {
      watcher.reached(point, value);
    }
    armed.reached(point, value);
  }

  /**
   * A fault that does {@code action} the first time the run reaches {@code point} at {@code value}.
   */
  static Once at(Point point, long value, Runnable action) {
    return new Once(point, value, action);
  }

  /** Like {@link #at}, at any value. */
  static Once at(Point point, Runnable action) {
    return new Once(point, -1, action);
  }

  /** Throws the crash: the run stops here as if its process died, but history records it. */
  static void crash(Point point, long value) {
    throw new SimulatedCrash("simulated crash at " + point + " " + value);
  }

  /** A fault that strikes once, and says whether it did. */
  static final class Once implements FaultPoint {
    private final Point point;
    private final long value;
    private final Runnable action;
    private final AtomicBoolean struck = new AtomicBoolean();

    private Once(Point point, long value, Runnable action) {
      this.point = point;
      this.value = value;
      this.action = action;
    }

    @Override
    public void reached(Point reachedPoint, long reachedValue) {
      if (reachedPoint == point
          && (value < 0 || reachedValue == value)
          && struck.compareAndSet(false, true)) {
        action.run();
      }
    }

    boolean struck() {
      return struck.get();
    }
  }

  /** The failure a fault injects; no part of qsync throws it. */
  static final class SimulatedCrash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String message) {
      super(message);
    }
  }
}
