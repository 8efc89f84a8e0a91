package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Time limits of a BigQuery connection's API calls. A call that gets no answer within them has
 * timed out, which is a failure that may pass (a stalled connection, an overloaded frontend): it is
 * retried like BigQuery's own transient errors. Immutable.
 *
 * @param connect how long opening a connection to the API may take (the HTTP client's default,
 *     which Google's BigQuery client leaves as it is, is 20 s)
 * @param read how long a call may go without an answer byte (Google's BigQuery client sets 60 s,
 *     {@code BigQueryOptions.DEFAULT_READ_API_TIME_OUT} in google-cloud-bigquery 2.59.0)
 * @param retry how long one call is retried through transient errors and timeouts, counted from its
 *     first failure, before the run fails (exit 1) for the next run to resume. Ten minutes, the
 *     default deadline of Google's Python client ({@code
 *     google.cloud.bigquery.retry.DEFAULT_RETRY}): long enough to ride out a routine stall, a
 *     frontend restart or a burst of rate limiting
 */
public record BigQueryTimeouts(Duration connect, Duration read, Duration retry) {
  public static final BigQueryTimeouts DEFAULT =
      new BigQueryTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ofMinutes(10));

  public BigQueryTimeouts {
    requireNonNull(connect, "connect is null");
    requireNonNull(read, "read is null");
    requireNonNull(retry, "retry is null");
    if (connect.isNegative() || connect.isZero() || read.isNegative() || read.isZero()) {
      throw new IllegalArgumentException("connect and read timeouts must be positive");
    }
    if (retry.isNegative()) {
      throw new IllegalArgumentException("the retry timeout cannot be negative: " + retry);
    }
  }
}
