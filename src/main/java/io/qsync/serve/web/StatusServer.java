package io.qsync.serve.web;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.Diff;
import io.qsync.config.Secret;
import io.qsync.engine.RunOptions;
import io.qsync.serve.HistoryReader;
import io.qsync.serve.MetricsExposition;
import io.qsync.serve.Readiness;
import io.qsync.serve.RunTrigger;
import io.qsync.serve.RunView;
import io.qsync.serve.SyncBoard;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP side of {@code qsync serve}: the status page ({@code /}, {@code /syncs/NAME}), its "run
 * now" actions ({@code POST /syncs/NAME/run}), {@code /metrics}, {@code /healthz} and {@code
 * /readyz}, on the JDK's own HTTP server.
 *
 * <p>Actions are off unless a token is configured. With one, a person signs in by posting the token
 * ({@code /signin}, compared in constant time) and gets a random session cookie ({@code HttpOnly},
 * {@code SameSite=Strict}); every action form carries the session's CSRF value, and a POST whose
 * {@code Origin} or {@code Sec-Fetch-Site} says it comes from another site is refused. A script may
 * instead send {@code Authorization: Bearer TOKEN}, which no other site's form can.
 *
 * <p>Lifecycle: {@link #start()} binds and serves on a small pool of named daemon threads; {@link
 * #stop(Duration)} stops taking requests and waits at most the given time for those under way.
 * Thread-safe.
 */
public final class StatusServer {
  /** How many runs the sync page lists and charts. */
  static final int HISTORY_LIMIT = 100;

  static final String SESSION_COOKIE = "qsync_session";
  private static final int THREADS = 4;
  private static final int MAX_FORM_BYTES = 16 * 1024;
  private static final String HTML = "text/html; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String SECURITY_POLICY =
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self';"
          + " frame-ancestors 'none'; base-uri 'none'";

  private final String host;
  private final int requestedPort;
  private final Optional<Secret> token;
  private final SyncBoard board;
  private final RunTrigger trigger;
  private final HistoryReader history;
  private final MetricsExposition metrics;
  private final Readiness readiness;
  private final Clock clock;
  private final Sessions sessions;
  private final Object inFlightLock = new Object();
  private int inFlight;
  private volatile boolean stopping;
  private HttpServer server;
  private ThreadPoolExecutor executor;

  /**
   * @param port the port to listen on; 0 takes any free one ({@link #port()} says which)
   * @param token what a person must give to run syncs from the page; none: the actions are off
   */
  public StatusServer(
      String host,
      int port,
      Optional<Secret> token,
      SyncBoard board,
      RunTrigger trigger,
      HistoryReader history,
      MetricsExposition metrics,
      Readiness readiness,
      Clock clock) {
    this.host = requireNonNull(host, "host is null");
    this.token = requireNonNull(token, "token is null").filter(secret -> !secret.isEmpty());
    this.board = requireNonNull(board, "board is null");
    this.trigger = requireNonNull(trigger, "trigger is null");
    this.history = requireNonNull(history, "history is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.readiness = requireNonNull(readiness, "readiness is null");
    this.clock = requireNonNull(clock, "clock is null");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    this.requestedPort = port;
    this.sessions = new Sessions(clock);
  }

  /**
   * Binds {@code host:port} and starts serving.
   *
   * @throws QsyncException when the address is in use or cannot be bound (names {@code
   *     serve.listen})
   */
  public synchronized void start() {
    if (server != null) {
      throw new IllegalStateException("the status server is already started");
    }
    HttpServer bound;
    try {
      bound = HttpServer.create(new InetSocketAddress(host, requestedPort), 50);
    } catch (BindException e) {
      throw new QsyncException(
          ErrorKind.CONFIG_INVALID,
          "cannot listen on "
              + host
              + ":"
              + requestedPort
              + " (serve.listen): "
              + (e.getMessage() == null ? "address already in use" : e.getMessage())
              + "\nStop what listens there, or set serve.listen to a free address and port.",
          e);
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.CONFIG_INVALID,
          "cannot listen on "
              + host
              + ":"
              + requestedPort
              + " (serve.listen): "
              + e.getMessage()
              + "\nSet serve.listen to an address of this machine, such as 127.0.0.1:8080.",
          e);
    }
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory =
        task -> {
          Thread thread = new Thread(task, "qsync-web-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(100),
            factory,
            new ThreadPoolExecutor.CallerRunsPolicy());
    executor.allowCoreThreadTimeOut(true);
    bound.setExecutor(executor);
    bound.createContext("/", this::handle);
    bound.start();
    server = bound;
  }

  /** The port it listens on: the one asked for, or the free one taken for port 0. */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("the status server is not started");
    }
    return server.getAddress().getPort();
  }

  /**
   * Answers new requests with 503, waits at most {@code grace} for those under way, then closes the
   * port and the threads; safe to call twice. (The JDK server's own {@code stop(delay)} would wait
   * the whole delay on Java 17 even when nothing is under way.)
   */
  public synchronized void stop(Duration grace) {
    if (server == null) {
      return;
    }
    stopping = true;
    long deadline = System.nanoTime() + grace.toNanos();
    try {
      synchronized (inFlightLock) {
        long left;
        while (inFlight > 0 && (left = deadline - System.nanoTime()) > 0) {
          TimeUnit.NANOSECONDS.timedWait(inFlightLock, left);
        }
      }
      server.stop(0);
      executor.shutdown();
      if (!executor.awaitTermination(
          Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.stop(0);
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      server = null;
      executor = null;
      stopping = false;
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    synchronized (inFlightLock) {
      inFlight++;
    }
    try (exchange) {
      try {
        if (stopping) {
          send(exchange, 503, TEXT, "stopping\n", Map.of());
        } else {
          route(exchange);
        }
      } catch (RuntimeException e) {
        send(
            exchange,
            500,
            HTML,
            errorPage("Something went wrong", "The page failed: " + e),
            Map.of());
      }
    } finally {
      synchronized (inFlightLock) {
        inFlight--;
        inFlightLock.notifyAll();
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    String path = exchange.getRequestURI().getRawPath();
    switch (path) {
      case "/healthz" -> {
        if (allowed(exchange, method, "GET")) {
          send(exchange, 200, TEXT, "ok\n", Map.of());
        }
        return;
      }
      case "/readyz" -> {
        if (allowed(exchange, method, "GET")) {
          List<String> problems = readiness.problems();
          send(
              exchange,
              problems.isEmpty() ? 200 : 503,
              TEXT,
              problems.isEmpty() ? "ready\n" : "not ready:\n" + String.join("\n", problems) + "\n",
              Map.of());
        }
        return;
      }
      case "/metrics" -> {
        if (allowed(exchange, method, "GET")) {
          String accept = exchange.getRequestHeaders().getFirst("Accept");
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          metrics.write(out, accept);
          send(exchange, 200, metrics.contentType(accept), out.toByteArray(), Map.of());
        }
        return;
      }
      case "/" -> {
        if (allowed(exchange, method, "GET")) {
          send(
              exchange,
              200,
              HTML,
              OverviewPage.render(
                  board.entries(), clock.instant(), viewer(exchange), readiness.problems()),
              Map.of());
        }
        return;
      }
      case "/signin" -> {
        if (method.equals("POST")) {
          signIn(exchange);
        } else if (allowed(exchange, method, "GET, POST")) {
          signInForm(exchange, 200, Optional.empty());
        }
        return;
      }
      case "/signout" -> {
        if (allowed(exchange, method, "POST")) {
          signOut(exchange);
        }
        return;
      }
      default -> {}
    }
    if (path.startsWith("/syncs/")) {
      String rest = path.substring("/syncs/".length());
      boolean run = rest.endsWith("/run");
      String segment = run ? rest.substring(0, rest.length() - "/run".length()) : rest;
      String name = segment.contains("/") ? "" : decode(segment);
      if (!name.isEmpty()) {
        if (run) {
          if (allowed(exchange, method, "POST")) {
            runNow(exchange, name);
          }
        } else if (allowed(exchange, method, "GET")) {
          syncPage(exchange, name);
        }
        return;
      }
    }
    notFound(exchange, "There is no page at " + path + ".");
  }

  private void syncPage(HttpExchange exchange, String name) throws IOException {
    Optional<SyncBoard.Entry> entry = board.entry(name);
    if (entry.isEmpty()) {
      notFound(exchange, "There is no sync named '" + name + "' in the config.");
      return;
    }
    SyncPage.Result runs;
    try {
      List<RunView> views = history.history(name, HISTORY_LIMIT);
      runs = SyncPage.Result.of(views);
    } catch (QsyncException e) {
      runs = SyncPage.Result.failed(e.getMessage());
    }
    Optional<String> notice =
        query(exchange).map(q -> q.get("answer")).flatMap(StatusServer::noticeOf);
    send(
        exchange,
        200,
        HTML,
        SyncPage.render(entry.get(), runs, clock.instant(), viewer(exchange), notice),
        Map.of());
  }

  private static Optional<String> noticeOf(String answer) {
    return Optional.ofNullable(
        switch (answer) {
          case "started" -> "Run queued: it starts as soon as a slot is free.";
          case "started-full" -> "Run --full queued: it starts as soon as a slot is free.";
          case "already-running" -> "A run of this sync is already running or queued.";
          default -> null;
        });
  }

  private void runNow(HttpExchange exchange, String name) throws IOException {
    Optional<String> crossSite = crossSite(exchange.getRequestHeaders());
    if (crossSite.isPresent()) {
      forbidden(exchange, "Refused a request from another site: " + crossSite.get() + ".");
      return;
    }
    if (token.isEmpty()) {
      forbidden(exchange, "Actions are off: " + Viewer.ACTIONS_OFF + ".");
      return;
    }
    Map<String, String> form = form(exchange);
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization != null) {
      if (!authorization.startsWith("Bearer ")
          || !Sessions.sameSecret(authorization.substring("Bearer ".length()), token.get())) {
        forbidden(exchange, "Wrong token in the Authorization header.");
        return;
      }
    } else {
      Optional<Sessions.Session> session = session(exchange);
      if (session.isEmpty()) {
        forbidden(exchange, "Sign in with the token (serve.token) to run syncs.");
        return;
      }
      String csrf = form.get("csrf");
      if (csrf == null || !Sessions.sameValue(csrf, session.get().csrf())) {
        forbidden(
            exchange,
            "The form's CSRF value is missing or out of date. Reload the page and press the"
                + " button again.");
        return;
      }
    }
    Optional<SyncBoard.Entry> entry = board.entry(name);
    if (entry.isEmpty()) {
      notFound(exchange, "There is no sync named '" + name + "' in the config.");
      return;
    }
    boolean full = "true".equals(form.get("full"));
    if (full && entry.get().diff() != Diff.Strategy.SNAPSHOT) {
      send(
          exchange,
          400,
          HTML,
          errorPage(
              "Bad request",
              "Run --full is for a sync with diff: snapshot; '"
                  + name
                  + "' compares with its table."),
          Map.of());
      return;
    }
    RunTrigger.Answer answer =
        trigger.runNow(name, full ? RunOptions.fullCompare() : RunOptions.DEFAULT, "run now");
    String back = "/syncs/" + Html.pathSegment(name);
    switch (answer) {
      case STARTED -> redirect(exchange, back + "?answer=" + (full ? "started-full" : "started"));
      case ALREADY_RUNNING -> redirect(exchange, back + "?answer=already-running");
      case UNKNOWN_SYNC -> notFound(exchange, "There is no sync named '" + name + "' any more.");
      case STOPPING ->
          send(
              exchange,
              503,
              HTML,
              errorPage("Stopping", "The service is stopping and takes no new runs."),
              Map.of());
    }
  }

  private void signInForm(HttpExchange exchange, int status, Optional<String> problem)
      throws IOException {
    if (token.isEmpty()) {
      forbidden(exchange, "Actions are off: " + Viewer.ACTIONS_OFF + ".");
      return;
    }
    String next = query(exchange).map(q -> q.get("next")).map(StatusServer::localPath).orElse("/");
    String body =
        "<h1>Sign in</h1>"
            + problem.map(p -> "<p class=\"notice\">" + Html.escape(p) + "</p>").orElse("")
            + "<form class=\"panel\" method=\"post\" action=\"/signin\">"
            + "<input type=\"hidden\" name=\"next\" value=\""
            + Html.escape(next)
            + "\"><p><label>Token (serve.token)<br><input type=\"password\" name=\"token\""
            + " autocomplete=\"current-password\" required autofocus></label></p>"
            + "<button type=\"submit\" class=\"primary\">Sign in</button></form>";
    send(exchange, status, HTML, Html.page("Sign in", Optional.empty(), "", body), Map.of());
  }

  private void signIn(HttpExchange exchange) throws IOException {
    Optional<String> crossSite = crossSite(exchange.getRequestHeaders());
    if (crossSite.isPresent()) {
      forbidden(exchange, "Refused a request from another site: " + crossSite.get() + ".");
      return;
    }
    if (token.isEmpty()) {
      forbidden(exchange, "Actions are off: " + Viewer.ACTIONS_OFF + ".");
      return;
    }
    Map<String, String> form = form(exchange);
    String given = form.getOrDefault("token", "");
    if (!Sessions.sameSecret(given, token.get())) {
      forbidden(exchange, "Wrong token. Give the value of serve.token.");
      return;
    }
    String id = sessions.open();
    redirect(
        exchange,
        localPath(form.getOrDefault("next", "/")),
        Map.of("Set-Cookie", SESSION_COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict"));
  }

  private void signOut(HttpExchange exchange) throws IOException {
    Optional<String> crossSite = crossSite(exchange.getRequestHeaders());
    if (crossSite.isPresent()) {
      forbidden(exchange, "Refused a request from another site: " + crossSite.get() + ".");
      return;
    }
    Map<String, String> form = form(exchange);
    Optional<String> id = cookie(exchange);
    Optional<Sessions.Session> session = id.flatMap(sessions::find);
    if (session.isPresent()
        && Sessions.sameValue(form.getOrDefault("csrf", ""), session.get().csrf())) {
      sessions.close(id.get());
    }
    redirect(
        exchange,
        "/",
        Map.of("Set-Cookie", SESSION_COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"));
  }

  /** Why a POST looks like it comes from another site, if it does. */
  static Optional<String> crossSite(Headers headers) {
    String site = headers.getFirst("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return Optional.of("Sec-Fetch-Site is " + site);
    }
    String origin = headers.getFirst("Origin");
    if (origin != null) {
      String hostHeader = headers.getFirst("Host");
      if (hostHeader == null
          || !(origin.equalsIgnoreCase("http://" + hostHeader)
              || origin.equalsIgnoreCase("https://" + hostHeader))) {
        return Optional.of("its Origin " + origin + " is not this server (" + hostHeader + ")");
      }
    }
    return Optional.empty();
  }

  private Viewer viewer(HttpExchange exchange) {
    if (token.isEmpty()) {
      return Viewer.NO_TOKEN;
    }
    return session(exchange).map(s -> Viewer.signedIn(s.csrf())).orElse(Viewer.SIGNED_OUT);
  }

  private Optional<Sessions.Session> session(HttpExchange exchange) {
    return cookie(exchange).flatMap(sessions::find);
  }

  private static Optional<String> cookie(HttpExchange exchange) {
    List<String> headers = exchange.getRequestHeaders().get("Cookie");
    if (headers == null) {
      return Optional.empty();
    }
    for (String header : headers) {
      for (String part : header.split(";")) {
        String pair = part.strip();
        if (pair.startsWith(SESSION_COOKIE + "=")) {
          return Optional.of(pair.substring(SESSION_COOKIE.length() + 1));
        }
      }
    }
    return Optional.empty();
  }

  private static Map<String, String> form(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_FORM_BYTES);
      return parse(new String(body, StandardCharsets.UTF_8));
    }
  }

  private static Optional<Map<String, String>> query(HttpExchange exchange) {
    return Optional.ofNullable(exchange.getRequestURI().getRawQuery()).map(StatusServer::parse);
  }

  private static Map<String, String> parse(String encoded) {
    Map<String, String> values = new HashMap<>();
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String key = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      try {
        values.putIfAbsent(
            URLDecoder.decode(key, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        // A malformed pair is left out, as if it were not sent.
      }
    }
    return values;
  }

  /** A path segment with its percent-escapes decoded ({@code +} stays a plus in a path). */
  private static String decode(String segment) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  /** The path if it is one of this server's, else {@code /}: a redirect never leaves the site. */
  private static String localPath(String next) {
    return next.startsWith("/") && !next.startsWith("//") && !next.contains("\\") ? next : "/";
  }

  private static boolean allowed(HttpExchange exchange, String method, String allow)
      throws IOException {
    for (String one : allow.split(", ")) {
      if (one.equals(method)) {
        return true;
      }
    }
    send(
        exchange,
        405,
        HTML,
        errorPage("Method not allowed", method + " is not allowed here; use " + allow + "."),
        Map.of("Allow", allow));
    return false;
  }

  private void forbidden(HttpExchange exchange, String why) throws IOException {
    send(exchange, 403, HTML, errorPage("Forbidden", why), Map.of());
  }

  private void notFound(HttpExchange exchange, String why) throws IOException {
    send(exchange, 404, HTML, errorPage("Not found", why), Map.of());
  }

  private static String errorPage(String title, String why) {
    return Html.page(
        title,
        Optional.empty(),
        "",
        "<h1>"
            + Html.escape(title)
            + "</h1><p class=\"notice why\">"
            + Html.escape(why)
            + "</p><p><a href=\"/\">All syncs</a></p>");
  }

  private static void redirect(HttpExchange exchange, String location) throws IOException {
    redirect(exchange, location, Map.of());
  }

  private static void redirect(HttpExchange exchange, String location, Map<String, String> headers)
      throws IOException {
    Map<String, String> all = new HashMap<>(headers);
    all.put("Location", location);
    send(exchange, 303, TEXT, "See " + location + "\n", all);
  }

  private static void send(
      HttpExchange exchange, int status, String type, String body, Map<String, String> headers)
      throws IOException {
    send(exchange, status, type, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  private static void send(
      HttpExchange exchange, int status, String type, byte[] body, Map<String, String> headers)
      throws IOException {
    Headers response = exchange.getResponseHeaders();
    response.set("Content-Type", type);
    response.set("Cache-Control", "no-store");
    response.set("X-Content-Type-Options", "nosniff");
    // Not no-referrer: with it, a browser sends "Origin: null" on the page's own forms, which the
    // cross-site check must refuse.
    response.set("Referrer-Policy", "same-origin");
    response.set("Content-Security-Policy", SECURITY_POLICY);
    headers.forEach(response::set);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
