package io.qsync.cli;

import io.qsync.engine.Progress;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Shows a run's progress on stderr: on a terminal a line redrawn in place (rows done, rate, ETA);
 * elsewhere (a log, a scheduler) a plain line every few seconds. Not thread-safe.
 */
final class ConsoleProgress implements Progress {
  private static final Duration LOG_INTERVAL = Duration.ofSeconds(5);
  private static final Duration REDRAW_INTERVAL = Duration.ofMillis(200);

  private final PrintWriter err;
  private final boolean terminal;
  private final Clock clock;
  private String step;
  private long total;
  private long done;
  private long doneBefore;
  private Instant started;
  private Instant lastShown;

  ConsoleProgress(PrintWriter err, boolean terminal, Clock clock) {
    this.err = err;
    this.terminal = terminal;
    this.clock = clock;
  }

  @Override
  public void begin(String newStep, long newTotal) {
    step = newStep;
    total = newTotal;
    done = 0;
    doneBefore = 0;
    started = clock.instant();
    lastShown = started;
  }

  @Override
  public void beginAt(String newStep, long newTotal, long alreadyDone) {
    begin(newStep, newTotal);
    done = alreadyDone;
    doneBefore = alreadyDone;
  }

  @Override
  public void advance(long newDone) {
    done = newDone;
    Instant now = clock.instant();
    Duration interval = terminal ? REDRAW_INTERVAL : LOG_INTERVAL;
    if (Duration.between(lastShown, now).compareTo(interval) >= 0) {
      lastShown = now;
      show(now, false);
    }
  }

  @Override
  public void end() {
    if (step == null) {
      return;
    }
    Instant now = clock.instant();
    if (terminal || Duration.between(started, now).compareTo(LOG_INTERVAL) >= 0) {
      show(now, true);
    }
    step = null;
  }

  @Override
  public void paused(String reason) {
    line("paused: " + reason);
  }

  @Override
  public void paced(String reason) {
    line("throttle: " + reason);
  }

  @Override
  public void resumed(Duration paused) {
    line("resumed after " + Renderer.duration(paused));
  }

  @Override
  public void retrying(String what, int failedTries, Duration wait, String error) {
    line(
        "retrying "
            + what
            + " in "
            + Renderer.duration(wait)
            + " (try "
            + failedTries
            + " failed: "
            + error
            + ")");
  }

  /** A line of its own that stays, on a terminal above the redrawn progress line. */
  private void line(String text) {
    err.println(terminal ? "\r\033[2K" + text : text);
    err.flush();
  }

  private void show(Instant now, boolean last) {
    String line = describe(step, done, total, doneBefore, Duration.between(started, now));
    if (terminal) {
      err.print("\r\033[2K" + line + (last ? "\n" : ""));
    } else {
      err.println(line);
    }
    err.flush();
  }

  /** One progress line, such as {@code apply 12,000/40,000 rows 8,100 rows/s ETA 3s}. */
  static String describe(String step, long done, long total, Duration elapsed) {
    return describe(step, done, total, 0, elapsed);
  }

  /**
   * One progress line of a step that began with {@code doneBefore} units already done: its rate and
   * ETA count only the units done in {@code elapsed}.
   */
  static String describe(String step, long done, long total, long doneBefore, Duration elapsed) {
    if (done == 0 && total < 0) {
      return String.format(Locale.ROOT, "%-11s %s", step, Renderer.duration(elapsed));
    }
    double seconds = Math.max(elapsed.toMillis() / 1000.0, 0.001);
    double rate = (done - doneBefore) / seconds;
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-11s %,d", step, done));
    if (total >= 0) {
      line.append(String.format(Locale.ROOT, "/%,d", total));
    }
    line.append(String.format(Locale.ROOT, " rows  %,.0f rows/s", rate));
    if (total > 0 && rate > 0 && done < total) {
      long eta = (long) Math.ceil((total - done) / rate);
      line.append("  ETA ")
          .append(eta < 60 ? eta + "s" : Renderer.duration(Duration.ofSeconds(eta)));
    }
    return line.toString();
  }
}
