package io.qsync.serve.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.Secret;
import io.qsync.testing.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionsTest {
  @Test
  void aSessionHasItsOwnCsrfValueAndEndsAfterItsLifetime() {
    ManualClock clock = new ManualClock();
    Sessions sessions = new Sessions(clock);

    String first = sessions.open();
    String second = sessions.open();

    assertThat(first).isNotEqualTo(second).hasSizeGreaterThanOrEqualTo(43);
    assertThat(sessions.find(first).orElseThrow().csrf())
        .isNotEqualTo(sessions.find(second).orElseThrow().csrf());
    clock.advance(Sessions.LIFETIME.minus(Duration.ofSeconds(1)));
    assertThat(sessions.find(first)).isPresent();
    clock.advance(Duration.ofSeconds(1));
    assertThat(sessions.find(first)).isEmpty();
  }

  @Test
  void signingOutEndsTheSession() {
    Sessions sessions = new Sessions(new ManualClock());
    String id = sessions.open();

    sessions.close(id);

    assertThat(sessions.find(id)).isEmpty();
  }

  @Test
  void tooManySessionsPushOutTheOldest() {
    ManualClock clock = new ManualClock();
    Sessions sessions = new Sessions(clock);
    String oldest = sessions.open();
    for (int i = 1; i < Sessions.MAX; i++) {
      clock.advance(Duration.ofMillis(1));
      sessions.open();
    }
    String newest = sessions.open();

    assertThat(sessions.find(oldest)).isEmpty();
    assertThat(sessions.find(newest)).isPresent();
  }

  @Test
  void comparesTheTokenWhole() {
    Secret token = new Secret("correct horse");

    assertThat(Sessions.sameSecret("correct horse", token)).isTrue();
    assertThat(Sessions.sameSecret("correct hors", token)).isFalse();
    assertThat(Sessions.sameSecret("correct horse ", token)).isFalse();
    assertThat(Sessions.sameSecret("", token)).isFalse();
  }
}
