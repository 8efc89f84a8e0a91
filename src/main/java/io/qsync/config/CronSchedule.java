package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A cron schedule of five fields, {@code minute hour day-of-month month day-of-week}, evaluated in
 * UTC, as Vixie cron reads it: lists ({@code 1,15}), ranges ({@code 1-5}), steps ({@code *}{@code
 * /15}, {@code 0-30/10}, {@code 5/15} for 5 to the end by 15), the names {@code JAN}-{@code DEC}
 * and {@code SUN}-{@code SAT} (any case), Sunday as 0 or 7, and the macros {@code @hourly}, {@code
 * @daily} (or {@code @midnight}), {@code @weekly}, {@code @monthly}, {@code @yearly} (or {@code
 * @annually}). When both day fields are restricted (neither starts with {@code *}), a day matching
 * either is enough. Immutable and thread-safe.
 */
public final class CronSchedule implements Schedule {
  private static final Map<String, String> MACROS =
      Map.of(
          "@hourly", "0 * * * *",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@weekly", "0 0 * * 0",
          "@monthly", "0 0 1 * *",
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *");
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  /** How far {@link #next} looks: two leap days apart and more (2096 to 2104 has none between). */
  private static final long SEARCH_YEARS = 9;

  private final String expression;
  private final String fields;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean daysOfMonthRestricted;
  private final boolean daysOfWeekRestricted;

  private CronSchedule(String expression, String fields, BitSet[] sets, boolean dom, boolean dow) {
    this.expression = expression;
    this.fields = fields;
    this.minutes = sets[0];
    this.hours = sets[1];
    this.daysOfMonth = sets[2];
    this.months = sets[3];
    this.daysOfWeek = sets[4];
    this.daysOfMonthRestricted = dom;
    this.daysOfWeekRestricted = dow;
  }

  /**
   * Reads a cron expression.
   *
   * @throws IllegalArgumentException saying which field is wrong and why, or that the schedule
   *     never fires (February 30)
   */
  public static CronSchedule parse(String expression) {
    requireNonNull(expression, "expression is null");
    String trimmed = expression.strip();
    String fields = trimmed;
    if (trimmed.startsWith("@")) {
      fields = MACROS.get(trimmed.toLowerCase(Locale.ROOT));
      if (fields == null) {
        throw new IllegalArgumentException(
            "unknown macro '"
                + trimmed
                + "'; the macros are @hourly, @daily, @weekly, @monthly and @yearly");
      }
    }
    String[] parts = fields.split("\\s+");
    if (parts.length != 5) {
      throw new IllegalArgumentException(
          parts.length
              + " field"
              + (parts.length == 1 ? "" : "s")
              + " where cron has 5: minute hour day-of-month month day-of-week");
    }
    BitSet[] sets = {
      field(parts[0], "minute", 0, 59, List.of(), 0),
      field(parts[1], "hour", 0, 23, List.of(), 0),
      field(parts[2], "day-of-month", 1, 31, List.of(), 1),
      field(parts[3], "month", 1, 12, MONTHS, 1),
      field(parts[4], "day-of-week", 0, 7, DAYS, 0)
    };
    if (sets[4].get(7)) {
      sets[4].set(0);
      sets[4].clear(7);
    }
    CronSchedule schedule =
        new CronSchedule(
            trimmed, fields, sets, !parts[2].startsWith("*"), !parts[4].startsWith("*"));
    if (schedule.search(Instant.EPOCH.plus(Duration.ofDays(365 * 30))).isEmpty()) {
      throw new IllegalArgumentException(
          "it never fires: no month of the schedule has the day it names; check day-of-month"
              + " against the months (February has 28 or 29 days, April, June, September and"
              + " November 30)");
    }
    return schedule;
  }

  /** The values one field allows, 0-based indices into a set of {@code min..max}. */
  private static BitSet field(
      String text, String name, int min, int max, List<String> names, int firstName) {
    BitSet set = new BitSet(max + 1);
    for (String item : text.split(",", -1)) {
      String range = item;
      int step = 1;
      int slash = item.indexOf('/');
      if (slash >= 0) {
        range = item.substring(0, slash);
        step = number(item.substring(slash + 1), name, 1, max - min + 1, List.of(), 0, item);
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max == 7 ? 6 : max;
      } else {
        int dash = range.indexOf('-');
        from =
            number(
                dash < 0 ? range : range.substring(0, dash),
                name,
                min,
                max,
                names,
                firstName,
                item);
        to =
            dash >= 0
                ? number(range.substring(dash + 1), name, min, max, names, firstName, item)
                : slash >= 0 ? (max == 7 ? 6 : max) : from;
        if (to < from) {
          throw new IllegalArgumentException(
              name + " range '" + range + "' runs backwards; write it low-high, like 1-5");
        }
      }
      for (int value = from; value <= to; value += step) {
        set.set(value);
      }
    }
    return set;
  }

  private static int number(
      String text, String name, int min, int max, List<String> names, int firstName, String item) {
    int named = names.indexOf(text.toUpperCase(Locale.ROOT));
    if (named >= 0) {
      return named + firstName;
    }
    if (!text.matches("\\d{1,2}")) {
      throw new IllegalArgumentException(
          name
              + " '"
              + item
              + "' is not a number from "
              + min
              + " to "
              + max
              + (names.isEmpty()
                  ? ""
                  : " or a name " + names.get(0) + "-" + names.get(names.size() - 1))
              + ", a range, a step or *");
    }
    int value = Integer.parseInt(text);
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " " + value + " is out of range; it goes from " + min + " to " + max);
    }
    return value;
  }

  @Override
  public Instant next(Instant after) {
    return search(after)
        .orElseThrow(() -> new IllegalStateException("no time matches " + expression));
  }

  private Optional<Instant> search(Instant after) {
    LocalDateTime time =
        LocalDateTime.ofInstant(after, ZoneOffset.UTC)
            .truncatedTo(ChronoUnit.MINUTES)
            .plusMinutes(1);
    LocalDateTime limit = time.plusYears(SEARCH_YEARS);
    while (time.isBefore(limit)) {
      if (!months.get(time.getMonthValue())) {
        time = time.withDayOfMonth(1).toLocalDate().atStartOfDay().plusMonths(1);
      } else if (!dayMatches(time)) {
        time = time.toLocalDate().atStartOfDay().plusDays(1);
      } else if (!hours.get(time.getHour())) {
        time = time.truncatedTo(ChronoUnit.HOURS).plusHours(1);
      } else if (!minutes.get(time.getMinute())) {
        time = time.plusMinutes(1);
      } else {
        return Optional.of(time.toInstant(ZoneOffset.UTC));
      }
    }
    return Optional.empty();
  }

  private boolean dayMatches(LocalDateTime time) {
    boolean dom = daysOfMonth.get(time.getDayOfMonth());
    // DayOfWeek counts 1 (Monday) to 7 (Sunday); cron counts Sunday as 0
    boolean dow = daysOfWeek.get(time.getDayOfWeek().getValue() % 7);
    if (daysOfMonthRestricted && daysOfWeekRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  /**
   * The shortest time between two of the next {@code count} firings after {@code from}, to hold a
   * jitter below it.
   */
  public Duration shortestGap(Instant from, int count) {
    Instant previous = next(from);
    Duration shortest = null;
    for (int i = 1; i < count; i++) {
      Instant following = next(previous);
      Duration gap = Duration.between(previous, following);
      shortest = shortest == null || gap.compareTo(shortest) < 0 ? gap : shortest;
      previous = following;
    }
    return shortest == null ? Duration.ofDays(365) : shortest;
  }

  /** {@code 0 3 * * * (UTC)}; a macro with what it stands for: {@code @daily (0 0 * * *, UTC)}. */
  @Override
  public String describe() {
    return expression.equals(fields)
        ? expression + " (UTC)"
        : expression + " (" + fields + ", UTC)";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CronSchedule cron && cron.describe().equals(describe());
  }

  @Override
  public int hashCode() {
    return describe().hashCode();
  }

  @Override
  public String toString() {
    return describe();
  }
}
