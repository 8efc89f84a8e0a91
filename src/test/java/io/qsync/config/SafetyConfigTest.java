package io.qsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The throttle, retries, TLS, timeouts and password_file keys of the config. */
class SafetyConfigTest {
  private static final String SECRET = "s3cret-never-shown";

  @TempDir Path folder;

  @Test
  void defaultsProtectABusyPrimary() {
    SyncConfig sync = parse(config("", "")).sync("s").orElseThrow();

    assertThat(sync.throttle()).isEqualTo(ThrottleConfig.DEFAULT);
    assertThat(sync.throttle().maxThreadsRunning()).isEqualTo(50);
    assertThat(sync.throttle().batchTime()).isEqualTo(Duration.ofMillis(500));
    assertThat(sync.throttle().minBatchSize(sync.batchSize())).isEqualTo(10);
    assertThat(sync.throttle().maxBatchSize(sync.batchSize()))
        .as("batch_time governs up to 10 x batch_size")
        .isEqualTo(10_000);
    assertThat(sync.throttle().maxBatchSize(5_000))
        .as("at most 10000 unless set")
        .isEqualTo(10_000);
    assertThat(sync.throttle().maxBatchSize(50_000)).as("never below batch_size").isEqualTo(50_000);
    assertThat(sync.throttle().probeInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(sync.retries()).isEqualTo(RetryConfig.DEFAULT);
    assertThat(sync.retries().maxTime())
        .as("a restart or failover is ridden out")
        .isEqualTo(Duration.ofMinutes(1));
    MySqlConnectionConfig app = (MySqlConnectionConfig) parse(config("", "")).connection("app");
    assertThat(app.tls()).isEqualTo(TlsConfig.DISABLED);
    assertThat(app.timeouts()).isEqualTo(MySqlTimeouts.DEFAULT);
  }

  @Test
  void aSyncsThrottleOverridesTheTopLevelKeyByKey() throws Exception {
    Files.createDirectories(folder.resolve("ops"));
    QsyncConfig config =
        parse(
            """
            throttle: { max_threads_running: 20, max_rows_per_second: 5000, pause_file: ops/pause }
            retries: { max_attempts: 3 }
            """
                + config(
                    """
                        throttle:
                          max_threads_running: 30
                          critical_threads_running: 60
                          batch_time: 250ms
                          min_batch_size: 100
                          max_batch_size: 20000
                          replicas: [replica]
                          max_replica_lag: 2s
                          critical_replica_lag: 1m
                          max_pause: 5m
                          probe_interval: 2s
                          max_probe_latency_ms: 0.8
                          idle_below: 50
                        retries: { max_backoff: 5s }
                    """,
                    "  replica: { type: mysql, url: \"jdbc:mariadb://replica:3306/app\", user: r }\n"));

    ThrottleConfig throttle = config.sync("s").orElseThrow().throttle();
    assertThat(throttle)
        .isEqualTo(
            ThrottleConfig.builder()
                .maxRowsPerSecond(5000)
                .batchTime(Duration.ofMillis(250))
                .minBatchSize(100)
                .maxBatchSize(20000)
                .maxThreadsRunning(30)
                .criticalThreadsRunning(60)
                .replicas(List.of("replica"))
                .maxReplicaLag(Duration.ofSeconds(2))
                .criticalReplicaLag(Duration.ofMinutes(1))
                .pauseFile(Optional.of(folder.resolve("ops/pause")))
                .maxPause(Duration.ofMinutes(5))
                .probeInterval(Duration.ofSeconds(2))
                .maxProbeLatency(Duration.ofNanos(800_000))
                .idleBelow(50)
                .build());
    assertThat(config.sync("s").orElseThrow().retries())
        .isEqualTo(new RetryConfig(3, Duration.ofSeconds(5)));
  }

  @Test
  void retriesLastAsLongAsMaxTimeSays() {
    QsyncConfig config =
        parse("retries: { max_time: 5m }\n" + config("    retries: { max_attempts: 20 }\n", ""));

    assertThat(config.sync("s").orElseThrow().retries())
        .isEqualTo(new RetryConfig(20, Duration.ofSeconds(30), Duration.ofMinutes(5)));
  }

  @Test
  void maxTimeIsCheckedAtLoad() {
    assertThat(problems(config("    retries: { max_time: 2h }\n", "")))
        .singleElement()
        .asString()
        .contains("syncs.s.retries.max_time: expected at most 1h")
        .contains("got 7200s");
    assertThat(problems(config("    retries: { max_time: soon }\n", "")))
        .singleElement()
        .asString()
        .contains("syncs.s.retries.max_time");
  }

  @Test
  void inconsistentThrottleSettingsAreReportedTogether() {
    List<String> problems =
        problems(
            config(
                """
                    throttle:
                      max_threads_running: 50
                      critical_threads_running: 40
                      max_replica_lag: 10s
                      critical_replica_lag: 5s
                      replicas: [warehouse, replika]
                      min_batch_size: 10
                    retries: { max_attempts: 0 }
                """,
                ""));

    assertThat(problems)
        .anyMatch(
            p -> p.contains("critical_threads_running 40 must be above max_threads_running 50"))
        .anyMatch(p -> p.contains("critical_replica_lag must be longer than max_replica_lag"))
        .anyMatch(p -> p.contains("replica 'warehouse' is not a mysql connection"))
        .anyMatch(p -> p.contains("replica 'replika' is not a mysql connection"))
        .anyMatch(p -> p.contains("max_attempts: expected a whole number from 1 to 100"));
  }

  @Test
  void batchSizeMustLieWithinTheThrottlesBounds() {
    assertThat(problems(config("    batch_size: 5\n    throttle: { min_batch_size: 10 }\n", "")))
        .singleElement()
        .asString()
        .contains(
            "syncs.s.batch_size: batch_size 5 must lie within min_batch_size 10 and"
                + " max_batch_size 5");
    assertThat(
            parse(config("    batch_size: 5\n", ""))
                .sync("s")
                .orElseThrow()
                .throttle()
                .minBatchSize(5))
        .as("the default minimum follows a small batch_size down")
        .isEqualTo(5);
  }

  @Test
  void passwordFileIsReadOnceWithoutItsLineBreakAndNeverQuoted() throws Exception {
    Files.writeString(folder.resolve("db.password"), SECRET + "\n");

    MySqlConnectionConfig app =
        (MySqlConnectionConfig)
            parse(config("", "", "password_file: db.password")).connection("app");

    assertThat(app.password().reveal()).isEqualTo(SECRET);
    assertThat(app.toString()).doesNotContain(SECRET);
  }

  @Test
  void anUnreadablePasswordFileIsAClearProblem() {
    List<String> problems = problems(config("", "", "password_file: missing.password"));

    assertThat(problems)
        .singleElement()
        .asString()
        .contains("connections.app.password_file: cannot read password_file")
        .contains("missing.password: no such file");
  }

  @Test
  void passwordAndPasswordFileTogetherAreRefused() throws Exception {
    Files.writeString(folder.resolve("db.password"), SECRET);

    List<String> problems = problems(config("", "", "password: x", "password_file: db.password"));

    assertThat(problems)
        .singleElement()
        .asString()
        .contains("both password and password_file are set");
    assertThat(String.join("\n", problems)).doesNotContain(SECRET);
  }

  @Test
  void tlsDefaultsToVerifyFullWhenACaFileIsGiven() throws Exception {
    Files.writeString(folder.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");

    MySqlConnectionConfig verified =
        (MySqlConnectionConfig) parse(config("", "", "ca_file: ca.pem")).connection("app");
    MySqlConnectionConfig required =
        (MySqlConnectionConfig) parse(config("", "", "tls: required")).connection("app");

    assertThat(verified.tls())
        .isEqualTo(
            new TlsConfig(TlsConfig.Mode.VERIFY_FULL, Optional.of(folder.resolve("ca.pem"))));
    assertThat(required.tls()).isEqualTo(new TlsConfig(TlsConfig.Mode.REQUIRED, Optional.empty()));
  }

  @Test
  void tlsProblemsSayWhatWouldBeValid() {
    assertThat(problems(config("", "", "tls: verify-ful")))
        .singleElement()
        .asString()
        .contains(
            "expected disabled, required, verify-ca or verify-full, got \"verify-ful\" (did you mean 'verify-full'?)");
    assertThat(problems(config("", "", "ca_file: nowhere.pem")))
        .singleElement()
        .asString()
        .contains("nowhere.pem: no such file");
  }

  @Test
  void timeoutsAreDurations() {
    MySqlConnectionConfig app =
        (MySqlConnectionConfig)
            parse(
                    config(
                        "",
                        "",
                        "connect_timeout: 3s",
                        "statement_timeout: 0",
                        "lock_wait_timeout: 2s"))
                .connection("app");

    assertThat(app.timeouts())
        .isEqualTo(new MySqlTimeouts(Duration.ofSeconds(3), Duration.ZERO, Duration.ofSeconds(2)));
    assertThat(problems(config("", "", "lock_wait_timeout: 500ms")))
        .singleElement()
        .asString()
        .contains("expected whole seconds, 1s or more");
  }

  /** A config with sync 's' (plus {@code syncLines}), extra connections, and app's extra keys. */
  private static String config(String syncLines, String connections, String... appKeys) {
    StringBuilder app =
        new StringBuilder(
            "  app:\n    type: mysql\n    url: \"jdbc:mariadb://db:3306/app\"\n    user: qsync\n");
    for (String key : appKeys) {
      app.append("    ").append(key).append('\n');
    }
    return "connections:\n  warehouse: { type: duckdb }\n"
        + app
        + connections
        + "syncs:\n  s:\n    source: warehouse\n    query: SELECT 1 AS id\n    target: app\n"
        + "    table: t\n    key: [id]\n"
        + syncLines;
  }

  private QsyncConfig parse(String yaml) {
    return ConfigLoader.parse(folder.resolve("qsync.yaml"), yaml, Map.of());
  }

  private List<String> problems(String yaml) {
    ConfigException error = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
    assertThat(error).as("the config should have been rejected").isNotNull();
    return error.problems().stream().map(ConfigProblem::toString).toList();
  }
}
