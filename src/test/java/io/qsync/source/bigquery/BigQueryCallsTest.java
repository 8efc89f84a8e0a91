package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Retry decisions and waits, with a sleeper that records instead of sleeping. */
class BigQueryCallsTest {
  private final List<Duration> waits = new ArrayList<>();
  private final BigQueryCalls calls =
      new BigQueryCalls("bq", "acme", Duration.ofSeconds(1), waits::add);

  private static BigQueryException error(int status, String reason) {
    return new BigQueryException(status, reason + " happened", new BigQueryError(reason, "global", reason + " happened"));
  }

  @Test
  void retriesTransientErrorsWithDoublingWaitsAndCountsThem() {
    AtomicInteger attempts = new AtomicInteger();

    String result = calls.call("read page 1", "job_1", () -> {
      int attempt = attempts.incrementAndGet();
      if (attempt == 1) {
        throw error(503, "backendError");
      }
      if (attempt <= 3) {
        throw error(403, "rateLimitExceeded");
      }
      return "page";
    });

    assertThat(result).isEqualTo("page");
    assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    assertThat(calls.notes()).containsExactly(
        "retried 3 transient BigQuery errors (1 x backendError (HTTP 503), 2 x rateLimitExceeded (HTTP 403))");
  }

  @Test
  void givesUpAfterSixAttemptsAsAFailureThatMayPass() {
    QsyncException error = catchThrowableOfType(QsyncException.class,
        () -> calls.call("read page 2", "job_1", () -> { throw error(500, "internalError"); }));

    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage()).contains("read page 2 still failed after 6 attempts: internalError (HTTP 500)")
        .contains("job_1");
    assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
        Duration.ofSeconds(8), Duration.ofSeconds(16));
  }

  @Test
  void doesNotRetryPermanentErrors() {
    QsyncException error = catchThrowableOfType(QsyncException.class,
        () -> calls.call("start the query", "job_1", () -> { throw error(403, "accessDenied"); }));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage()).contains("accessDenied (HTTP 403): accessDenied happened")
        .contains("roles/bigquery.jobUser on project acme");
    assertThat(waits).isEmpty();
    assertThat(BigQueryCalls.isTransient(error(403, "quotaExceeded"))).isFalse();
    assertThat(BigQueryCalls.isTransient(error(429, "tooManyRequests"))).isTrue();
  }

  @Test
  void aRunAsksForTheSameJobEachTimeAndAChangedQueryForAnother() {
    String first = BigQuerySource.jobId("20261125T174512Z-abc123", "SELECT 1");

    assertThat(first).matches("qsync_20261125T174512Z-abc123_[0-9a-f]{12}");
    assertThat(BigQuerySource.jobId("20261125T174512Z-abc123", "SELECT 1")).isEqualTo(first);
    assertThat(BigQuerySource.jobId("20261125T174512Z-abc123", "SELECT 2")).isNotEqualTo(first);
    assertThat(BigQuerySource.jobId("plan-20261125T174512Z-abc123", "SELECT 1")).isNotEqualTo(first);
  }
}
