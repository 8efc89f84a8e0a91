package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify_every} on a {@code diff: snapshot} sync, as a user sees it: a hand edit of the
 * table, which the warehouse's diff cannot see, is found and healed by the verify that follows the
 * run it is due after, and only then.
 */
@ExtendWith(MariaDbExtension.class)
class VerifyEveryIT {
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

  private String config(TestDatabase database, String verifyEvery) throws IOException {
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
            + "    create_table: true\n"
            + "    diff: snapshot\n"
            + "    state_dataset: qsync_state\n"
            + "    verify_every: "
            + verifyEvery
            + "\n");
    return file.toString();
  }

  private List<List<String>> table(TestDatabase database) {
    return database.rows("SELECT user_id, variant, score FROM experiment_targets ORDER BY user_id");
  }

  @Test
  void everySecondRunIsFollowedByAVerifyThatHealsAHandEdit(TestDatabase database)
      throws IOException {
    String config = config(database, "2 runs");
    CliRun first = qsync("run", "targets", "-c", config);
    assertThat(first.exitCode()).as(first.all()).isZero();
    assertThat(first.out()).as("one run is not yet two").doesNotContain("verify");
    List<List<String>> synced = table(database);
    database.execute("UPDATE experiment_targets SET variant = 'Control' WHERE user_id = 3");

    CliRun second = qsync("run", "targets", "-c", config);

    assertThat(second.exitCode()).as(second.all()).isZero();
    assertThat(second.out())
        .contains("0 inserted, 0 updated, 0 deleted")
        .contains("verify, due: 2 successful runs and no verify yet (verify_every: 2 runs)")
        .contains("targets: differs: table experiment_targets: 0 missing, 0 extra, 1 different")
        .contains("  different 3: variant")
        .contains("healed: wrote 1 key");
    assertThat(table(database)).as("the hand edit healed").isEqualTo(synced);

    database.execute("UPDATE experiment_targets SET variant = 'edited' WHERE user_id = 1");
    CliRun third = qsync("run", "targets", "-c", config);
    assertThat(third.exitCode()).as(third.all()).isZero();
    assertThat(third.out())
        .as("one run since the verify")
        .doesNotContain("verify")
        .as("the heal kept the snapshot's state: the run compared with it, not with the table")
        .contains("compared in the warehouse with the state of run");
    assertThat(table(database).get(0)).containsExactly("1", "edited", "1.5");

    CliRun fourth = qsync("run", "targets", "-c", config, "-o", "json");
    assertThat(fourth.exitCode()).as(fourth.all()).isZero();
    JsonNode verify = new ObjectMapper().readTree(fourth.out()).get("runs").get(0).get("verify");
    assertThat(verify.get("due").asText())
        .isEqualTo("2 successful runs since the last verify (verify_every: 2 runs)");
    assertThat(verify.get("status").asText()).isEqualTo("differs");
    assertThat(verify.get("different").asLong()).isEqualTo(1);
    assertThat(verify.get("healed").asLong()).isEqualTo(1);
    assertThat(table(database)).isEqualTo(synced);

    CliRun history = qsync("history", "targets", "-c", config);
    assertThat(history.out().lines().filter(line -> line.contains("verify:differs"))).hasSize(2);
    assertThat(history.out().lines().filter(line -> line.startsWith("heal-")))
        .as("each heal is a run of its own, told from the sync's runs by its id")
        .hasSize(2);
    assertThat(history.out())
        .containsPattern(
            "found: table differs: 0 missing, 0 extra, 1 different; healed: 1 key written by run"
                + " heal-\\d{8}T\\d{6}Z-[0-9a-f]{6}");
  }

  @Test
  void aDueVerifyThatFailsSaysTheNextRunVerifiesAgainAndItDoes(TestDatabase database)
      throws IOException {
    Path file = Path.of(config(database, "2 runs"));
    Files.writeString(
        file, Files.readString(file) + "    throttle: {pause_file: pause, max_pause: 1s}\n");
    String config = file.toString();
    assertThat(qsync("run", "targets", "-c", config).exitCode()).isZero();
    database.execute("UPDATE experiment_targets SET variant = 'edited' WHERE user_id = 2");
    Files.writeString(dir.resolve("pause"), "");

    CliRun second = qsync("run", "targets", "-c", config);

    assertThat(second.exitCode()).as(second.all()).isEqualTo(1);
    assertThat(second.err())
        .contains("the run succeeded (run ")
        .contains("failed, and stays due: throttle: paused for")
        .contains("The next run of the sync verifies again: the verify stays due")
        .doesNotContain("Try qsync verify again")
        .doesNotContain("resumes after its last committed batch");

    Files.delete(dir.resolve("pause"));
    CliRun third = qsync("run", "targets", "-c", config);
    assertThat(third.exitCode()).as(third.all()).isZero();
    assertThat(third.out())
        .as("still due: the next run verified")
        .contains("verify, due: 2 successful runs and no verify yet")
        .contains("healed: wrote 1 key");
  }

  @Test
  void anIntervalVerifiesOnceTheLastVerifyIsThatOld(TestDatabase database) throws Exception {
    String config = config(database, "1h");
    assertThat(qsync("run", "targets", "-c", config).out()).doesNotContain("verify");
    CliRun second = qsync("run", "targets", "-c", config);
    assertThat(second.out())
        .as("no verify yet: the second run verifies")
        .contains("verify, due: no verify yet (verify_every: 1h)")
        .contains("targets: equal: table experiment_targets holds exactly the query's 3 rows");
    CliRun third = qsync("run", "targets", "-c", config);
    assertThat(third.out()).as("the last verify is younger than 1h").doesNotContain("verify");

    // The last verify, made older than the interval as time would.
    database.execute(
        "UPDATE _qsync_runs SET started_at = started_at - INTERVAL 61 MINUTE"
            + " WHERE mode = 'verify'",
        "UPDATE experiment_targets SET score = 2.5 WHERE user_id = 2");
    CliRun fourth = qsync("run", "targets", "-c", config);

    assertThat(fourth.exitCode()).as(fourth.all()).isZero();
    assertThat(fourth.out())
        .contains("verify, due: the last verify was 1h01m ago (verify_every: 1h)")
        .contains("1 different")
        .contains("  different 2: score")
        .contains("healed: wrote 1 key");
    assertThat(table(database).get(1)).containsExactly("2", "treatment", null);
  }

  @Test
  void aVerifyByHandOfASnapshotSyncPointsToAFullRunNotAPlainOne(TestDatabase database)
      throws IOException {
    String config = config(database, "7d");
    assertThat(qsync("run", "targets", "-c", config).exitCode()).isZero();
    database.execute("UPDATE experiment_targets SET variant = 'edited' WHERE user_id = 2");

    CliRun result = qsync("verify", "targets", "-c", config);

    assertThat(result.exitCode()).as(result.all()).isEqualTo(6);
    assertThat(result.out())
        .contains("  different 2: variant")
        .contains(
            "A run with --full writes what differs (a plain run of this diff: snapshot sync"
                + " compares with its state in the warehouse, not with the table): qsync run"
                + " --full targets, or only the differing keys: qsync verify --heal targets");
    assertThat(qsync("run", "--full", "targets", "-c", config).exitCode()).isZero();
    assertThat(qsync("verify", "targets", "-c", config).exitCode()).isZero();
  }

  @Test
  void verifyEveryWithDiffTargetIsAConfigErrorAtItsLine(TestDatabase database) throws IOException {
    Path file = Path.of(config(database, "7d"));
    Files.writeString(
        file,
        Files.readString(file).replace("    diff: snapshot\n    state_dataset: qsync_state\n", ""));

    CliRun result = qsync("run", "targets", "-c", file.toString());

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err())
        .contains("qsync.yaml:13:")
        .contains("syncs.targets.verify_every")
        .contains("verify_every is for diff: snapshot")
        .contains("remove verify_every");
    assertThat(database.rows("SHOW TABLES LIKE 'experiment_targets'")).isEmpty();
  }

  @Test
  void aVerifyEveryThatIsNeitherADurationNorRunsIsAConfigError(TestDatabase database)
      throws IOException {
    CliRun result = qsync("run", "targets", "-c", config(database, "weekly"));

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err())
        .contains("syncs.targets.verify_every")
        .contains(
            "expected a duration like 7d or 12h, or a number of runs of at least 1 like 10 runs")
        .contains("\"weekly\"");
  }

  @Test
  void zeroRunsIsRefusedSayingTheLeastNumberAllowed(TestDatabase database) throws IOException {
    CliRun result = qsync("run", "targets", "-c", config(database, "0 runs"));

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err())
        .contains("syncs.targets.verify_every")
        .contains("a number of runs of at least 1")
        .contains("\"0 runs\"");
    assertThat(database.rows("SHOW TABLES LIKE 'experiment_targets'")).isEmpty();
  }
}
