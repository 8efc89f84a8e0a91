package io.qsync.source;

import static java.util.Objects.requireNonNull;

import io.qsync.Plural;
import java.util.Locale;

/**
 * How a warehouse read one of a run's results, as the run report and the run history say it: which
 * API, over how many streams, how many rows, and why that API. Immutable.
 *
 * @param result which result: {@link Source#QUERY_JOB} (the sync's query) or {@link
 *     Source#CHANGES_JOB} ({@code diff: snapshot}'s change set)
 * @param api the API that read it
 * @param streams the streams read at once (1 for {@code tabledata.list}, which reads page by page;
 *     0 for an empty table, which has none)
 * @param rows the rows read
 * @param reason why that API ({@code read_api: auto, the result holds 250000 rows,
 *     read_api_min_rows 100000})
 */
public record ResultRead(String result, Api api, int streams, long rows, String reason) {
  /** The APIs a result is read with. */
  public enum Api {
    /** BigQuery's {@code tabledata.list}: JSON pages over REST, one at a time; bills nothing. */
    TABLEDATA_LIST("tabledata.list"),
    /** The BigQuery Storage Read API: Arrow over gRPC, streams at once; bills the bytes read. */
    STORAGE_READ("the Storage Read API");

    private final String text;

    Api(String text) {
      this.text = text;
    }

    /** As the history stores it: {@code tabledata_list}, {@code storage_read}. */
    public String stored() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The value {@link #stored} gave. */
    public static Api ofStored(String stored) {
      return valueOf(stored.toUpperCase(Locale.ROOT));
    }
  }

  public ResultRead {
    requireNonNull(result, "result is null");
    requireNonNull(api, "api is null");
    requireNonNull(reason, "reason is null");
    if (streams < 0) {
      throw new IllegalArgumentException("streams is negative: " + streams);
    }
    if (rows < 0) {
      throw new IllegalArgumentException("rows is negative: " + rows);
    }
  }

  /**
   * {@code 1,234,567 rows with the Storage Read API over 4 streams (read_api: auto, ...; billed by
   * bytes read)}, or {@code 3 rows with tabledata.list (read_api: rest)}.
   */
  public String describe() {
    return Plural.of(rows, "row")
        + " with "
        + api.text
        + (api == Api.STORAGE_READ ? " over " + Plural.of(streams, "stream") : "")
        + " ("
        + reason
        + (api == Api.STORAGE_READ ? "; billed by bytes read" : "")
        + ")";
  }
}
