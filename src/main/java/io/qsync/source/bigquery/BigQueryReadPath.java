package io.qsync.source.bigquery;

import static java.util.Objects.requireNonNull;

import io.qsync.config.BigQueryReadApi;

/**
 * Which API reads a result, and why: the decision {@code read_api} makes from the result's size, as
 * the run report says it. Pure; thread-safe.
 *
 * @param storage whether the Storage Read API reads it (else {@code tabledata.list})
 * @param reason why, for the run report ("the result holds 250000 rows, read_api_min_rows 100000")
 */
record BigQueryReadPath(boolean storage, String reason) {
  BigQueryReadPath {
    requireNonNull(reason, "reason is null");
  }

  /**
   * @param api the connection's {@code read_api} settings
   * @param customHost whether the connection's REST {@code host} is not Google's (an emulator, a
   *     proxy): {@code auto} then reads with the Storage Read API only when {@code storage_host} is
   *     set too, rather than send the result's reads to Google
   * @param rows the rows the result table holds
   * @param fromRow the first row to read: a read from the middle is {@code tabledata.list}'s
   */
  static BigQueryReadPath choose(BigQueryReadApi api, boolean customHost, long rows, long fromRow) {
    if (api.mode() == BigQueryReadApi.Mode.REST) {
      return new BigQueryReadPath(false, "read_api: rest");
    }
    if (fromRow > 0) {
      return new BigQueryReadPath(false, "the read goes on from row " + fromRow);
    }
    if (api.mode() == BigQueryReadApi.Mode.STORAGE) {
      return new BigQueryReadPath(true, "read_api: storage");
    }
    if (customHost && api.storageHost().isEmpty()) {
      return new BigQueryReadPath(false, "read_api: auto, and host is set without storage_host");
    }
    if (rows < api.minRows()) {
      return new BigQueryReadPath(
          false,
          "read_api: auto, the result holds "
              + rows
              + " rows, fewer than read_api_min_rows "
              + api.minRows());
    }
    return new BigQueryReadPath(
        true,
        "read_api: auto, the result holds " + rows + " rows, read_api_min_rows " + api.minRows());
  }
}
