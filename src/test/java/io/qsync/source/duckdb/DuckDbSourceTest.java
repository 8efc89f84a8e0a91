package io.qsync.source.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.DuckDbConnectionConfig;
import io.qsync.source.SourceResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DuckDbSourceTest {
  @Test
  void leavesNoTemporaryFolderBehindOnceClosed() throws IOException {
    Set<Path> before = sourceFolders();
    Set<Path> mine;
    try (DuckDbSource source = new DuckDbSource(new DuckDbConnectionConfig("warehouse", Optional.empty(), List.of()));
        SourceResult result = source.query("SELECT range AS id FROM range(1000)", "run-1")) {
      long[] rows = {0};
      result.read(0, values -> rows[0]++);
      assertThat(rows[0]).isEqualTo(1000);
      // other builds on the machine create and remove such folders too: watch only the new ones
      mine = new java.util.HashSet<>(sourceFolders());
      mine.removeAll(before);
      assertThat(mine).isNotEmpty();
    }

    assertThat(mine).allSatisfy(folder -> assertThat(folder).doesNotExist());
  }

  private static Set<Path> sourceFolders() throws IOException {
    try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries.filter(path -> path.getFileName().toString().startsWith("qsync-duckdb-source"))
          .collect(Collectors.toSet());
    }
  }
}
