package io.qsync.engine;

import static io.qsync.Messages.firstLine;
import static java.util.Objects.requireNonNull;

import io.qsync.destination.LatencyProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Reads a {@link LatencyProbe} every {@link #EVERY} on a daemon thread of its own ({@code
 * qsync-latency-probe}), so that the probe sees the server while a batch runs too, and hands the
 * readings since the last {@link #take()} to the run's thread. Lifecycle: construct (starts the
 * thread), {@link #take()}, {@link #close()} (stops the thread within a second and closes the
 * probe). Thread-safe.
 */
final class LatencySampler implements AutoCloseable {
  /** How often the probe query runs: 10 point reads a second cost the server nothing it feels. */
  static final Duration EVERY = Duration.ofMillis(100);

  /**
   * The readings since the last take.
   *
   * @param latencies the probe query's times, in the order read
   * @param otherStatements statements the server ran for sessions other than the probe's between
   *     the last reading before the window and the last in it
   * @param span the time between those two readings; zero when there were not two
   * @param problem why the last reading failed, if it did
   */
  record Readings(
      List<Duration> latencies, long otherStatements, Duration span, Optional<String> problem) {}

  private final LatencyProbe probe;
  private final LongSupplier nanoTime;

  /** Null: no thread of its own, {@link #read()} is called by hand. */
  private final Thread thread;

  private final List<Duration> latencies = new ArrayList<>();
  private long baseStatements = -1;
  private long baseNanos;
  private long lastStatements = -1;
  private long lastNanos;
  private String problem;
  private volatile boolean running = true;

  /** Starts the thread that reads the probe every {@link #EVERY}. */
  LatencySampler(LatencyProbe probe) {
    this.probe = requireNonNull(probe, "probe is null");
    this.nanoTime = System::nanoTime;
    this.thread = new Thread(this::loop, "qsync-latency-probe");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Without a thread: each {@link #read()} reads the probe once, timed by {@code nanoTime}, so that
   * a test of the throttle's decisions reads a fake probe on its manual clock.
   */
  LatencySampler(LatencyProbe probe, LongSupplier nanoTime) {
    this.probe = requireNonNull(probe, "probe is null");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
    this.thread = null;
  }

  /** How many readings a {@link #take()} would hand over now. */
  synchronized int waiting() {
    return latencies.size();
  }

  synchronized Readings take() {
    List<Duration> taken = List.copyOf(latencies);
    latencies.clear();
    long others = baseStatements < 0 ? 0 : lastStatements - baseStatements;
    Duration span = baseStatements < 0 ? Duration.ZERO : Duration.ofNanos(lastNanos - baseNanos);
    if (lastStatements >= 0) {
      baseStatements = lastStatements;
      baseNanos = lastNanos;
    }
    return new Readings(taken, others, span, Optional.ofNullable(problem));
  }

  private void loop() {
    try {
      while (running) {
        read();
        Thread.sleep(EVERY.toMillis());
      }
    } catch (InterruptedException e) {
      // closed
    } finally {
      probe.close();
    }
  }

  /** Reads the probe once; a reading that fails is kept as the {@link Readings#problem}. */
  void read() {
    try {
      LatencyProbe.Reading reading = probe.read();
      long now = nanoTime.getAsLong();
      synchronized (this) {
        latencies.add(reading.latency());
        lastStatements = reading.serverStatements() - reading.ownStatements();
        lastNanos = now;
        if (baseStatements < 0) {
          baseStatements = lastStatements;
          baseNanos = now;
        }
        problem = null;
      }
    } catch (RuntimeException e) {
      synchronized (this) {
        problem = firstLine(e);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    if (thread == null) {
      probe.close();
      return;
    }
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
