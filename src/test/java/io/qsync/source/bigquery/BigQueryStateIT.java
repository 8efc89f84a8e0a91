package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.KeyCollation;
import io.qsync.diff.KeyProblem;
import io.qsync.row.Column;
import io.qsync.source.SnapshotNames;
import io.qsync.source.SnapshotSql;
import io.qsync.source.SourceResult;
import io.qsync.source.WarehouseState;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code diff: snapshot} on BigQuery: the warehouse state driven directly, Google's client against
 * the emulator. Change sets are compared with what the query's rows became, row by row.
 */
class BigQueryStateIT {
  private static final String STATE = "qsync_state";
  private static final String QUERY = "SELECT id, name, price FROM `qsync-test.shop.items`";
  private static final List<String> KEY = List.of("id");

  private BigQueryEmulator emulator;
  private final List<BigQuerySource> sources = new ArrayList<>();
  private final SnapshotNames names = SnapshotNames.of("items", "app", "items");

  @BeforeEach
  void start() {
    emulator = BigQueryEmulator.start("qsync-test");
    emulator.execute(
        "CREATE SCHEMA shop",
        "CREATE TABLE shop.items AS SELECT range AS id, 'item ' || range AS name,"
            + " CASE WHEN range = 4 THEN NULL ELSE range * 10 END AS price FROM range(1, 8)");
    emulator.createDataset(
        STATE, Duration.ofDays(1)); // a default expiration the state must not get
  }

  @AfterEach
  void stop() {
    sources.forEach(BigQuerySource::close);
    emulator.close();
  }

  /** A fresh source and state, as a new qsync process would have. */
  private WarehouseState state() {
    BigQuerySource source =
        new BigQuerySource(BigQuerySyncs.connection(emulator, 2, Optional.empty()));
    sources.add(source);
    return source.state(STATE).orElseThrow();
  }

  private static List<List<String>> read(SourceResult result) {
    List<List<String>> rows = new ArrayList<>();
    result.read(0, row -> rows.add(Arrays.stream(row).map(String::valueOf).toList()));
    rows.sort((a, b) -> String.join("|", a).compareTo(String.join("|", b)));
    return rows;
  }

  @Test
  void changeSetsHoldInsertsUpdatesDeletesKeyChangesAndNullToValue() {
    WarehouseState state = state();
    SnapshotNames.Run first = names.run("20260101T000000Z-000001");
    SourceResult result = state.materialize(QUERY, first);
    assertThat(result.columns()).extracting(Column::name).containsExactly("id", "name", "price");
    assertThat(read(result))
        .hasSize(7)
        .allMatch(row -> row.size() == 3)
        .contains(List.of("4", "item 4", "null"));
    state.advance(first, KEY);

    emulator.execute(
        "INSERT INTO shop.items VALUES (100, 'new', 1)",
        "UPDATE shop.items SET name = 'renamed' WHERE id = 2",
        "DELETE FROM shop.items WHERE id = 3",
        "UPDATE shop.items SET price = 40 WHERE id = 4",
        "UPDATE shop.items SET id = 50 WHERE id = 5");
    SnapshotNames.Run second = names.run("20260102T000000Z-000002");
    state.materialize(QUERY, second);
    SourceResult changes = state.changes(second, first.state(), KEY, true);

    assertThat(changes.columns())
        .extracting(Column::name)
        .containsExactly(SnapshotSql.OP, "id", "name", "price");
    assertThat(changes.totalRows()).hasValue(6);
    assertThat(read(changes))
        .containsExactly(
            List.of("delete", "3", "null", "null"),
            List.of("delete", "5", "null", "null"),
            List.of("insert", "100", "new", "1"),
            List.of("insert", "50", "item 5", "50"),
            List.of("update", "2", "renamed", "20"),
            List.of("update", "4", "item 4", "40"));

    SnapshotNames.Run upsert = names.run("20260102T000000Z-000003");
    state.materialize(QUERY, upsert);
    List<List<String>> upserts = read(state.changes(upsert, first.state(), KEY, false));
    assertThat(upserts)
        .as("deletes: false (upsert)")
        .extracting(row -> row.get(0))
        .containsExactly("insert", "insert", "update", "update");

    SnapshotNames.Run twoSteps = names.run("20260102T000000Z-000004");
    state.materialize(QUERY, twoSteps);
    assertThat(state.compare(twoSteps, first.state(), KEY, true)).hasValue(6);
    assertThat(read(state.fetch(twoSteps, KEY)))
        .as("compared first, then fetched: the same change set")
        .isEqualTo(read(state.changes(second, first.state(), KEY, true)));
    SnapshotNames.Run twoStepsUpsert = names.run("20260102T000000Z-000005");
    state.materialize(QUERY, twoStepsUpsert);
    assertThat(state.compare(twoStepsUpsert, first.state(), KEY, false)).hasValue(4);
    assertThat(read(state.fetch(twoStepsUpsert, KEY))).isEqualTo(upserts);
  }

  @Test
  void aResumedRunFindsItsJobsInsteadOfQueryingAgain() {
    SnapshotNames.Run first = names.run("run-1");
    WarehouseState state = state();
    state.materialize(QUERY, first);
    state.advance(first, KEY);
    emulator.execute("UPDATE shop.items SET name = 'renamed' WHERE id = 2");
    SnapshotNames.Run second = names.run("run-2");
    state.materialize(QUERY, second);
    List<List<String>> changes = read(state.changes(second, first.state(), KEY, true));
    long queries = emulator.queriesRun();

    WarehouseState resumed = state();
    SourceResult result = resumed.materialize(QUERY, second);
    List<List<String>> again = read(resumed.changes(second, first.state(), KEY, true));
    resumed.advance(first, KEY);

    assertThat(emulator.queriesRun()).as("queries run").isEqualTo(queries);
    assertThat(again).isEqualTo(changes).containsExactly(List.of("update", "2", "renamed", "20"));
    assertThat(result.notes())
        .anyMatch(note -> note.contains("found job " + names.prefix() + "run_2_"));
  }

  /** Two runs of the sync: the first applied (its state written), the second's result made. */
  private record TwoRuns(SnapshotNames.Run first, SnapshotNames.Run second) {}

  private TwoRuns twoRuns(WarehouseState state) {
    SnapshotNames.Run first = names.run("run-1");
    state.materialize(QUERY, first);
    state.advance(first, KEY);
    SnapshotNames.Run second = names.run("run-2");
    state.materialize(QUERY, second);
    return new TwoRuns(first, second);
  }

  @Test
  void aRunWhereNothingChangedServesNoRows() {
    WarehouseState state = state();
    TwoRuns runs = twoRuns(state);

    SourceResult changes = state.changes(runs.second(), runs.first().state(), KEY, true);

    assertThat(changes.totalRows()).hasValue(0);
    assertThat(read(changes)).isEmpty();
    assertThat(
            state.checkKeys(
                runs.second(), List.of("name"), List.of(KeyCollation.of("utf8mb4_general_ci")), 5))
        .isEmpty();
    assertThat(emulator.rowsServed()).as("rows served by the emulator").isZero();
  }

  @Test
  void checkKeysFindsNullDuplicateAndCollidingKeysInTheWarehouse() {
    emulator.execute(
        "CREATE TABLE shop.people (name VARCHAR, n BIGINT)",
        "INSERT INTO shop.people VALUES ('ann', 1), ('ann', 2), (NULL, 3), ('Bob', 4), ('bob', 5),"
            + " ('José', 6), ('jose ', 7), ('zed', 8)");
    WarehouseState state = state();
    SnapshotNames.Run run = names.run("run-1");
    state.materialize("SELECT name, n FROM shop.people", run);

    List<KeyProblem> problems =
        state.checkKeys(run, List.of("name"), List.of(KeyCollation.of("utf8mb4_general_ci")), 5);

    assertThat(problems)
        .extracting(KeyProblem::kind)
        .containsExactly(
            KeyProblem.Kind.NULL_KEY,
            KeyProblem.Kind.DUPLICATE_KEY,
            KeyProblem.Kind.COLLATION_COLLISION);
    assertThat(problems.get(0).samples()).containsExactly("(NULL)");
    assertThat(problems.get(1).samples()).containsExactly("('ann')");
    assertThat(problems.get(2).count()).isEqualTo(2);
    assertThat(problems.get(2).samples())
        .containsExactlyInAnyOrder("'Bob' and 'bob'", "'José' and 'jose '");
    assertThat(state.checkKeys(run, List.of("name"), List.of(KeyCollation.EXACT), 5))
        .as("case-sensitive target")
        .extracting(KeyProblem::kind)
        .containsExactly(KeyProblem.Kind.NULL_KEY, KeyProblem.Kind.DUPLICATE_KEY);
  }

  @Test
  void checkKeysComparesCompositeKeysUnderTheirCollations() {
    emulator.execute(
        "CREATE TABLE shop.pairs AS SELECT * FROM (VALUES (1, 'a'), (1, 'A'), (2, 'a'),"
            + " (2, 'b')) AS t(n, code)");
    WarehouseState state = state();
    SnapshotNames.Run run = names.run("run-1");
    state.materialize("SELECT n, code FROM shop.pairs", run);

    List<KeyProblem> problems =
        state.checkKeys(
            run,
            List.of("n", "code"),
            List.of(KeyCollation.EXACT, KeyCollation.of("utf8mb4_general_ci")),
            5);

    assertThat(problems)
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem.kind()).isEqualTo(KeyProblem.Kind.COLLATION_COLLISION);
              assertThat(problem.samples())
                  .singleElement()
                  .asString()
                  .contains("\"code\":\"A\"")
                  .contains("\"code\":\"a\"")
                  .contains(" and ");
            });
  }

  @Test
  void tablesAreLabelledAndOnlyTheStateOutlivesTheRun() {
    WarehouseState state = state();
    SnapshotNames.Run run = names.run("run-1");
    state.materialize(QUERY, run);
    state.advance(run, KEY);
    state.changes(run, run.state(), KEY, true);
    state.compare(run, run.state(), KEY, true);

    String sync = names.prefix().substring(0, names.prefix().length() - 1);
    for (String table : run.tables()) {
      assertThat(
              emulator
                  .tableMetadata(STATE, table)
                  .orElseThrow()
                  .path("labels")
                  .path("qsync_sync")
                  .asText())
          .as("label of %s", table)
          .isEqualTo(sync);
    }
    assertThat(emulator.tableMetadata(STATE, run.result()).orElseThrow().has("expirationTime"))
        .isTrue();
    assertThat(emulator.tableMetadata(STATE, run.changes()).orElseThrow().has("expirationTime"))
        .isTrue();
    assertThat(emulator.tableMetadata(STATE, run.keys()).orElseThrow().has("expirationTime"))
        .isTrue();
    assertThat(emulator.tableMetadata(STATE, run.state()).orElseThrow().has("expirationTime"))
        .as("the state table expires")
        .isFalse();
  }

  @Test
  void describeListAndDropTheDatasetsTables() {
    WarehouseState state = state();
    SnapshotNames.Run run = names.run("run-1");
    assertThat(state.describe(run.state())).isEmpty();
    state.materialize(QUERY, run);
    state.advance(run, KEY);
    SnapshotNames other = SnapshotNames.of("other", "app", "other");
    state.materialize(QUERY, other.run("run-1"));

    assertThat(state.describe(run.state()))
        .get(InstanceOfAssertFactories.list(Column.class))
        .extracting(Column::name)
        .containsExactly("id", SnapshotSql.FINGERPRINT);
    assertThat(state.tables(names.prefix())).containsExactlyInAnyOrder(run.result(), run.state());
    assertThat(state.tables(SnapshotNames.QSYNC_PREFIX)).hasSize(3);

    state.drop(run.result());
    state.drop(run.result()); // absent: fine

    assertThat(state.tables(names.prefix())).containsExactly(run.state());
    assertThat(state.location()).isEqualTo("qsync-test." + STATE);
  }

  @Test
  void diffBytesIsADryRunOfTheChangeSet() {
    WarehouseState state = state();
    SnapshotNames.Run run = names.run("run-1");
    state.materialize(QUERY, run);
    state.advance(run, KEY);
    long queries = emulator.queriesRun();

    long bytes =
        state.diffBytes(run, run.state(), KEY, true, WarehouseState.Step.CHANGES).orElseThrow();
    long compare =
        state.diffBytes(run, run.state(), KEY, true, WarehouseState.Step.COMPARE).orElseThrow();

    // result: 7 x (id 8 + name 2+6 + fp 8) + 6 prices x 8; state: 7 x (id 8 + fp 8)
    assertThat(bytes).isEqualTo(7 * 24 + 6 * 8 + 7 * 16);
    // the result's key and fingerprint, the state's key and fingerprint
    assertThat(compare).isEqualTo(7 * 16 + 7 * 16);
    assertThat(emulator.queriesRun()).isEqualTo(queries);

    emulator.execute("UPDATE shop.items SET name = 'renamed' WHERE id = 2");
    SnapshotNames.Run second = names.run("run-2");
    state.materialize(QUERY, second);
    assertThat(state.compare(second, run.state(), KEY, true)).hasValue(1);
    long fetch =
        state.diffBytes(second, run.state(), KEY, true, WarehouseState.Step.FETCH).orElseThrow();
    // the result's columns without its fingerprint: 7 x (id 8 + name 2+6 or 2+7) + 6 prices x 8;
    // the keys table: one key (op 2+6, id 8)
    assertThat(fetch).isEqualTo(7 * 16 + 1 + 6 * 8 + 16);
  }

  @Test
  void advanceIsDoneOnceTheStateIsWrittenEvenAfterTheResultExpired() {
    WarehouseState state = state();
    SnapshotNames.Run run = names.run("run-1");
    state.materialize(QUERY, run);
    state.advance(run, KEY);
    state.drop(run.result()); // as BigQuery does when the result table expires

    state.advance(run, KEY);

    assertThat(state.describe(run.state())).isPresent();
    SnapshotNames.Run lost = names.run("run-2");
    state.materialize(QUERY, lost);
    state.drop(lost.result());
    QsyncException failure =
        catchThrowableOfType(QsyncException.class, () -> state.advance(lost, KEY));
    assertThat(failure.getMessage())
        .contains("the result table qsync-test." + STATE + "." + lost.result())
        .contains("is gone")
        .contains("--restart");
  }

  @Test
  void aTableOfQsyncsOwnThatVanishesBeforeAStepFailsTheRunForTheNextToRebuild() {
    WarehouseState state = state();
    TwoRuns runs = twoRuns(state);
    emulator.execute(
        "DROP TABLE " + STATE + "." + runs.first().state()); // expired, or dropped by hand

    QsyncException failure =
        catchThrowableOfType(
            QsyncException.class,
            () -> state.changes(runs.second(), runs.first().state(), KEY, true));

    assertThat(failure.kind()).as("a failure the next run gets over").isEqualTo(ErrorKind.FAILED);
    assertThat(failure.getMessage())
        .contains("the change set of run run_2 failed")
        .contains("a table qsync made is gone")
        .contains(runs.first().state())
        .contains("the next run makes the tables it needs anew")
        .doesNotContain("project and location");
  }

  /**
   * Columns named after every alias the snapshot SQL used or uses (q was the row's alias, r and s
   * the join's, qsync_first and qsync_last the colliding keys'): the fingerprint still covers the
   * whole row. (GoogleSQL resolves a row alias first; the emulator, being DuckDB, the column.)
   */
  @Test
  void columnsNamedAfterTheSqlsAliasesAreFingerprintedLikeAnyOther() {
    emulator.execute(
        "CREATE TABLE shop.aliased AS SELECT range AS id, 'q' AS q, 'r' AS r, 's' AS s,"
            + " 'f' AS qsync_first, 'l' AS qsync_last, 'v1' AS b FROM range(1, 6)");
    String query = "SELECT id, q, r, s, qsync_first, qsync_last, b FROM shop.aliased";
    WarehouseState state = state();
    SnapshotNames.Run first = names.run("run-1");
    state.materialize(query, first);
    state.advance(first, KEY);
    emulator.execute("UPDATE shop.aliased SET b = 'v2' WHERE id < 3");
    SnapshotNames.Run second = names.run("run-2");
    state.materialize(query, second);

    assertThat(read(state.changes(second, first.state(), KEY, true)))
        .containsExactly(
            List.of("update", "1", "q", "r", "s", "f", "l", "v2"),
            List.of("update", "2", "q", "r", "s", "f", "l", "v2"));
    assertThat(state.checkKeys(second, List.of("q"), List.of(KeyCollation.of("utf8mb4_bin")), 5))
        .extracting(KeyProblem::kind)
        .containsExactly(KeyProblem.Kind.DUPLICATE_KEY);
  }

  @Test
  void problemsNameReservedColumnsAndKeysBigQueryCannotCompareWithoutRunningAJob() {
    emulator.declareType("geo", "GEOGRAPHY");
    String query =
        "SELECT 1 AS id, 'x' AS _qsync_fp, 'POINT(1 2)' AS geo, '{}'::JSON AS j,"
            + " [1, 2] AS arr, {'a': 1} AS st";

    List<String> problems = state().problems(query, List.of("geo", "J", "arr", "st", "id"));

    assertThat(problems)
        .containsExactly(
            "the query returns a column named _qsync_fp, but diff: snapshot names columns and aliases"
                + " of its own _qsync_...; rename it with AS (e.g. qsync_fp)",
            "key column geo is GEOGRAPHY, which BigQuery cannot group or compare, so diff: snapshot"
                + " cannot check or match its keys there; key on its text instead: ST_ASTEXT(geo) AS geo"
                + " in the query",
            "key column j is JSON, which BigQuery cannot group or compare, so diff: snapshot cannot"
                + " check or match its keys there; key on its text instead: TO_JSON_STRING(j) AS j in"
                + " the query",
            "key column arr is ARRAY, which BigQuery cannot order, so diff: snapshot cannot check or"
                + " match its keys there; key on its text instead: TO_JSON_STRING(arr) AS arr in the"
                + " query",
            "key column st is STRUCT, which BigQuery cannot order, so diff: snapshot cannot check or"
                + " match its keys there; key on its text instead: TO_JSON_STRING(st) AS st in the"
                + " query");
    assertThat(state().problems(QUERY, KEY)).isEmpty();
    assertThat(emulator.jobIds()).as("dry runs only: no job, nothing billed").isEmpty();
  }

  @Test
  void transientErrorsOfAStepAreRetried() {
    emulator.failRequest("jobs.insert", 1, 503, "backendError", 2);
    WarehouseState state = state();

    SourceResult result = state.materialize(QUERY, names.run("run-1"));

    assertThat(read(result)).hasSize(7);
    assertThat(emulator.queriesRun()).isEqualTo(1);
    assertThat(result.notes())
        .anyMatch(note -> note.contains("retried 2 transient BigQuery errors"));
  }

  @Test
  void aMissingStateDatasetSaysWhatToCreateAndWhichRoleToGrant() {
    BigQuerySource source =
        new BigQuerySource(BigQuerySyncs.connection(emulator, 2, Optional.empty()));
    sources.add(source);
    WarehouseState state = source.state("no_such_dataset").orElseThrow();

    QsyncException failure =
        catchThrowableOfType(
            QsyncException.class, () -> state.materialize(QUERY, names.run("run-1")));

    assertThat(failure.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(failure.getMessage())
        .contains("state_dataset 'no_such_dataset' does not exist")
        .contains(
            "bq mk --dataset --location=US --max_time_travel_hours=48 qsync-test:no_such_dataset")
        .contains("roles/bigquery.dataEditor");
    assertThat(emulator.queriesRun()).isZero();
    assertThat(emulator.jobIds()).as("no job started").isEmpty();
  }
}
