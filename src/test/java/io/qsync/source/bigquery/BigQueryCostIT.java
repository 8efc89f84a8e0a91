package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.Diff;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.PlanReport;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.resume.SameRows;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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

  /**
   * Where nothing changed, a run after one that changed nothing compares the result's key and
   * fingerprint alone with the state's, fetches nothing and writes no state; where 1 % of the rows
   * changed, a run after one that changed nothing compares first, then fetches the result's columns
   * of the changed keys, and one after a run that changed rows compares and fetches in one job.
   * Each job's bytes are the formula's (docs/warehouse-diff.md), the table equals the query each
   * time, and the plan's dry run shows what the change set's steps scan.
   */
  @Test
  void aRunWhereNothingChangedBillsTheKeysComparisonAloneAndKeepsTheState(TestDatabase database) {
    Qsync qsync = qsync(database);
    RunReport first = qsync.run(BigQuerySyncs.SYNC);
    String state = stateTables().get(0);
    long query = billed(resultBytes());
    // the result's columns and fingerprint, and the state's key and fingerprint (40 kB: 10 MB)
    long oneJob = billed(resultBytes() + ROWS * 8) + MINIMUM;
    // the result's key and fingerprint, the state's key and fingerprint: 40 kB each, 10 MB each
    long compare = 2 * MINIMUM;

    RunReport afterTheLoad = qsync.run(BigQuerySyncs.SYNC);

    assertThat(afterTheLoad.counts().changes()).isZero();
    assertThat(afterTheLoad.bytesBilled())
        .as("the first load changed every row: one job; nothing changed: no state job")
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("query", query, "key checks", MINIMUM, "changes", oneJob));
    assertThat(afterTheLoad.notes())
        .contains(
            "compared and fetched the changed rows in one query (run "
                + first.runId()
                + " changed 2,500 rows)");

    RunReport unchanged = qsync.run(BigQuerySyncs.SYNC);

    assertThat(unchanged.counts().changes()).isZero();
    assertThat(unchanged.bytesBilled())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("query", query, "key checks", MINIMUM, "compare", compare));
    assertThat(unchanged.bytesBilled().values().stream().mapToLong(Long::longValue).sum())
        .as("before: query, key checks, changes and state")
        .isEqualTo(query + 3 * MINIMUM)
        .isLessThan(query + MINIMUM + oneJob + MINIMUM);
    assertThat(unchanged.notes())
        .contains(
            "compared keys and fingerprints only (run "
                + afterTheLoad.runId()
                + " changed no row): nothing changed, so no row's columns were read",
            "nothing changed, so the state this run compared with ("
                + state
                + ") stays in force: no new state was written");
    assertThat(stateTables()).as("the first run's state, kept").containsExactly(state);
    assertTableEqualsQuery(database);

    emulator.execute("UPDATE shop.notes SET note = 'changed ' || id WHERE id % 100 = 7");
    long changedQuery = billed(resultBytes());
    // the result's columns (not its fingerprint), and the keys table (25 x 16 bytes: 10 MB)
    long fetch = billed(resultBytes()) + MINIMUM;
    List<List<String>> tables = datasetTables();
    PlanReport plan = qsync.plan(BigQuerySyncs.SYNC);
    assertThat(datasetTables()).as("the plan's result, keys and changes dropped").isEqualTo(tables);
    assertThat(plan.counts().updates()).isEqualTo(25);
    assertThat(plan.notes())
        .contains(
            String.format(
                Locale.ROOT,
                "the diff query scans %,d bytes in qsync-test.%s (dry run)",
                // compare: 2,500 x (8 + 8) twice; fetch: the result's columns, 25 x (2 + 6 + 8)
                2 * ROWS * 16 + resultBytes() + 25 * 16,
                STATE));

    RunReport changed = qsync.run(BigQuerySyncs.SYNC);

    assertThat(changed.counts().updates()).isEqualTo(25);
    assertThat(changed.bytesBilled())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "query",
                changedQuery,
                "key checks",
                MINIMUM,
                "compare",
                compare,
                "changes",
                fetch,
                "state",
                MINIMUM));
    assertThat(changed.notes())
        .contains(
            "compared keys and fingerprints first (run "
                + unchanged.runId()
                + " changed no row), then fetched the columns of the 25 changed rows");
    assertTableEqualsQuery(database);

    emulator.execute("UPDATE shop.notes SET note = 'again ' || id WHERE id % 100 = 8");
    RunReport changedAgain = qsync.run(BigQuerySyncs.SYNC);

    assertThat(changedAgain.counts().updates()).isEqualTo(25);
    assertThat(changedAgain.bytesBilled())
        .as("after a run that changed rows: one job, as before")
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "query",
                billed(resultBytes()),
                "key checks",
                MINIMUM,
                "changes",
                billed(resultBytes() + ROWS * 8) + MINIMUM,
                "state",
                MINIMUM));
    assertTableEqualsQuery(database);
    assertThat(stateTables()).singleElement().isNotEqualTo(state);
  }

  /** A small result bills BigQuery's 10 MB minimum whatever a job reads of it: one job, always. */
  @Test
  void aResultWithinTheMinimumIsComparedInOneJobEvenWhenNothingChanged(TestDatabase database) {
    emulator.execute("DELETE FROM shop.notes WHERE id >= 100");
    Qsync qsync = qsync(database);
    qsync.run(BigQuerySyncs.SYNC);
    qsync.run(BigQuerySyncs.SYNC);

    RunReport unchanged = qsync.run(BigQuerySyncs.SYNC);

    assertThat(unchanged.bytesBilled())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("query", MINIMUM, "key checks", MINIMUM, "changes", 2 * MINIMUM));
    assertThat(unchanged.notes())
        .anyMatch(
            note ->
                note.matches(
                    "compared and fetched the changed rows in one query \\(the result table holds"
                        + " [0-9,]+ bytes, within the 10 MB BigQuery bills at least for each table a"
                        + " job reads, so comparing keys and fingerprints first could not bill"
                        + " less\\)"));
    assertTableEqualsQuery(database);
  }

  private List<List<String>> datasetTables() {
    return emulator.rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
            + STATE
            + "' ORDER BY table_name");
  }

  private List<String> stateTables() {
    return emulator
        .rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                + STATE
                + "' AND table_name LIKE '%\\_state\\_%' ESCAPE '\\' ORDER BY table_name")
        .stream()
        .map(row -> row.get(0))
        .toList();
  }

  private void assertTableEqualsQuery(TestDatabase database) {
    SameRows.assertSame(
        emulator.rows("SELECT id, note FROM shop.notes ORDER BY id"),
        database.rows("SELECT id, note FROM notes ORDER BY id"),
        "the query's result",
        "the table");
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

  /**
   * The bytes billed are only shown: when the run history refuses them (here a trigger of the
   * database's), the run succeeds and its report says so, in the notes the CLI prints and puts in
   * {@code -o json}.
   */
  @Test
  void bytesBilledTheHistoryCannotKeepAreANoteOfTheReport(TestDatabase database) {
    Qsync qsync = qsync(database);
    qsync.run(BigQuerySyncs.SYNC);
    database.execute(
        "CREATE TRIGGER refuse_bytes_billed BEFORE UPDATE ON _qsync_runs FOR EACH ROW"
            + " BEGIN IF NOT (NEW.bytes_billed <=> OLD.bytes_billed) THEN"
            + " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'bytes_billed refused by the test';"
            + " END IF; END");

    RunReport refused = qsync.run(BigQuerySyncs.SYNC);

    assertThat(refused.bytesBilled()).containsKey("query");
    assertThat(refused.notes())
        .anyMatch(
            note ->
                note.startsWith(
                        "the bytes this run's warehouse jobs billed could not be kept in the run"
                            + " history (")
                    && note.contains("bytes_billed refused by the test"));
  }

  /**
   * A run that compares with the state looks up each table it needs once: the query's result (the
   * job's destination), the state in force, the key check's result, the result again for its size
   * and columns (the comparison's SQL names the columns; one lookup answers both), and the change
   * set.
   */
  @Test
  void aRunComparedWithTheStateLooksUpTheResultsSizeAndColumnsOnce(TestDatabase database) {
    Qsync qsync = qsync(database);
    qsync.run(BigQuerySyncs.SYNC);
    emulator.execute("UPDATE shop.notes SET note = 'changed' WHERE id = 7");
    qsync.run(BigQuerySyncs.SYNC);
    long before = emulator.requests("tables.get");

    RunReport unchanged = qsync.run(BigQuerySyncs.SYNC);

    assertThat(unchanged.counts().changes()).isZero();
    assertThat(emulator.requests("tables.get") - before).isEqualTo(5);
  }
}
