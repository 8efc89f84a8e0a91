package io.qsync.serve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.qsync.QsyncException;
import io.qsync.cli.Main;
import io.qsync.config.ConfigLoader;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import io.qsync.testing.ChildProcess;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * (never Selenium Manager, which would download one), over the real {@code qsync serve} in a JVM of
 * its own, showing real runs against the real MariaDB; "Run now" makes serve's scheduler run the
 * sync. Saves screenshots to {@code <build dir>/screenshots/} (docs/images holds copies).
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
    Path config = dir.resolve("qsync.yaml");
    Files.writeString(config, yaml(database, warehouse));
    Qsync qsync =
        new Qsync(
            ConfigLoader.load(config, Map.of()),
            Clock.systemUTC(),
            Progress.silent(),
            FaultPoint.NONE);

    // A few real runs before serve starts (it reads them from the history): orders changes
    // between its runs and waits for its row rate; customers fails on a duplicate key.
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

    // The real qsync serve, in a JVM of its own, on a free port it names in its log.
    try (ChildProcess serve =
        ChildProcess.start(dir, "serve", Main.class, "serve", "-c", config.toString())) {
      String base = "http://127.0.0.1:" + port(serve);
      assertThat(get(base + "/healthz")).isEqualTo("200 ok");
      assertThat(get(base + "/readyz")).startsWith("200");
      assertThat(get(base + "/metrics"))
          .as("the metrics of the runs serve read from the history")
          .contains("qsync_last_success_timestamp_seconds{sync=\"orders\"}")
          .contains("qsync_last_run_failed{sync=\"customers\"} 1");
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(CHROMEDRIVER.toFile())
              .usingAnyFreePort()
              .build();
      ChromeDriver driver = new ChromeDriver(service, options());
      try {
        drive(driver, base, warehouse);
      } finally {
        driver.quit();
      }
      assertThat(get(base + "/metrics"))
          .as("the run serve ran on request is counted")
          .containsPattern(
              "qsync_runs_total\\{[^}]*outcome=\"succeeded\"[^}]*sync=\"orders\"[^}]*\\} 1");
      assertThat(serve.signal("TERM", DEADLINE)).as(serve.output()).isEqualTo(143);
    }
  }

  /** The port serve took, from the line of its log that names the page's address. */
  private static int port(ChildProcess serve) throws InterruptedException {
    Pattern address = Pattern.compile("at http://127\\.0\\.0\\.1:(\\d+)/");
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      Matcher found = address.matcher(serve.output());
      if (found.find()) {
        return Integer.parseInt(found.group(1));
      }
      assertThat(serve.isAlive()).as("serve ended before it listened\n%s", serve.output()).isTrue();
      assertThat(System.nanoTime())
          .as("serve listening within %s\n%s", DEADLINE, serve.output())
          .isLessThan(deadline);
      Thread.sleep(100); // another process's progress can only be polled
    }
  }

  /** The status and body of a GET, as "200 body". */
  private static String get(String url) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create(url)).build(), BodyHandlers.ofString());
    return response.statusCode() + " " + response.body().strip();
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

  /**
   * orders waits for a row rate (so its throttled chart has something to show), customers has a
   * duplicate key, events never runs; none has a schedule: serve runs them only when asked.
   */
  private static String yaml(TestDatabase database, Warehouse warehouse) {
    return "serve: {listen: \"127.0.0.1:0\", token: "
        + TOKEN
        + "}\n"
        + "connections:\n"
        + "  warehouse: {type: duckdb, path: \""
        + warehouse.file()
        + "\"}\n"
        + "  app: {type: mysql, url: \""
        + database.url()
        + "\", user: root}\n"
        + "syncs:\n"
        + sync("orders", "order_id", "    throttle: {max_rows_per_second: 400}\n")
        + sync("customers", "customer_id", "")
        + "  events:\n"
        + "    {source: warehouse, query: SELECT 1 AS event_id, target: app, table: events,"
        + " key: [event_id], create_table: true, max_staleness: 1h}\n";
  }

  private static String sync(String table, String key, String more) {
    return "  "
        + table
        + ":\n"
        + "    source: warehouse\n"
        + "    query: SELECT * FROM "
        + table
        + "\n"
        + "    target: app\n"
        + "    table: "
        + table
        + "\n"
        + "    key: ["
        + key
        + "]\n"
        + "    create_table: true\n"
        + "    batch_size: 50\n"
        + "    max_staleness: 1h\n"
        + more;
  }
}
