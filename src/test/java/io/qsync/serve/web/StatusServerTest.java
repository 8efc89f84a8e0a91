package io.qsync.serve.web;

import static io.qsync.serve.web.Runs.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.Diff;
import io.qsync.config.Secret;
import io.qsync.engine.RunOptions;
import io.qsync.serve.MetricsExposition;
import io.qsync.serve.RunTrigger;
import io.qsync.serve.SyncBoard;
import io.qsync.state.RunRecord;
import io.qsync.testing.ManualClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatusServerTest {
  private static final String TOKEN = "s3cret-token-value";

  private final SyncBoard board = new SyncBoard();
  private final RecordingTrigger trigger = new RecordingTrigger();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final HttpClient client = HttpClient.newHttpClient();
  private StatusServer server;

  /** A trigger that records every request and answers STARTED. */
  static final class RecordingTrigger implements RunTrigger {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public Answer runNow(String sync, RunOptions options, String trigger) {
      calls.add(sync + " full=" + options.full() + " by " + trigger);
      return Answer.STARTED;
    }
  }

  private StatusServer start(Optional<Secret> token) {
    RunRecord run = Runs.succeeded("r1", "orders", T0, Duration.ofSeconds(3), 5, 1, 0);
    board.reset(
        List.of(
            Runs.entry("orders", Optional.of(run), Diff.Strategy.TARGET),
            Runs.entry("events", Optional.empty(), Diff.Strategy.SNAPSHOT)));
    MetricsExposition metrics =
        new MetricsExposition() {
          @Override
          public String contentType(String accept) {
            return "text/plain; version=0.0.4; charset=utf-8";
          }

          @Override
          public void write(OutputStream out, String accept) throws IOException {
            out.write("qsync_running{sync=\"orders\"} 0\n".getBytes(StandardCharsets.UTF_8));
          }
        };
    server =
        new StatusServer(
            "127.0.0.1",
            0,
            token,
            board,
            trigger,
            (sync, limit) -> List.of(Runs.view(run)),
            metrics,
            () -> List.copyOf(problems),
            new ManualClock());
    server.start();
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
  }

  @Test
  void probesAnswerAndMetricsKeepTheirContentType() throws Exception {
    start(Optional.empty());

    assertThat(get("/healthz").body()).isEqualTo("ok\n");
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    problems.add("target 'app' does not answer: connection refused");
    HttpResponse<String> notReady = get("/readyz");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).contains("target 'app' does not answer: connection refused");
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(metrics.body()).isEqualTo("qsync_running{sync=\"orders\"} 0\n");
  }

  @Test
  void servesTheOverviewAndASyncAndAnswers404And405() throws Exception {
    start(Optional.empty());

    HttpResponse<String> overview = get("/");
    assertThat(overview.statusCode()).isEqualTo(200);
    assertThat(overview.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(overview.body()).contains("href=\"/syncs/orders\"", "href=\"/syncs/events\"");
    assertThat(get("/syncs/orders").body()).contains("data-chart=\"duration\" data-runs=\"1\"");
    HttpResponse<String> unknown = get("/syncs/nope");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("There is no sync named &#39;nope&#39;");
    assertThat(get("/nothing/here").statusCode()).isEqualTo(404);
    HttpResponse<String> wrongMethod = post("/healthz", "", List.of());
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
    assertThat(get("/syncs/orders/run").statusCode()).isEqualTo(405);
  }

  @Test
  void aSyncWhoseNameHasASlashOrASpaceHasItsPage() throws Exception {
    start(Optional.empty());
    board.reset(List.of(Runs.entry("eu/orders 2", Optional.empty(), Diff.Strategy.TARGET)));

    assertThat(get("/").body()).contains("href=\"/syncs/eu%2Forders%202\"");
    HttpResponse<String> page = get("/syncs/eu%2Forders%202");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<h1 class=\"sync-name\">eu/orders 2 ");
    assertThat(get("/syncs/eu/orders%202").statusCode()).isEqualTo(404);
  }

  @Test
  void actionsAreRefusedWithoutAToken() throws Exception {
    start(Optional.empty());

    HttpResponse<String> run = post("/syncs/orders/run", "full=false", List.of());
    assertThat(run.statusCode()).isEqualTo(403);
    assertThat(run.body()).contains("Actions are off: set serve.token to enable.");
    HttpResponse<String> signIn = post("/signin", "token=anything", List.of());
    assertThat(signIn.statusCode()).isEqualTo(403);
    assertThat(get("/syncs/orders").body())
        .contains("disabled>Run now</button>", "set serve.token to enable");
    assertThat(trigger.calls).isEmpty();
  }

  @Test
  void aWrongTokenIsRefused() throws Exception {
    start(Optional.of(new Secret(TOKEN)));

    HttpResponse<String> signIn = post("/signin", "token=guess&next=%2F", List.of());
    assertThat(signIn.statusCode()).isEqualTo(403);
    assertThat(signIn.body()).contains("Wrong token");
    assertThat(signIn.headers().firstValue("Set-Cookie")).isEmpty();
    HttpResponse<String> bearer =
        post("/syncs/orders/run", "", List.of("Authorization", "Bearer guess"));
    assertThat(bearer.statusCode()).isEqualTo(403);
    HttpResponse<String> noSession = post("/syncs/orders/run", "", List.of());
    assertThat(noSession.statusCode()).isEqualTo(403);
    assertThat(noSession.body()).contains("Sign in with the token");
    assertThat(trigger.calls).isEmpty();
  }

  @Test
  void aPostWithoutTheCsrfValueIsRefused() throws Exception {
    start(Optional.of(new Secret(TOKEN)));
    String cookie = signIn();

    HttpResponse<String> missing =
        post("/syncs/orders/run", "full=false", List.of("Cookie", cookie));
    HttpResponse<String> wrong =
        post("/syncs/orders/run", "csrf=forged&full=false", List.of("Cookie", cookie));

    assertThat(missing.statusCode()).isEqualTo(403);
    assertThat(missing.body()).contains("CSRF value is missing or out of date");
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(trigger.calls).isEmpty();
  }

  @Test
  void aCrossSitePostIsRefusedEvenWithSessionAndCsrf() throws Exception {
    start(Optional.of(new Secret(TOKEN)));
    String cookie = signIn();
    String csrf = csrf(cookie, "/syncs/orders");

    HttpResponse<String> origin =
        post(
            "/syncs/orders/run",
            "csrf=" + csrf,
            List.of("Cookie", cookie, "Origin", "https://evil.example"));
    HttpResponse<String> fetchSite =
        post(
            "/syncs/orders/run",
            "csrf=" + csrf,
            List.of("Cookie", cookie, "Sec-Fetch-Site", "cross-site"));
    HttpResponse<String> signIn =
        post("/signin", "token=" + TOKEN, List.of("Origin", "https://evil.example"));

    assertThat(origin.statusCode()).isEqualTo(403);
    assertThat(origin.body()).contains("another site", "https://evil.example");
    assertThat(fetchSite.statusCode()).isEqualTo(403);
    assertThat(signIn.statusCode()).isEqualTo(403);
    assertThat(trigger.calls).isEmpty();
  }

  @Test
  void signedInRunNowCallsTheTriggerOnceAndRedirectsBack() throws Exception {
    start(Optional.of(new Secret(TOKEN)));
    String cookie = signIn();
    String csrf = csrf(cookie, "/syncs/orders");

    HttpResponse<String> run =
        post(
            "/syncs/orders/run",
            "csrf=" + csrf + "&full=false",
            List.of(
                "Cookie",
                cookie,
                "Origin",
                "http://127.0.0.1:" + server.port(),
                "Sec-Fetch-Site",
                "same-origin"));

    assertThat(run.statusCode()).isEqualTo(303);
    assertThat(run.headers().firstValue("Location")).hasValue("/syncs/orders?answer=started");
    assertThat(trigger.calls).containsExactly("orders full=false by run now");
    assertThat(get("/syncs/orders?answer=started", cookie).body())
        .contains("Run queued: it starts as soon as a slot is free.");
  }

  @Test
  void runFullIsForSnapshotSyncsOnly() throws Exception {
    start(Optional.of(new Secret(TOKEN)));
    String cookie = signIn();
    String csrf = csrf(cookie, "/syncs/orders");

    HttpResponse<String> targetFull =
        post("/syncs/orders/run", "csrf=" + csrf + "&full=true", List.of("Cookie", cookie));
    HttpResponse<String> snapshotFull =
        post("/syncs/events/run", "csrf=" + csrf + "&full=true", List.of("Cookie", cookie));

    assertThat(targetFull.statusCode()).isEqualTo(400);
    assertThat(snapshotFull.statusCode()).isEqualTo(303);
    assertThat(trigger.calls).containsExactly("events full=true by run now");
  }

  @Test
  void aScriptMayRunWithTheTokenAsBearer() throws Exception {
    start(Optional.of(new Secret(TOKEN)));

    HttpResponse<String> run =
        post("/syncs/orders/run", "", List.of("Authorization", "Bearer " + TOKEN));

    assertThat(run.statusCode()).isEqualTo(303);
    assertThat(trigger.calls).containsExactly("orders full=false by run now");
  }

  @Test
  void noPageShowsTheToken() throws Exception {
    start(Optional.of(new Secret(TOKEN)));
    String cookie = signIn();

    List<String> pages = new ArrayList<>();
    for (String path : List.of("/", "/syncs/orders", "/syncs/events", "/signin", "/nope")) {
      pages.add(get(path, cookie).body());
      pages.add(get(path).body());
    }
    pages.add(post("/signin", "token=wrong" + TOKEN, List.of()).body());

    assertThat(pages).noneMatch(page -> page.contains(TOKEN));
  }

  @Test
  void aPortInUseIsNamedWithItsKey() {
    start(Optional.empty());
    StatusServer second =
        new StatusServer(
            "127.0.0.1",
            server.port(),
            Optional.empty(),
            board,
            trigger,
            (sync, limit) -> List.of(),
            new NoMetrics(),
            List::of,
            new ManualClock());

    assertThatThrownBy(second::start)
        .isInstanceOfSatisfying(
            QsyncException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG_INVALID))
        .hasMessageContaining("127.0.0.1:" + server.port())
        .hasMessageContaining("serve.listen");
  }

  @Test
  void stopLetsARequestUnderWayFinishThenFreesThePortPromptly() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    board.reset(List.of(Runs.entry("orders", Optional.empty(), Diff.Strategy.TARGET)));
    server =
        new StatusServer(
            "127.0.0.1",
            0,
            Optional.empty(),
            board,
            trigger,
            (sync, limit) -> {
              entered.countDown();
              try {
                release.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return List.of();
            },
            new NoMetrics(),
            List::of,
            new ManualClock());
    server.start();
    int port = server.port();
    CompletableFuture<HttpResponse<String>> slow =
        client.sendAsync(
            HttpRequest.newBuilder(uri("/syncs/orders")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopped =
        CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(10)));
    release.countDown();
    stopped.get(5, TimeUnit.SECONDS);

    assertThat(slow.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    StatusServer again =
        new StatusServer(
            "127.0.0.1",
            port,
            Optional.empty(),
            board,
            trigger,
            (sync, limit) -> List.of(),
            new NoMetrics(),
            List::of,
            new ManualClock());
    again.start();
    again.stop(Duration.ofSeconds(1));
  }

  /** Metrics with nothing to say. */
  static final class NoMetrics implements MetricsExposition {
    @Override
    public String contentType(String accept) {
      return "text/plain; version=0.0.4; charset=utf-8";
    }

    @Override
    public void write(OutputStream out, String accept) {}
  }

  private String signIn() throws Exception {
    HttpResponse<String> response = post("/signin", "token=" + TOKEN + "&next=%2F", List.of());
    assertThat(response.statusCode()).isEqualTo(303);
    String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).contains("HttpOnly", "SameSite=Strict", "Path=/");
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private String csrf(String cookie, String path) throws Exception {
    Matcher matcher =
        Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(get(path, cookie).body());
    assertThat(matcher.find()).as("a CSRF value in the signed-in page").isTrue();
    return matcher.group(1);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path)).header("Cookie", cookie).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String form, List<String> headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    for (int i = 0; i < headers.size(); i += 2) {
      request.header(headers.get(i), headers.get(i + 1));
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
