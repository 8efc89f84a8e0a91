package io.qsync.serve.web;

import static io.qsync.serve.web.Runs.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.ErrorKind;
import io.qsync.config.Diff;
import io.qsync.serve.RunOutcome;
import io.qsync.serve.RunView;
import io.qsync.serve.SyncBoard;
import io.qsync.state.RunRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StatusPagesTest {
  private static final Instant NOW = T0.plus(Duration.ofHours(1));
  private static final String EVIL = "<script>alert('x')</script>&\"";

  @Test
  void escapesSyncNamesTablesAndErrorsOnTheOverview() {
    SyncBoard.Entry entry =
        SyncBoard.Entry.of(EVIL, "t<em>", "app", Optional.of("every <1m>"), Optional.empty())
            .withHistory(
                Optional.of(Runs.failed("r1", EVIL, T0, "bad value <img src=x onerror=y>")),
                Optional.empty(),
                Optional.empty());

    String html = OverviewPage.render(List.of(entry), NOW, Viewer.NO_TOKEN, List.of());

    assertThat(html)
        .doesNotContain("<script>", "<em>", "<img", "<1m>")
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;")
        .contains("t&lt;em&gt;")
        .contains("<pre class=\"error\">bad value &lt;img src=x onerror=y&gt;</pre>")
        .contains("href=\"/syncs/%3Cscript%3Ealert%28%27x%27%29%3C%2Fscript%3E%26%22\"")
        .contains("data-state=\"failed\"");
  }

  @Test
  void escapesErrorsAndRunIdsOnTheSyncPage() {
    RunRecord run = Runs.failed("<r1>", "s", T0, "key 'a' & <em>");
    String html =
        SyncPage.render(
            Runs.entry("s", Optional.of(run), Diff.Strategy.TARGET),
            SyncPage.Result.of(List.of(Runs.view(run))),
            NOW,
            Viewer.NO_TOKEN,
            Optional.empty());

    assertThat(html)
        .doesNotContain("<r1>", "<em>")
        .contains("key &#39;a&#39; &amp; &lt;em&gt;")
        .contains("data-run=\"&lt;r1&gt;\"");
  }

  @Test
  void theOverviewShowsStateAgeFreshnessNextRunCountsAndDuration() {
    RunRecord ok = Runs.succeeded("r1", "orders", T0, Duration.ofSeconds(42), 3, 2, 1);
    SyncBoard.Entry fresh =
        Runs.entry("orders", Optional.of(ok), Diff.Strategy.TARGET)
            .withNextRun(Optional.of(NOW.plus(Duration.ofMinutes(5))));
    SyncBoard.Entry never =
        SyncBoard.Entry.of("users", "u", "app", Optional.empty(), Optional.of(Duration.ofHours(1)));

    String html = OverviewPage.render(List.of(fresh, never), NOW, Viewer.NO_TOKEN, List.of());

    assertThat(html)
        .contains("data-sync=\"orders\" data-state=\"succeeded\"")
        .contains("data-sync=\"users\" data-state=\"never\"")
        .contains("2026-03-01 10:00:42 UTC")
        .contains("59m 18s ago")
        .contains("f-fresh")
        .contains("f-stale")
        .contains("in 5m 0s")
        .contains("42.0s")
        .contains("no schedule: runs when asked")
        .contains("name=\"viewport\"")
        .contains("prefers-color-scheme:dark")
        .doesNotContain("http://", "https://");
  }

  @Test
  void aConfigThatFailedToReloadIsShownAboveTheSyncs() {
    SyncBoard.Entry entry =
        SyncBoard.Entry.of("users", "u", "app", Optional.empty(), Optional.empty());

    String html =
        OverviewPage.render(
            List.of(entry),
            NOW,
            Viewer.NO_TOKEN,
            List.of("config reload failed: qsync.yaml:15:12: syncs.users.every: <expected> ..."));

    assertThat(html)
        .contains("Not ready")
        .contains("config reload failed: qsync.yaml:15:12: syncs.users.every: &lt;expected&gt;");
    assertThat(OverviewPage.render(List.of(entry), NOW, Viewer.NO_TOKEN, List.of()))
        .doesNotContain("Not ready");
  }

  @Test
  void aSyncJustAddedIsPendingNotStaleUntilItsMaxStalenessHasPassed() {
    SyncBoard.Entry added =
        SyncBoard.Entry.of("users", "u", "app", Optional.empty(), Optional.of(Duration.ofHours(1)))
            .withWatchedSince(NOW.minus(Duration.ofMinutes(10)));

    assertThat(added.freshness(NOW)).isEqualTo(SyncBoard.Freshness.PENDING);
    assertThat(OverviewPage.render(List.of(added), NOW, Viewer.NO_TOKEN, List.of()))
        .contains("f-pending")
        .contains("0 stale");
    assertThat(added.freshness(NOW.plus(Duration.ofMinutes(51))))
        .isEqualTo(SyncBoard.Freshness.STALE);
  }

  @Test
  void aRunThatFoundTheLockHeldIsNoError() {
    RunRecord failed = Runs.succeeded("r1", "orders", T0, Duration.ofSeconds(4), 0, 0, 0);
    SyncBoard.Entry entry =
        Runs.entry("orders", Optional.of(failed), Diff.Strategy.TARGET)
            .withLastOutcome(
                new RunOutcome(
                    "orders",
                    "schedule",
                    NOW.minusSeconds(20),
                    NOW.minusSeconds(10),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of("sync 'orders' is locked by run r2 (pid 42 on host)"),
                    Optional.of(ErrorKind.LOCK_HELD)));

    assertThat(entry.lastError()).isEmpty();
    assertThat(OverviewPage.render(List.of(entry), NOW, Viewer.NO_TOKEN, List.of()))
        .doesNotContain("is locked by");
  }

  @Test
  void aLineChartHasOnePointPerRunInTimeOrderWithLabelledAxes() {
    List<RunView> newestFirst = new ArrayList<>();
    for (int i = 4; i >= 0; i--) {
      newestFirst.add(
          Runs.view(
              Runs.succeeded(
                  "r" + i,
                  "s",
                  T0.plus(Duration.ofMinutes(15L * i)),
                  Duration.ofSeconds(10 + i),
                  i,
                  0,
                  0)));
    }
    String html =
        SyncPage.render(
            Runs.entry("s", Optional.of(newestFirst.get(0).run()), Diff.Strategy.TARGET),
            SyncPage.Result.of(newestFirst),
            NOW,
            Viewer.NO_TOKEN,
            Optional.empty());

    String duration = chart(html, "duration");
    assertThat(marks(duration, "circle")).containsExactly("r0", "r1", "r2", "r3", "r4");
    assertThat(xs(duration)).isSorted().doesNotHaveDuplicates();
    assertThat(duration)
        .contains("data-runs=\"5\"")
        .contains(">duration (s)</text>")
        .contains(">0</text>")
        .contains(">run start (UTC, 2026-03-01), one point per run</text>")
        .contains(">10:00</text>")
        .contains(">11:00</text>");
    assertThat(marks(chart(html, "rows"), "g")).containsExactly("r0", "r1", "r2", "r3", "r4");
    assertThat(marks(chart(html, "rate"), "circle")).hasSize(5);
    assertThat(marks(chart(html, "throttled"), "g")).hasSize(5);
    assertThat(chart(html, "rows")).contains(">rows changed (rows)</text>", "inserted", "deleted");
  }

  @Test
  void aChartOfNoRunsSaysSo() {
    String html =
        SyncPage.render(
            Runs.entry("s", Optional.empty(), Diff.Strategy.TARGET),
            SyncPage.Result.of(List.of()),
            NOW,
            Viewer.NO_TOKEN,
            Optional.empty());

    assertThat(html)
        .doesNotContain("<svg class=\"chart\"")
        .contains("No runs yet: nothing to chart.");
  }

  @Test
  void throttledTimeIsStackedByReason() {
    RunRecord run = Runs.succeeded("r1", "s", T0, Duration.ofSeconds(30), 1, 0, 0);
    RunView view =
        new RunView(
            run,
            Map.of(
                "Threads_running=61 >= 50",
                Duration.ofSeconds(4),
                "replica lag 7.2s > 5s",
                Duration.ofSeconds(2)));
    String html =
        SyncPage.render(
            Runs.entry("s", Optional.of(run), Diff.Strategy.TARGET),
            SyncPage.Result.of(List.of(view)),
            NOW,
            Viewer.NO_TOKEN,
            Optional.empty());

    String chart = chart(html, "throttled");
    assertThat(chart)
        .contains(
            "Threads_running=61 &gt;= 50", "replica lag 7.2s &gt; 5s", ">time waited (s)</text>");
    assertThat(chart).containsPattern("<rect class=\"c\\d\"[^>]*height=\"[1-9]");
  }

  @Test
  void theOneRuleThatThrottledIsNamedInTheLegend() {
    RunRecord run = Runs.succeeded("r1", "s", T0, Duration.ofSeconds(30), 1, 0, 0);
    RunView view = new RunView(run, Map.of("max_rows_per_second 400", Duration.ofSeconds(4)));
    String html =
        SyncPage.render(
            Runs.entry("s", Optional.of(run), Diff.Strategy.TARGET),
            SyncPage.Result.of(List.of(view)),
            NOW,
            Viewer.NO_TOKEN,
            Optional.empty());

    assertThat(chart(html, "throttled"))
        .containsPattern("<div class=\"legend\">.*max_rows_per_second 400.*</div>");
  }

  @Test
  void theActionsAreOffWithoutATokenAndSayWhy() {
    String html =
        SyncPage.render(
            Runs.entry("s", Optional.empty(), Diff.Strategy.SNAPSHOT),
            SyncPage.Result.of(List.of()),
            NOW,
            Viewer.NO_TOKEN,
            Optional.empty());

    assertThat(html)
        .contains("<button type=\"button\" class=\"primary\" disabled>Run now</button>")
        .contains("<button type=\"button\" disabled>Run --full</button>")
        .contains("set serve.token to enable")
        .doesNotContain("<form method=\"post\"");
  }

  @Test
  void signedInFormsCarryTheCsrfValueAndRunFullOnlyForSnapshot() {
    Viewer viewer = Viewer.signedIn("c5rf");
    String snapshot =
        SyncPage.render(
            Runs.entry("s", Optional.empty(), Diff.Strategy.SNAPSHOT),
            SyncPage.Result.of(List.of()),
            NOW,
            viewer,
            Optional.empty());
    String target =
        SyncPage.render(
            Runs.entry("s", Optional.empty(), Diff.Strategy.TARGET),
            SyncPage.Result.of(List.of()),
            NOW,
            viewer,
            Optional.empty());

    assertThat(snapshot)
        .contains("action=\"/syncs/s/run\"")
        .contains("<input type=\"hidden\" name=\"csrf\" value=\"c5rf\">")
        .contains(">Run --full</button>");
    assertThat(target).contains(">Run now</button>").doesNotContain("Run --full");
  }

  private static String chart(String html, String name) {
    Matcher matcher =
        Pattern.compile("<figure data-chart=\"" + name + "\">.*?</figure>", Pattern.DOTALL)
            .matcher(html);
    assertThat(matcher.find()).as("chart %s in the page", name).isTrue();
    return matcher.group();
  }

  private static List<String> marks(String chart, String element) {
    Matcher matcher =
        Pattern.compile("<" + element + " class=\"mark[^\"]*\" data-run=\"([^\"]*)\"")
            .matcher(chart);
    List<String> runs = new ArrayList<>();
    while (matcher.find()) {
      runs.add(matcher.group(1));
    }
    return runs;
  }

  private static List<Double> xs(String chart) {
    Matcher matcher = Pattern.compile("<circle class=\"mark[^>]* cx=\"([0-9.]+)\"").matcher(chart);
    List<Double> xs = new ArrayList<>();
    while (matcher.find()) {
      xs.add(Double.parseDouble(matcher.group(1)));
    }
    return xs;
  }
}
