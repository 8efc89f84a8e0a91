package io.qsync.serve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.qsync.QsyncException;
import io.qsync.config.ConnectionConfig;
import io.qsync.config.Mode;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.QsyncConfig;
import io.qsync.config.Secret;
import io.qsync.config.SyncConfig;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunOptions;
import io.qsync.serve.MetricsExposition;
import io.qsync.serve.RunTrigger;
import io.qsync.serve.RunView;
import io.qsync.serve.SyncBoard;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real browser: Debian's headless chromium, driven through its chromedriver
 * (never Selenium Manager, which would download one), over a server showing real runs against the
 * real MariaDB. Saves screenshots to {@code <build dir>/screenshots/}.
 */
@ExtendWith(MariaDbExtension.class)
class StatusPageBrowserIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String TOKEN = "browser-test-token";
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void showsTheSyncsChartsTheRunsAndRunsASyncOnRequest(TestDatabase database) throws Exception {
    requireBrowser();
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(
        "CREATE TABLE orders (order_id BIGINT, customer VARCHAR, amount DECIMAL(10,2))",
        "INSERT INTO orders SELECT i, 'customer ' || (i % 7), i * 1.5 FROM range(1, 201) t(i)",
        "CREATE TABLE customers (customer_id VARCHAR, name VARCHAR)",
        "INSERT INTO customers VALUES ('c1', 'Ada'), ('c2', 'Grace'), ('c2', 'Grace again')");
    Qsync qsync =
        new Qsync(
            config(database, warehouse), Clock.systemUTC(), Progress.silent(), FaultPoint.NONE);
    SyncBoard board = new SyncBoard();
    board.reset(
        qsync.config().syncs().values().stream()
            .map(
                sync ->
                    SyncBoard.Entry.of(
                            sync.name(),
                            sync.table(),
                            sync.target(),
                            Optional.empty(),
                            Optional.of(Duration.ofHours(1)))
                        .withDiff(sync.diff().strategy()))
            .toList());

    // A few real runs: orders changes between its runs; customers fails on a duplicate key.
    qsync.run("orders");
    warehouse.execute(
        "UPDATE orders SET amount = amount + 1 WHERE order_id <= 40",
        "INSERT INTO orders SELECT i, 'customer new', 2.5 FROM range(201, 261) t(i)");
    qsync.run("orders");
    warehouse.execute(
        "DELETE FROM orders WHERE order_id > 230",
        "UPDATE orders SET customer = 'x' WHERE order_id <= 5");
    qsync.run("orders");
    try {
      qsync.run("customers");
      fail("customers has a duplicate key and must fail");
    } catch (QsyncException expected) {
      // The run is recorded as failed, with its error.
    }
    for (String sync : qsync.config().syncs().keySet()) {
      refresh(board, qsync, sync);
    }

    ExecutorService runs =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "test-run-now");
              thread.setDaemon(true);
              return thread;
            });
    StatusServer server =
        new StatusServer(
            "127.0.0.1",
            0,
            Optional.of(new Secret(TOKEN)),
            board,
            new ThreadedTrigger(qsync, board, runs),
            (sync, limit) ->
                qsync.history(sync, limit).stream().map(run -> new RunView(run, Map.of())).toList(),
            new NoMetrics(),
            List::of,
            Clock.systemUTC());
    server.start();
    try {
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(CHROMEDRIVER.toFile())
              .usingAnyFreePort()
              .build();
      ChromeDriver driver = new ChromeDriver(service, options());
      try {
        drive(driver, "http://127.0.0.1:" + server.port(), warehouse);
      } finally {
        driver.quit();
      }
    } finally {
      server.stop(Duration.ofSeconds(2));
      runs.shutdown();
      runs.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private void drive(ChromeDriver driver, String base, Warehouse warehouse) throws Exception {
    Path shots = buildDir().resolve("screenshots");
    Files.createDirectories(shots);
    WebDriverWait wait = new WebDriverWait(driver, DEADLINE);
    wait.ignoring(StaleElementReferenceException.class);
    wait.withMessage(
        () ->
            "the page at "
                + driver.getCurrentUrl()
                + " reads:\n"
                + driver.findElement(By.tagName("body")).getText());
    driver.manage().window().setSize(new Dimension(1280, 760));

    // The overview: every sync with its state.
    driver.get(base + "/");
    assertThat(states(driver))
        .containsExactly(
            Map.entry("orders", "succeeded"),
            Map.entry("customers", "failed"),
            Map.entry("events", "never"));
    assertThat(driver.findElement(By.cssSelector("tr.error-row pre.error")).getText())
        .contains("c2");
    assertThat(driver.findElement(By.cssSelector("tr[data-sync=orders]")).getText())
        .contains("fresh", "ago");
    save(driver, shots.resolve("status-page.png"));

    // One sync: its charts drew one point per run, oldest first.
    driver.findElement(By.linkText("orders")).click();
    wait.until(d -> d.getCurrentUrl().endsWith("/syncs/orders"));
    assertThat(driver.findElements(By.cssSelector("table.runs tr.run"))).hasSize(3);
    assertChartsDrew(driver, 3);
    assertThat(driver.findElement(By.cssSelector("button.primary")).isEnabled()).isFalse();
    driver.manage().window().setSize(new Dimension(1280, 1700));
    save(driver, shots.resolve("sync-page.png"));
    driver.manage().window().setSize(new Dimension(1280, 760));

    // Sign in with the token, press Run now, and see the new run appear.
    driver.findElement(By.linkText("sign in")).click();
    driver.findElement(By.name("token")).sendKeys(TOKEN);
    driver.findElement(By.cssSelector("form button[type=submit]")).click();
    wait.until(d -> d.getCurrentUrl().endsWith("/syncs/orders"));
    warehouse.execute("INSERT INTO orders VALUES (9001, 'from the page', 1.25)");
    wait.until(
        d -> {
          d.findElement(By.xpath("//button[normalize-space()='Run now']")).click();
          return true;
        });
    wait.until(d -> d.getCurrentUrl().contains("answer=started"));
    assertThat(driver.findElement(By.cssSelector("p.notice")).getText()).contains("Run queued");
    wait.until(
        d ->
            d.findElements(By.cssSelector("table.runs tr.run")).size() == 4
                && d.findElement(By.cssSelector("table.runs tr.run"))
                    .getDomAttribute("data-status")
                    .equals("succeeded"));
    WebElement newest = driver.findElement(By.cssSelector("table.runs tr.run"));
    assertThat(newest.findElements(By.tagName("td")).get(3).getText()).isEqualTo("1");
    assertChartsDrew(driver, 4);

    // The overview on a phone, in the dark: the table reflows into cards.
    driver.executeCdpCommand(
        "Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", 390, "height", 844, "deviceScaleFactor", 2, "mobile", true));
    driver.get(base + "/");
    assertThat(driver.findElement(By.tagName("body")).getCssValue("background-color"))
        .isEqualTo("rgba(13, 17, 23, 1)");
    assertThat(driver.findElement(By.cssSelector("table.syncs thead")).isDisplayed()).isFalse();
    assertThat(states(driver)).containsEntry("orders", "succeeded");
    save(driver, shots.resolve("status-page-phone-dark.png"));
  }

  private static void requireBrowser() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail(
          "The browser test needs Debian's chromium at "
              + CHROMIUM
              + " and its driver at "
              + CHROMEDRIVER
              + ", and one is missing.\nInstall them with scripts/ensure-browser (as root), or:"
              + " apt-get install chromium chromium-driver");
    }
  }

  private ChromeOptions options() throws Exception {
    // Never let Selenium Manager look for (and download) a driver or a browser: both are given.
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--no-first-run",
        "--hide-scrollbars",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
    return options;
  }

  private static Map<String, String> states(ChromeDriver driver) {
    Map<String, String> states = new LinkedHashMap<>();
    for (WebElement row : driver.findElements(By.cssSelector("table.syncs tr.sync"))) {
      states.put(
          row.getDomAttribute("data-sync"),
          row.findElement(By.cssSelector(".badge.state")).getText());
    }
    return states;
  }

  /** Every chart of the sync page drew one mark per run, left to right in the runs' time order. */
  private static void assertChartsDrew(ChromeDriver driver, int runs) {
    for (String chart : List.of("duration", "rows", "rate", "throttled")) {
      List<WebElement> marks =
          driver.findElements(By.cssSelector("svg[data-chart=" + chart + "] .mark"));
      assertThat(marks).as("marks of chart %s", chart).hasSize(runs);
      List<Instant> started = new ArrayList<>();
      List<Integer> lefts = new ArrayList<>();
      for (WebElement mark : marks) {
        started.add(Instant.parse(mark.getDomAttribute("data-started")));
        lefts.add(mark.getRect().getX());
      }
      assertThat(started).as("chart %s in time order", chart).isSorted();
      assertThat(lefts).as("chart %s left to right", chart).isSorted().doesNotHaveDuplicates();
    }
    assertThat(driver.findElement(By.cssSelector("svg[data-chart=duration]")).getText())
        .contains("duration (s)", "run start (UTC");
  }

  private static void save(ChromeDriver driver, Path file) throws Exception {
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    assertThat(Files.size(file)).isGreaterThan(10_000);
  }

  /** The build folder (wherever -Dbuild.dir put it): the parent of the test classes. */
  private static Path buildDir() throws Exception {
    return Path.of(
            StatusPageBrowserIT.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .getParent();
  }

  private QsyncConfig config(TestDatabase database, Warehouse warehouse) {
    Map<String, ConnectionConfig> connections =
        Map.of(
            "warehouse",
            warehouse.connection("warehouse"),
            "app",
            new MySqlConnectionConfig("app", database.url(), "root", new Secret(""), Map.of()));
    Map<String, SyncConfig> syncs = new LinkedHashMap<>();
    syncs.put("orders", sync("orders", "SELECT * FROM orders", "orders", "order_id"));
    syncs.put(
        "customers", sync("customers", "SELECT * FROM customers", "customers", "customer_id"));
    syncs.put("events", sync("events", "SELECT 1 AS event_id", "events", "event_id"));
    return new QsyncConfig(dir.resolve("qsync.yaml"), dir.resolve("stage"), connections, syncs);
  }

  private static SyncConfig sync(String name, String query, String table, String key) {
    return new SyncConfig(
        name,
        "warehouse",
        query,
        "app",
        table,
        List.of(key),
        Mode.MIRROR,
        true,
        50,
        Duration.ofSeconds(5));
  }

  /** Puts what the history says of a sync on the board: its newest run and its last success. */
  private static void refresh(SyncBoard board, Qsync qsync, String sync) {
    List<RunRecord> history = qsync.history(sync, 100);
    Optional<Instant> lastSuccess =
        history.stream()
            .filter(run -> run.status() == RunStatus.SUCCEEDED)
            .findFirst()
            .flatMap(RunRecord::finishedAt);
    board.update(
        sync,
        entry -> entry.withHistory(history.stream().findFirst(), lastSuccess, Optional.empty()));
  }

  /**
   * "Run now" until the scheduler is there: runs {@link Qsync#run} on one thread, marking the sync
   * running on the board meanwhile and refreshing its entry from the history after.
   */
  private static final class ThreadedTrigger implements RunTrigger {
    private final Qsync qsync;
    private final SyncBoard board;
    private final ExecutorService runs;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();

    ThreadedTrigger(Qsync qsync, SyncBoard board, ExecutorService runs) {
      this.qsync = qsync;
      this.board = board;
      this.runs = runs;
    }

    @Override
    public Answer runNow(String sync, RunOptions options, String trigger) {
      if (qsync.config().sync(sync).isEmpty()) {
        return Answer.UNKNOWN_SYNC;
      }
      if (!queued.add(sync)) {
        return Answer.ALREADY_RUNNING;
      }
      runs.execute(
          () -> {
            board.update(sync, entry -> entry.withRunningSince(Optional.of(Instant.now())));
            try {
              qsync.run(sync, options);
            } catch (QsyncException e) {
              // Recorded in the history, which the page shows.
            } finally {
              board.update(sync, entry -> entry.withRunningSince(Optional.empty()));
              refresh(board, qsync, sync);
              queued.remove(sync);
            }
          });
      return Answer.STARTED;
    }
  }

  /** The browser test does not look at /metrics. */
  private static final class NoMetrics implements MetricsExposition {
    @Override
    public String contentType(String accept) {
      return "text/plain; version=0.0.4; charset=utf-8";
    }

    @Override
    public void write(OutputStream out, String accept) throws java.io.IOException {
      out.write("# no metrics in this test\n".getBytes(StandardCharsets.UTF_8));
    }
  }
}
