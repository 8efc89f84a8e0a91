package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.RetryListener;
import io.qsync.config.BigQueryTimeouts;
import io.qsync.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Retry decisions and waits, with a sleeper that records instead of sleeping and moves a manual
 * clock; calls retry for at most a minute.
 */
class BigQueryCallsTest {
  private final List<Duration> waits = new ArrayList<>();
  private final ManualClock clock = new ManualClock();
  private final BigQueryCalls calls =
      calls(Duration.ofMinutes(1), Caller.RUN, Optional.empty(), RetryListener.NONE);

  /** Calls retried for {@code retryTimeout}, whose waits move the manual clock. */
  private BigQueryCalls calls(
      Duration retryTimeout, Caller caller, Optional<String> host, RetryListener listener) {
    return new BigQueryCalls(
        "bq",
        "acme",
        Duration.ofSeconds(1),
        new BigQueryTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(60), retryTimeout),
        wait -> {
          waits.add(wait);
          clock.advance(wait);
        },
        clock,
        caller,
        host,
        listener);
  }

  private static BigQueryException error(int status, String reason) {
    return new BigQueryException(
        status, reason + " happened", new BigQueryError(reason, "global", reason + " happened"));
  }

  @Test
  void retriesTransientErrorsWithDoublingWaitsAndCountsThem() {
    AtomicInteger attempts = new AtomicInteger();

    String result =
        calls.call(
            "read page 1",
            "job_1",
            () -> {
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
    assertThat(waits)
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    assertThat(calls.notes())
        .containsExactly(
            "retried 3 transient BigQuery errors (1 x backendError (HTTP 503), 2 x rateLimitExceeded (HTTP 403))");
  }

  @Test
  void aValidateRetriesForAtMostThirtySecondsTellsEachRetryAndSaysWhatToCheck() {
    List<String> told = new ArrayList<>();
    BigQueryCalls validate =
        calls(
            Duration.ofMinutes(10),
            Caller.VALIDATE,
            Optional.of("http://127.0.0.1:9050"),
            (what, failedTries, wait, error) ->
                told.add(what + " #" + failedTries + " in " + wait + ": " + error));

    QsyncException error =
        catchThrowableOfType(
            QsyncException.class,
            () ->
                validate.call(
                    "dry-run the query",
                    null,
                    () -> {
                      throw error(503, "backendError");
                    }));

    assertThat(error.getMessage())
        .contains(
            "dry-run the query still failed after 5 attempts, retried for 15s (validate's limit"
                + " 30s; a run retries for retry_timeout 10m): backendError (HTTP 503)")
        .contains(
            "Is BigQuery reachable at host http://127.0.0.1:9050? Check the connection's host and"
                + " the network to it, then validate again.")
        .doesNotContain("resumes from its job");
    assertThat(told)
        .hasSize(4)
        .first()
        .isEqualTo(
            "dry-run the query #1 in PT1S: backendError (HTTP 503): backendError happened; retries"
                + " for at most 30s");
  }

  @Test
  void aPlanRetriesLikeARunButDoesNotPromiseToResumeFromAJob() {
    BigQueryCalls plan =
        calls(Duration.ofMinutes(1), Caller.PLAN, Optional.empty(), RetryListener.NONE);

    QsyncException error =
        catchThrowableOfType(
            QsyncException.class,
            () ->
                plan.call(
                    "run the query",
                    null,
                    () -> {
                      throw error(503, "backendError");
                    }));

    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage())
        .contains("retried for 31s (retry_timeout 60s)")
        .contains("BigQuery, or the network to it, is having trouble; try qsync plan again later.")
        .doesNotContain("resumes from its job");
  }

  @Test
  void aRunRetriesForItsRetryTimeoutAndSaysItResumes() {
    QsyncException error =
        catchThrowableOfType(
            QsyncException.class,
            () ->
                calls.call(
                    "read page 2",
                    "job_1",
                    () -> {
                      throw error(503, "backendError");
                    }));

    assertThat(error.getMessage())
        .contains("retried for 31s (retry_timeout 60s)")
        .contains(
            "BigQuery, or the network to it, is having trouble; run again later (the run resumes"
                + " from its job without querying again).");
  }

  @Test
  void givesUpOnceRetryTimeoutWouldPassAsAFailureThatMayPass() {
    QsyncException error =
        catchThrowableOfType(
            QsyncException.class,
            () ->
                calls.call(
                    "read page 2",
                    "job_1",
                    () -> {
                      throw error(500, "internalError");
                    }));

    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage())
        .contains(
            "read page 2 still failed after 6 attempts, retried for 31s (retry_timeout 60s):"
                + " internalError (HTTP 500)")
        .contains("job_1");
    assertThat(error.getCause())
        .as("the cause, for --verbose")
        .isInstanceOf(BigQueryException.class);
    assertThat(waits)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(16));
  }

  @Test
  void aCallThatGetsNoAnswerInTimeIsRetriedAsATimeoutForRetryTimeoutAfterItsFirstFailure() {
    // Google's client reports a read timeout this way: gax takes the SocketTimeoutException for
    // an interrupt (see BigQueryCalls.timedOut).
    BigQueryException stalled =
        new BigQueryException(0, "java.lang.InterruptedException", new InterruptedException());
    AtomicInteger attempts = new AtomicInteger();

    String page =
        calls.call(
            "read page 1",
            "job_1",
            () -> {
              clock.advance(Duration.ofSeconds(60)); // the read timeout
              if (attempts.incrementAndGet() == 1) {
                throw stalled;
              }
              return "page";
            });

    assertThat(page).isEqualTo("page");
    assertThat(calls.notes())
        .containsExactly(
            "retried 1 transient BigQuery error"
                + " (1 x timeout (no answer within connect_timeout 20s or read_timeout 60s))");
    assertThat(
            BigQueryCalls.isTransient(
                new BigQueryException(
                    0, "Read timed out", new java.net.SocketTimeoutException("Read timed out"))))
        .isTrue();
    assertThat(
            BigQueryCalls.isTransient(
                new BigQueryException(
                    0, "Connection refused", new java.net.ConnectException("Connection refused"))))
        .isTrue();

    QsyncException error =
        catchThrowableOfType(
            QsyncException.class,
            () ->
                calls.call(
                    "read page 2",
                    "job_1",
                    () -> {
                      clock.advance(Duration.ofSeconds(60));
                      throw stalled;
                    }));
    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage())
        .contains(
            "read page 2 still failed after 2 attempts, retried for"
                + " 61s (retry_timeout 60s): timeout (no answer within connect_timeout 20s or read_timeout 60s)"
                + " (job job_1)")
        .doesNotContain("InterruptedException");
  }

  @Test
  void aTableOfQsyncsOwnThatIsNotFoundIsGoneNotAMistakeInTheConfig() {
    Optional<String> page =
        calls.callUnlessGone(
            "read page 4",
            "job_1",
            () -> {
              throw error(404, "notFound");
            });

    assertThat(page).isEmpty();
    assertThat(calls.callUnlessGone("read page 1", "job_1", () -> "rows")).hasValue("rows");
  }

  @Test
  void doesNotRetryPermanentErrors() {
    QsyncException error =
        catchThrowableOfType(
            QsyncException.class,
            () ->
                calls.call(
                    "start the query",
                    "job_1",
                    () -> {
                      throw error(403, "accessDenied");
                    }));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains("accessDenied (HTTP 403): accessDenied happened")
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
    assertThat(BigQuerySource.jobId("plan-20261125T174512Z-abc123", "SELECT 1"))
        .isNotEqualTo(first);
  }
}
