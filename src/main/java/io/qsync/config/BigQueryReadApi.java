package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * How a BigQuery connection reads a query's result: with {@code tabledata.list} (REST, free, one
 * page at a time) or with the BigQuery Storage Read API (gRPC, Arrow, several streams at once,
 * billed by bytes read).
 *
 * @param mode {@code auto}: the Storage Read API for results of at least {@code minRows} rows,
 *     falling back to {@code tabledata.list} when it is denied; {@code storage}: the Storage Read
 *     API for every result, failing when it is denied; {@code rest}: {@code tabledata.list} only
 * @param minRows the smallest result {@code auto} reads with the Storage Read API
 * @param streams how many streams of a read session are read at once (memory: one Arrow batch each)
 * @param storageHost the Storage Read API's endpoint instead of Google's, as {@code
 *     http://host:port} (plaintext, an emulator) or {@code https://host:port}; empty for Google's
 */
public record BigQueryReadApi(Mode mode, long minRows, int streams, Optional<String> storageHost) {
  public static final long DEFAULT_MIN_ROWS = 100_000;
  public static final int DEFAULT_STREAMS = 4;
  public static final BigQueryReadApi DEFAULT =
      new BigQueryReadApi(Mode.AUTO, DEFAULT_MIN_ROWS, DEFAULT_STREAMS, Optional.empty());

  /** The values of {@code read_api}. */
  public enum Mode {
    AUTO,
    STORAGE,
    REST
  }

  public BigQueryReadApi {
    requireNonNull(mode, "mode is null");
    requireNonNull(storageHost, "storageHost is null");
    if (minRows < 0) {
      throw new IllegalArgumentException("minRows is negative: " + minRows);
    }
    if (streams < 1) {
      throw new IllegalArgumentException("streams is below 1: " + streams);
    }
  }
}
