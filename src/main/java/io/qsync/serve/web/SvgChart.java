package io.qsync.serve.web;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * A chart of a sync's runs drawn as inline SVG on the server, no script: one slot per run along the
 * x axis in the order the runs started (oldest left), a y axis from zero with labelled ticks in the
 * chart's unit. A line chart draws one point per run per series; a bar chart one stacked bar per
 * run. Every run's mark carries {@code data-run} and {@code data-started}, and a {@code <title>} a
 * browser shows on hover. Immutable and thread-safe.
 *
 * @param name the chart's id in the page ({@code data-chart})
 * @param title what the chart shows, for its caption
 * @param unit the y axis' unit, in its title and each run's tooltip ({@code s}, {@code rows/s})
 * @param yTitle the y axis' title, before its unit ({@code duration})
 * @param runs the runs in the order they started, oldest first
 * @param series one value per run each
 */
record SvgChart(
    String name,
    String title,
    Kind kind,
    String unit,
    String yTitle,
    List<Run> runs,
    List<Series> series) {
  /** How the runs' values are drawn. */
  enum Kind {
    /** One point per run per series, joined by a line. */
    LINE,
    /** One bar per run, the series stacked in it. */
    STACKED_BARS
  }

  /** One run on the x axis. Immutable. */
  record Run(String runId, Instant startedAt) {
    Run {
      requireNonNull(runId, "runId is null");
      requireNonNull(startedAt, "startedAt is null");
    }
  }

  /**
   * One series: its name for the legend, its colour class, and a value per run. Immutable.
   *
   * @param cssClass {@code c0}, {@code c-inserted}: the colour the stylesheet gives it
   */
  record Series(String name, String cssClass, List<Double> values) {
    Series {
      requireNonNull(name, "name is null");
      requireNonNull(cssClass, "cssClass is null");
      values = List.copyOf(values);
    }
  }

  SvgChart {
    requireNonNull(name, "name is null");
    requireNonNull(title, "title is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(unit, "unit is null");
    requireNonNull(yTitle, "yTitle is null");
    runs = List.copyOf(runs);
    series = List.copyOf(series);
    for (Series one : series) {
      if (one.values().size() != runs.size()) {
        throw new IllegalArgumentException(
            "series " + one.name() + " has " + one.values().size() + " values for " + runs.size());
      }
    }
    for (int i = 1; i < runs.size(); i++) {
      if (runs.get(i).startedAt().isBefore(runs.get(i - 1).startedAt())) {
        throw new IllegalArgumentException("runs must be in the order they started, oldest first");
      }
    }
  }

  private static final int WIDTH = 600;
  private static final int HEIGHT = 260;
  private static final int LEFT = 58;
  private static final int RIGHT = 14;
  private static final int TOP = 12;
  private static final int BOTTOM = 48;
  private static final DateTimeFormatter DAY = utc("yyyy-MM-dd");
  private static final DateTimeFormatter DATE_TIME = utc("MM-dd HH:mm");
  private static final DateTimeFormatter MINUTES = utc("HH:mm");
  private static final DateTimeFormatter SECONDS = utc("HH:mm:ss");

  private static DateTimeFormatter utc(String pattern) {
    return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
  }

  /** The chart as a {@code <figure>}: caption, legend, and the SVG or why there is none. */
  String render() {
    StringBuilder out = new StringBuilder();
    out.append("<figure data-chart=\"")
        .append(Html.escape(name))
        .append("\"><figcaption>")
        .append(Html.escape(title))
        .append("</figcaption>");
    if (runs.isEmpty()) {
      out.append("<p class=\"muted empty\">No runs yet: nothing to chart.</p></figure>");
      return out.toString();
    }
    // stacked bars are parts of a whole: even one part is named (the one rule that throttled)
    if (series.size() > 1 || kind == Kind.STACKED_BARS) {
      out.append("<div class=\"legend\">");
      for (Series one : series) {
        out.append("<span><svg width=\"10\" height=\"10\" aria-hidden=\"true\"><rect class=\"")
            .append(one.cssClass())
            .append("\" width=\"10\" height=\"10\" rx=\"2\"/></svg> ")
            .append(Html.escape(one.name()))
            .append("</span>");
      }
      out.append("</div>");
    }
    out.append(svg()).append("</figure>");
    return out.toString();
  }

  private String svg() {
    int n = runs.size();
    double plotWidth = WIDTH - LEFT - RIGHT;
    double plotHeight = HEIGHT - TOP - BOTTOM;
    double slot = plotWidth / n;
    double step = niceStep(maxValue() / 4);
    double top = Math.max(step, Math.ceil(maxValue() / step - 1e-9) * step);

    StringBuilder out = new StringBuilder();
    out.append("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(HEIGHT)
        .append("\" data-chart=\"")
        .append(Html.escape(name))
        .append("\" data-runs=\"")
        .append(n)
        .append("\" aria-label=\"")
        .append(Html.escape(title + ", " + n + " runs"))
        .append("\">");
    // The y axis: grid lines and tick labels from zero up, the unit after each label.
    for (int i = 0; top - i * step > -step / 2; i++) {
      double value = i * step;
      double y = TOP + plotHeight - value / top * plotHeight;
      out.append(line(LEFT, y, WIDTH - RIGHT, y, "grid"))
          .append(text(LEFT - 6, y + 4, "end", "y-tick", number(value)));
    }
    out.append("<text class=\"y-title\" transform=\"translate(14 ")
        .append(fmt(TOP + plotHeight / 2))
        .append(") rotate(-90)\" text-anchor=\"middle\">")
        .append(Html.escape(yTitle + " (" + unit + ")"))
        .append("</text>");
    out.append(line(LEFT, TOP, LEFT, TOP + plotHeight, "axis"))
        .append(line(LEFT, TOP + plotHeight, WIDTH - RIGHT, TOP + plotHeight, "axis"));
    // The x axis: at most five runs' start times, always the oldest and the newest; the date goes
    // to the axis title when every run started on one day.
    Instant first = runs.get(0).startedAt();
    Instant last = runs.get(n - 1).startedAt();
    boolean oneDay = DAY.format(first).equals(DAY.format(last));
    DateTimeFormatter tick =
        !oneDay ? DATE_TIME : Duration.between(first, last).toMinutes() < 10 ? SECONDS : MINUTES;
    int labels = Math.min(n, 5);
    for (int k = 0; k < labels; k++) {
      int i = labels == 1 ? 0 : (int) Math.round((double) k * (n - 1) / (labels - 1));
      double x = LEFT + slot * (i + 0.5);
      String anchor =
          labels == 1 ? "middle" : k == 0 ? "start" : k == labels - 1 ? "end" : "middle";
      out.append(line(x, TOP + plotHeight, x, TOP + plotHeight + 4, "axis"))
          .append(
              text(
                  x,
                  TOP + plotHeight + 17,
                  anchor,
                  "x-tick",
                  tick.format(runs.get(i).startedAt())));
    }
    out.append(
        text(
            LEFT + plotWidth / 2,
            HEIGHT - 6,
            "middle",
            "x-title",
            "run start (UTC"
                + (oneDay ? ", " + DAY.format(first) : "")
                + "), one "
                + (kind == Kind.LINE ? "point" : "bar")
                + " per run"));

    if (kind == Kind.LINE) {
      double radius = Math.max(1.5, Math.min(4, slot / 3));
      for (Series one : series) {
        StringBuilder points = new StringBuilder();
        StringBuilder marks = new StringBuilder();
        for (int i = 0; i < n; i++) {
          double x = LEFT + slot * (i + 0.5);
          double y = TOP + plotHeight - one.values().get(i) / top * plotHeight;
          points.append(fmt(x)).append(',').append(fmt(y)).append(' ');
          marks
              .append("<circle class=\"mark ")
              .append(one.cssClass())
              .append('"')
              .append(runAttributes(i))
              .append(" data-value=\"")
              .append(number(one.values().get(i)))
              .append("\" cx=\"")
              .append(fmt(x))
              .append("\" cy=\"")
              .append(fmt(y))
              .append("\" r=\"")
              .append(fmt(radius))
              .append("\"><title>")
              .append(Html.escape(tooltip(i, one)))
              .append("</title></circle>");
        }
        if (n > 1) {
          out.append("<polyline class=\"line ")
              .append(one.cssClass())
              .append("\" fill=\"none\" points=\"")
              .append(points.toString().strip())
              .append("\"/>");
        }
        out.append(marks);
      }
    } else {
      double barWidth = Math.max(1, Math.min(28, slot * 0.7));
      for (int i = 0; i < n; i++) {
        double x = LEFT + slot * (i + 0.5) - barWidth / 2;
        double base = TOP + plotHeight;
        out.append("<g class=\"mark\"").append(runAttributes(i)).append('>');
        StringBuilder tip = new StringBuilder(Html.time(runs.get(i).startedAt()));
        for (Series one : series) {
          double value = one.values().get(i);
          double height = value / top * plotHeight;
          tip.append('\n').append(one.name()).append(": ").append(number(value)).append(' ');
          tip.append(unit);
          if (height > 0) {
            out.append("<rect class=\"")
                .append(one.cssClass())
                .append("\" x=\"")
                .append(fmt(x))
                .append("\" y=\"")
                .append(fmt(base - height))
                .append("\" width=\"")
                .append(fmt(barWidth))
                .append("\" height=\"")
                .append(fmt(height))
                .append("\"/>");
          }
          base -= height;
        }
        // A run whose values are all zero still shows: a hairline on the axis.
        out.append("<rect class=\"zero\" x=\"")
            .append(fmt(x))
            .append("\" y=\"")
            .append(fmt(TOP + plotHeight - 1))
            .append("\" width=\"")
            .append(fmt(barWidth))
            .append("\" height=\"1\" fill=\"currentColor\" opacity=\".35\"/>");
        out.append("<title>").append(Html.escape(tip.toString())).append("</title></g>");
      }
    }
    out.append("</svg>");
    return out.toString();
  }

  private double maxValue() {
    double max = 0;
    for (int i = 0; i < runs.size(); i++) {
      double sum = 0;
      for (Series one : series) {
        double value = one.values().get(i);
        max = Math.max(max, value);
        sum += value;
      }
      if (kind == Kind.STACKED_BARS) {
        max = Math.max(max, sum);
      }
    }
    return max;
  }

  private String runAttributes(int i) {
    Run run = runs.get(i);
    return " data-run=\""
        + Html.escape(run.runId())
        + "\" data-started=\""
        + run.startedAt()
        + "\" data-index=\""
        + i
        + "\"";
  }

  private String tooltip(int i, Series one) {
    return Html.time(runs.get(i).startedAt())
        + "\n"
        + one.name()
        + ": "
        + number(one.values().get(i))
        + " "
        + unit;
  }

  /** A step of 1, 2 or 5 times a power of ten, at least {@code raw} (a quarter for zero). */
  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 0.25;
    }
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double fraction = raw / power;
    double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
    return nice * power;
  }

  /** A value as a tick reads it: {@code 0}, {@code 0.25}, {@code 1,500}. */
  static String number(double value) {
    if (Math.abs(value) >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    BigDecimal rounded = new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros();
    return rounded.signum() == 0 ? "0" : rounded.toPlainString();
  }

  private static String line(double x1, double y1, double x2, double y2, String cssClass) {
    return "<line class=\""
        + cssClass
        + "\" x1=\""
        + fmt(x1)
        + "\" y1=\""
        + fmt(y1)
        + "\" x2=\""
        + fmt(x2)
        + "\" y2=\""
        + fmt(y2)
        + "\"/>";
  }

  private static String text(double x, double y, String anchor, String cssClass, String content) {
    return "<text class=\""
        + cssClass
        + "\" x=\""
        + fmt(x)
        + "\" y=\""
        + fmt(y)
        + "\" text-anchor=\""
        + anchor
        + "\">"
        + Html.escape(content)
        + "</text>";
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }
}
