package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.BigQueryConnectionConfig;
import io.qsync.config.Mode;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What BigQuery's failures do to a run: transient ones are retried and counted in the report;
 * permanent ones stop the run at once with BigQuery's message, the job and the remedy, and the
 * table is left as it was.
 */
@ExtendWith(MariaDbExtension.class)
class BigQueryFailuresIT {
  private static final String QUERY = "SELECT user_id, name FROM shop.users";

  @TempDir Path dir;
  private BigQueryEmulator emulator;

  @BeforeEach
  void start(TestDatabase database) {
    emulator = BigQueryEmulator.start("qsync-test");
    emulator.execute(
        "CREATE SCHEMA shop",
        "CREATE TABLE shop.users AS SELECT range AS user_id, 'user ' || range AS name FROM range(1000)");
    database.execute(
        "CREATE TABLE users (user_id BIGINT NOT NULL PRIMARY KEY, name LONGTEXT)",
        "INSERT INTO users VALUES (1, 'old'), (5000, 'gone soon')");
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private Qsync qsync(TestDatabase database, BigQueryConnectionConfig connection, String query) {
    return BigQuerySyncs.qsync(
        dir,
        database,
        connection,
        BigQuerySyncs.sync(query, "users", List.of("user_id"), Mode.MIRROR),
        FaultPoint.NONE);
  }

  private Qsync qsync(TestDatabase database, String query) {
    return qsync(database, BigQuerySyncs.connection(emulator, 300, Optional.empty()), query);
  }

  @ParameterizedTest(name = "{2} {3} on {0} #{1}")
  @CsvSource({
    "jobs.insert, 1, 503, backendError",
    "jobs.insert, 1, 500, internalError",
    "jobs.get, 1, 429, rateLimitExceeded",
    "tables.get, 1, 403, rateLimitExceeded",
    "tabledata.list, 2, 500, backendError",
    "tabledata.list, 3, 503, unavailable",
  })
  void transientErrorsAreRetriedAndCounted(
      String kind, int nth, int status, String reason, TestDatabase database) {
    emulator.failRequest(kind, nth, status, reason, 2);

    RunReport report = qsync(database, QUERY).run(BigQuerySyncs.SYNC);

    assertThat(report.counts()).isEqualTo(new ChangeCounts(1000, 999, 1, 1, 0));
    assertThat(report.notes())
        .anySatisfy(
            note ->
                assertThat(note)
                    .startsWith(
                        "retried 2 transient BigQuery errors (2 x "
                            + reason
                            + " (HTTP "
                            + status
                            + "))"));
    assertThat(emulator.queriesRun()).isEqualTo(1);
    assertThat(database.count("users")).isEqualTo(1000);
  }

  @Test
  void anInvalidQueryFailsAtOnceWithBigQuerysMessage(TestDatabase database) {
    QsyncException error = runFailing(qsync(database, "SELECT user_id, nme FROM shop.users"));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains("invalidQuery")
        .contains("nme")
        .contains("(job qsync_")
        .contains("Nothing was written. Fix the sync's query");
    assertTargetUntouched(database);
  }

  @Test
  void aMissingTableIsNotFound(TestDatabase database) {
    QsyncException error = runFailing(qsync(database, "SELECT user_id, name FROM shop.customers"));

    assertThat(error.getMessage())
        .contains("notFound")
        .contains("customers")
        .contains("project and location");
    assertTargetUntouched(database);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "accessDenied, roles/bigquery.jobUser",
    "quotaExceeded, maximum_bytes_billed",
  })
  void permanentErrorsAreNotRetried(String reason, String remedy, TestDatabase database) {
    emulator.failRequest("jobs.insert", 1, 403, reason, 10);

    QsyncException error = runFailing(qsync(database, QUERY));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains(reason + " (HTTP 403)")
        .contains("(job qsync_")
        .contains(remedy);
    assertThat(emulator.requests("jobs.insert")).as("not retried").isEqualTo(1);
    assertTargetUntouched(database);
  }

  @Test
  void aQueryBillingMoreThanTheMaximumFails(TestDatabase database) {
    emulator.bytesProcessedPerQuery(50_000_000);
    BigQueryConnectionConfig base = BigQuerySyncs.connection(emulator, 300, Optional.empty());
    BigQueryConnectionConfig capped =
        base.toBuilder().maximumBytesBilled(OptionalLong.of(10_000_000)).build();

    QsyncException error = runFailing(qsync(database, capped, QUERY));

    assertThat(error.getMessage())
        .contains("bytesBilledLimitExceeded")
        .contains("Query exceeded limit for bytes billed")
        .contains("raise the connection's maximum_bytes_billed".substring(1));
    assertTargetUntouched(database);
  }

  @Test
  void transientErrorsBeyondTheRetriesFailTheRunWithoutWriting(TestDatabase database) {
    emulator.failRequest("tabledata.list", 1, 503, "backendError", Integer.MAX_VALUE);

    QsyncException error = runFailing(qsync(database, QUERY));

    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage())
        .containsPattern(
            "still failed after \\d+ attempts, retried for [0-9.]+s \\(retry_timeout 1s\\)")
        .contains("run again later");
    assertThat(emulator.requests("tabledata.list"))
        .as("retried for the whole retry_timeout")
        .isGreaterThan(6);
    assertTargetUntouched(database);
  }

  private static QsyncException runFailing(Qsync qsync) {
    return catchThrowableOfType(QsyncException.class, () -> qsync.run(BigQuerySyncs.SYNC));
  }

  private static void assertTargetUntouched(TestDatabase database) {
    assertThat(database.rows("SELECT user_id, name FROM users ORDER BY user_id"))
        .containsExactly(List.of("1", "old"), List.of("5000", "gone soon"));
  }
}
