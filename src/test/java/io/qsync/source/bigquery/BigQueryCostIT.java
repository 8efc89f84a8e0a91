package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.Diff;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@code diff: snapshot} run bills in BigQuery, job by job, as the run report and the run
 * history show it, against the emulator's count (only the columns a job reads; each table's bytes
 * rounded up to a MB, at least 10 MB). The table's rows are wide (a 5,000-character note) and its
 * key narrow, so that a job reading the note bills more than the minimum and one reading the key
 * alone bills the minimum.
 */
@ExtendWith(MariaDbExtension.class)
class BigQueryCostIT {
  private static final long MB = 1024 * 1024;
  private static final long MINIMUM = 10 * MB;
  private static final int ROWS = 2500;
  private static final String STATE = "qsync_state";
  private static final String QUERY = "SELECT id, note FROM `qsync-test.shop.notes`";

  @TempDir Path dir;
  private BigQueryEmulator emulator;

  @BeforeEach
  void start() {
    emulator = BigQueryEmulator.start("qsync-test");
    emulator.execute(
        "CREATE SCHEMA shop",
        "CREATE TABLE shop.notes AS SELECT range AS id, repeat('x', 5000) || range AS note"
            + " FROM range("
            + ROWS
            + ")");
    emulator.createDataset(STATE);
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private Qsync qsync(TestDatabase database) {
    SyncConfig sync =
        BigQuerySyncs.sync(QUERY, "notes", List.of("id"), Mode.MIRROR).toBuilder()
            .diff(Diff.snapshot(STATE))
            .build();
    return BigQuerySyncs.qsync(
        dir,
        database,
        BigQuerySyncs.connection(emulator, 500, Optional.empty()),
        sync,
        FaultPoint.NONE);
  }

  /** A table's bytes rounded up to a MB, at least 10 MB: what one table of a job bills. */
  private static long billed(long bytes) {
    return Math.max(MINIMUM, (bytes + MB - 1) / MB * MB);
  }

  /** The bytes of the query's columns: id 8, note 2 + its length. */
  private long resultBytes() {
    return Long.parseLong(
        emulator.rows("SELECT sum(8 + 2 + strlen(note)) FROM shop.notes").get(0).get(0));
  }

  @Test
  void theReportAndTheHistoryShowWhatEachJobBilled(TestDatabase database) {
    Qsync qsync = qsync(database);
    long query = billed(resultBytes());
    assertThat(query).as("the note makes the result bill more than 10 MB").isGreaterThan(MINIMUM);

    RunReport first = qsync.run(BigQuerySyncs.SYNC);

    // The first run compares in full (its keys are checked in the stage): the query reads
    // shop.notes whole; the state reads the result's key and fingerprint, 40 kB: the minimum.
    assertThat(first.bytesBilled())
        .containsExactlyInAnyOrderEntriesOf(Map.of("query", query, "state", MINIMUM));

    emulator.execute("UPDATE shop.notes SET note = 'changed' WHERE id = 7");
    RunReport second = qsync.run(BigQuerySyncs.SYNC);

    assertThat(second.counts().updates()).isEqualTo(1);
    assertThat(second.bytesBilled())
        .containsEntry("query", query)
        // one job reading the result's key
        .containsEntry("key checks", MINIMUM)
        // the result whole (and its fingerprint) and the state's key and fingerprint
        .containsEntry("changes", billed(resultBytes() + ROWS * 8) + MINIMUM)
        .containsEntry("state", MINIMUM)
        .hasSize(4);
    Map<String, Map<String, Long>> history =
        qsync.bytesBilled(BigQuerySyncs.SYNC, List.of(first.runId(), second.runId()));
    assertThat(history).containsEntry(first.runId(), first.bytesBilled());
    assertThat(history).containsEntry(second.runId(), second.bytesBilled());
  }

  @Test
  void theStateDatasetsTimeTravelWindowIsSetToItsMinimum(TestDatabase database) {
    assertThat(emulator.timeTravelHours(STATE)).as("BigQuery's default").isEqualTo(168);

    RunReport first = qsync(database).run(BigQuerySyncs.SYNC);

    assertThat(emulator.timeTravelHours(STATE)).isEqualTo(48);
    assertThat(first.notes())
        .containsOnlyOnce(
            "set the time travel window of state_dataset qsync_state to 48 hours (was 168): the"
                + " tables each run drops stay billed for 2 days instead of 7");
    RunReport second = qsync(database).run(BigQuerySyncs.SYNC);
    assertThat(second.notes()).noneMatch(note -> note.contains("time travel"));
  }

  @Test
  void withoutThePermissionToUpdateTheDatasetTheRunGoesOnAndSaysSo(TestDatabase database) {
    emulator.failRequest("datasets.patch", 1, 403, "accessDenied", Integer.MAX_VALUE);

    RunReport first = qsync(database).run(BigQuerySyncs.SYNC);

    assertThat(first.counts().inserts()).isEqualTo(ROWS);
    assertThat(emulator.timeTravelHours(STATE)).isEqualTo(168);
    assertThat(first.notes().stream().filter(note -> note.contains("time travel")))
        .singleElement()
        .asString()
        .contains("could not set the time travel window of state_dataset qsync_state to 48 hours")
        .contains("accessDenied")
        .contains("stay billed for 7 days")
        .contains("bq update --max_time_travel_hours=48 qsync-test:qsync_state");
  }
}
