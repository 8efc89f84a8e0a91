package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.Caller;
import io.qsync.config.ThrottleConfig;
import io.qsync.destination.LatencyProbe;
import io.qsync.testing.ManualClock;
import io.qsync.testing.RecordingProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Drives one run's {@link Throttle} with its self-throttle on a manual clock: a fake server whose
 * other sessions' statement rate and probe latency the test sets ({@link #server}), the real {@link
 * LatencySampler} over a fake {@link LatencyProbe}, read every {@link LatencySampler#EVERY} of the
 * manual clock whether the run works ({@link #work}) or the throttle waits (its sleeper moves the
 * clock). Nothing sleeps; a run of minutes takes milliseconds. Not thread-safe.
 */
final class SelfThrottleHarness {
  final ManualClock clock = new ManualClock();
  final RecordingProgress progress = new RecordingProgress();
  final LatencyController controller;
  final Throttle throttle;

  private final Instant epoch = clock.instant();
  private double otherStatementsPerSecond;
  private Duration probeLatency = Duration.ofMillis(1);

  /** Statements the fake server ran: the other sessions' and the probe's. */
  private double otherStatements;

  private long probeStatements;
  private LatencySampler sampler;
  private Instant nextReading;

  SelfThrottleHarness(ThrottleConfig config) {
    this.controller =
        new LatencyController(
            config.maxLatencyIncrease(), config.maxProbeLatency(), config.idleBelow());
    this.throttle =
        new Throttle(
            config,
            1000,
            () -> new LoadSample(0, Optional.empty(), List.of(), Optional.empty()),
            this::startSampler,
            () -> 0, // the run's own session: its statements are not the other sessions'
            controller,
            clock,
            this::pass,
            progress,
            Caller.RUN);
  }

  /** From now on, the server's other sessions run {@code perSecond} and the probe takes this. */
  SelfThrottleHarness server(double perSecond, Duration probeLatency) {
    this.otherStatementsPerSecond = perSecond;
    this.probeLatency = requireNonNull(probeLatency, "probeLatency is null");
    return this;
  }

  /** The run works (a query, a chunk of the table read back, the diff) for {@code duration}. */
  void work(Duration duration) {
    pass(duration);
  }

  /** How long {@code step} took on the manual clock (its waits included). */
  Duration timed(Runnable step) {
    Instant before = clock.instant();
    step.run();
    return Duration.between(before, clock.instant());
  }

  Instant now() {
    return clock.instant();
  }

  private LatencySampler startSampler() {
    sampler = new LatencySampler(new FakeProbe(), () -> Duration.between(epoch, now()).toNanos());
    sampler.read(); // the sampler's thread reads at once, then every EVERY
    nextReading = now().plus(LatencySampler.EVERY);
    return sampler;
  }

  /** Time passes: the other sessions work, and the probe reads on the sampler's beat. */
  private void pass(Duration duration) {
    Instant end = now().plus(duration);
    while (sampler != null && !nextReading.isAfter(end)) {
      advanceTo(nextReading);
      sampler.read();
      nextReading = nextReading.plus(LatencySampler.EVERY);
    }
    advanceTo(end);
  }

  private void advanceTo(Instant to) {
    Duration step = Duration.between(now(), to);
    otherStatements += otherStatementsPerSecond * step.toNanos() / 1e9;
    clock.advance(step);
  }

  /** The probe's session on the fake server: the probe query and the read of the server's count. */
  private final class FakeProbe implements LatencyProbe {
    @Override
    public Reading read() {
      probeStatements += 2;
      return new Reading(
          probeLatency, Math.round(otherStatements) + probeStatements, probeStatements);
    }

    @Override
    public void close() {}
  }
}
