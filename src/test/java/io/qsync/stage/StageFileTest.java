package io.qsync.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qsync.Caller;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageFileTest {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", SqlType.of(Kind.BIGINT)), new Column("note", SqlType.of(Kind.VARCHAR)));

  @TempDir Path dir;

  @Test
  void readsTheRunsColumnsOnceAndKeepsThem() {
    Path path = dir.resolve("s.duckdb");
    try (StageFile file = StageFile.open(path, Caller.RUN)) {
      file.begin("run-1", "fingerprint", COLUMNS);
    }
    try (StageFile file = StageFile.open(path, Caller.RUN)) {
      assertThat(file.columns()).isEqualTo(COLUMNS);
      // Gone from the file, the columns are still known: they are not read again.
      file.execute("DROP TABLE qsync_columns", "drop the columns");
      assertThat(file.columns()).isEqualTo(COLUMNS);
      assertThat(file.sql().column("NOTE")).isEqualTo("c1");
    }
  }

  @Test
  void aNewRunReplacesTheColumnsKept() {
    List<Column> other = List.of(new Column("key", SqlType.of(Kind.VARCHAR)));
    try (StageFile file = StageFile.open(dir.resolve("s.duckdb"), Caller.RUN)) {
      assertThatThrownBy(file::columns)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("the stage holds no run");
      file.begin("run-1", "fingerprint", COLUMNS);
      assertThat(file.columns()).isEqualTo(COLUMNS);
      file.begin("run-2", "fingerprint", other);
      assertThat(file.columns()).isEqualTo(other);
      assertThat(file.meta())
          .hasValueSatisfying(meta -> assertThat(meta.columns()).isEqualTo(other));
    }
  }
}
