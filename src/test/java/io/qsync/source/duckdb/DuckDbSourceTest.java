package io.qsync.source.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.DuckDbConnectionConfig;
import io.qsync.source.SourceResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbSourceTest {
  @TempDir Path temporary;

  /** The source spills into the folder java.io.tmpdir names when it opens (qsync's own). */
  @Test
  void leavesNoTemporaryFolderBehindOnceClosed() {
    String before = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", temporary.toString());
    try {
      try (DuckDbSource source =
              new DuckDbSource(
                  new DuckDbConnectionConfig("warehouse", Optional.empty(), List.of()));
          SourceResult result = source.query("SELECT range AS id FROM range(1000)", "run-1")) {
        long[] rows = {0};
        result.read(0, values -> rows[0]++);
        assertThat(rows[0]).isEqualTo(1000);
        assertThat(temporary)
            .isDirectoryContaining(
                path -> path.getFileName().toString().startsWith("qsync-duckdb-source"));
      }

      // (DuckDB's native library may have moved here too, see DuckDbLibrary: it is not the
      // source's)
      assertThat(temporary)
          .isDirectoryNotContaining(
              path -> path.getFileName().toString().startsWith("qsync-duckdb-source"));
    } finally {
      System.setProperty("java.io.tmpdir", before);
    }
  }

  /**
   * Two syncs of one process (qsync serve) on one warehouse file: one keeps its state there and
   * holds the file open for writing, so the other cannot open it read-only until that run ends. A
   * passing failure, said as one; not a file to check.
   */
  @Test
  void aFileAnotherSyncOfThisProcessHoldsForWritingIsAPassingFailure() throws Exception {
    Path file = temporary.resolve("warehouse.duckdb");
    try (java.sql.Connection make = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file);
        java.sql.Statement statement = make.createStatement()) {
      statement.execute("CREATE TABLE t AS SELECT range AS id FROM range(10)");
    }
    DuckDbConnectionConfig config =
        new DuckDbConnectionConfig("warehouse", Optional.of(file), List.of());
    try (DuckDbSource snapshot = new DuckDbSource(config, io.qsync.Caller.RUN);
        DuckDbSource target = new DuckDbSource(config, io.qsync.Caller.RUN)) {
      snapshot.state("qsync_state").orElseThrow();
      snapshot.describe("SELECT id FROM t"); // opened for writing, for its state

      QsyncException held =
          catchThrowableOfType(QsyncException.class, () -> target.describe("SELECT id FROM t"));

      assertThat(held.kind()).as(held.getMessage()).isEqualTo(ErrorKind.FAILED);
      assertThat(held.getMessage())
          .startsWith("DuckDB connection 'warehouse' could not be opened: ")
          .contains(
              "Another sync of this process (a diff: snapshot sync keeps its state in the file")
          .doesNotContain("Check that the connection's path");
    }
  }

  /** A right query DuckDB has too little memory for: the action is memory, not the query. */
  @Test
  void aQueryOutOfDuckDbsMemoryLimitSaysToRaiseItNotToFixTheQuery() {
    try (DuckDbSource source =
            new DuckDbSource(
                new DuckDbConnectionConfig(
                    "warehouse", Optional.empty(), List.of("SET memory_limit = '20MB'")));
        SourceResult result =
            source.query(
                "SELECT 1 AS id, list(range) AS all_numbers FROM range(20000000)", "run-1")) {
      throw new AssertionError("the query ran within 20 MB");
    } catch (QsyncException refused) {
      assertThat(refused.kind()).as(refused.getMessage()).isEqualTo(ErrorKind.NEEDS_ACTION);
      assertThat(refused.getMessage())
          .startsWith("DuckDB connection 'warehouse' ran out of memory running the query: ")
          .contains("Raise DuckDB's memory_limit")
          .doesNotContain("Fix the sync's query", "run again", "Run again");
    }
  }

  /** A file the query reads that is not there is the query's to fix, not a passing failure. */
  @Test
  void aFileTheQueryReadsThatIsMissingIsTheQuerysToFix() {
    try (DuckDbSource source =
        new DuckDbSource(new DuckDbConnectionConfig("warehouse", Optional.empty(), List.of()))) {
      Path missing = temporary.resolve("missing.parquet");
      QsyncException refused =
          catchThrowableOfType(
              QsyncException.class,
              () -> source.describe("SELECT * FROM read_parquet('" + missing + "')"));

      assertThat(refused.kind()).as(refused.getMessage()).isEqualTo(ErrorKind.NEEDS_ACTION);
      assertThat(refused.getMessage())
          .startsWith("DuckDB connection 'warehouse' rejected the query: ")
          .contains("IO Error", "Fix the sync's query")
          .doesNotContain("temporary folder", "Run again");
    }
  }

  /** A query DuckDB refuses is shown as the user wrote it, the caret under the mistake. */
  @Test
  void aRefusedQueryIsQuotedAsWrittenWithTheCaretUnderTheMistake() {
    try (DuckDbSource source =
        new DuckDbSource(new DuckDbConnectionConfig("warehouse", Optional.empty(), List.of()))) {
      QsyncException refused =
          catchThrowableOfType(
              QsyncException.class, () -> source.describe("SELECT 1 AS id FROM nonexistent"));

      assertThat(refused.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
      String message = refused.getMessage();
      assertThat(message)
          .startsWith("DuckDB connection 'warehouse' rejected the query: ")
          .contains("nonexistent does not exist")
          .doesNotContain("DESCRIBE");
      List<String> lines = message.lines().toList();
      int excerpt = lines.indexOf("LINE 1: SELECT 1 AS id FROM nonexistent");
      assertThat(excerpt).as(message).isNotNegative();
      assertThat(lines.get(excerpt + 1).indexOf('^'))
          .as(message)
          .isEqualTo(lines.get(excerpt).indexOf("nonexistent"));
    }
  }
}
