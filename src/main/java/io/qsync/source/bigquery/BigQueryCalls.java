package io.qsync.source.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.RetryListener;
import io.qsync.Sleeper;
import io.qsync.config.BigQueryTimeouts;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Every call to BigQuery goes through here: transient errors and timeouts are retried with
 * exponential backoff, for as long as the connection's {@code retry_timeout} allows (a validate at
 * most {@link Caller#VALIDATE_RETRY_LIMIT}), each retry told to a {@link RetryListener} and counted
 * for the run report; permanent ones become a {@link QsyncException} with BigQuery's own message,
 * the job and what to do. The client's own retries are turned off, so that the count is exact and
 * the waits are this class's (and a test's sleeper's). Not thread-safe.
 */
final class BigQueryCalls {
  private static final Duration MAX_DELAY = Duration.ofSeconds(32);

  /**
   * Retryable per cloud.google.com/bigquery/docs/error-messages: "backendError 500/503 ... retry
   * using exponential backoff", "rateLimitExceeded 403 ... retry using exponential backoff",
   * "internalError 500"; HTTP 429, 502, 503 and 504 are transient whatever the reason.
   */
  private static final Set<String> TRANSIENT_REASONS =
      Set.of(
          "backendError",
          "rateLimitExceeded",
          "internalError",
          "jobBackendError",
          "jobInternalError",
          "jobRateLimitExceeded");

  private static final Set<Integer> TRANSIENT_STATUSES = Set.of(429, 500, 502, 503, 504);

  private final String connection;
  private final String project;
  private final Duration firstDelay;
  private final BigQueryTimeouts timeouts;
  private final Sleeper sleeper;
  private final Clock clock;
  private final Caller caller;
  private final Optional<String> host;
  private final RetryListener listener;
  private final Map<String, Integer> retried = new LinkedHashMap<>();

  BigQueryCalls(
      String connection,
      String project,
      Duration firstDelay,
      BigQueryTimeouts timeouts,
      Sleeper sleeper,
      Clock clock) {
    this(
        connection,
        project,
        firstDelay,
        timeouts,
        sleeper,
        clock,
        Caller.RUN,
        Optional.empty(),
        RetryListener.NONE);
  }

  /**
   * @param caller who waits: how long to retry, and what a failure's message tells to do
   * @param host the connection's {@code host}, for a validate's message; empty for Google's
   * @param listener hears each retry
   */
  BigQueryCalls(
      String connection,
      String project,
      Duration firstDelay,
      BigQueryTimeouts timeouts,
      Sleeper sleeper,
      Clock clock,
      Caller caller,
      Optional<String> host,
      RetryListener listener) {
    this.caller = requireNonNull(caller, "caller is null");
    this.host = requireNonNull(host, "host is null");
    this.listener = requireNonNull(listener, "listener is null");
    this.connection = requireNonNull(connection, "connection is null");
    this.project = requireNonNull(project, "project is null");
    this.firstDelay = requireNonNull(firstDelay, "firstDelay is null");
    this.timeouts = requireNonNull(timeouts, "timeouts is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * Runs one API call, retrying transient failures until {@code retry_timeout} has passed since the
   * first of them (so a call that stalled past its read timeout still gets its retries).
   *
   * @param what the call, as the error message names it ("read page 3 of table ...")
   * @param job the job it concerns, for the error message; null before there is one
   */
  <T> T call(String what, String job, Supplier<T> call) {
    Instant firstFailure = null;
    Duration delay = firstDelay;
    Duration limit = retryLimit();
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (BigQueryException e) {
        if (timedOut(e)) {
          // gax interrupted this thread to report the timeout (see timedOut); nobody asked it to
          // stop, and the wait before the next attempt must not end at once.
          Thread.interrupted();
        }
        if (!isTransient(e)) {
          throw permanent(e.getCode(), reason(e), message(e), what, job, e);
        }
        if (firstFailure == null) {
          firstFailure = clock.instant();
        }
        Duration elapsed = Duration.between(firstFailure, clock.instant());
        String failure = describe(e) + (timedOut(e) ? "" : ": " + message(e));
        if (elapsed.plus(delay).compareTo(limit) > 0) {
          throw new QsyncException(
              ErrorKind.FAILED,
              "BigQuery connection '"
                  + connection
                  + "': "
                  + what
                  + " still failed after "
                  + attempt
                  + " attempt"
                  + (attempt == 1 ? "" : "s")
                  + ", retried for "
                  + seconds(elapsed)
                  + " ("
                  + limitName(limit)
                  + "): "
                  + failure
                  + (job == null ? "" : " (job " + job + ")")
                  + "\n"
                  + transientRemedy(),
              e);
        }
        retrying(describe(e), what, attempt, delay, failure);
        try {
          sleeper.sleep(delay);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new QsyncException(
              ErrorKind.INTERRUPTED, "interrupted while waiting to retry " + what, interrupted);
        }
        delay = delay.multipliedBy(2).compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay.multipliedBy(2);
      }
    }
  }

  /**
   * Counts a retry for the run report and tells the listener: this class's own, and those of the
   * Storage Read API's streams ({@link BigQueryStorageReader}), so that both are reported alike.
   *
   * @param kind what went wrong, as the notes count it ({@code backendError (HTTP 503)})
   * @param failure what went wrong, one line
   */
  void retrying(String kind, String what, int failedTries, Duration wait, String failure) {
    retried.merge(kind, 1, Integer::sum);
    listener.retrying(
        what, failedTries, wait, failure + "; retries for at most " + seconds(retryLimit()));
  }

  /** How long a failing call is retried: the connection's {@code retry_timeout}, for a run. */
  Duration retryLimit() {
    return caller.retryLimit(timeouts.retry());
  }

  /** The limit a call was retried for, as the config or the command sets it. */
  private String limitName(Duration limit) {
    return limit.equals(timeouts.retry())
        ? "retry_timeout " + seconds(limit)
        : "validate's limit "
            + seconds(limit)
            + "; a run retries for retry_timeout "
            + seconds(timeouts.retry());
  }

  /**
   * What to do about a failure that outlasted its retries: a run resumes from its job, a plan,
   * verify or prune starts again, a validate checks the way to BigQuery.
   */
  private String transientRemedy() {
    return switch (caller) {
      case RUN ->
          "BigQuery, or the network to it, is having trouble; run again later (the run"
              + " resumes from its job without querying again).";
      case PLAN, VERIFY, HEAL, PRUNE, STATUS, HISTORY ->
          "BigQuery, or the network to it, is having trouble; try qsync "
              + caller.command()
              + " again later.";
      case SERVE ->
          "BigQuery, or the network to it, is having trouble; qsync serve tries again on its"
              + " next refresh.";
      case DUE_VERIFY ->
          "BigQuery, or the network to it, is having trouble. " + Caller.NEXT_RUN_VERIFIES + ".";
      case VALIDATE ->
          "Is BigQuery reachable"
              + host.map(h -> " at host " + h).orElse("")
              + "? Check the connection's host and the network to it, then validate again.";
    };
  }

  /**
   * As {@link #call}, on a table qsync made itself (a query's result table, a table of the state
   * dataset): a 404 there means the table vanished while qsync used it (it expired, or someone
   * dropped it), not that the sync names a wrong table. Empty then; the caller says what the next
   * run does about it.
   */
  <T> Optional<T> callUnlessGone(String what, String job, Supplier<T> call) {
    return call(
        what,
        job,
        () -> {
          try {
            return Optional.ofNullable(call.get());
          } catch (BigQueryException e) {
            if (isNotFound(e)) {
              return Optional.empty();
            }
            throw e;
          }
        });
  }

  static boolean isNotFound(BigQueryException e) {
    return e.getCode() == 404 || "notFound".equals(reason(e));
  }

  static boolean isTransient(BigQueryException e) {
    String reason = reason(e);
    if (reason != null && TRANSIENT_REASONS.contains(reason)) {
      return true;
    }
    if (TRANSIENT_STATUSES.contains(e.getCode())) {
      return true;
    }
    // No HTTP answer at all: a timeout, or the connection refused or reset (code 0, no reason).
    return e.getCode() == 0 && reason == null && (timedOut(e) || causedBy(e, IOException.class));
  }

  /**
   * Whether a call got no answer within {@code connect_timeout} or {@code read_timeout}. The HTTP
   * client throws a SocketTimeoutException; Google's client runs every call through gax's
   * DirectRetryingExecutor, which takes it for an interrupt (it is an InterruptedIOException),
   * interrupts the thread and fails the call with an InterruptedException instead (seen with
   * google-cloud-bigquery 2.59.0 and gax 2.74.1: a BigQueryException with code 0, no reason, caused
   * by InterruptedException). qsync interrupts no thread of its own, so either means a timeout.
   */
  static boolean timedOut(BigQueryException e) {
    return causedBy(e, InterruptedException.class) || causedBy(e, InterruptedIOException.class);
  }

  private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
    for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  static boolean isTransient(BigQueryError error) {
    return error.getReason() != null && TRANSIENT_REASONS.contains(error.getReason());
  }

  /** A failure BigQuery will not get over by itself: its message, the job, and the remedy. */
  QsyncException permanent(int status, String reason, String message, String what, String job) {
    return permanent(status, reason, message, what, job, null);
  }

  private QsyncException permanent(
      int status, String reason, String message, String what, String job, Throwable cause) {
    String remedy =
        switch (reason == null ? "" : reason) {
          case "invalidQuery", "invalid" ->
              "Fix the sync's query (try it in the BigQuery console, as GoogleSQL) and run again.";
          case "notFound" ->
              "Check the tables the query names, and the connection's project and location (a"
                  + " dataset in another location needs that location:), then run again.";
          case "accessDenied" ->
              "Grant the account roles/bigquery.jobUser on project "
                  + project
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
        "BigQuery connection '"
            + connection
            + "': "
            + what
            + " failed"
            + (job == null ? "" : " (job " + job + ")")
            + ": "
            + describe(status, reason)
            + ": "
            + message
            + "\nNothing was written. "
            + remedy,
        cause);
  }

  /** What the run report says about retries, e.g. "retried 3 transient BigQuery errors (...)". */
  List<String> notes() {
    List<String> notes = new ArrayList<>();
    if (!retried.isEmpty()) {
      int total = retried.values().stream().mapToInt(Integer::intValue).sum();
      List<String> kinds = new ArrayList<>();
      retried.forEach((kind, count) -> kinds.add(count + " x " + kind));
      notes.add(
          "retried "
              + total
              + " transient BigQuery error"
              + (total == 1 ? "" : "s")
              + " ("
              + String.join(", ", kinds)
              + ")");
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
    String message =
        e.getError() != null && e.getError().getMessage() != null
            ? e.getError().getMessage()
            : e.getMessage();
    return message == null ? "(no message)" : message.strip();
  }

  private static String describe(int status, String reason) {
    return (reason == null ? "error" : reason) + (status > 0 ? " (HTTP " + status + ")" : "");
  }

  /** What went wrong, as the notes count it: "backendError (HTTP 503)", "timeout (...)". */
  private String describe(BigQueryException e) {
    if (e.getCode() == 0 && reason(e) == null) {
      if (timedOut(e)) {
        return "timeout (no answer within connect_timeout "
            + seconds(timeouts.connect())
            + " or read_timeout "
            + seconds(timeouts.read())
            + ")";
      }
      if (causedBy(e, IOException.class)) {
        return "no connection";
      }
    }
    return describe(e.getCode(), reason(e));
  }

  /** A duration as the config writes it: 60s, 1.5s, 10m. */
  private static String seconds(Duration duration) {
    if (duration.toMillis() % 60_000 == 0 && duration.toMinutes() >= 2) {
      return duration.toMinutes() + "m";
    }
    return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString() + "s";
  }
}
