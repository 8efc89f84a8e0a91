package io.qsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code type: bigquery} connection: its keys, defaults and errors. */
class BigQueryConfigTest {
  private static final Path FILE = Path.of("/etc/qsync/qsync.yaml");

  private static QsyncConfig parse(String yaml) {
    return ConfigLoader.parse(FILE, yaml, Map.of("BQ_PROJECT", "acme-analytics"));
  }

  private static String config(String connection, String query) {
    return "connections:\n"
        + "  warehouse:\n"
        + connection
        + "  app: {type: mysql, url: \"jdbc:mariadb://db:3306/app\", user: qsync}\n"
        + "syncs:\n"
        + "  targets:\n"
        + "    source: warehouse\n"
        + "    query: "
        + query
        + "\n"
        + "    target: app\n"
        + "    table: targets\n"
        + "    key: [user_id]\n";
  }

  /** The error loading a config with this connection and query gives. */
  private static ConfigException refused(String connection, String query) {
    return catchThrowableOfType(ConfigException.class, () -> parse(config(connection, query)));
  }

  /** A connection built from its project has the file's defaults for all the rest. */
  @Test
  void aConnectionBuiltWithTheRequiredPartsEqualsAMinimalConnectionOfTheFile() {
    QsyncConfig config =
        parse(config("    type: bigquery\n    project: acme-analytics\n", "SELECT 1 AS user_id"));

    assertThat(config.connection("warehouse"))
        .isEqualTo(BigQueryConnectionConfig.builder("warehouse", "acme-analytics").build());
  }

  @Test
  void readsEveryKeyAndDefaultsTheRest() {
    QsyncConfig config =
        parse(
            config(
                "    type: bigquery\n"
                    + "    project: ${BQ_PROJECT}\n"
                    + "    location: EU\n"
                    + "    credentials_file: keys/qsync.json\n"
                    + "    labels: {team: growth}\n"
                    + "    maximum_bytes_billed: 100000000000\n"
                    + "    staging_dataset: qsync_staging\n"
                    + "    staging_expiration: 48h\n"
                    + "    page_size: 5000\n"
                    + "    connect_timeout: 5s\n"
                    + "    read_timeout: 2m\n"
                    + "    retry_timeout: 30m\n"
                    + "    query_parameters:\n"
                    + "      min_age: 18\n"
                    + "      country: KR\n"
                    + "      since: {type: DATE, value: '2024-01-01'}\n",
                "SELECT user_id FROM `acme.app.users` WHERE age >= @min_age"));

    BigQueryConnectionConfig bigQuery = (BigQueryConnectionConfig) config.connection("warehouse");
    assertThat(bigQuery.project()).isEqualTo("acme-analytics");
    assertThat(bigQuery.location()).isEqualTo("EU");
    assertThat(bigQuery.credentials().file()).contains(Path.of("/etc/qsync/keys/qsync.json"));
    assertThat(bigQuery.labels()).containsEntry("team", "growth");
    assertThat(bigQuery.maximumBytesBilled()).hasValue(100_000_000_000L);
    assertThat(bigQuery.stagingDataset()).contains("qsync_staging");
    assertThat(bigQuery.stagingExpiration()).isEqualTo(Duration.ofHours(48));
    assertThat(bigQuery.pageSize()).isEqualTo(5000);
    assertThat(bigQuery.timeouts())
        .isEqualTo(
            new BigQueryTimeouts(
                Duration.ofSeconds(5), Duration.ofMinutes(2), Duration.ofMinutes(30)));
    assertThat(bigQuery.queryParameters())
        .containsEntry("min_age", new BigQueryConnectionConfig.QueryParameter("INT64", "18"))
        .containsEntry("country", new BigQueryConnectionConfig.QueryParameter("STRING", "KR"))
        .containsEntry("since", new BigQueryConnectionConfig.QueryParameter("DATE", "2024-01-01"));

    BigQueryConnectionConfig defaults =
        (BigQueryConnectionConfig)
            parse(config("    {type: bigquery, project: p}\n", "SELECT 1 AS user_id"))
                .connection("warehouse");
    assertThat(defaults.location()).isEqualTo("US");
    assertThat(defaults.credentials())
        .isEqualTo(BigQueryConnectionConfig.Credentials.APPLICATION_DEFAULT);
    assertThat(defaults.host()).isEmpty();
    assertThat(defaults.stagingDataset()).isEmpty();
    assertThat(defaults.pageSize()).isEqualTo(BigQueryConnectionConfig.DEFAULT_PAGE_SIZE);
    assertThat(defaults.timeouts())
        .isEqualTo(
            new BigQueryTimeouts(
                Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ofMinutes(10)));
  }

  @Test
  void readsTheReadApiKeysAndDefaultsToAutoFromOneHundredThousandRows() {
    BigQueryConnectionConfig defaults =
        (BigQueryConnectionConfig)
            parse(config("    type: bigquery\n    project: p\n", "SELECT 1 AS user_id"))
                .connection("warehouse");
    BigQueryConnectionConfig set =
        (BigQueryConnectionConfig)
            parse(
                    config(
                        "    type: bigquery\n"
                            + "    project: p\n"
                            + "    read_api: storage\n"
                            + "    read_api_min_rows: 5000\n"
                            + "    read_streams: 8\n"
                            + "    storage_host: http://127.0.0.1:9090\n",
                        "SELECT 1 AS user_id"))
                .connection("warehouse");

    assertThat(defaults.readApi()).isEqualTo(BigQueryReadApi.DEFAULT);
    assertThat(defaults.readApi())
        .isEqualTo(
            new BigQueryReadApi(BigQueryReadApi.Mode.AUTO, 100_000, 4, java.util.Optional.empty()));
    assertThat(set.readApi())
        .isEqualTo(
            new BigQueryReadApi(
                BigQueryReadApi.Mode.STORAGE,
                5000,
                8,
                java.util.Optional.of("http://127.0.0.1:9090")));
  }

  @Test
  void refusesAReadApiItDoesNotKnow() {
    ConfigException error =
        refused(
            "    type: bigquery\n"
                + "    project: p\n"
                + "    read_api: arrow\n"
                + "    read_streams: 65\n"
                + "    storage_host: 127.0.0.1:9090\n",
            "SELECT 1 AS user_id");

    assertThat(error.getMessage())
        .contains("connections.warehouse.read_api: expected auto, storage or rest, got \"arrow\"")
        .contains(
            "connections.warehouse.read_streams: expected a whole number of streams from 1 to 64")
        .contains("connections.warehouse.storage_host");
  }

  @Test
  void refusesStorageReadsWithACustomHostButNoStorageHost() {
    ConfigException error =
        refused(
            "    type: bigquery\n"
                + "    project: p\n"
                + "    host: http://127.0.0.1:9050\n"
                + "    read_api: storage\n",
            "SELECT 1 AS user_id");

    assertThat(error.getMessage())
        .contains("connections.warehouse.read_api: read_api: storage with host")
        .contains("needs storage_host")
        .contains("set storage_host, or read_api: rest");
  }

  @Test
  void refusesTimeoutsTheHttpClientCannotTake() {
    ConfigException error =
        refused(
            "    type: bigquery\n"
                + "    project: p\n"
                + "    connect_timeout: 0\n"
                + "    read_timeout: 25h\n"
                + "    retry_timeout: soon\n",
            "SELECT 1 AS user_id");

    assertThat(error.getMessage())
        .contains(
            "connections.warehouse.connect_timeout: expected a duration from 1ms to 24h, got \"0\"")
        .contains(
            "connections.warehouse.read_timeout: expected a duration from 1ms to 24h, got \"25h\"")
        .contains("connections.warehouse.retry_timeout");
  }

  @Test
  void reportsBadKeysWithFileAndLine() {
    ConfigException error =
        refused(
            "    type: bigquery\n"
                + "    projekt: p\n"
                + "    page_size: 0\n"
                + "    labels: {Team: growth}\n",
            "SELECT 1 AS user_id");

    assertThat(error.getMessage())
        .contains("qsync.yaml:4")
        .contains("unknown key 'projekt' (did you mean 'project'?)")
        .contains("missing required key 'project'")
        .contains("connections.warehouse.page_size")
        .contains("labels.Team: a BigQuery label key starts with a lowercase letter");
  }

  /** cloud.google.com/bigquery/docs/labels-intro#requirements, checked when the config is read. */
  @Test
  void labelsFollowBigQuerysRules() {
    ConfigException error =
        refused(
            "    type: bigquery\n"
                + "    project: p\n"
                + "    labels: {1team: a, _x: b, -y: c, Team: d, te.am: d, qsync_sync: e, ok: Bad,"
                + " long: "
                + "v".repeat(64)
                + "}\n",
            "SELECT 1 AS user_id");

    assertThat(error.getMessage())
        .contains(
            "labels.1team: a BigQuery label key starts with a lowercase letter; rename it,"
                + " e.g. \"team\"")
        .contains(
            "labels._x: a BigQuery label key starts with a lowercase letter; rename it, e.g. \"x\"")
        .contains("labels.-y: a BigQuery label key starts with a lowercase letter")
        .contains(
            "labels.Team: a BigQuery label key starts with a lowercase letter; rename it,"
                + " e.g. \"team\"")
        .contains(
            "labels.te.am: a BigQuery label key holds lowercase letters, digits, _ and -;"
                + " rename it, e.g. \"te_am\"")
        .contains("labels.qsync_sync: qsync sets this label itself")
        .contains(
            "labels.ok: a BigQuery label value holds lowercase letters, digits, _ and -, got \"Bad\"")
        .contains("labels.long: a BigQuery label value holds at most 63 characters, got 64")
        .doesNotContain("labels.ok: a BigQuery label key");

    BigQueryConnectionConfig fine =
        (BigQueryConnectionConfig)
            parse(
                    config(
                        "    {type: bigquery, project: p, labels: {team: '', équipe: café-2, env: prod_1}}\n",
                        "SELECT 1 AS user_id"))
                .connection("warehouse");
    assertThat(fine.labels())
        .containsEntry("team", "")
        .containsEntry("équipe", "café-2")
        .containsEntry("env", "prod_1");

    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 63; i++) {
      many.append(i == 0 ? "" : ", ").append("l").append(i).append(": v");
    }
    assertThat(
            refused(
                "    {type: bigquery, project: p, labels: {" + many + "}}\n",
                "SELECT 1 AS user_id"))
        .hasMessageContaining(
            "63 labels, but BigQuery allows 64 on a job or table and qsync adds"
                + " tool and qsync_sync: at most 62");
  }

  @Test
  void refusesLegacySql() {
    ConfigException error =
        refused(
            "    {type: bigquery, project: p}\n",
            "\"#legacySQL\\nSELECT user_id FROM [p:app.users]\"");

    assertThat(error.getMessage())
        .contains("syncs.targets.query")
        .contains("legacy SQL is not supported");
  }
}
