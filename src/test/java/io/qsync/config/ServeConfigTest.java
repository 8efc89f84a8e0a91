package io.qsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The keys of {@code qsync serve}: {@code serve:}, {@code alerts:} and a sync's schedule. */
class ServeConfigTest {
  private static final String HOOK = "https://hooks.example.com/services/T0/B0/secret-part";
  private static final String TOKEN = "0123456789abcdef-token";
  private static final Map<String, String> ENVIRONMENT =
      Map.of("HOOK", HOOK, "QSYNC_TOKEN", TOKEN, "SHORT", "abc");

  /** Lines 1-3. */
  private static final String CONNECTIONS =
      """
      connections:
        warehouse: {type: duckdb}
        app: {type: mysql, url: "jdbc:mariadb://127.0.0.1:3306/app", user: qsync}
      """;

  /** Lines 4-10; {@link #syncWith} adds keys from line 11, at column 5. */
  private static final String SYNC =
      """
      syncs:
        s:
          source: warehouse
          query: SELECT 1 AS id
          target: app
          table: t
          key: [id]
      """;

  @Test
  void aConfigWithoutServeKeysGetsTheDefaults() {
    QsyncConfig config = parse(CONNECTIONS + SYNC);

    assertThat(config.serve()).isEqualTo(ServeConfig.DEFAULT);
    assertThat(config.serve().host()).isEqualTo("127.0.0.1");
    assertThat(config.serve().port()).isEqualTo(8080);
    assertThat(config.serve().maxConcurrentRuns()).isEqualTo(2);
    assertThat(config.sync("s").orElseThrow().service()).isEqualTo(SyncService.NONE);
  }

  @Test
  void readsTheServeBlockAndTheSyncsScheduleKeys() {
    QsyncConfig config =
        parse(
            """
            serve: {listen: "0.0.0.0:9090", max_concurrent_runs: 4, token: "${QSYNC_TOKEN}"}
            alerts: {on_failure: "${HOOK}", on_stale: "http://alerts.internal/stale"}
            """
                + CONNECTIONS
                + syncWith(
                    "schedule: \"0 3 * * MON-FRI\"",
                    "jitter: 5m",
                    "max_staleness: 26h",
                    "alerts: {on_stale: \"https://other.example.com/hook\"}"));

    assertThat(config.serve().host()).isEqualTo("0.0.0.0");
    assertThat(config.serve().port()).isEqualTo(9090);
    assertThat(config.serve().maxConcurrentRuns()).isEqualTo(4);
    assertThat(config.serve().token()).contains(new Secret(TOKEN));
    SyncService service = config.sync("s").orElseThrow().service();
    assertThat(service.schedule().orElseThrow().describe()).isEqualTo("0 3 * * MON-FRI (UTC)");
    assertThat(service.jitter()).isEqualTo(Duration.ofMinutes(5));
    assertThat(service.maxStaleness()).contains(Duration.ofHours(26));
    assertThat(service.alerts().onFailure())
        .as("the top level's, not overridden")
        .contains(new Secret(HOOK));
    assertThat(service.alerts().onStale()).contains(new Secret("https://other.example.com/hook"));
    assertThat(service.alerts().toString()).doesNotContain("hooks.example.com", "other.example");
  }

  @Test
  void everyIsAnIntervalSchedule() {
    SyncService service =
        parse(CONNECTIONS + syncWith("every: 15m")).sync("s").orElseThrow().service();

    assertThat(service.schedule()).contains(new EverySchedule(Duration.ofMinutes(15)));
    assertThat(service.schedule().orElseThrow().describe()).isEqualTo("every 15m");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "127.0.0.1:8080 | 127.0.0.1 | 8080",
        "\"[::1]:8080\" | ::1       | 8080",
        "localhost:0    | localhost | 0",
      })
  void listenTakesAHostAndAPort(String listen, String host, int port) {
    ServeConfig serve = parse("serve: {listen: " + listen + "}\n" + CONNECTIONS + SYNC).serve();

    assertThat(serve.host()).isEqualTo(host);
    assertThat(serve.port()).isEqualTo(port);
  }

  @Test
  void anEmptyTokenTurnsTheActionsOff() {
    assertThat(parse("serve: {token: \"\"}\n" + CONNECTIONS + SYNC).serve().token()).isEmpty();
    assertThat(parse("serve: {token: \"${NONE:-}\"}\n" + CONNECTIONS + SYNC).serve().token())
        .isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "schedule: \"0 3 * *\" | syncs.s.schedule | expected a cron expression of 5 fields,"
            + " minute hour day-of-month month day-of-week (UTC), like \"0 3 * * *\", or @hourly,"
            + " @daily, @weekly, @monthly, @yearly, got \"0 3 * *\": 4 fields where cron has 5:"
            + " minute hour day-of-month month day-of-week",
        "schedule: \"0 0 30 2 *\" | syncs.s.schedule | it never fires",
        "schedule: \"0 25 * * *\" | syncs.s.schedule | hour 25 is out of range; it goes from 0"
            + " to 23",
        "every: 500ms | syncs.s.every | expected a duration of 1s or more, like 15m, 1h or 30s,"
            + " got 500ms",
        "every: often | syncs.s.every | expected a duration of 1s or more, like 15m, 1h or 30s,"
            + " got \"often\"",
        "max_staleness: 0 | syncs.s.max_staleness | expected a duration of 1s or more, like 2h,"
            + " got 0s",
        "jitter: soon | syncs.s.jitter | expected a duration like 30s, 2m or 500ms (a bare number"
            + " means seconds) (0: none), got \"soon\"",
        "jitter: 1m | syncs.s.jitter | jitter delays scheduled runs, and the sync has no"
            + " schedule; add schedule or every, or remove jitter",
        "alerts: {on_failure: \"ftp://example.com/x\"} | syncs.s.alerts.on_failure | expected an"
            + " http or https URL, like https://hooks.slack.com/services/... (use ${VAR} for a"
            + " secret one), got a ftp: URL (not shown)",
        "alerts: {on_failur: \"https://example.com\"} | syncs.s.alerts.on_failur | unknown key"
            + " 'on_failur' (did you mean 'on_failure'?); valid keys: on_failure, on_stale",
      })
  void aWrongSyncValueSaysWhatIsExpectedAtItsLine(String line, String path, String message) {
    ConfigProblem problem = onlyProblem(CONNECTIONS + syncWith(line));

    assertThat(problem.line()).isEqualTo(11);
    assertThat(problem.keyPath()).isEqualTo(path);
    assertThat(problem.message()).contains(message);
  }

  @Test
  void scheduleAndEveryAreExclusive() {
    ConfigProblem problem =
        onlyProblem(CONNECTIONS + syncWith("schedule: \"@daily\"", "every: 1h"));

    assertThat(problem.line()).isEqualTo(12);
    assertThat(problem.column()).isEqualTo(12);
    assertThat(problem.keyPath()).isEqualTo("syncs.s.every");
    assertThat(problem.message())
        .isEqualTo("give schedule (cron) or every (an interval), not both; remove one of them");
  }

  @Test
  void jitterMustBeLessThanTheInterval() {
    assertThat(onlyProblem(CONNECTIONS + syncWith("every: 10m", "jitter: 10m")).message())
        .isEqualTo(
            "expected a jitter less than the schedule's interval, 10m, got 10m; a jitter that"
                + " long would let runs overtake each other");
    assertThat(
            onlyProblem(CONNECTIONS + syncWith("schedule: \"0 9,10 * * *\"", "jitter: 2h"))
                .message())
        .startsWith("expected a jitter less than the schedule's shortest interval, 1h, got 2h");
    assertThat(parse(CONNECTIONS + syncWith("every: 10m", "jitter: 9m")).sync("s"))
        .map(sync -> sync.service().jitter())
        .contains(Duration.ofMinutes(9));
  }

  @Test
  void aShortTokenIsRefusedWithoutShowingIt() {
    ConfigProblem problem = onlyProblem("serve:\n  token: \"${SHORT}\"\n" + CONNECTIONS + SYNC);

    assertThat(problem.line()).isEqualTo(2);
    assertThat(problem.column()).isEqualTo(10);
    assertThat(problem.keyPath()).isEqualTo("serve.token");
    assertThat(problem.message())
        .isEqualTo(
            "expected a token of at least 16 characters, like ${QSYNC_TOKEN}, got one of 3 (not"
                + " shown): a short token is guessed; make one with `openssl rand -hex 16`, or"
                + " leave token out to turn the page's actions off")
        .doesNotContain("abc");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "listen: 8080 | serve.listen | expected host:port, like 127.0.0.1:8080, 0.0.0.0:8080 or"
            + " [::1]:8080 (port 0: any free port), got \"8080\"",
        "listen: 'localhost:70000' | serve.listen | expected a port from 0 to 65535, got"
            + " \"70000\"",
        "listen: '::1:8080' | serve.listen | expected host:port",
        "max_concurrent_runs: 0 | serve.max_concurrent_runs | expected a whole number from 1 to"
            + " 64, got \"0\"",
        "max_concurrent_runs: two | serve.max_concurrent_runs | expected a whole number from 1"
            + " to 64, got \"two\"",
        "port: 80 | serve.port | unknown key 'port'; valid keys: listen, max_concurrent_runs,"
            + " token",
      })
  void aWrongServeValueSaysWhatIsExpectedAtItsLine(String line, String path, String message) {
    ConfigProblem problem = onlyProblem("serve:\n  " + line + "\n" + CONNECTIONS + SYNC);

    assertThat(problem.line()).isEqualTo(2);
    assertThat(problem.keyPath()).isEqualTo(path);
    assertThat(problem.message()).contains(message);
  }

  @Test
  void aTopLevelAlertUrlThatIsNoUrlIsRefusedWithoutShowingIt() {
    ConfigProblem problem =
        onlyProblem(
            "alerts:\n  on_failure: \"hooks.example.com/${QSYNC_TOKEN}\"\n" + CONNECTIONS + SYNC);

    assertThat(problem.line()).isEqualTo(2);
    assertThat(problem.keyPath()).isEqualTo("alerts.on_failure");
    assertThat(problem.message())
        .endsWith("got a value without http:// or https:// (not shown)")
        .doesNotContain(TOKEN);
  }

  private static String syncWith(String... lines) {
    StringBuilder sync = new StringBuilder(SYNC);
    for (String line : lines) {
      sync.append("    ").append(line).append('\n');
    }
    return sync.toString();
  }

  private static QsyncConfig parse(String yaml) {
    return ConfigLoader.parse(Path.of("qsync.yaml"), yaml, ENVIRONMENT);
  }

  private static ConfigProblem onlyProblem(String yaml) {
    ConfigException exception = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
    assertThat(exception).as("the config should have been rejected").isNotNull();
    List<ConfigProblem> problems = exception.problems();
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }
}
