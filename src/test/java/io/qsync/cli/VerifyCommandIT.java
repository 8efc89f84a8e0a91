package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import io.qsync.testing.bigquery.BigQueryEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code qsync verify} as a user runs it: text, JSON, exit codes, and its line in the history. */
@ExtendWith(MariaDbExtension.class)
class VerifyCommandIT {
  @TempDir Path dir;

  @BeforeEach
  void warehouse() {
    new Warehouse(dir.resolve("warehouse.duckdb"))
        .execute(
            "CREATE TABLE targets (user_id BIGINT, variant VARCHAR, score DOUBLE)",
            "INSERT INTO targets VALUES (1, 'control', 1.5), (2, 'treatment', NULL),"
                + " (3, 'control', 0.1)");
  }

  private static CliRun qsync(String... args) {
    return CliRun.of(args);
  }

  private String config(TestDatabase database) throws IOException {
    Path file = dir.resolve("qsync.yaml");
    Files.writeString(
        file,
        "stage_dir: stage\n"
            + "connections:\n"
            + "  warehouse: { type: duckdb, path: warehouse.duckdb }\n"
            + "  app: { type: mysql, url: \""
            + database.url()
            + "\", user: root }\n"
            + "syncs:\n"
            + "  targets:\n"
            + "    source: warehouse\n"
            + "    query: SELECT * FROM targets\n"
            + "    target: app\n"
            + "    table: experiment_targets\n"
            + "    key: [user_id]\n"
            + "    create_table: true\n");
    return file.toString();
  }

  @Test
  void aSyncedTableIsEqualAndExitsZero(TestDatabase database) throws IOException {
    String config = config(database);
    assertThat(qsync("run", "targets", "-c", config).exitCode()).isZero();

    CliRun result = qsync("verify", "targets", "-c", config);

    assertThat(result.exitCode()).as(result.all()).isZero();
    assertThat(result.out())
        .startsWith("targets: equal: table experiment_targets holds exactly the query's 3 rows");
  }

  @Test
  void aDifferingTableExitsSixNamingTheKeysAndColumns(TestDatabase database) throws IOException {
    String config = config(database);
    assertThat(qsync("run", "targets", "-c", config).exitCode()).isZero();
    database.execute(
        "UPDATE experiment_targets SET variant = 'Control' WHERE user_id = 1",
        "UPDATE experiment_targets SET score = 0.10000000000000002 WHERE user_id = 3",
        "DELETE FROM experiment_targets WHERE user_id = 2",
        "INSERT INTO experiment_targets VALUES (4, 'x', 0)");

    CliRun result = qsync("verify", "--all", "-c", config);

    assertThat(result.exitCode()).as(result.all()).isEqualTo(6);
    assertThat(result.out())
        .contains(
            "targets: differs: table experiment_targets: 1 missing, 1 extra, 2 different"
                + " (query 3 rows, table 3 rows;")
        .contains("  missing   2\n")
        .contains("  extra     4\n")
        .contains("  different 1: variant\n")
        .contains("  different 3: score\n")
        .contains("A run of the sync writes what differs: qsync run targets");

    CliRun history = qsync("history", "targets", "-c", config);
    assertThat(history.out()).contains("verify:differs").contains("+1 ~2 -1");
    CliRun status = qsync("status", "-c", config);
    assertThat(status.out()).doesNotContain("verify");
  }

  @Test
  void jsonSaysTheStatusCountsAndSamples(TestDatabase database) throws IOException {
    String config = config(database);
    assertThat(qsync("run", "targets", "-c", config).exitCode()).isZero();
    database.execute("UPDATE experiment_targets SET variant = 'control ' WHERE user_id = 3");

    CliRun result = qsync("verify", "targets", "-c", config, "-o", "json");

    assertThat(result.exitCode()).as(result.all()).isEqualTo(6);
    JsonNode verify = new ObjectMapper().readTree(result.out()).get("verifies").get(0);
    assertThat(verify.get("sync").asText()).isEqualTo("targets");
    assertThat(verify.get("status").asText()).isEqualTo("differs");
    assertThat(verify.get("missing").asLong()).isZero();
    assertThat(verify.get("extra").asLong()).isZero();
    assertThat(verify.get("different").asLong()).isEqualTo(1);
    assertThat(verify.get("query_rows").asLong()).isEqualTo(3);
    JsonNode sample = verify.get("samples").get(0);
    assertThat(sample.get("kind").asText()).isEqualTo("different");
    assertThat(sample.get("key").get(0).asText()).isEqualTo("3");
    assertThat(sample.get("columns").get(0).asText()).isEqualTo("variant");
  }

  @Test
  void aBigQuerySyncIsVerifiedAndTheBytesBilledAreShown(TestDatabase database) throws IOException {
    try (BigQueryEmulator emulator = BigQueryEmulator.start("qsync-test")) {
      emulator.execute(
          "CREATE SCHEMA ds",
          "CREATE TABLE ds.scores AS SELECT * FROM (VALUES (1, 0.1, 'a'), (2, 1e300, 'B'))"
              + " AS t(id, score, grade)");
      Path file = dir.resolve("bq.yaml");
      Files.writeString(
          file,
          "stage_dir: stage\n"
              + "connections:\n"
              + "  bq: { type: bigquery, project: qsync-test, credentials_file: none, host: \""
              + emulator.host()
              + "\" }\n"
              + "  app: { type: mysql, url: \""
              + database.url()
              + "\", user: root }\n"
              + "syncs:\n"
              + "  scores:\n"
              + "    source: bq\n"
              + "    query: SELECT * FROM ds.scores\n"
              + "    target: app\n"
              + "    table: scores\n"
              + "    key: [id]\n"
              + "    create_table: true\n");
      assertThat(qsync("run", "scores", "-c", file.toString()).exitCode()).isZero();
      database.execute("UPDATE scores SET grade = 'b' WHERE id = 2");

      CliRun text = qsync("verify", "scores", "-c", file.toString());
      CliRun json = qsync("verify", "scores", "-c", file.toString(), "-o", "json");

      // Each verify: the key's span and one pass, then the differing rows: 3 jobs of 10 MiB.
      assertThat(text.exitCode()).as(text.all()).isEqualTo(6);
      assertThat(text.out())
          .contains("scores: differs: table scores: 0 missing, 0 extra, 1 different")
          .contains("31,457,280 bytes (30.0 MiB) billed by BigQuery)")
          .contains("  different 2: grade\n");
      assertThat(json.exitCode()).as(json.all()).isEqualTo(6);
      JsonNode verify = new ObjectMapper().readTree(json.out()).get("verifies").get(0);
      assertThat(verify.get("bytes_billed").asLong()).isEqualTo(3 * 10L * 1024 * 1024);
      assertThat(verify.get("different").asLong()).isEqualTo(1);
    }
  }

  @Test
  void anUnknownSyncIsAUsageError(TestDatabase database) throws IOException {
    CliRun result = qsync("verify", "nope", "-c", config(database));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("no sync named 'nope'");
  }

  @Test
  void helpExplainsWhatItComparesAndTheExitCode() {
    CliRun result = qsync("verify", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().replaceAll("\\s+", " "))
        .contains("without moving the rows")
        .contains("Exits 0 when every table is equal (or was healed), 6 when one differs")
        .contains("--samples");
  }
}
