package io.qsync.source.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

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
      try (DuckDbSource source = new DuckDbSource(new DuckDbConnectionConfig("warehouse", Optional.empty(), List.of()));
          SourceResult result = source.query("SELECT range AS id FROM range(1000)", "run-1")) {
        long[] rows = {0};
        result.read(0, values -> rows[0]++);
        assertThat(rows[0]).isEqualTo(1000);
        assertThat(temporary).isDirectoryContaining(path -> path.getFileName().toString().startsWith("qsync-duckdb-source"));
      }

      // (DuckDB's native library may have moved here too, see DuckDbLibrary: it is not the source's)
      assertThat(temporary).isDirectoryNotContaining(path -> path.getFileName().toString().startsWith("qsync-duckdb-source"));
    } finally {
      System.setProperty("java.io.tmpdir", before);
    }
  }
}
