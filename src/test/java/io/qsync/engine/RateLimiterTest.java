package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void eachBatchWaitsUntilThePreviousOnesHaveHadTheirTime() {
    RateLimiter limiter = new RateLimiter(1000);

    assertThat(limiter.reserve(500, START)).isZero();
    assertThat(limiter.reserve(500, START)).isEqualTo(Duration.ofMillis(500));
    assertThat(limiter.reserve(1000, START.plusMillis(200))).isEqualTo(Duration.ofMillis(800));
  }

  @Test
  void idleTimeIsNotSavedUpForABurst() {
    RateLimiter limiter = new RateLimiter(1000);
    limiter.reserve(1000, START);

    assertThat(limiter.reserve(1000, START.plusSeconds(60))).isZero();
    assertThat(limiter.reserve(1000, START.plusSeconds(60))).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void zeroMeansNoLimit() {
    RateLimiter limiter = new RateLimiter(0);

    assertThat(limiter.reserve(1_000_000, START)).isZero();
    assertThat(limiter.reserve(1_000_000, START)).isZero();
  }
}
