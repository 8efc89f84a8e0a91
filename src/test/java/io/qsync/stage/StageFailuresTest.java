package io.qsync.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.destination.ValueRule;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import io.qsync.source.DuckDbFileTable;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stage that fails says what the command it works for does next: a run starts over with {@code
 * --restart} or runs again; a plan, which makes a stage of its own each time and has no {@code
 * --restart}, is planned again. Real stage files, real failures.
 */
class StageFailuresTest {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", SqlType.of(Kind.BIGINT)), new Column("note", SqlType.of(Kind.VARCHAR)));

  @TempDir Path dir;

  private Stage begun(Caller caller) {
    Stage stage = Stage.open(dir.resolve("s.duckdb"), caller);
    stage.begin("plan-1", "fingerprint", COLUMNS);
    return stage;
  }

  /** A query result's file as a source hands it over, holding three rows. */
  private DuckDbFileTable resultOfThreeRows(long rowsClaimed) throws SQLException {
    Path file = dir.resolve("result.duckdb");
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE qsync_result AS SELECT i::BIGINT AS id, 'n' || i AS note"
              + " FROM range(3) t(i)");
    }
    return new DuckDbFileTable(file, "qsync_result", rowsClaimed);
  }

  @Test
  void aPlanWhoseResultFileIsGoneSaysToPlanAgainNotToRestart() {
    try (Stage stage = begun(Caller.PLAN)) {
      QsyncException failure =
          catchThrowableOfType(
              QsyncException.class,
              () ->
                  stage.readSourceInPlace(new DuckDbFileTable(dir.resolve("gone.duckdb"), "t", 3)));

      assertThat(failure.kind()).isEqualTo(ErrorKind.FAILED);
      assertThat(failure.getMessage())
          .contains("the stage " + dir.resolve("s.duckdb") + " could not attach the query result")
          .endsWith("If the disk is full, free space in stage_dir. Try qsync plan again.")
          .doesNotContain("--restart")
          .doesNotContainIgnoringCase("run again");
    }
  }

  @Test
  void aRunWhoseResultFileIsGoneSaysToRunAgainWhichStartsOverByItself() {
    try (Stage stage = begun(Caller.RUN)) {
      QsyncException failure =
          catchThrowableOfType(
              QsyncException.class,
              () ->
                  stage.readSourceInPlace(new DuckDbFileTable(dir.resolve("gone.duckdb"), "t", 3)));

      assertThat(failure.getMessage())
          .endsWith("If the disk is full, free space in stage_dir. " + StageFile.RUN_AGAIN)
          .doesNotContain("--restart");
    }
  }

  @Test
  void aPlanThatFindsFewerRowsThanItsResultHoldsSaysToPlanAgain() throws SQLException {
    DuckDbFileTable result = resultOfThreeRows(5);
    try (Stage stage = begun(Caller.PLAN)) {
      QsyncException failure =
          catchThrowableOfType(QsyncException.class, () -> stage.readSourceInPlace(result));

      assertThat(failure.kind()).isEqualTo(ErrorKind.FAILED);
      assertThat(failure.getMessage())
          .contains("found 3 rows of a query result of 5")
          .endsWith("Try qsync plan again. If it repeats, report it as a bug.")
          .doesNotContainIgnoringCase("run again");
    }
  }

  @Test
  void aPlanWhoseValueCheckFailsSaysToPlanAgainNotToRestart() {
    try (Stage stage = begun(Caller.PLAN)) {
      // Begun, never diffed: the change set the check reads does not exist.
      QsyncException failure =
          catchThrowableOfType(
              QsyncException.class,
              () ->
                  ValueCheck.problems(
                      stage,
                      List.of(
                          new ValueRule(
                              "note",
                              "char(5)",
                              new ValueRule.TrailingSpace(),
                              "a trailing space",
                              "trim it")),
                      List.of("id"),
                      5));

      assertThat(failure.kind()).isEqualTo(ErrorKind.FAILED);
      assertThat(failure.getMessage())
          .contains("could not check the change set's values")
          .endsWith("Try qsync plan again. If it repeats, report it as a bug.")
          .doesNotContain("--restart")
          .doesNotContainIgnoringCase("run again");
    }
  }
}
