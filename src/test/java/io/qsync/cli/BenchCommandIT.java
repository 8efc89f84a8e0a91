package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qsync bench} on a tiny result: it measures every figure (with real child qsync runs),
 * prints the table and writes the JSON. Timings are not asserted: performance is the command's
 * output, not a test's verdict.
 */
@ExtendWith(MariaDbExtension.class)
class BenchCommandIT {
  @TempDir Path dir;

  @Test
  void measuresEveryFigurePrintsTheTableAndWritesTheJson(TestDatabase database) throws Exception {
    String scratch = database.name() + "_bench";
    Path json = dir.resolve("bench.json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter outWriter = new PrintWriter(out);
        PrintWriter errWriter = new PrintWriter(err)) {
      code =
          Main.execute(
              new String[] {
                "bench",
                "--host",
                database.host(),
                "--port",
                Integer.toString(database.port()),
                "--database",
                scratch,
                "--rows",
                "2000",
                "--repeat",
                "1",
                "--dir",
                dir.resolve("work").toString(),
                "--json",
                json.toString()
              },
              outWriter,
              errWriter,
              false,
              Clock.systemUTC());
    }

    assertThat(code).as(out + "\n" + err).isZero();
    assertThat(out.toString())
        .contains("qsync bench: 2,000 rows")
        .contains("LOAD DATA LOCAL INFILE, same rows (ceiling)")
        .contains("qsync first load, empty table")
        .contains("qsync re-sync, nothing changed")
        .contains("qsync re-sync, 1 % changed")
        .contains("qsync re-sync, 10 % changed")
        .contains("script: INSERT IGNORE x 1000, no sleep")
        .contains("script with its 1 s sleep per batch")
        .contains("values written by qsync equal LOAD DATA's (CHECKSUM TABLE): yes")
        .contains("CPU s")
        .contains("srv CPU s")
        .contains("targets:");

    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertThat(report.path("rows").asLong()).isEqualTo(2000);
    assertThat(report.path("checksums_match").asBoolean()).isTrue();
    List<String> names = new ArrayList<>();
    for (JsonNode figure : report.path("figures")) {
      names.add(figure.path("name").asText());
      assertThat(figure.path("seconds")).hasSize(1);
      assertThat(figure.path("median_seconds").asDouble()).isPositive();
      assertThat(figure.path("rate_vs_ceiling").asDouble()).isPositive();
    }
    assertThat(names)
        .containsExactly(
            "ceiling",
            "first_load",
            "no_change",
            "no_change_hashes",
            "changed_1pct",
            "changed_10pct",
            "verify_equal",
            "verify_differs_0.1pct",
            "snapshot_first",
            "snapshot_changed_1pct",
            "script");
    JsonNode first = report.path("figures").path(1);
    assertThat(first.path("changes").asLong()).isEqualTo(2000);
    assertThat(first.path("peak_heap_bytes").asLong()).isPositive();
    assertThat(first.path("peak_rss_bytes").asLong()).isPositive();
    assertThat(first.path("cpu_seconds"))
        .as("qsync's own CPU, its JVM's start included")
        .hasSize(1);
    assertThat(first.path("median_cpu_seconds").asDouble()).isGreaterThan(0.1);
    assertThat(first.path("server_cpu_seconds"))
        .as("the test's server runs on this machine, so its CPU is read")
        .hasSize(1);
    assertThat(first.path("median_server_cpu_seconds").asDouble()).isNotNegative();
    assertThat(report.path("figures").path(0).path("cpu_seconds"))
        .as("the ceiling's client is the benchmark itself")
        .hasSize(1);
    assertThat(report.path("figures").path(2).path("changes").asLong()).isZero();
    assertThat(report.path("figures").path(3).path("changes").asLong()).isZero();
    assertThat(report.path("figures").path(4).path("changes").asLong()).isPositive();
    assertThat(report.path("figures").path(6).path("changes").asLong())
        .as("verify finds the synced table equal")
        .isZero();
    assertThat(report.path("figures").path(7).path("changes").asLong())
        .as("ids 1, 2 and 3 planted: one changed, one deleted, one extra")
        .isEqualTo(3);
    assertThat(report.path("figures").path(8).path("changes").asLong())
        .as("the snapshot's first run compares in full and heals the three planted rows")
        .isEqualTo(3);
    long snapshotChanges = report.path("figures").path(9).path("changes").asLong();
    assertThat(snapshotChanges)
        .as("1 % of 2,000 rows, diffed in the warehouse")
        .isBetween(1L, 100L);
    assertThat(out.toString())
        .contains("diff: snapshot moved " + snapshotChanges + " changed rows");
    assertThat(report.path("targets")).hasSize(8);
    assertThat(report.path("targets").path(1).path("target").asText())
        .isEqualTo("first load: qsync CPU s per 1M rows <= 5");

    // The scratch database is gone again.
    assertThat(database.rows("SHOW DATABASES LIKE '" + scratch + "'")).isEmpty();
  }

  @Test
  void onlyMeasuresTheNamedFiguresBesidesTheCeilingAndTheFirstLoad(TestDatabase database)
      throws Exception {
    String scratch = database.name() + "_only";
    Path json = dir.resolve("only.json");
    CliRun run =
        CliRun.of(
            "bench",
            "--host",
            database.host(),
            "--port",
            Integer.toString(database.port()),
            "--database",
            scratch,
            "--rows",
            "1000",
            "--repeat",
            "1",
            "--only",
            "verify_differs_0.1pct,no_change_hashes",
            "--dir",
            dir.resolve("only").toString(),
            "--json",
            json.toString());

    assertThat(run.exitCode()).as(run.all()).isZero();
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    List<String> names = new ArrayList<>();
    for (JsonNode figure : report.path("figures")) {
      names.add(figure.path("name").asText());
    }
    assertThat(names)
        .containsExactly("ceiling", "first_load", "no_change_hashes", "verify_differs_0.1pct");
    assertThat(report.path("figures").path(3).path("changes").asLong())
        .as("the differences are planted although verify_equal was not measured")
        .isEqualTo(3);
    assertThat(run.out()).doesNotContain("script: INSERT IGNORE");
    assertThat(database.rows("SHOW DATABASES LIKE '" + scratch + "'")).isEmpty();
  }

  @Test
  void anUnknownFigureIsAUsageError(TestDatabase database) {
    CliRun run =
        CliRun.of("bench", "--port", Integer.toString(database.port()), "--only", "verify_equals");

    assertThat(run.exitCode()).as(run.all()).isEqualTo(2);
    assertThat(run.err())
        .contains("--only verify_equals: no such figure")
        .contains("verify_equal, verify_differs_0.1pct");
  }
}
