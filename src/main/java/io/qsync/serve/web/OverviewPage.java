package io.qsync.serve.web;

import io.qsync.diff.ChangeCounts;
import io.qsync.serve.RunOutcome;
import io.qsync.serve.SyncBoard;
import io.qsync.state.RunRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The page at {@code /}: every sync's state, last success and its age against its {@code
 * max_staleness}, next run, last run's counts and duration, and a failing sync's error in full.
 * Stateless and thread-safe.
 */
final class OverviewPage {
  private OverviewPage() {}

  /**
   * @param problems what {@code /readyz} says is wrong (a config that failed to reload, a target
   *     that does not answer), shown above the syncs
   */
  static String render(
      List<SyncBoard.Entry> entries, Instant now, Viewer viewer, List<String> problems) {
    StringBuilder body = new StringBuilder();
    long failing = entries.stream().filter(e -> state(e).equals("failed")).count();
    long stale =
        entries.stream().filter(e -> e.freshness(now) == SyncBoard.Freshness.STALE).count();
    long running = entries.stream().filter(SyncBoard.Entry::running).count();
    body.append("<h1>Syncs</h1><p class=\"muted summary\">")
        .append(entries.size())
        .append(entries.size() == 1 ? " sync" : " syncs")
        .append(" · ")
        .append(running)
        .append(" running · ")
        .append(failing)
        .append(" failing · ")
        .append(stale)
        .append(" stale · as of ")
        .append(Html.timeElement(now))
        .append("</p>");
    if (!problems.isEmpty()) {
      body.append(
          "<div class=\"notice problems\"><b>Not ready</b> (as <a href=\"/readyz\">/readyz</a>"
              + " says):");
      for (String problem : problems) {
        body.append("<pre class=\"error\">").append(Html.escape(problem)).append("</pre>");
      }
      body.append("</div>");
    }
    if (entries.isEmpty()) {
      body.append("<p class=\"notice\">The config has no syncs.</p>");
      return Html.page("Syncs", Optional.of("/"), viewer.nav("/"), body.toString());
    }
    body.append(
        "<table class=\"reflow syncs\"><thead><tr><th>Sync</th><th>State</th>"
            + "<th>Last success</th><th>Freshness</th><th>Next run</th>"
            + "<th class=\"num\">Inserted</th><th class=\"num\">Updated</th>"
            + "<th class=\"num\">Deleted</th><th class=\"num\">Duration</th></tr></thead><tbody>");
    for (SyncBoard.Entry entry : entries) {
      row(body, entry, now);
    }
    body.append("</tbody></table>");
    return Html.page("Syncs", Optional.of("/"), viewer.nav("/"), body.toString());
  }

  private static void row(StringBuilder body, SyncBoard.Entry entry, Instant now) {
    String state = state(entry);
    Optional<RunRecord> last = entry.lastRun();
    body.append("<tr class=\"sync\" data-sync=\"")
        .append(Html.escape(entry.sync()))
        .append("\" data-state=\"")
        .append(state)
        .append("\"><td data-label=\"Sync\"><a href=\"/syncs/")
        .append(Html.pathSegment(entry.sync()))
        .append("\">")
        .append(Html.escape(entry.sync()))
        .append("</a><div class=\"muted\">")
        .append(Html.escape(entry.table()))
        .append("</div></td><td data-label=\"State\">")
        .append(badge(state, entry))
        .append("</td><td data-label=\"Last success\">")
        .append(lastSuccess(entry, now))
        .append("</td><td data-label=\"Freshness\">")
        .append(freshness(entry, now))
        .append("</td><td data-label=\"Next run\">")
        .append(nextRun(entry, now))
        .append("</td>");
    Optional<ChangeCounts> counts = last.flatMap(RunRecord::counts);
    body.append("<td class=\"num\" data-label=\"Inserted\">")
        .append(counts.map(c -> Html.count(c.inserts())).orElse("—"))
        .append("</td><td class=\"num\" data-label=\"Updated\">")
        .append(counts.map(c -> Html.count(c.updates())).orElse("—"))
        .append("</td><td class=\"num\" data-label=\"Deleted\">")
        .append(counts.map(c -> Html.count(c.deletes())).orElse("—"))
        .append("</td><td class=\"num\" data-label=\"Duration\">")
        .append(last.flatMap(RunRecord::duration).map(Html::duration).orElse("—"))
        .append("</td></tr>");
    Optional<String> error = entry.lastError().or(entry::targetError);
    if (error.isPresent()) {
      body.append("<tr class=\"error-row\"><td class=\"wide\" colspan=\"9\">")
          .append(entry.lastError().isPresent() ? "" : "<b>Cannot read the history:</b>")
          .append("<pre class=\"error\">")
          .append(Html.escape(error.get()))
          .append("</pre></td></tr>");
    }
  }

  /**
   * running, succeeded, failed, interrupted, abandoned or never: what the sync is doing or how its
   * newest run ended.
   */
  static String state(SyncBoard.Entry entry) {
    if (entry.running()) {
      return "running";
    }
    Optional<RunOutcome> outcome = entry.lastOutcome();
    boolean unrecordedFailure =
        outcome.isPresent()
            && outcome.get().runId().isEmpty()
            && !outcome.get().succeeded()
            && entry
                .lastRun()
                .map(run -> !run.startedAt().isAfter(outcome.get().startedAt()))
                .orElse(true);
    if (unrecordedFailure) {
      return "failed";
    }
    return entry
        .lastRun()
        .map(RunRecord::status)
        .map(status -> status.name().toLowerCase(Locale.ROOT))
        .orElse("never");
  }

  static String badge(String state, SyncBoard.Entry entry) {
    String since =
        state.equals("running")
            ? " title=\"since " + Html.escape(Html.time(entry.runningSince().orElseThrow())) + "\""
            : "";
    return "<span class=\"badge state s-" + state + "\"" + since + ">" + state + "</span>";
  }

  static String lastSuccess(SyncBoard.Entry entry, Instant now) {
    return entry
        .lastSuccess()
        .map(
            at ->
                Html.timeElement(at)
                    + "<div class=\"muted age\">"
                    + Html.duration(Duration.between(at, now))
                    + " ago</div>")
        .orElse("<span class=\"muted\">never</span>");
  }

  static String freshness(SyncBoard.Entry entry, Instant now) {
    SyncBoard.Freshness freshness = entry.freshness(now);
    String name = freshness.name().toLowerCase(Locale.ROOT);
    if (freshness == SyncBoard.Freshness.UNBOUNDED) {
      return "<span class=\"badge freshness f-unbounded\" title=\"no max_staleness\">no bound</span>";
    }
    return "<span class=\"badge freshness f-"
        + name
        + "\""
        + (freshness == SyncBoard.Freshness.PENDING
            ? " title=\"never succeeded yet; stale once max_staleness has passed since serve"
                + " started watching it\""
            : "")
        + ">"
        + name
        + "</span><div class=\"muted\">max "
        + Html.duration(entry.maxStaleness().orElseThrow())
        + "</div>";
  }

  static String nextRun(SyncBoard.Entry entry, Instant now) {
    String schedule =
        entry
            .schedule()
            .map(s -> "<div class=\"muted\">" + Html.escape(s) + "</div>")
            .orElse("<div class=\"muted\">no schedule: runs when asked</div>");
    return entry
            .nextRun()
            .map(
                at ->
                    Html.timeElement(at)
                        + "<div class=\"muted\">"
                        + (at.isAfter(now)
                            ? "in " + Html.duration(Duration.between(now, at))
                            : "due")
                        + "</div>")
            .orElse("—")
        + schedule;
  }
}
