package io.qsync.serve.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.qsync.ErrorKind;
import io.qsync.config.Alerts;
import io.qsync.config.Secret;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.RunReport;
import io.qsync.serve.RunOutcome;
import io.qsync.serve.SyncBoard;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhooks against a local HTTP server ({@code com.sun.net.httpserver}): what a failure posts,
 * retries on a 500 and on a refused connection but not on a 404, a run never held up by an endpoint
 * that does not answer, a full queue that drops with a word, stale posted once per turn to stale,
 * and the URL never on stderr. Waits between tries are recorded instead of slept; the test waits
 * for posts with a deadline.
 */
class WebhookAlertsTest {
  private static final String SECRET_PATH = "/services/T000/B000/very-secret-token";
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private final ManualClock clock = new ManualClock();
  private final SyncBoard board = new SyncBoard();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private final PrintStream errors = new PrintStream(stderr, true, StandardCharsets.UTF_8);
  private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
  private final BlockingQueue<JsonNode> posts = new LinkedBlockingQueue<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private HttpServer server;
  private IntSupplier answer = () -> 200;
  private WebhookAlerts alerts;

  @BeforeEach
  void server() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(handlers);
    server.createContext(SECRET_PATH, this::handle);
    server.start();
    board.reset(
        List.of(
            SyncBoard.Entry.of(
                "orders",
                "orders",
                "app",
                Optional.of("every 15m"),
                Optional.of(Duration.ofHours(1)))));
  }

  @AfterEach
  void stop() {
    if (alerts != null) {
      alerts.close();
    }
    server.stop(0);
    handlers.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    JsonNode body = new ObjectMapper().readTree(exchange.getRequestBody().readAllBytes());
    int status = answer.getAsInt();
    if (status == 200) {
      posts.add(body);
    }
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + SECRET_PATH;
  }

  private WebhookAlerts alerts(String onFailure, String onStale, int capacity) {
    Alerts configured =
        new Alerts(
            Optional.ofNullable(onFailure).map(Secret::new),
            Optional.ofNullable(onStale).map(Secret::new));
    alerts =
        new WebhookAlerts(
            sync -> sync.equals("orders") ? configured : Alerts.NONE,
            board,
            WebhookDelivery.Policy.DEFAULT,
            capacity,
            waits::add,
            errors);
    return alerts;
  }

  @Test
  void aFailedRunPostsItsJson() throws Exception {
    Instant lastSuccess = clock.instant().minus(Duration.ofMinutes(90));
    board.update(
        "orders",
        entry -> entry.withHistory(Optional.empty(), Optional.of(lastSuccess), Optional.empty()));
    alerts(url(), null, 10);

    alerts.runFinished(
        failure("r-42", ErrorKind.NEEDS_ACTION, "sync 'orders': 2 keys collide\nFix the key."));
    JsonNode post = next();
    alerts.close();

    assertThat(post.get("event").asText()).isEqualTo("failure");
    assertThat(post.get("sync").asText()).isEqualTo("orders");
    assertThat(post.get("run_id").asText()).isEqualTo("r-42");
    assertThat(post.get("exit_code").asInt()).isEqualTo(5);
    assertThat(post.get("error").asText()).isEqualTo("sync 'orders': 2 keys collide\nFix the key.");
    assertThat(post.get("age_seconds").asLong()).isEqualTo(90 * 60 + 30);
    assertThat(post.get("max_staleness_seconds").asLong()).isEqualTo(3600);
    assertThat(post.get("text").asText())
        .isEqualTo(
            "qsync: sync 'orders' failed (exit 5, run r-42): sync 'orders': 2 keys collide."
                + " Last success 1h 30m ago.");
    assertThat(requests.get()).as("posted once").isEqualTo(1);
    assertThat(stderr.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void theTextIsEscapedAsSlackAsksTheErrorIsNot() throws Exception {
    alerts(url(), null, 10);

    alerts.runFinished(
        failure("r-5", ErrorKind.FAILED, "throttle: Threads_running=61 >= 60 & <critical>"));
    JsonNode post = next();
    alerts.close();

    assertThat(post.get("error").asText())
        .isEqualTo("throttle: Threads_running=61 >= 60 & <critical>");
    assertThat(post.get("text").asText())
        .isEqualTo(
            "qsync: sync 'orders' failed (exit 1, run r-5): throttle: Threads_running=61 &gt;= 60"
                + " &amp; &lt;critical&gt;. No success known.");
  }

  @Test
  void onlyFailuresPostNotAHeldLockAnInterruptionOrASuccess() throws Exception {
    alerts(url(), null, 10);

    alerts.runFinished(failure("r-1", ErrorKind.LOCK_HELD, "sync 'orders' is running elsewhere"));
    alerts.runFinished(failure("r-2", ErrorKind.INTERRUPTED, "interrupted"));
    alerts.runFinished(failure("r-3", ErrorKind.FAILED, "connection lost"));
    JsonNode post = next();
    alerts.close();

    assertThat(post.get("run_id").asText()).isEqualTo("r-3");
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void theSameFailureAgainIsPostedOnceUntilASuccessOrAnotherError() throws Exception {
    alerts(url(), null, 10);

    alerts.runFinished(failure("r-1", ErrorKind.FAILED, "connection lost\nat 10:00"));
    alerts.runFinished(failure("r-2", ErrorKind.FAILED, "connection lost\nat 10:15"));
    alerts.runFinished(failure("r-3", ErrorKind.FAILED, "connection lost\nat 10:30"));
    alerts.runFinished(failure("r-4", ErrorKind.NEEDS_ACTION, "2 keys collide"));
    alerts.runFinished(succeededOutcome("r-5"));
    alerts.runFinished(failure("r-6", ErrorKind.NEEDS_ACTION, "2 keys collide"));
    List<String> posted =
        List.of(
            next().get("run_id").asText(),
            next().get("run_id").asText(),
            next().get("run_id").asText());
    alerts.close();

    assertThat(posted)
        .as("the first of a streak, another error, and the same error after a success")
        .containsExactly("r-1", "r-4", "r-6");
    assertThat(requests.get()).isEqualTo(3);
  }

  @Test
  void aStaleSyncIsPostedOnceAWebhookIsConfiguredByAReload() throws Exception {
    succeeded(clock.instant().minus(Duration.ofHours(2)));
    AtomicReference<Alerts> configured = new AtomicReference<>(Alerts.NONE);
    alerts =
        new WebhookAlerts(
            sync -> configured.get(),
            board,
            WebhookDelivery.Policy.DEFAULT,
            10,
            waits::add,
            errors);

    alerts.check(clock.instant());
    configured.set(new Alerts(Optional.empty(), Optional.of(new Secret(url()))));
    clock.advance(Duration.ofSeconds(2));
    alerts.check(clock.instant());
    JsonNode post = next();
    clock.advance(Duration.ofSeconds(2));
    alerts.check(clock.instant());
    alerts.close();

    assertThat(post.get("event").asText()).isEqualTo("stale");
    assertThat(requests.get()).as("once in the stale spell").isEqualTo(1);
  }

  @Test
  void a500ThenA200IsDeliveredOnce() throws Exception {
    AtomicInteger answered = new AtomicInteger();
    answer = () -> answered.getAndIncrement() == 0 ? 500 : 200;
    alerts(url(), null, 10);

    alerts.runFinished(failure("r-7", ErrorKind.FAILED, "boom"));
    JsonNode post = next();
    alerts.close();

    assertThat(post.get("run_id").asText()).isEqualTo("r-7");
    assertThat(requests.get()).isEqualTo(2);
    assertThat(waits).containsExactly(Duration.ofSeconds(5));
    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "qsync serve: alert 'failure' of sync 'orders' not delivered: HTTP 500 (try 1 of 4);"
                + " trying again in 5s"
                + System.lineSeparator());
  }

  @Test
  void a404IsNotTriedAgain() {
    answer = () -> 404;
    alerts(url(), null, 10);

    alerts.runFinished(failure("r-8", ErrorKind.FAILED, "boom"));
    awaitStderr("not trying again");
    alerts.close();

    assertThat(requests.get()).isEqualTo(1);
    assertThat(waits).isEmpty();
    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .contains("not delivered: HTTP 404 (try 1 of 4); not trying again: the endpoint refuses it")
        .doesNotContain(SECRET_PATH);
  }

  @Test
  void aRefusedConnectionIsTriedFourTimesOverAMinuteThenGivenUp() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String nobody = "http://127.0.0.1:" + closedPort + SECRET_PATH;
    alerts(nobody, null, 10);

    alerts.runFinished(failure("r-9", ErrorKind.FAILED, "boom"));
    awaitStderr("gave up");
    alerts.close();

    assertThat(waits)
        .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(40));
    String told = stderr.toString(StandardCharsets.UTF_8);
    assertThat(told.lines())
        .hasSize(4)
        .allMatch(
            line ->
                line.startsWith(
                    "qsync serve: alert 'failure' of sync 'orders' not delivered: cannot connect"));
    assertThat(told).contains("(try 4 of 4); gave up").doesNotContain(SECRET_PATH, nobody);
  }

  @Test
  void anEndpointThatNeverAnswersDoesNotHoldUpTheRunAndAFullQueueDropsWithAWord() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    answer =
        () -> {
          entered.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return 200;
        };
    alerts(url(), null, 1);

    try {
      alerts.runFinished(failure("r-1", ErrorKind.FAILED, "first"));
      // runFinished returned while the endpoint has not answered, and will not until released
      assertThat(entered.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      alerts.runFinished(failure("r-2", ErrorKind.FAILED, "second: waits in the queue"));
      alerts.runFinished(failure("r-3", ErrorKind.FAILED, "third: the queue is full"));
    } finally {
      release.countDown();
    }
    List<String> delivered = List.of(next().get("run_id").asText(), next().get("run_id").asText());
    alerts.close();

    assertThat(delivered).containsExactly("r-1", "r-2");
    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "qsync serve: alert 'failure' of sync 'orders' dropped: 1 alerts are waiting to be"
                + " delivered already"
                + System.lineSeparator());
  }

  @Test
  void staleIsPostedOnceAndAgainOnlyAfterFreshThenStale() throws Exception {
    Instant success = clock.instant().minus(Duration.ofMinutes(30));
    succeeded(success);
    alerts(null, url(), 10);

    alerts.check(clock.instant());
    clock.advance(Duration.ofMinutes(31));
    alerts.check(clock.instant());
    JsonNode first = next();
    clock.advance(Duration.ofMinutes(10));
    alerts.check(clock.instant());
    succeeded(clock.instant());
    alerts.check(clock.instant());
    clock.advance(Duration.ofMinutes(61));
    alerts.check(clock.instant());
    JsonNode second = next();
    alerts.close();

    assertThat(requests.get()).as("stale twice, with fresh in between").isEqualTo(2);
    assertThat(first.get("event").asText()).isEqualTo("stale");
    assertThat(first.get("run_id").asText()).isEqualTo("r-ok");
    assertThat(first.get("exit_code").isNull()).isTrue();
    assertThat(first.get("error").isNull()).isTrue();
    assertThat(first.get("age_seconds").asLong()).isEqualTo(61 * 60);
    assertThat(first.get("max_staleness_seconds").asLong()).isEqualTo(3600);
    assertThat(first.get("text").asText())
        .isEqualTo("qsync: sync 'orders' is stale: last success 1h 1m ago, max_staleness 1h.");
    assertThat(second.get("age_seconds").asLong()).isEqualTo(61 * 60);
  }

  @Test
  void aSyncThatNeverSucceededIsStaleOnceMaxStalenessPassedSinceTheFirstCheck() throws Exception {
    alerts(null, url(), 10);

    alerts.check(clock.instant());
    clock.advance(Duration.ofMinutes(60));
    alerts.check(clock.instant());
    clock.advance(Duration.ofMinutes(1));
    alerts.check(clock.instant());
    JsonNode post = next();
    alerts.close();

    assertThat(requests.get()).isEqualTo(1);
    assertThat(post.get("age_seconds").isNull()).isTrue();
    assertThat(post.get("run_id").isNull()).isTrue();
    assertThat(post.get("text").asText())
        .isEqualTo(
            "qsync: sync 'orders' is stale: no success in the 1h 1m qsync serve has watched it,"
                + " max_staleness 1h.");
  }

  private void succeeded(Instant at) {
    RunRecord run =
        new RunRecord(
            "r-ok",
            "orders",
            "orders",
            "mirror",
            RunStatus.SUCCEEDED,
            RunPhase.DONE,
            at.minusSeconds(10),
            Optional.of(at),
            Optional.empty(),
            0,
            0,
            0,
            0,
            "host",
            1,
            1,
            Optional.empty(),
            Optional.empty());
    board.update(
        "orders", entry -> entry.withHistory(Optional.of(run), Optional.of(at), Optional.empty()));
  }

  private RunOutcome succeededOutcome(String runId) {
    return new RunOutcome(
        "orders",
        "schedule",
        clock.instant().minusSeconds(60),
        clock.instant(),
        Optional.of(runId),
        Optional.of(
            RunReport.builder(
                    "orders", runId, RunStatus.SUCCEEDED, "mirror", "orders", ChangeCounts.NONE)
                .duration(Duration.ofSeconds(60))
                .build()),
        Optional.empty(),
        Optional.empty());
  }

  private RunOutcome failure(String runId, ErrorKind kind, String error) {
    Instant started = clock.instant().minusSeconds(60);
    return new RunOutcome(
        "orders",
        "schedule",
        started,
        clock.instant().plusSeconds(30),
        Optional.of(runId),
        Optional.empty(),
        Optional.of(error),
        Optional.of(kind));
  }

  /** The next post the server answered 200, within the deadline. */
  private JsonNode next() throws InterruptedException {
    JsonNode post = posts.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertThat(post).as("a post within " + DEADLINE).isNotNull();
    return post;
  }

  private void awaitStderr(String text) {
    Instant deadline = Instant.now().plus(DEADLINE);
    while (!stderr.toString(StandardCharsets.UTF_8).contains(text)) {
      assertThat(Instant.now()).as("stderr says '" + text + "' in time").isBefore(deadline);
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }
}
