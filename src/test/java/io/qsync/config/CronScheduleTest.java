package io.qsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronScheduleTest {
  @ParameterizedTest(name = "{0} after {1} is {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // every minute: the next whole minute, strictly after
        "* * * * *      | 2026-03-01T10:00:00Z | 2026-03-01T10:01:00Z",
        "* * * * *      | 2026-03-01T10:00:59Z | 2026-03-01T10:01:00Z",
        // daily at 03:00 UTC, across a month's end and a year's end
        "0 3 * * *      | 2026-01-31T03:00:00Z | 2026-02-01T03:00:00Z",
        "0 3 * * *      | 2026-12-31T04:00:00Z | 2027-01-01T03:00:00Z",
        // the 31st skips the months without one
        "0 0 31 * *     | 2026-01-31T00:00:00Z | 2026-03-31T00:00:00Z",
        "0 0 31 * *     | 2026-04-01T00:00:00Z | 2026-05-31T00:00:00Z",
        // 29 February only in leap years
        "0 12 29 2 *    | 2026-03-01T00:00:00Z | 2028-02-29T12:00:00Z",
        "0 12 29 2 *    | 2028-02-29T12:00:00Z | 2032-02-29T12:00:00Z",
        // steps and ranges
        "*/15 * * * *   | 2026-03-01T10:14:00Z | 2026-03-01T10:15:00Z",
        "*/15 * * * *   | 2026-03-01T10:45:00Z | 2026-03-01T11:00:00Z",
        "10-30/10 8 * * * | 2026-03-01T08:10:00Z | 2026-03-01T08:20:00Z",
        "10-30/10 8 * * * | 2026-03-01T08:30:00Z | 2026-03-02T08:10:00Z",
        "5/20 * * * *   | 2026-03-01T10:46:00Z | 2026-03-01T11:05:00Z",
        "0 9,17 * * *   | 2026-03-01T09:00:00Z | 2026-03-01T17:00:00Z",
        // names, and Sunday as 0 or 7 (2026-03-01 is a Sunday)
        "0 9 * * MON-FRI | 2026-02-27T09:00:00Z | 2026-03-02T09:00:00Z",
        "0 9 * * sun    | 2026-02-27T09:00:00Z | 2026-03-01T09:00:00Z",
        "0 9 * * 0      | 2026-02-27T09:00:00Z | 2026-03-01T09:00:00Z",
        "0 9 * * 7      | 2026-02-27T09:00:00Z | 2026-03-01T09:00:00Z",
        "0 9 * * 5-7    | 2026-03-01T09:00:00Z | 2026-03-06T09:00:00Z",
        "0 0 1 JAN,jul * | 2026-03-01T00:00:00Z | 2026-07-01T00:00:00Z",
        // both day fields restricted: either is enough (the 13th, or any Friday)
        "0 0 13 * FRI   | 2026-03-01T00:00:00Z | 2026-03-06T00:00:00Z",
        "0 0 13 * FRI   | 2026-03-06T00:00:00Z | 2026-03-13T00:00:00Z",
        "0 0 13 * FRI   | 2026-03-13T00:00:00Z | 2026-03-20T00:00:00Z",
        // one day field a star (even a stepped one): both must match
        "0 0 */2 * FRI  | 2026-03-01T00:00:00Z | 2026-03-13T00:00:00Z",
        "0 0 13 * *     | 2026-03-01T00:00:00Z | 2026-03-13T00:00:00Z",
        // macros
        "@hourly        | 2026-03-01T10:30:00Z | 2026-03-01T11:00:00Z",
        "@daily         | 2026-03-01T10:30:00Z | 2026-03-02T00:00:00Z",
        "@weekly        | 2026-03-01T10:30:00Z | 2026-03-08T00:00:00Z",
        "@monthly       | 2026-03-01T10:30:00Z | 2026-04-01T00:00:00Z",
        "@yearly        | 2026-03-01T10:30:00Z | 2027-01-01T00:00:00Z",
      })
  void nextIsTheFirstMatchingMinuteStrictlyAfter(String expression, Instant after, Instant next) {
    assertThat(CronSchedule.parse(expression).next(after)).isEqualTo(next);
  }

  @Test
  void isEvaluatedInUtcWhateverTheDefaultTimeZone() {
    // the tests run in America/Bahia_Banderas; 03:00 is 03:00 UTC all the same
    CronSchedule schedule = CronSchedule.parse("0 3 * * *");

    assertThat(schedule.next(Instant.parse("2026-06-15T02:59:00Z")))
        .isEqualTo(Instant.parse("2026-06-15T03:00:00Z"));
  }

  @Test
  void firesEveryMonthOnItsLastValidDayOnlyWhenItExists() {
    CronSchedule schedule = CronSchedule.parse("0 0 30 * *");
    List<Instant> firings = new ArrayList<>();
    Instant at = Instant.parse("2027-12-31T00:00:00Z");
    for (int i = 0; i < 3; i++) {
      at = schedule.next(at);
      firings.add(at);
    }

    assertThat(firings)
        .containsExactly(
            Instant.parse("2028-01-30T00:00:00Z"),
            Instant.parse("2028-03-30T00:00:00Z"),
            Instant.parse("2028-04-30T00:00:00Z"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0 0 30 2 *    | it never fires",
        "0 0 31 4,6 *  | it never fires",
        "0 3 * *       | 4 fields where cron has 5: minute hour day-of-month month day-of-week",
        "0 3 * * * *   | 6 fields where cron has 5",
        "60 * * * *    | minute 60 is out of range; it goes from 0 to 59",
        "0 24 * * *    | hour 24 is out of range; it goes from 0 to 23",
        "0 0 0 * *     | day-of-month 0 is out of range; it goes from 1 to 31",
        "0 0 * 13 *    | month 13 is out of range; it goes from 1 to 12",
        "0 0 * * 8     | day-of-week 8 is out of range; it goes from 0 to 7",
        "0 0 * FOO *   | month 'FOO' is not a number from 1 to 12 or a name JAN-DEC",
        "0 17-9 * * *  | hour range '17-9' runs backwards",
        "*/0 * * * *   | minute 0 is out of range; it goes from 1 to 60",
        "@sometimes    | unknown macro '@sometimes'",
      })
  void refusesWhatIsNoScheduleSayingWhy(String expression, String message) {
    assertThatThrownBy(() -> CronSchedule.parse(expression))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void describesItselfInUtcAndSpellsOutAMacro() {
    assertThat(CronSchedule.parse("0 3 * * *").describe()).isEqualTo("0 3 * * * (UTC)");
    assertThat(CronSchedule.parse("@daily").describe()).isEqualTo("@daily (0 0 * * *, UTC)");
  }

  @Test
  void shortestGapIsTheClosestTwoFirings() {
    assertThat(CronSchedule.parse("0 9,10 * * *").shortestGap(Instant.EPOCH, 10))
        .isEqualTo(Duration.ofHours(1));
    assertThat(CronSchedule.parse("*/5 * * * *").shortestGap(Instant.EPOCH, 10))
        .isEqualTo(Duration.ofMinutes(5));
  }
}
