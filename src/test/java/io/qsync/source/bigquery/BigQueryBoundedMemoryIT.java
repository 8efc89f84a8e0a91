package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.cli.Main;
import io.qsync.testing.ChildProcess;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A result several times larger than the heap of the JVM that syncs it: memory is bounded by one
 * page with {@code tabledata.list}, and by about two Arrow batches per stream with the Storage Read
 * API, whatever the result's size.
 */
@ExtendWith(MariaDbExtension.class)
class BigQueryBoundedMemoryIT {
  private static final int ROWS = 75_000;
  private static final int TEXT = 1000; // about 75 MB of text, against a heap of 48 MB
  private static final String HEAP = "48m";

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"rest", "storage"})
  void aResultLargerThanTheHeapIsSynced(String readApi, TestDatabase database) throws Exception {
    try (BigQueryEmulator emulator = BigQueryEmulator.start("qsync-test")) {
      emulator.execute(
          "CREATE SCHEMA big",
          "CREATE TABLE big.rows AS SELECT range AS id, repeat(chr(65 + (range % 26)::INTEGER), "
              + TEXT
              + ") AS payload FROM range("
              + ROWS
              + ")");
      Path config = dir.resolve("qsync.yaml");
      Files.writeString(
          config,
          """
          connections:
            bq: {type: bigquery, project: qsync-test, host: "%s", credentials_file: none, page_size: 1000,
                 read_api: %s, storage_host: "%s"}
            app: {type: mysql, url: "%s", user: root}
          syncs:
            %s:
              source: bq
              query: "SELECT id, payload FROM big.rows"
              target: app
              table: big_rows
              key: [id]
              create_table: true
              batch_size: 500
          """
              .formatted(
                  emulator.host(),
                  readApi,
                  emulator.storageHost(),
                  database.url(),
                  BigQuerySyncs.SYNC));

      try (ChildProcess child =
          ChildProcess.start(
              dir,
              "small-heap",
              HEAP,
              Main.class,
              "run",
              BigQuerySyncs.SYNC,
              "--config",
              config.toString())) {
        assertThat(child.waitFor(Duration.ofMinutes(4)))
            .as("exit code\n%s", child.output())
            .isZero();
      }

      assertThat(database.count("big_rows")).isEqualTo(ROWS);
      assertThat(
              database.rows("SELECT SUM(LENGTH(payload)), COUNT(DISTINCT payload) FROM big_rows"))
          .containsExactly(List.of(Long.toString((long) ROWS * TEXT), "26"));
      assertThat(emulator.rowsServed()).isEqualTo(ROWS);
      assertThat(emulator.readSessionsCreated()).isEqualTo(readApi.equals("storage") ? 1 : 0);
    }
  }
}
