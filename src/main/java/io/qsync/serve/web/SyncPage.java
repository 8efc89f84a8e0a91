package io.qsync.serve.web;

import static java.util.Objects.requireNonNull;

import io.qsync.config.Diff;
import io.qsync.diff.ChangeCounts;
import io.qsync.serve.RunView;
import io.qsync.serve.SyncBoard;
import io.qsync.state.RunRecord;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The page at {@code /syncs/NAME}: the sync's standing, its actions, charts of its runs over time
 * (duration, rows by kind of change, rows per second, time throttled by reason) and the runs
 * themselves, newest first. Stateless and thread-safe.
 */
final class SyncPage {
  private SyncPage() {}

  /**
   * @param runs the sync's runs newest first, or why the history could not be read
   * @param notice what became of the last action, to show on top
   */
  static String render(
      SyncBoard.Entry entry, Result runs, Instant now, Viewer viewer, Optional<String> notice) {
    String here = "/syncs/" + Html.pathSegment(entry.sync());
    String state = OverviewPage.state(entry);
    StringBuilder body = new StringBuilder();
    body.append("<p class=\"muted\"><a href=\"/\">All syncs</a></p><h1 class=\"sync-name\">")
        .append(Html.escape(entry.sync()))
        .append(" ")
        .append(OverviewPage.badge(state, entry))
        .append("</h1>");
    notice.ifPresent(
        text ->
            body.append("<p class=\"notice\" role=\"status\">")
                .append(Html.escape(text))
                .append("</p>"));
    body.append("<div class=\"facts\">")
        .append(
            fact(
                "Table",
                Html.escape(entry.table())
                    + " <span class=\"muted\">on "
                    + Html.escape(entry.target())
                    + "</span>"))
        .append(fact("Last success", OverviewPage.lastSuccess(entry, now)))
        .append(fact("Freshness", OverviewPage.freshness(entry, now)))
        .append(fact("Next run", OverviewPage.nextRun(entry, now)))
        .append(fact("Diff", Html.escape(entry.diff().configName())))
        .append("</div>");
    actions(body, entry, viewer, here);
    entry
        .lastError()
        .ifPresent(
            error ->
                body.append("<h2>Last error</h2><pre class=\"error\">")
                    .append(Html.escape(error))
                    .append("</pre>"));

    if (runs.error().isPresent()) {
      body.append(
              "<h2>Runs</h2><p class=\"notice\">Cannot read the history from the database: </p><pre class=\"error\">")
          .append(Html.escape(runs.error().get()))
          .append("</pre>");
      return Html.page(entry.sync(), Optional.of(here), viewer.nav(here), body.toString());
    }
    List<RunView> newestFirst = runs.runs();
    List<RunView> oldestFirst = new ArrayList<>(newestFirst);
    oldestFirst.sort(Comparator.comparing(view -> view.run().startedAt()));

    body.append("<h2>Over time</h2><div class=\"charts\">")
        .append(durationChart(oldestFirst))
        .append(rowsChart(oldestFirst))
        .append(rateChart(oldestFirst))
        .append(throttleChart(oldestFirst))
        .append("</div>");

    body.append("<h2>Runs <span class=\"muted\">(")
        .append(newestFirst.size())
        .append(", newest first)</span></h2>");
    if (newestFirst.isEmpty()) {
      body.append("<p class=\"notice\">No runs yet.</p>");
    } else {
      body.append(
          "<div class=\"scroll\"><table class=\"runs\"><thead><tr><th>Started</th><th>Status</th>"
              + "<th class=\"num\">Duration</th><th class=\"num\">Inserted</th>"
              + "<th class=\"num\">Updated</th><th class=\"num\">Deleted</th>"
              + "<th class=\"num\">Throttled</th><th>Run</th></tr></thead><tbody>");
      for (RunView view : newestFirst) {
        runRow(body, view);
      }
      body.append("</tbody></table></div>");
    }
    return Html.page(entry.sync(), Optional.of(here), viewer.nav(here), body.toString());
  }

  /** The sync's runs newest first, or why they could not be read. Immutable. */
  record Result(List<RunView> runs, Optional<String> error) {
    Result {
      runs = List.copyOf(runs);
      requireNonNull(error, "error is null");
    }

    static Result of(List<RunView> runs) {
      return new Result(runs, Optional.empty());
    }

    static Result failed(String error) {
      return new Result(List.of(), Optional.of(error));
    }
  }

  private static String fact(String name, String html) {
    return "<div><b>" + Html.escape(name) + "</b>" + html + "</div>";
  }

  private static void actions(
      StringBuilder body, SyncBoard.Entry entry, Viewer viewer, String here) {
    boolean full = entry.diff() == Diff.Strategy.SNAPSHOT;
    body.append("<div class=\"actions\">");
    if (!viewer.actionsOn() || !viewer.signedIn()) {
      String why =
          viewer.actionsOn()
              ? "<a href=\"/signin?next="
                  + Html.escape(URLEncoder.encode(here, StandardCharsets.UTF_8))
                  + "\">sign in</a> to enable"
              : Viewer.ACTIONS_OFF;
      body.append("<button type=\"button\" class=\"primary\" disabled>Run now</button>");
      if (full) {
        body.append("<button type=\"button\" disabled>Run --full</button>");
      }
      body.append("<span class=\"muted why\">").append(why).append("</span></div>");
      return;
    }
    String action = here + "/run";
    body.append("<form method=\"post\" action=\"")
        .append(action)
        .append("\">")
        .append(viewer.csrfInput())
        .append(
            "<button type=\"submit\" class=\"primary\" name=\"full\" value=\"false\">Run now</button></form>");
    if (full) {
      body.append("<form method=\"post\" action=\"")
          .append(action)
          .append("\">")
          .append(viewer.csrfInput())
          .append(
              "<button type=\"submit\" name=\"full\" value=\"true\" title=\"compare the whole result with the table and rebuild the state\">Run --full</button></form>");
    }
    if (entry.running()) {
      body.append("<span class=\"muted\">A run is going on; another waits for it.</span>");
    }
    body.append("</div>");
  }

  private static void runRow(StringBuilder body, RunView view) {
    RunRecord run = view.run();
    String status = run.status().name().toLowerCase(Locale.ROOT);
    Optional<ChangeCounts> counts = run.counts();
    body.append("<tr class=\"run\" data-run=\"")
        .append(Html.escape(run.runId()))
        .append("\" data-status=\"")
        .append(status)
        .append("\"><td>")
        .append(Html.timeElement(run.startedAt()))
        .append("</td><td><span class=\"badge s-")
        .append(status)
        .append("\">")
        .append(status)
        .append("</span>")
        .append(
            run.resumes() > 0 ? " <span class=\"muted\">resumed " + run.resumes() + "×</span>" : "")
        .append("</td><td class=\"num\">")
        .append(run.duration().map(Html::duration).orElse("—"))
        .append("</td><td class=\"num\">")
        .append(counts.map(c -> Html.count(c.inserts())).orElse("—"))
        .append("</td><td class=\"num\">")
        .append(counts.map(c -> Html.count(c.updates())).orElse("—"))
        .append("</td><td class=\"num\">")
        .append(counts.map(c -> Html.count(c.deletes())).orElse("—"))
        .append("</td><td class=\"num\"");
    if (!view.throttledBy().isEmpty()) {
      StringBuilder reasons = new StringBuilder();
      view.throttledBy()
          .forEach(
              (reason, time) ->
                  reasons.append(reason).append(": ").append(Html.duration(time)).append('\n'));
      body.append(" title=\"").append(Html.escape(reasons.toString().strip())).append('"');
    }
    body.append('>')
        .append(Html.duration(view.throttled()))
        .append("</td><td class=\"muted\"><code>")
        .append(Html.escape(run.runId()))
        .append("</code> ")
        .append(Html.escape(run.mode()))
        .append(", phase ")
        .append(Html.escape(run.phase().stored()))
        .append("</td></tr>");
    if (run.error().isPresent()) {
      body.append("<tr class=\"error-row\"><td colspan=\"8\"><pre class=\"error\">")
          .append(Html.escape(run.error().get()))
          .append("</pre></td></tr>");
    }
  }

  private static String durationChart(List<RunView> runs) {
    List<RunView> timed = keep(runs, view -> view.run().duration().isPresent());
    double max =
        timed.stream()
            .mapToDouble(view -> seconds(view.run().duration().orElseThrow()))
            .max()
            .orElse(0);
    double scale = max >= 2 * 3600 ? 3600 : max >= 600 ? 60 : 1;
    String unit = scale == 3600 ? "h" : scale == 60 ? "min" : "s";
    String yTitle = "duration";
    return new SvgChart(
            "duration",
            "Duration" + leftOut(runs, timed, "without a duration (running)"),
            SvgChart.Kind.LINE,
            unit,
            yTitle,
            axis(timed),
            List.of(
                new SvgChart.Series(
                    "duration",
                    "c0",
                    values(timed, view -> seconds(view.run().duration().orElseThrow()) / scale))))
        .render();
  }

  private static String rowsChart(List<RunView> runs) {
    List<RunView> counted = keep(runs, view -> view.run().counts().isPresent());
    return new SvgChart(
            "rows",
            "Rows inserted, updated, deleted" + leftOut(runs, counted, "without counts"),
            SvgChart.Kind.STACKED_BARS,
            "rows",
            "rows changed",
            axis(counted),
            List.of(
                new SvgChart.Series(
                    "inserted", "c-inserted", values(counted, v -> (double) counts(v).inserts())),
                new SvgChart.Series(
                    "updated", "c-updated", values(counted, v -> (double) counts(v).updates())),
                new SvgChart.Series(
                    "deleted", "c-deleted", values(counted, v -> (double) counts(v).deletes()))))
        .render();
  }

  private static String rateChart(List<RunView> runs) {
    List<RunView> rated =
        keep(
            runs,
            view ->
                view.run().counts().isPresent()
                    && view.run()
                        .duration()
                        .filter(d -> !d.isZero() && !d.isNegative())
                        .isPresent());
    return new SvgChart(
            "rate",
            "Rows per second" + leftOut(runs, rated, "without counts or a duration"),
            SvgChart.Kind.LINE,
            "rows/s",
            "rows written",
            axis(rated),
            List.of(
                new SvgChart.Series(
                    "rows per second",
                    "c0",
                    values(
                        rated,
                        v -> counts(v).changes() / seconds(v.run().duration().orElseThrow())))))
        .render();
  }

  private static String throttleChart(List<RunView> runs) {
    Set<String> reasons = new LinkedHashSet<>();
    runs.forEach(view -> reasons.addAll(view.throttledBy().keySet()));
    List<SvgChart.Series> series = new ArrayList<>();
    if (reasons.isEmpty()) {
      series.add(
          new SvgChart.Series("throttled", "c1", values(runs, view -> seconds(view.throttled()))));
    } else {
      int colour = 1;
      for (String reason : reasons) {
        series.add(
            new SvgChart.Series(
                reason,
                "c" + colour,
                values(
                    runs,
                    view -> seconds(view.throttledBy().getOrDefault(reason, Duration.ZERO)))));
        colour = colour % 4 + 1;
      }
    }
    String caption =
        "Time throttled, by reason"
            + (reasons.isEmpty() && !runs.isEmpty() ? " (no run waited)" : "");
    return new SvgChart(
            "throttled",
            caption,
            SvgChart.Kind.STACKED_BARS,
            "s",
            "time waited",
            axis(runs),
            series)
        .render();
  }

  private static String leftOut(List<RunView> all, List<RunView> kept, String why) {
    int missing = all.size() - kept.size();
    return missing == 0
        ? ""
        : " (" + missing + (missing == 1 ? " run " : " runs ") + why + " left out)";
  }

  private static List<RunView> keep(List<RunView> runs, Predicate<RunView> test) {
    return runs.stream().filter(test).toList();
  }

  private static List<SvgChart.Run> axis(List<RunView> runs) {
    return runs.stream()
        .map(view -> new SvgChart.Run(view.run().runId(), view.run().startedAt()))
        .toList();
  }

  private static List<Double> values(List<RunView> runs, Function<RunView, Double> value) {
    return runs.stream().map(value).toList();
  }

  private static ChangeCounts counts(RunView view) {
    return view.run().counts().orElseThrow();
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }
}
