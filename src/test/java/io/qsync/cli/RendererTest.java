package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.PlanReport;
import io.qsync.engine.RunFailedException;
import io.qsync.engine.RunFailures;
import io.qsync.engine.RunReport;
import io.qsync.engine.StatusReport;
import io.qsync.engine.ValidationReport;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RendererTest {
  private static final ChangeCounts COUNTS = new ChangeCounts(1_234_567, 1_000, 20, 3, 1_233_547);

  @ParameterizedTest(name = "{0} ms -> {1}")
  @CsvSource({
    "0,          0ms",
    "850,        850ms",
    "999,        999ms",
    "1000,       1.0s",
    "12300,      12.3s",
    "59900,      59.9s",
    "60000,      1m00s",
    "245000,     4m05s",
    "3599000,    59m59s",
    "3600000,    1h00m",
    "7380000,    2h03m",
    "86399000,   23h59m",
    "86400000,   1d00h",
    "273600000,  3d04h",
  })
  void formatsDurationsForPeople(long millis, String expected) {
    assertThat(Renderer.duration(Duration.ofMillis(millis))).isEqualTo(expected);
  }

  @Test
  void rendersARunWithItsCounts() {
    RunReport report =
        RunReport.builder(
                "targets",
                "20260301T100000Z-abcdef",
                RunStatus.SUCCEEDED,
                "mirror",
                "experiment_targets",
                COUNTS)
            .batches(2)
            .duration(Duration.ofMillis(12_300))
            .notes(List.of("created table experiment_targets"))
            .build();
    assertThat(Renderer.text(report))
        .isEqualTo(
            "note: created table experiment_targets\n"
                + "targets: succeeded -> table experiment_targets (mirror): 1,000 inserted, 20 updated,"
                + " 3 deleted, 1,233,547 unchanged (1,234,567 source rows) in 12.3s, 2 batches,"
                + " run 20260301T100000Z-abcdef");
  }

  @Test
  void rendersARunAsStableSnakeCaseJson() throws Exception {
    RunReport report =
        RunReport.builder("targets", "r1", RunStatus.SUCCEEDED, "upsert", "t", COUNTS)
            .resumed(true)
            .resumedAfter(40)
            .batches(3)
            .duration(Duration.ofMillis(1_500))
            .build();
    JsonNode json = new ObjectMapper().readTree(Renderer.json(Renderer.map(report)));
    assertThat(json.get("sync").asText()).isEqualTo("targets");
    assertThat(json.get("status").asText()).isEqualTo("succeeded");
    assertThat(json.get("run_id").asText()).isEqualTo("r1");
    assertThat(json.get("resumed").asBoolean()).isTrue();
    assertThat(json.get("resumed_after_change").asLong()).isEqualTo(40);
    assertThat(json.get("duration_ms").asLong()).isEqualTo(1_500);
    JsonNode counts = json.get("counts");
    assertThat(counts.get("source_rows").asLong()).isEqualTo(1_234_567);
    assertThat(counts.get("inserted").asLong()).isEqualTo(1_000);
    assertThat(counts.get("updated").asLong()).isEqualTo(20);
    assertThat(counts.get("deleted").asLong()).isEqualTo(3);
    assertThat(counts.get("unchanged").asLong()).isEqualTo(1_233_547);
  }

  @Test
  void rendersAnErrorWithItsKindAndExitCode() throws Exception {
    JsonNode json =
        new ObjectMapper()
            .readTree(
                Renderer.json(
                    Renderer.error("s", new QsyncException(ErrorKind.LOCK_HELD, "locked\nWait."))));
    assertThat(json.get("status").asText()).isEqualTo("error");
    assertThat(json.get("error_kind").asText()).isEqualTo("lock_held");
    assertThat(json.get("exit_code").asInt()).isEqualTo(4);
    assertThat(json.get("message").asText()).isEqualTo("locked\nWait.");
  }

  @Test
  void rendersAFailedRunWithItsRunPhaseAndCheckpoint() throws Exception {
    QsyncException failure = new QsyncException(ErrorKind.FAILED, "connection lost\nRun again.");
    JsonNode json =
        new ObjectMapper()
            .readTree(
                Renderer.json(
                    Renderer.error(
                        "s",
                        new RunFailedException(
                            failure, "20260301T100000Z-abc123", RunPhase.APPLY, 4_000, 10_000))));
    assertThat(json.get("sync").asText()).isEqualTo("s");
    assertThat(json.get("status").asText()).isEqualTo("error");
    assertThat(json.get("error_kind").asText()).isEqualTo("failed");
    assertThat(json.get("message").asText()).isEqualTo("connection lost\nRun again.");
    assertThat(json.get("run_id").asText()).isEqualTo("20260301T100000Z-abc123");
    assertThat(json.get("phase").asText()).isEqualTo("apply");
    assertThat(json.get("applied_through").asLong()).isEqualTo(4_000);
    assertThat(json.get("changes_total").asLong()).isEqualTo(10_000);
  }

  @Test
  void anErrorBeforeAnyRunHasNoRunFields() throws Exception {
    JsonNode json =
        new ObjectMapper()
            .readTree(
                Renderer.json(
                    Renderer.error("s", new QsyncException(ErrorKind.LOCK_HELD, "locked"))));
    assertThat(json.has("run_id")).isFalse();
    assertThat(json.has("phase")).isFalse();
  }

  @Test
  void carriesValuesAsJsonCanHoldThem() {
    assertThat(Renderer.plain(null)).isNull();
    assertThat(Renderer.plain(7L)).isEqualTo(7L);
    assertThat(Renderer.plain(true)).isEqualTo(true);
    assertThat(Renderer.plain("x")).isEqualTo("x");
    assertThat(Renderer.plain(1.5d)).isEqualTo(1.5d);
    assertThat(Renderer.plain(Double.NaN)).isEqualTo("NaN");
    assertThat(Renderer.plain(Float.POSITIVE_INFINITY)).isEqualTo("Infinity");
    assertThat(Renderer.plain(new BigDecimal("1E+3"))).isEqualTo("1000");
    assertThat(Renderer.plain(new BigDecimal("0.000000001"))).isEqualTo("0.000000001");
    assertThat(Renderer.plain(new BigInteger("18446744073709551615")))
        .isEqualTo("18446744073709551615");
    assertThat(Renderer.plain(new byte[] {1, 2, 3})).isEqualTo("AQID");
    assertThat(Renderer.plain(LocalDateTime.of(2026, 1, 2, 3, 4, 5, 123_456_000)))
        .isEqualTo("2026-01-02T03:04:05.123456");
  }

  @Test
  void rendersAPlanWithSamplesAndTheCreateStatement() {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", 1L);
    row.put("name", "a very long name that goes on and on and on and on");
    row.put("score", null);
    PlanReport report =
        new PlanReport(
            "targets",
            "mirror",
            "t",
            new ChangeCounts(1, 1, 0, 0, 0),
            Optional.of("CREATE TABLE `t` (...)"),
            Map.of(
                "insert",
                List.of(PlanReport.Sample.insert(Map.of("id", 1L), row)),
                "update",
                List.of(),
                "delete",
                List.of()),
            List.of("run r is unfinished"));
    assertThat(Renderer.text(report))
        .isEqualTo(
            "plan for targets -> table t (mirror): 1 to insert, 0 to update, 0 to delete, 0 unchanged"
                + " (1 source row); nothing was written\n"
                + "the table does not exist; a run creates it:\n"
                + "CREATE TABLE `t` (...)\n"
                + "sample of insert:\n"
                + "  id=1, name='a very long name that goes on and on ...', score=NULL\n"
                + "note: run r is unfinished");
  }

  @Test
  void planSamplesKeepTheRunnersOrderAndShowUpdatesAsOldToNew() {
    Map<String, List<PlanReport.Sample>> samples = new LinkedHashMap<>();
    for (int i = 0; i < 12; i++) {
      samples.put("kind" + i, List.of());
    }
    samples.put(
        "insert",
        List.of(PlanReport.Sample.insert(Map.of("id", 1L), row("id", 1L, "name", "new"))));
    samples.put(
        "update",
        List.of(
            new PlanReport.Sample(
                Map.of("id", 2L),
                row("id", 2L, "name", "b", "score", new BigDecimal("1.50")),
                row("name", "a", "score", null),
                true),
            new PlanReport.Sample(Map.of("id", 3L), row("id", 3L, "name", "c"), Map.of(), false)));
    samples.put(
        "delete",
        List.of(
            new PlanReport.Sample(Map.of("id", 4L), row("id", 4L, "name", "gone"), Map.of(), true),
            new PlanReport.Sample(Map.of("id", 5L), row("id", 5L), Map.of(), false)));

    PlanReport report =
        new PlanReport(
            "s",
            "mirror",
            "t",
            new ChangeCounts(4, 1, 2, 2, 1),
            Optional.empty(),
            samples,
            List.of());

    assertThat(report.samples().keySet()).containsExactlyElementsOf(samples.keySet());
    assertThat(Renderer.text(report))
        .endsWith(
            "sample of insert:\n"
                + "  id=1, name='new'\n"
                + "sample of update:\n"
                + "  id=2: name 'a' -> 'b', score NULL -> 1.50\n"
                + "  id=3, name='c' (not in the table now)\n"
                + "sample of delete:\n"
                + "  id=4, name='gone'\n"
                + "  id=5 (not in the table now)");
    Map<String, Object> json = Renderer.map(report);
    assertThat(List.copyOf(((Map<?, ?>) json.get("samples")).keySet()))
        .isEqualTo(List.copyOf(samples.keySet()));
    assertThat(Renderer.json(json.get("updates")))
        .isEqualToIgnoringWhitespace(
            "[{\"key\":{\"id\":2},\"changed\":{\"name\":{\"old\":\"a\",\"new\":\"b\"},"
                + "\"score\":{\"old\":null,\"new\":\"1.50\"}}}]");
  }

  /** A map of the given column, value pairs, in order; values may be null. */
  private static Map<String, Object> row(Object... pairs) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      row.put((String) pairs[i], pairs[i + 1]);
    }
    return row;
  }

  @Test
  void historyColumnsStayAlignedForPlanAndHealRunIds() {
    Instant started = Instant.parse("2026-03-01T10:00:00Z");
    List<RunRecord> runs =
        java.util.stream.Stream.of(
                "20260301T100000Z-abcdef",
                "plan-20260301T100000Z-abcdef",
                "heal-20260301T100000Z-abcdef")
            .map(
                id ->
                    RunRecord.started(id, "targets", "t", "mirror", started, "host", 42, 7)
                        .withChangeSet(new ChangeCounts(10, 4, 3, 2, 3), 9)
                        .withCheckpoint(9, 3)
                        .finished(RunStatus.SUCCEEDED, started.plusSeconds(5), Optional.empty()))
            .toList();

    List<String> lines = Renderer.historyText(runs).lines().toList();

    assertThat(lines).hasSize(4);
    int status = lines.get(0).indexOf("STATUS");
    int startedColumn = lines.get(0).indexOf("STARTED");
    for (String line : lines.subList(1, 4)) {
      assertThat(line.indexOf("succeeded")).as(line).isEqualTo(status);
      assertThat(line.indexOf("2026-03-01 10:00:00")).as(line).isEqualTo(startedColumn);
    }
  }

  @Test
  void historyLabelsWhatAVerifyFoundAndWhyARunWasAbandonedAsNoErrors() {
    Instant started = Instant.parse("2026-03-01T10:00:00Z");
    RunRecord verify =
        RunRecord.started("v1", "targets", "t", RunRecord.VERIFY, started, "host", 42, 0)
            .finished(RunStatus.FAILED, started.plusSeconds(1), Optional.of("table differs: 1"));
    RunRecord abandoned =
        RunRecord.started("r1", "targets", "t", "mirror", started, "host", 42, 7)
            .finished(
                RunStatus.ABANDONED,
                started.plusSeconds(1),
                Optional.of("abandoned: --restart was given"));
    RunRecord failed =
        RunRecord.started("r2", "targets", "t", "mirror", started, "host", 42, 7)
            .finished(RunStatus.FAILED, started.plusSeconds(1), Optional.of("boom"));

    String text = Renderer.historyText(List.of(verify, abandoned, failed));

    assertThat(text)
        .contains("  found: table differs: 1\n")
        .contains("  why: abandoned: --restart was given\n")
        .contains("  error: boom\n")
        .doesNotContain("error: table differs")
        .doesNotContain("error: abandoned");
  }

  @Test
  void rendersHistoryAndStatus() {
    Instant started = Instant.parse("2026-03-01T10:00:00.123Z");
    RunRecord run =
        RunRecord.started(
                "20260301T100000Z-abcdef", "targets", "t", "mirror", started, "host", 42, 7)
            .withChangeSet(new ChangeCounts(10, 4, 3, 2, 3), 9)
            .withCheckpoint(9, 3)
            .finished(RunStatus.FAILED, started.plusSeconds(65), Optional.of("boom\nremedy"));
    assertThat(Renderer.historyText(List.of(run)))
        .contains("20260301T100000Z-abcdef")
        .contains("failed")
        .contains("2026-03-01 10:00:00")
        .contains("1m05s")
        .contains("+4 ~3 -2 =3")
        .contains("9/9")
        .contains("  error: boom\n    remedy");

    String status =
        Renderer.text(
            List.of(
                new StatusReport(
                    "targets",
                    "t",
                    Optional.of(run),
                    Optional.of(Duration.ofMinutes(3)),
                    false,
                    Optional.empty()),
                new StatusReport(
                    "other",
                    "u",
                    Optional.empty(),
                    Optional.empty(),
                    false,
                    Optional.of("cannot connect\nCheck it"))));
    assertThat(status.lines().toList()).hasSize(8);
    assertThat(status)
        .contains("  error: boom\n    remedy")
        .contains(
            "  stopped while extracting, before its change set was complete; the next run starts over")
        .contains("targets")
        .contains("3m00s")
        .contains("other")
        .contains("unknown")
        .contains("  cannot read history: cannot connect\n    Check it");
  }

  @Test
  void aRunningRunWhoseLockIsFreeShowsAsInterruptedAndResumable() {
    Instant started = Instant.parse("2026-03-01T10:00:00Z");
    RunRecord killed =
        RunRecord.started(
                "20260301T100000Z-abcdef", "targets", "t", "mirror", started, "host", 42, 7)
            .withChangeSet(new ChangeCounts(10, 10, 0, 0, 0), 10)
            .withPhase(io.qsync.state.RunPhase.APPLY)
            .withCheckpoint(4, 2);
    StatusReport dead =
        new StatusReport(
            "targets",
            "t",
            Optional.of(killed),
            Optional.of(Duration.ofMinutes(1)),
            false,
            Optional.empty());
    StatusReport live =
        new StatusReport(
            "targets",
            "t",
            Optional.of(killed),
            Optional.of(Duration.ofMinutes(1)),
            true,
            Optional.empty());

    assertThat(Renderer.text(List.of(dead)))
        .contains("interrupted")
        .contains("4 of 10 changes applied; the next `qsync run targets` resumes it");
    assertThat(Renderer.text(List.of(live))).contains("running").doesNotContain("resumes");
    assertThat(Renderer.map(dead))
        .containsEntry("last_status", "interrupted")
        .containsEntry("running_now", false)
        .doesNotContainKey("error");
  }

  /** A status's own error is for a status that could not be read, not for its last run's. */
  @Test
  void aStatusHasAnErrorOfItsOwnOnlyWhenItCouldNotBeRead() {
    RunRecord failed = failedIn(io.qsync.state.RunPhase.QUERY, "the warehouse refused the query");
    StatusReport readable =
        new StatusReport(
            "targets",
            "t",
            Optional.of(failed),
            Optional.of(Duration.ofMinutes(1)),
            false,
            Optional.empty());
    StatusReport unreadable =
        new StatusReport(
            "targets",
            "t",
            Optional.empty(),
            Optional.empty(),
            false,
            Optional.of("database 'db' cannot be reached"));

    assertThat(Renderer.map(readable)).doesNotContainKey("error");
    assertThat(Renderer.map(readable).get("last_run"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("error", "the warehouse refused the query");
    assertThat(Renderer.map(unreadable))
        .containsEntry("last_status", "unknown")
        .containsEntry("error", "database 'db' cannot be reached");
  }

  private static RunRecord failedIn(io.qsync.state.RunPhase phase, String error) {
    return RunRecord.started(
            "20260301T100000Z-abcdef",
            "targets",
            "t",
            "mirror",
            Instant.parse("2026-03-01T10:00:00Z"),
            "host",
            42,
            7)
        .withPhase(phase)
        .finished(
            io.qsync.state.RunStatus.FAILED,
            Instant.parse("2026-03-01T10:00:05Z"),
            Optional.of(error));
  }

  @Test
  void statusShowsTheWholeErrorAndWhatTheNextRunDoesByTheStepItStoppedIn() {
    String keys =
        "sync 'targets': the query's keys cannot be written (key: k):\n"
            + " - 2 key(s) on more than one row -> (1), (2)\nNothing was written.";
    StatusReport checked =
        new StatusReport(
            "targets",
            "t",
            Optional.of(failedIn(io.qsync.state.RunPhase.CHECK, keys)),
            Optional.of(Duration.ofMinutes(1)),
            false,
            Optional.empty());
    StatusReport refused =
        new StatusReport(
            "targets",
            "t",
            Optional.of(
                failedIn(
                    io.qsync.state.RunPhase.QUERY,
                    "BigQuery connection 'bq': the query failed: invalidQuery: Unrecognized name: x")),
            Optional.of(Duration.ofMinutes(1)),
            false,
            Optional.empty());

    assertThat(Renderer.text(List.of(checked)))
        .contains("(key: k):\n     - 2 key(s) on more than one row -> (1), (2)")
        .contains("the result failed a check")
        .doesNotContain("rejected");
    assertThat(Renderer.text(List.of(refused)))
        .contains("stopped at the query, before writing anything")
        .doesNotContain("target rejected")
        .doesNotContain("database rejected");
    assertThat(Renderer.historyText(List.of(failedIn(io.qsync.state.RunPhase.CHECK, keys))))
        .contains("- 2 key(s) on more than one row -> (1), (2)")
        .contains("the result failed a check");
  }

  /** The run's own error said what the next run does; the status line below says it once. */
  @Test
  void whatTheNextRunDoesIsSaidOnce() {
    String error = "table t refuses the row with key (id=1)\n" + RunFailures.FRESH_CHANGE_SET;
    RunRecord rejected = failedIn(io.qsync.state.RunPhase.REJECTED, error);

    for (String text :
        List.of(
            Renderer.historyText(List.of(rejected)),
            Renderer.text(
                List.of(
                    new StatusReport(
                        "targets",
                        "t",
                        Optional.of(rejected),
                        Optional.of(Duration.ofMinutes(1)),
                        false,
                        Optional.empty()))))) {
      assertThat(text)
          .contains("table t refuses the row with key (id=1)")
          .doesNotContain(RunFailures.FRESH_CHANGE_SET)
          .containsOnlyOnce("the next run computes a fresh change set");
    }
  }

  @Test
  void statusColumnsStayAlignedForAnInterruptedRun() {
    RunRecord killed =
        RunRecord.started(
            "20260301T100000Z-abcdef",
            "targets",
            "t",
            "mirror",
            Instant.parse("2026-03-01T10:00:00Z"),
            "host",
            42,
            7);
    String text =
        Renderer.text(
            List.of(
                new StatusReport(
                    "targets",
                    "t",
                    Optional.of(killed),
                    Optional.of(Duration.ofMinutes(1)),
                    false,
                    Optional.empty())));
    List<String> lines = text.lines().toList();
    assertThat(lines.get(1)).contains("interrupted");
    assertThat(lines.get(1).indexOf("1m00s")).isEqualTo(lines.get(0).indexOf("AGO"));
  }

  @Test
  void rendersValidationProblemsIndented() {
    ValidationReport report =
        new ValidationReport(
            Path.of("/x/qsync.yaml"),
            List.of(
                new ValidationReport.SyncCheck("a", List.of("query returns 1 column"), List.of()),
                new ValidationReport.SyncCheck("b", List.of(), List.of("line one\nline two"))));
    assertThat(Renderer.text(report))
        .isEqualTo(
            "config /x/qsync.yaml: valid\n"
                + "a: ok\n"
                + "  query returns 1 column\n"
                + "b: NOT READY\n"
                + "  problem: line one\n"
                + "    line two");
  }
}
