package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.RunReport;
import io.qsync.engine.ThrottleReport;
import io.qsync.state.RunStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a run report says how long the run was throttled, why, and how often it retried. */
class ThrottleRenderingTest {
  private static final ChangeCounts COUNTS = new ChangeCounts(100, 100, 0, 0, 0);

  @Test
  void aThrottledRunSaysHowLongAndWhyPerRule() throws Exception {
    Map<String, Duration> byRule = new LinkedHashMap<>();
    byRule.put("Threads_running >= 50", Duration.ofMillis(10_000));
    byRule.put("pause file /run/qsync.pause", Duration.ofMillis(2_300));
    RunReport report = report(new ThrottleReport(Duration.ofMillis(12_300), byRule, 2, 250, 1000));

    assertThat(Renderer.text(report))
        .endsWith(
            "\nthrottled 12.3s (Threads_running >= 50: 10.0s, pause file /run/qsync.pause:"
                + " 2.3s); 2 batches retried; batch size 250-1000");
    JsonNode throttle =
        new ObjectMapper().readTree(Renderer.json(Renderer.map(report))).get("throttle");
    assertThat(throttle.get("throttled_ms").asLong()).isEqualTo(12_300);
    assertThat(throttle.get("throttled_ms_by_reason").get("Threads_running >= 50").asLong())
        .isEqualTo(10_000);
    assertThat(throttle.get("retries").asInt()).isEqualTo(2);
    assertThat(throttle.get("smallest_batch").asInt()).isEqualTo(250);
    assertThat(throttle.get("largest_batch").asInt()).isEqualTo(1000);
  }

  @Test
  void theSelfThrottlesDecisionsAreInTheJson() throws Exception {
    Map<String, Duration> byRule =
        Map.of("self-throttle to keep the probe within 1.3x its baseline", Duration.ofMillis(900));
    List<String> decisions =
        List.of(
            "+0.3s learning the probe's baseline: other sessions are at work",
            "+1.7s probe 0.66ms > 1.3 x baseline 0.31ms: writing 50% of the time");
    RunReport report =
        report(new ThrottleReport(Duration.ofMillis(900), byRule, 0, 100, 1000, decisions));

    JsonNode throttle =
        new ObjectMapper().readTree(Renderer.json(Renderer.map(report))).get("throttle");

    assertThat(throttle.get("decisions").get(1).asText()).isEqualTo(decisions.get(1));
    assertThat(Renderer.text(report))
        .endsWith(
            "\nthrottled 900ms (self-throttle to keep the probe within 1.3x its baseline: 900ms); batch size 100-1000");
  }

  @Test
  void aRunThatNeitherWaitedNorRetriedAddsNoLine() {
    RunReport report = report(new ThrottleReport(Duration.ZERO, Map.of(), 0, 1000, 1000));

    assertThat(Renderer.text(report)).doesNotContain("\n").doesNotContain("throttled");
  }

  private static RunReport report(ThrottleReport throttle) {
    return RunReport.builder("s", "r1", RunStatus.SUCCEEDED, "mirror", "t", COUNTS)
        .batches(1)
        .duration(Duration.ofSeconds(20))
        .throttle(throttle)
        .build();
  }
}
