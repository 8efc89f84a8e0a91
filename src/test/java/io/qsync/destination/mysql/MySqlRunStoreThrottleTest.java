package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The throttled time as {@code _qsync_runs.throttled_by} keeps it: a JSON object of seconds per
 * rule, to the millisecond, in the order the rules first held the run; a value qsync cannot read
 * names the run and how to clear it.
 */
class MySqlRunStoreThrottleTest {
  @Test
  void roundTripsRulesInOrderToTheMillisecond() {
    Map<String, Duration> throttledBy = new LinkedHashMap<>();
    throttledBy.put("Threads_running >= 50", Duration.ofMillis(12_500));
    throttledBy.put("pause file C:\\qsync\\\"pause\"", Duration.ofNanos(1_234_567_890));
    throttledBy.put("max_rows_per_second 2000", Duration.ofSeconds(3));

    String json = MySqlRunStore.throttleJson(throttledBy);

    assertThat(json)
        .isEqualTo(
            "{\"Threads_running >= 50\":12.500,\"pause file C:\\\\qsync\\\\\\\"pause\\\"\":1.234,"
                + "\"max_rows_per_second 2000\":3.000}");
    assertThat(MySqlRunStore.throttleOf("r1", json))
        .containsExactly(
            Map.entry("Threads_running >= 50", Duration.ofMillis(12_500)),
            Map.entry("pause file C:\\qsync\\\"pause\"", Duration.ofMillis(1_234)),
            Map.entry("max_rows_per_second 2000", Duration.ofSeconds(3)));
  }

  @Test
  void readsTheSelfThrottlesOldRuleNamesAsTodaysSoAHistoryKeepsOneSeries() {
    String stored =
        "{\"self-throttle, probe within 1.3x baseline\":2.000,"
            + "\"self-throttle to keep the probe within 1.3x its baseline\":0.500,"
            + "\"self-throttle, probe within 2.00ms\":1.000,\"Threads_running >= 50\":3.000}";

    assertThat(MySqlRunStore.throttleOf("r2", stored))
        .containsExactly(
            Map.entry(
                "self-throttle to keep the probe within 1.3x its baseline",
                Duration.ofMillis(2_500)),
            Map.entry("self-throttle to keep the probe within 2.00ms", Duration.ofSeconds(1)),
            Map.entry("Threads_running >= 50", Duration.ofSeconds(3)));
  }

  @Test
  void aValueQsyncCannotReadNamesTheRunAndTheFix() {
    QsyncException error =
        catchThrowableOfType(
            QsyncException.class, () -> MySqlRunStore.throttleOf("r7", "{\"rule\": \"soon\"}"));

    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage())
        .isEqualTo(
            "target: run r7 in `_qsync_runs` has a throttled_by qsync cannot read (rule is not a"
                + " number of seconds)\nSet it to NULL: UPDATE _qsync_runs SET throttled_by = NULL"
                + " WHERE run_id = 'r7'");
  }
}
