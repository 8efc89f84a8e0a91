package io.qsync.source.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Every call to BigQuery goes through here: transient errors are retried with exponential backoff
 * and counted for the run report; permanent ones become a {@link QsyncException} with BigQuery's
 * own message, the job and what to do. The client's own retries are turned off, so that the
 * count is exact and the waits are this class's (and a test's sleeper's). Not thread-safe.
 */
final class BigQueryCalls {
  /** Waits between attempts; tests pass one that does not sleep. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;

    Sleeper REAL = duration -> Thread.sleep(duration.toMillis());
  }

  static final int MAX_ATTEMPTS = 6;
  private static final Duration MAX_DELAY = Duration.ofSeconds(32);

  /**
   * Retryable per cloud.google.com/bigquery/docs/error-messages: "backendError 500/503 ... retry
   * using exponential backoff", "rateLimitExceeded 403 ... retry using exponential backoff",
   * "internalError 500"; HTTP 429, 502, 503 and 504 are transient whatever the reason.
   */
  private static final Set<String> TRANSIENT_REASONS =
      Set.of("backendError", "rateLimitExceeded", "internalError", "jobBackendError",
          "jobInternalError", "jobRateLimitExceeded");
  private static final Set<Integer> TRANSIENT_STATUSES = Set.of(429, 500, 502, 503, 504);

  private final String connection;
  private final String project;
  private final Duration firstDelay;
  private final Sleeper sleeper;
  private final Map<String, Integer> retried = new LinkedHashMap<>();

  BigQueryCalls(String connection, String project, Duration firstDelay, Sleeper sleeper) {
    this.connection = requireNonNull(connection, "connection is null");
    this.project = requireNonNull(project, "project is null");
    this.firstDelay = requireNonNull(firstDelay, "firstDelay is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
  }

  /**
   * Runs one API call, retrying transient failures.
   *
   * @param what the call, as the error message names it ("read page 3 of table ...")
   * @param job the job it concerns, for the error message; null before there is one
   */
  <T> T call(String what, String job, Supplier<T> call) {
    Duration delay = firstDelay;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (BigQueryException e) {
        String reason = reason(e);
        if (!isTransient(e)) {
          throw permanent(e.getCode(), reason, message(e), what, job);
        }
        if (attempt == MAX_ATTEMPTS) {
          throw new QsyncException(
              ErrorKind.FAILED,
              "BigQuery connection '" + connection + "': " + what + " still failed after "
                  + MAX_ATTEMPTS + " attempts: " + describe(e.getCode(), reason) + ": " + message(e)
                  + (job == null ? "" : " (job " + job + ")")
                  + "\nBigQuery is having trouble; run again later (the run resumes from its job"
                  + " without querying again).",
              e);
        }
        retried.merge(describe(e.getCode(), reason), 1, Integer::sum);
        try {
          sleeper.sleep(delay);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new QsyncException(ErrorKind.INTERRUPTED,
              "interrupted while waiting to retry " + what, interrupted);
        }
        delay = delay.multipliedBy(2).compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay.multipliedBy(2);
      }
    }
  }

  static boolean isTransient(BigQueryException e) {
    String reason = reason(e);
    if (reason != null && TRANSIENT_REASONS.contains(reason)) {
      return true;
    }
    if (TRANSIENT_STATUSES.contains(e.getCode())) {
      return true;
    }
    // No HTTP answer at all (connection refused or reset, a timeout): code 0 with an IOException.
    return e.getCode() == 0 && e.getCause() instanceof java.io.IOException;
  }

  static boolean isTransient(BigQueryError error) {
    return error.getReason() != null && TRANSIENT_REASONS.contains(error.getReason());
  }

  /** A failure BigQuery will not get over by itself: its message, the job, and the remedy. */
  QsyncException permanent(int status, String reason, String message, String what, String job) {
    String remedy =
        switch (reason == null ? "" : reason) {
          case "invalidQuery", "invalid" ->
              "Fix the sync's query (try it in the BigQuery console, as GoogleSQL) and run again.";
          case "notFound" ->
              "Check the tables the query names, and the connection's project and location (a"
                  + " dataset in another location needs that location:), then run again.";
          case "accessDenied" ->
              "Grant the account roles/bigquery.jobUser on project " + project
                  + " and roles/bigquery.dataViewer on the datasets the query reads"
                  + " (roles/bigquery.dataEditor on staging_dataset and state_dataset, if set), then run again.";
          case "quotaExceeded", "bytesBilledLimitExceeded" ->
              "Raise the connection's maximum_bytes_billed, make the query read less (filter on"
                  + " partitions, select fewer columns), or wait for the quota to reset.";
          case "duplicate" ->
              "Another process created the same job; if no other qsync runs this sync, report it.";
          default -> "Fix what BigQuery names and run again.";
        };
    return new QsyncException(
        ErrorKind.NEEDS_ACTION,
        "BigQuery connection '" + connection + "': " + what + " failed"
            + (job == null ? "" : " (job " + job + ")") + ": " + describe(status, reason) + ": "
            + message + "\nNothing was written. " + remedy);
  }

  /** What the run report says about retries, e.g. "retried 3 transient BigQuery errors (...)". */
  List<String> notes() {
    List<String> notes = new ArrayList<>();
    if (!retried.isEmpty()) {
      int total = retried.values().stream().mapToInt(Integer::intValue).sum();
      List<String> kinds = new ArrayList<>();
      retried.forEach((kind, count) -> kinds.add(count + " x " + kind));
      notes.add("retried " + total + " transient BigQuery error" + (total == 1 ? "" : "s") + " ("
          + String.join(", ", kinds) + ")");
    }
    return notes;
  }

  int retries() {
    return retried.values().stream().mapToInt(Integer::intValue).sum();
  }

  private static String reason(BigQueryException e) {
    return e.getError() == null ? e.getReason() : e.getError().getReason();
  }

  private static String message(BigQueryException e) {
    String message = e.getError() != null && e.getError().getMessage() != null
        ? e.getError().getMessage() : e.getMessage();
    return message == null ? "(no message)" : message.strip();
  }

  private static String describe(int status, String reason) {
    return (reason == null ? "error" : reason) + (status > 0 ? " (HTTP " + status + ")" : "");
  }
}
