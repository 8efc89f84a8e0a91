package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.RunReport;
import io.qsync.state.RunStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a run report says what its warehouse jobs billed, per kind of job and in total. */
class BytesBilledRenderingTest {
  private static final long MB = 1024 * 1024;

  @Test
  void aRunSaysWhatEachKindOfJobBilledAndTheTotal() throws Exception {
    Map<String, Long> billed = new LinkedHashMap<>();
    billed.put("query", 12 * MB);
    billed.put("key checks", 10 * MB);
    billed.put("changes", 22 * MB);
    billed.put("state", 10 * MB);
    RunReport report = report("r1").withBytesBilled(billed);

    assertThat(Renderer.text(report))
        .endsWith(
            "\nbilled 56,623,104 bytes (54.0 MiB) in the warehouse: query 12.0 MiB, key checks"
                + " 10.0 MiB, changes 22.0 MiB, state 10.0 MiB");
    JsonNode json =
        new ObjectMapper().readTree(Renderer.json(Renderer.map(report))).get("bytes_billed");
    assertThat(json.get("total").asLong()).isEqualTo(54 * MB);
    assertThat(json.get("by_job").get("changes").asLong()).isEqualTo(22 * MB);
  }

  @Test
  void aResumedRunAndTheFreshRunThatFollowedAddUp() {
    RunReport resumed =
        report("r1")
            .withBytesBilled(Map.of("changes", 10 * MB))
            .withCaughtUp(report("r2").withBytesBilled(Map.of("changes", 20 * MB)));

    assertThat(Renderer.text(resumed))
        .endsWith("\nbilled 31,457,280 bytes (30.0 MiB) in the warehouse: changes 30.0 MiB");
  }

  @Test
  void aRunWhoseWarehouseBilledNothingAddsNoLine() throws Exception {
    RunReport report = report("r1");

    assertThat(Renderer.text(report)).doesNotContain("billed");
    JsonNode json = new ObjectMapper().readTree(Renderer.json(Renderer.map(report)));
    assertThat(json.get("bytes_billed").isNull()).isTrue();
  }

  @Test
  void theHistoryShowsEachRunsBytesUnderIt() {
    assertThat(Renderer.billed(Map.of("query", 512L)))
        .hasValue("billed 512 bytes in the warehouse: query 512 bytes");
  }

  private static RunReport report(String runId) {
    return RunReport.builder(
            "s", runId, RunStatus.SUCCEEDED, "mirror", "t", new ChangeCounts(100, 100, 0, 0, 0))
        .batches(1)
        .duration(Duration.ofSeconds(20))
        .build();
  }
}
