package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.Secret;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Run history under a Turkish default locale, where "i".toUpperCase() is "İ" and "I".toLowerCase()
 * is "ı": statuses are stored and read back as the same ASCII names whatever the locale of the
 * process that wrote them.
 */
@ExtendWith(MariaDbExtension.class)
class MySqlRunStoreLocaleIT {
  private Locale before;

  @BeforeEach
  void turkish() {
    before = Locale.getDefault();
    Locale.setDefault(Locale.forLanguageTag("tr-TR"));
  }

  @AfterEach
  void restore() {
    Locale.setDefault(before);
  }

  @Test
  void statusesRoundTripAsAsciiNames(TestDatabase database) {
    MySqlConnectionConfig config =
        new MySqlConnectionConfig("app", database.url(), "root", new Secret(""), Map.of());
    Instant now = Instant.parse("2026-03-01T10:00:00Z");
    try (MySqlDestination target = new MySqlDestination(config, Clock.systemUTC())) {
      target.runs().prepare();
      RunRecord run = RunRecord.started("r1", "s", "t", "mirror", now, "host", 1, 2);
      target.runs().insert(run);
      assertThat(database.rows("SELECT status FROM _qsync_runs"))
          .containsExactly(List.of("running"));
      assertThat(target.runs().history("s", "t", 1))
          .extracting(RunRecord::status)
          .containsExactly(RunStatus.RUNNING);

      target.runs().update(run.finished(RunStatus.FAILED, now.plusSeconds(1), Optional.of("boom")));
      assertThat(database.rows("SELECT status FROM _qsync_runs"))
          .containsExactly(List.of("failed"));
      assertThat(target.runs().history("s", "t", 1))
          .extracting(RunRecord::status)
          .containsExactly(RunStatus.FAILED);
    }
  }
}
