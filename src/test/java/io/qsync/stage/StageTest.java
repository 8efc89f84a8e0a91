package io.qsync.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qsync.diff.Change;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.ChangeKind;
import io.qsync.diff.KeyCollation;
import io.qsync.diff.KeyProblem;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StageTest {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", SqlType.of(Kind.VARCHAR)),
          new Column("n", SqlType.of(Kind.INTEGER)),
          new Column("note", SqlType.of(Kind.VARCHAR)));
  private static final List<String> KEY = List.of("id");
  private static final List<KeyCollation> BINARY = List.of(KeyCollation.of("utf8mb4_0900_bin"));
  private static final List<KeyCollation> GENERAL_CI =
      List.of(KeyCollation.of("utf8mb4_general_ci"));

  @TempDir Path dir;
  private Stage stage;

  @BeforeEach
  void open() {
    stage = Stage.open(dir.resolve("s.duckdb"));
    stage.begin("run-1", "fingerprint", COLUMNS);
  }

  @AfterEach
  void close() {
    if (stage != null) {
      stage.close();
    }
  }

  /**
   * A temporary table named {@code changes} is not the file's change set (it was counted as one,
   * and an empty change set's loss went unseen).
   */
  @Test
  void aTemporaryTableOfTheChangeSetsNameIsNoChangeSet() {
    stage.stageFile().execute("CREATE TEMP TABLE changes (x INTEGER)", "create a temporary table");

    assertThat(stage.changeSetDamage(0))
        .hasValue("holds no change set (its table changes is gone)");
  }

  private void source(Object[]... rows) {
    try (Stage.StageWriter writer = stage.sourceWriter(COLUMNS)) {
      Arrays.stream(rows).forEach(writer::accept);
    }
  }

  private void target(Object[]... rows) {
    try (Stage.StageWriter writer = stage.targetWriter(COLUMNS)) {
      Arrays.stream(rows).forEach(writer::accept);
    }
  }

  /** Rows keyed 0 to {@code rows - 1} (as seven digits, and as {@code n}), in a shuffled order. */
  private void shuffledSource(int rows) {
    try (Stage.StageWriter writer = stage.sourceWriter(COLUMNS)) {
      for (int i = 0; i < rows; i++) {
        int key = (int) ((i * 7919L) % rows);
        writer.accept(row(String.format("%07d", key), key, "row " + i));
      }
    }
  }

  private static Object[] row(Object... values) {
    return values;
  }

  private List<Change> allChanges(long afterSeq) {
    List<Change> changes = new ArrayList<>();
    try (ChangeCursor cursor = stage.changes(afterSeq, false)) {
      List<Change> batch;
      while (!(batch = cursor.next(2)).isEmpty()) {
        changes.addAll(batch);
      }
    }
    return changes;
  }

  private static String describe(Change change) {
    return change.seq()
        + " "
        + change.kind()
        + " "
        + (change.text() == null
            ? Arrays.toString(change.row())
            : new String(change.text(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void countsInsertsUpdatesDeletesAndUnchangedRows() {
    source(row("a", 1, "same"), row("b", 2, "new value"), row("c", 3, null), row("e", 5, "fresh"));
    target(row("a", 1, "same"), row("b", 2, "old value"), row("c", 3, null), row("d", 4, "gone"));

    ChangeCounts counts = stage.diff(KEY, BINARY, true);

    assertThat(counts).isEqualTo(new ChangeCounts(4, 1, 1, 1, 2));
    assertThat(allChanges(0).stream().map(StageTest::describe))
        .containsExactly(
            "1 UPDATE [b, 2, new value]", "2 DELETE [d, 4, gone]", "3 INSERT [e, 5, fresh]");
  }

  @Test
  void upsertLeavesRowsThatLeftTheResult() {
    source(row("a", 1, "x"));
    target(row("a", 1, "x"), row("z", 9, "kept"));
    assertThat(stage.diff(KEY, BINARY, false)).isEqualTo(new ChangeCounts(1, 0, 0, 0, 1));
    assertThat(allChanges(0)).isEmpty();
  }

  @Test
  void anEmptyTargetMakesEveryRowAnInsert() {
    source(row("b", 2, null), row("a", 1, null));
    assertThat(stage.diff(KEY, BINARY, true)).isEqualTo(new ChangeCounts(2, 2, 0, 0, 0));
    assertThat(allChanges(0).stream().map(StageTest::describe))
        .containsExactly("1 INSERT [a, 1, null]", "2 INSERT [b, 2, null]");
  }

  @Test
  void matchesKeysThatDifferInCaseOnlyAsAnUpdateUnderACaseInsensitiveCollation() {
    source(row("A", 1, "x"), row("b ", 2, "y"));
    target(row("a", 1, "x"), row("b", 2, "y"));

    ChangeCounts counts = stage.diff(KEY, GENERAL_CI, true);

    assertThat(counts).isEqualTo(new ChangeCounts(2, 0, 2, 0, 0));
    assertThat(allChanges(0).stream().map(StageTest::describe))
        .containsExactly("1 UPDATE [A, 1, x]", "2 UPDATE [b , 2, y]");
  }

  @Test
  void underABinaryCollationKeysThatDifferInCaseAreDistinct() {
    source(row("A", 1, "x"));
    target(row("a", 1, "x"));
    assertThat(stage.diff(KEY, BINARY, true)).isEqualTo(new ChangeCounts(1, 1, 0, 1, 0));
  }

  @Test
  void findsNullDuplicateAndCollidingKeys() {
    source(
        row("a", 1, null),
        row("A", 2, null),
        row("b", 3, null),
        row("b", 4, null),
        row(null, 5, null),
        row("c", 6, null));

    List<KeyProblem> problems = stage.checkKeys(KEY, GENERAL_CI, 5);

    assertThat(problems)
        .extracting(KeyProblem::kind)
        .containsExactly(
            KeyProblem.Kind.NULL_KEY,
            KeyProblem.Kind.DUPLICATE_KEY,
            KeyProblem.Kind.COLLATION_COLLISION);
    assertThat(problems.get(0).count()).isEqualTo(1);
    assertThat(problems.get(0).samples()).containsExactly("(NULL)");
    assertThat(problems.get(1).count()).isEqualTo(1);
    assertThat(problems.get(1).samples()).containsExactly("('b')");
    assertThat(problems.get(2).count()).isEqualTo(1);
    assertThat(problems.get(2).samples())
        .singleElement()
        .asString()
        .contains("'a'")
        .contains("'A'");
  }

  @Test
  void aBinaryCollationSeesNoCollision() {
    source(row("a", 1, null), row("A", 2, null));
    assertThat(stage.checkKeys(KEY, BINARY, 5)).isEmpty();
  }

  @Test
  void countsProblemsBeyondTheSamples() {
    for (int i = 0; i < 3; i++) {
      source(row("k" + i, 1, null), row("k" + i, 2, null));
    }
    List<KeyProblem> problems = stage.checkKeys(KEY, BINARY, 2);
    assertThat(problems)
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem.kind()).isEqualTo(KeyProblem.Kind.DUPLICATE_KEY);
              assertThat(problem.count()).isEqualTo(3);
              assertThat(problem.samples()).containsExactly("('k0')", "('k1')");
            });
  }

  @Test
  void resumesFromACheckpointWithTheRemainingChangesInOrder() {
    source(
        row("a", 1, null),
        row("b", 2, null),
        row("c", 3, null),
        row("d", 4, "new"),
        row("f", 6, null));
    target(row("d", 4, "old"), row("e", 5, null));
    ChangeCounts counts = stage.diff(KEY, BINARY, true);
    assertThat(counts.changes()).isEqualTo(6);
    stage.close();

    // A new process opens the stage left behind and continues after change 3.
    stage = Stage.open(dir.resolve("s.duckdb"));
    assertThat(stage.meta())
        .hasValueSatisfying(
            meta -> {
              assertThat(meta.runId()).isEqualTo("run-1");
              assertThat(meta.fingerprint()).isEqualTo("fingerprint");
              assertThat(meta.phase()).isEqualTo(StageMeta.Phase.DIFFED);
              assertThat(meta.columns()).isEqualTo(COLUMNS);
              assertThat(meta.counts()).contains(counts);
            });
    assertThat(allChanges(3).stream().map(StageTest::describe))
        .containsExactly("4 UPDATE [d, 4, new]", "5 DELETE [e, 5, null]", "6 INSERT [f, 6, null]");
    assertThat(allChanges(6)).isEmpty();
  }

  @Test
  void factsKeptBesideTheChangeSetTravelWithTheFileWhenItIsCopied() throws Exception {
    source(row("a", 1, null), row("b", 2, null));
    target(row("b", 2, "old"), row("c", 3, null));
    ChangeCounts counts = stage.diff(KEY, BINARY, true);
    assertThat(stage.facts()).as("a stage keeps no facts until asked").isEmpty();
    stage.keepFacts(java.util.Map.of("plan_id", "plan-1", "sync", "s"));
    stage.keepFacts(java.util.Map.of("plan_id", "plan-2"));
    stage.close();

    // A saved plan is the closed file, copied: no write-ahead log may hold part of it.
    Path copy = dir.resolve("copy").resolve("plan.qsp");
    java.nio.file.Files.createDirectories(copy.getParent());
    java.nio.file.Files.copy(dir.resolve("s.duckdb"), copy);
    stage = Stage.open(copy);
    assertThat(stage.facts()).containsExactly(java.util.Map.entry("plan_id", "plan-2"));
    assertThat(stage.meta()).hasValueSatisfying(meta -> assertThat(meta.counts()).contains(counts));
    assertThat(allChanges(0).stream().map(StageTest::describe))
        .containsExactly("1 INSERT [a, 1, null]", "2 UPDATE [b, 2, null]", "3 DELETE [c, 3, null]");
  }

  @Test
  void anUnfinishedExtractIsNotResumable() {
    source(row("a", 1, null));
    assertThat(stage.meta())
        .hasValueSatisfying(
            meta -> {
              assertThat(meta.phase()).isEqualTo(StageMeta.Phase.EXTRACTING);
              assertThat(meta.counts()).isEmpty();
            });
  }

  @Test
  void samplesChangesOfOneKindInKeyOrder() {
    source(row("c", 1, null), row("a", 1, null), row("b", 1, null));
    target(row("z", 1, null));
    stage.diff(KEY, BINARY, true);
    assertThat(stage.sample(ChangeKind.INSERT, 2).stream().map(StageTest::describe))
        .containsExactly("1 INSERT [a, 1, null]", "2 INSERT [b, 1, null]");
    assertThat(stage.sample(ChangeKind.DELETE, 5)).extracting(Change::seq).containsExactly(4L);
    assertThat(stage.sample(ChangeKind.UPDATE, 5)).isEmpty();
  }

  @Test
  void insertAllNumbersTheResultInKeyOrderAndCountsReplacedRows() {
    source(row("b", 2, null), row("a", 1, null));
    assertThat(stage.insertAll(KEY, 7)).isEqualTo(new ChangeCounts(2, 2, 0, 7, 0));
    assertThat(allChanges(0).stream().map(StageTest::describe))
        .containsExactly("1 INSERT [a, 1, null]", "2 INSERT [b, 2, null]");
  }

  @Test
  void insertAllOfManyRowsInShuffledKeyOrderReadsBackEveryNumberInKeyOrder() {
    int rows = 150_000;
    shuffledSource(rows);
    stage.insertAll(KEY, 0);

    long seq = 40_000; // as on resume: the cursor checks each number from the checkpoint on
    try (ChangeCursor cursor = stage.changes(seq, false)) {
      List<Change> batch;
      while (!(batch = cursor.next(5_000)).isEmpty()) {
        for (Change change : batch) {
          seq++;
          assertThat(change.seq()).isEqualTo(seq);
          assertThat(((Number) change.row()[1]).longValue()).isEqualTo(seq - 1);
        }
      }
    }
    assertThat(seq).isEqualTo(rows);
  }

  @Test
  void insertAllOfManyRowsResumesAfterTheStageIsReopenedWithExactlyTheRemainingRows() {
    int rows = 150_000;
    shuffledSource(rows);
    stage.insertAll(KEY, 0);
    stage.close();
    stage = Stage.open(dir.resolve("s.duckdb")); // a resumed run: another process, the same file

    assertThat(stage.meta().orElseThrow().counts()).contains(new ChangeCounts(rows, rows, 0, 0, 0));
    assertThat(stage.changeSetLength()).isEqualTo(rows);
    // The rows are read from their table by rowid: from any checkpoint, at row group bounds
    // (122,880 rows) and inside them, exactly the rows after it, each with its number.
    for (long checkpoint : new long[] {0, 1, 122_879, 122_880, 123_456, rows - 1, rows}) {
      long seq = checkpoint;
      try (ChangeCursor cursor = stage.changes(checkpoint, true)) {
        List<Change> batch;
        while (!(batch = cursor.next(4_096)).isEmpty()) {
          for (Change change : batch) {
            seq++;
            assertThat(change.seq()).isEqualTo(seq);
            assertThat(change.kind()).isEqualTo(ChangeKind.INSERT);
            assertThat(new String(change.text(), java.nio.charset.StandardCharsets.UTF_8))
                .startsWith(String.format("%07d\t%d\t", seq - 1, seq - 1));
          }
        }
      }
      assertThat(seq).as("the last number read after %d", checkpoint).isEqualTo(rows);
    }
  }

  @Test
  void aChangeSetInsertedWholeIsReplacedByADiffWithoutANewRunBetween() {
    // begin() drops the change set too; here only the diff's own drop is between the two.
    StageFile file = StageFile.open(dir.resolve("t.duckdb"), io.qsync.Caller.RUN);
    try {
      file.begin("run-1", "fingerprint", COLUMNS);
      StageLoader loader = new StageLoader(file);
      StageDiff diff = new StageDiff(file);
      try (Stage.StageWriter writer = loader.sourceWriter(COLUMNS)) {
        writer.accept(row("a", 1, null));
        writer.accept(row("c", 3, null));
      }
      diff.insertAll(KEY, 0);
      file.execute(StageSql.createTarget(COLUMNS), "prepare the target's rows");
      try (Stage.StageWriter writer = loader.targetWriter(COLUMNS)) {
        writer.accept(row("a", 1, null));
        writer.accept(row("b", 2, null));
      }

      assertThat(diff.diff(KEY, BINARY, true)).isEqualTo(new ChangeCounts(2, 1, 0, 1, 1));
      try (ChangeCursor cursor = new ChangeSetReader(file).after(0, false)) {
        assertThat(cursor.next(10).stream().map(StageTest::describe))
            .containsExactly("1 DELETE [b, 2, null]", "2 INSERT [c, 3, null]");
      }
    } finally {
      file.close();
    }
  }

  @Test
  void aStageWhoseChangeSetWasInsertedWholeBeginsARunThatDiffs() {
    source(row("a", 1, null), row("b", 2, null));
    stage.insertAll(KEY, 0);
    stage.begin("run-2", "fingerprint", COLUMNS);
    source(row("a", 1, null), row("c", 3, null));
    target(row("a", 1, null), row("b", 2, null));

    assertThat(stage.diff(KEY, BINARY, true)).isEqualTo(new ChangeCounts(2, 1, 0, 1, 1));
    assertThat(allChanges(0).stream().map(StageTest::describe))
        .containsExactly("1 DELETE [b, 2, null]", "2 INSERT [c, 3, null]");
    stage.begin("run-3", "fingerprint", COLUMNS);
    source(row("z", 9, null));
    assertThat(stage.insertAll(KEY, 0)).isEqualTo(new ChangeCounts(1, 1, 0, 0, 0));
    assertThat(allChanges(0).stream().map(StageTest::describe))
        .containsExactly("1 INSERT [z, 9, null]");
  }

  @Test
  void aChangeSetStoredOutOfPlaceByAnOlderBuildIsStillReadInOrder() throws Exception {
    source(row("a", 1, null), row("b", 2, null), row("c", 3, null));
    stage.insertAll(KEY, 0);
    stage.close();
    stage = null;
    try (var connection =
            java.sql.DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("s.duckdb"));
        var statement = connection.createStatement()) {
      // An older build stored the numbers in a table of that name.
      statement.execute("CREATE TABLE older AS SELECT * FROM changes ORDER BY qsync_seq DESC");
      statement.execute("DROP VIEW changes");
      statement.execute("DROP TABLE " + StageSql.CHANGE_ROWS);
      statement.execute("ALTER TABLE older RENAME TO changes");
    }
    stage = Stage.open(dir.resolve("s.duckdb"));

    assertThat(allChanges(1)).extracting(change -> change.row()[0]).containsExactly("b", "c");
  }

  @Test
  void aChangeReadOutOfTurnStopsTheReadBeforeItIsHandedOn() throws Exception {
    try (var connection = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        var statement = connection.createStatement();
        ChangeCursor cursor =
            new ChangeCursor(
                statement,
                statement.executeQuery(
                    "SELECT * FROM (VALUES (5, ascii('I'), 'a', 1, NULL), (6, ascii('I'), 'b', 2,"
                        + " NULL), (8, ascii('I'), 'c', 3, NULL)) ORDER BY 1"),
                COLUMNS,
                false,
                ChangeRead.VALUES,
                4,
                () -> {})) {
      assertThat(cursor.next(1)).extracting(Change::seq).containsExactly(5L);
      assertThatThrownBy(() -> cursor.next(10))
          .isInstanceOfSatisfying(
              io.qsync.QsyncException.class,
              e -> assertThat(e.kind()).isEqualTo(io.qsync.ErrorKind.INTERNAL))
          .hasMessageContaining("change 8 where change 7 was due")
          .hasMessageContaining("Nothing from change 7 on was written");
    }
  }

  @Test
  void anUpdateInAReadOfNewRowsOnlyStopsTheReadBeforeItIsHandedOn() throws Exception {
    try (var connection = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        var statement = connection.createStatement();
        ChangeCursor cursor =
            new ChangeCursor(
                statement,
                statement.executeQuery(
                    "SELECT * FROM (VALUES (1, ascii('I'), encode('a\t1\t\\N\n')), (2,"
                        + " ascii('U'), NULL)) ORDER BY 1"),
                COLUMNS,
                false,
                ChangeRead.TEXT_ONLY,
                0,
                () -> {})) {
      assertThat(cursor.next(1))
          .extracting(StageTest::describe)
          .containsExactly("1 INSERT a\t1\t\\N\n");
      assertThatThrownBy(() -> cursor.next(10))
          .isInstanceOfSatisfying(
              io.qsync.QsyncException.class,
              e -> assertThat(e.kind()).isEqualTo(io.qsync.ErrorKind.INTERNAL))
          .hasMessageContaining("a change of kind UPDATE (change 2)")
          .hasMessageContaining("Nothing from change 2 on was written");
    }
  }

  @Test
  void newRowsReadAfterTheLastOtherChangeComeAsTheSameTextAsInTheWholeChangeSet() {
    // From a checkpoint past the last update or delete, the read leaves out the value columns
    // (ChangeRead.TEXT_ONLY): the text of each new row must not change with it.
    source(row("a", 1, "tab\there"), row("b", 2, "new"), row("e", 5, null), row("f", 6, "\\"));
    target(row("b", 2, "old"), row("d", 4, "gone"));
    assertThat(stage.diff(KEY, BINARY, true)).isEqualTo(new ChangeCounts(4, 3, 1, 1, 0));

    List<String> whole = textChanges(0).stream().map(StageTest::describe).toList();
    assertThat(whole)
        .containsExactly(
            "1 INSERT a\t1\ttab\\there\n",
            "2 UPDATE [b, 2, new]",
            "3 DELETE [d, 4, gone]",
            "4 INSERT e\t5\t\\N\n",
            "5 INSERT f\t6\t\\\\\n");
    assertThat(textChanges(3).stream().map(StageTest::describe)).isEqualTo(whole.subList(3, 5));
    assertThat(textChanges(4).stream().map(StageTest::describe)).isEqualTo(whole.subList(4, 5));
  }

  private List<Change> textChanges(long afterSeq) {
    List<Change> changes = new ArrayList<>();
    try (ChangeCursor cursor = stage.changes(afterSeq, true)) {
      List<Change> batch;
      while (!(batch = cursor.next(2)).isEmpty()) {
        changes.addAll(batch);
      }
    }
    return changes;
  }

  @Test
  void insertAllWithoutAKeyKeepsTheSourceOrder() {
    source(row("b", 2, null), row("a", 1, null), row("c", 3, null));
    assertThat(stage.insertAll(List.of(), 0)).isEqualTo(new ChangeCounts(3, 3, 0, 0, 0));
    assertThat(allChanges(0)).extracting(change -> change.row()[0]).containsExactly("b", "a", "c");
  }

  /** A query result as a DuckDB source hands it over: a table in a file of its own, closed. */
  private io.qsync.source.DuckDbFileTable resultFile(String select) throws Exception {
    Path file = dir.resolve("result.duckdb");
    try (var connection = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file);
        var statement = connection.createStatement()) {
      statement.execute("SET preserve_insertion_order = true");
      statement.execute("CREATE TABLE qsync_result AS " + select);
    }
    long rows;
    try (var connection = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file);
        var statement = connection.createStatement();
        var count = statement.executeQuery("SELECT count(*) FROM qsync_result")) {
      count.next();
      rows = count.getLong(1);
    }
    return new io.qsync.source.DuckDbFileTable(file, "qsync_result", rows);
  }

  @Test
  void aResultReadInPlaceIsDiffedAndResumedFromTheStageAloneOnceItsFileIsGone() throws Exception {
    io.qsync.source.DuckDbFileTable result =
        resultFile(
            "SELECT * FROM (VALUES ('c', 3, 'new'), ('a', 1, NULL), ('b', 2, NULL))"
                + " AS r(\"ID\", \"n\", \"note\")");
    assertThat(stage.readSourceInPlace(result)).isEqualTo(3);
    target(row("b", 2, "old"), row("d", 4, null));
    assertThat(stage.checkKeys(KEY, BINARY, 5)).isEmpty();
    ChangeCounts counts = stage.diff(KEY, BINARY, true);
    stage.releaseSource();
    java.nio.file.Files.delete(result.file());
    stage.close();

    // A new process resumes from the stage: the result's file is gone by then.
    stage = Stage.open(dir.resolve("s.duckdb"));
    assertThat(stage.meta()).hasValueSatisfying(meta -> assertThat(meta.counts()).contains(counts));
    assertThat(allChanges(1).stream().map(StageTest::describe))
        .containsExactly("2 UPDATE [b, 2, null]", "3 INSERT [c, 3, new]", "4 DELETE [d, 4, null]");
  }

  @Test
  void aResultReadInPlaceHoldsTheValuesTheAppenderWouldInTheFilesOrder() throws Exception {
    int rows = 150_000;
    // Stored as wider types than the stage's, as a copy into src cast them.
    io.qsync.source.DuckDbFileTable result =
        resultFile(
            "SELECT lpad(CAST((i * 7919) % "
                + rows
                + " AS VARCHAR), 7, '0') AS id, CAST((i * 7919) % "
                + rows
                + " AS BIGINT) AS n, 'row ' || i AS note FROM range("
                + rows
                + ") t(i)");
    stage.readSourceInPlace(result);
    assertThat(stage.sourceRows()).isEqualTo(rows);
    stage.insertAll(List.of(), 0);
    stage.releaseSource();

    long seq = 0;
    try (ChangeCursor cursor = stage.changes(0, false)) {
      List<Change> batch;
      while (!(batch = cursor.next(5_000)).isEmpty()) {
        for (Change change : batch) {
          assertThat(change.row())
              .containsExactly(
                  String.format("%07d", (seq * 7919) % rows), (seq * 7919) % rows, "row " + seq);
          seq++;
        }
      }
    }
    assertThat(seq).isEqualTo(rows);
  }

  @Test
  void aStageThatReadsAResultInPlaceBeginsANewRunWithItsOwnResult() throws Exception {
    stage.readSourceInPlace(resultFile("SELECT 'a' AS id, 1 AS n, NULL::VARCHAR AS note"));
    stage.begin("run-2", "fingerprint", COLUMNS);
    source(row("b", 2, null));
    assertThat(stage.insertAll(KEY, 0)).isEqualTo(new ChangeCounts(1, 1, 0, 0, 0));
    assertThat(allChanges(0).stream().map(StageTest::describe))
        .containsExactly("1 INSERT [b, 2, null]");
  }

  @Test
  void deletingTheStageRemovesItsFiles() {
    source(row("a", 1, null));
    stage.diff(KEY, BINARY, true);
    stage.close();
    stage = null;
    Path file = dir.resolve("s.duckdb");
    assertThat(file).exists();
    Stage.delete(file);
    assertThat(file).doesNotExist();
    assertThat(dir.resolve("s.duckdb.tmp")).doesNotExist();
    Stage.delete(file); // absent is fine
  }

  /** Every kind but those of the two disabled tests below, which fail today. */
  static Stream<Arguments> everyKind() {
    return Stream.of(
        Arguments.of(SqlType.of(Kind.BOOLEAN), true),
        Arguments.of(SqlType.of(Kind.TINYINT), -128L),
        Arguments.of(SqlType.of(Kind.SMALLINT), -32768L),
        Arguments.of(SqlType.of(Kind.INTEGER), -2147483648L),
        Arguments.of(SqlType.of(Kind.BIGINT), Long.MIN_VALUE),
        Arguments.of(
            SqlType.of(Kind.HUGEINT), new BigInteger("-170141183460469231731687303715884105728")),
        Arguments.of(SqlType.of(Kind.FLOAT), 3.1415927f),
        Arguments.of(SqlType.of(Kind.DOUBLE), 2.718281828459045),
        Arguments.of(
            SqlType.decimal(38, 9), new BigDecimal("-12345678901234567890123456789.123456789")),
        Arguments.of(SqlType.of(Kind.VARCHAR), "실험 🧪 é"),
        Arguments.of(SqlType.of(Kind.BLOB), new byte[] {0, 1, (byte) 0xff}),
        Arguments.of(SqlType.of(Kind.DATE), LocalDate.of(1, 1, 1)),
        // 2020-04-05 02:30 does not exist in America/Bahia_Banderas (the tests' zone): DST gap
        Arguments.of(
            SqlType.of(Kind.TIMESTAMP), LocalDateTime.of(2020, 4, 5, 2, 30, 0, 123_456_000)),
        Arguments.of(
            SqlType.of(Kind.TIMESTAMP_UTC), LocalDateTime.of(2026, 3, 29, 1, 30, 0, 1_000)),
        Arguments.of(SqlType.of(Kind.JSON), "{\"a\":[1,2]}"),
        Arguments.of(SqlType.of(Kind.UUID), "123e4567-e89b-12d3-a456-426614174000"));
  }

  /** Appends one row of {@code type} to both sides, diffs, and reads the row back as an insert. */
  private Object[] roundTrip(SqlType type, Object value) {
    stage.close();
    List<Column> columns =
        List.of(new Column("id", SqlType.of(Kind.BIGINT)), new Column("v", type));
    stage = Stage.open(dir.resolve("types.duckdb"));
    stage.begin("run-types", "f", columns);
    try (Stage.StageWriter writer = stage.sourceWriter(columns)) {
      writer.accept(new Object[] {1L, value});
    }
    try (Stage.StageWriter writer = stage.targetWriter(columns)) {
      writer.accept(new Object[] {1L, value});
    }
    assertThat(stage.diff(List.of("id"), List.of(KeyCollation.EXACT), true))
        .as("an identical row is unchanged")
        .isEqualTo(new ChangeCounts(1, 0, 0, 0, 1));
    stage.insertAll(List.of("id"), 0);
    List<Change> changes = allChanges(0);
    assertThat(changes).hasSize(1);
    return changes.get(0).row();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyKind")
  void everyKindSurvivesTheStageUnchanged(SqlType type, Object value) {
    assertThat(roundTrip(type, value)[1]).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsignedKinds")
  void unsignedKindsSurviveTheStage(SqlType type, Object value) {
    assertThat(roundTrip(type, value)[1]).isEqualTo(value);
  }

  static Stream<Arguments> unsignedKinds() {
    return Stream.of(
        Arguments.of(SqlType.of(Kind.UTINYINT), 255L),
        Arguments.of(SqlType.of(Kind.USMALLINT), 65535L),
        Arguments.of(SqlType.of(Kind.UINTEGER), 4294967295L),
        Arguments.of(SqlType.of(Kind.UBIGINT), new BigInteger("18446744073709551615")));
  }

  @Test
  void timeSurvivesTheStage() {
    LocalTime value = LocalTime.of(23, 59, 59, 999_999_000);
    assertThat(roundTrip(SqlType.of(Kind.TIME), value)[1]).isEqualTo(value);
  }
}
