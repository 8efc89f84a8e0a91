package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A Google BigQuery project where queries run as jobs.
 *
 * @param project the project the jobs run in (and are billed to)
 * @param location where jobs run: {@code US}, {@code EU} or a region such as {@code europe-west3}
 * @param credentials where credentials come from
 * @param host the API's root URL instead of Google's (an emulator, a proxy); empty for Google's
 * @param labels labels put on every job, for billing reports
 * @param maximumBytesBilled a job that would bill more fails instead of running
 * @param stagingDataset a dataset qsync may write: results go to a table there, with {@code
 *     stagingExpiration}; empty: BigQuery's temporary result table
 * @param stagingExpiration how long a result table in the staging dataset is kept
 * @param pageSize rows per page read from the result table (memory is bounded by one page)
 * @param queryParameters named parameters, {@code @name} in the query
 * @param retryDelay the first wait before retrying a transient error; doubled per retry
 * @param timeouts how long a call may take, and how long it is retried
 * @param readApi how results are read: {@code tabledata.list} or the Storage Read API
 */
public record BigQueryConnectionConfig(
    String name,
    String project,
    String location,
    Credentials credentials,
    Optional<String> host,
    Map<String, String> labels,
    OptionalLong maximumBytesBilled,
    Optional<String> stagingDataset,
    Duration stagingExpiration,
    int pageSize,
    Map<String, QueryParameter> queryParameters,
    Duration retryDelay,
    BigQueryTimeouts timeouts,
    BigQueryReadApi readApi)
    implements ConnectionConfig {

  public static final String DEFAULT_LOCATION = "US";
  public static final int DEFAULT_PAGE_SIZE = 10_000;
  public static final Duration DEFAULT_STAGING_EXPIRATION = Duration.ofDays(2);
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(1);

  /**
   * Where credentials come from: Application Default Credentials, a service-account key file, or
   * none (an emulator).
   */
  public record Credentials(Optional<Path> file, boolean none) {
    public static final Credentials APPLICATION_DEFAULT = new Credentials(Optional.empty(), false);
    public static final Credentials NONE = new Credentials(Optional.empty(), true);

    public Credentials {
      requireNonNull(file, "file is null");
    }

    public static Credentials file(Path path) {
      return new Credentials(Optional.of(path), false);
    }
  }

  /**
   * A named query parameter.
   *
   * @param type a GoogleSQL type name: STRING, INT64, FLOAT64, NUMERIC, BOOL, DATE, DATETIME,
   *     TIMESTAMP, TIME
   * @param value the value as GoogleSQL writes a literal of that type; null for NULL
   */
  public record QueryParameter(String type, String value) {
    public QueryParameter {
      requireNonNull(type, "type is null");
    }
  }

  public BigQueryConnectionConfig {
    requireNonNull(name, "name is null");
    requireNonNull(project, "project is null");
    requireNonNull(location, "location is null");
    requireNonNull(credentials, "credentials is null");
    requireNonNull(host, "host is null");
    labels = Map.copyOf(requireNonNull(labels, "labels is null"));
    requireNonNull(maximumBytesBilled, "maximumBytesBilled is null");
    requireNonNull(stagingDataset, "stagingDataset is null");
    requireNonNull(stagingExpiration, "stagingExpiration is null");
    queryParameters = Map.copyOf(requireNonNull(queryParameters, "queryParameters is null"));
    requireNonNull(retryDelay, "retryDelay is null");
    requireNonNull(timeouts, "timeouts is null");
    requireNonNull(readApi, "readApi is null");
  }

  /**
   * A connection to {@code project}, its other parts the config file's defaults: set whatever
   * differs, then {@link Builder#build()}.
   */
  public static Builder builder(String name, String project) {
    return new Builder(name, project);
  }

  /** A builder holding this connection, to build a copy with some parts changed. */
  public Builder toBuilder() {
    return new Builder(name, project)
        .location(location)
        .credentials(credentials)
        .host(host)
        .labels(labels)
        .maximumBytesBilled(maximumBytesBilled)
        .stagingDataset(stagingDataset)
        .stagingExpiration(stagingExpiration)
        .pageSize(pageSize)
        .queryParameters(queryParameters)
        .retryDelay(retryDelay)
        .timeouts(timeouts)
        .readApi(readApi);
  }

  @Override
  public String type() {
    return "bigquery";
  }

  /**
   * Builds a {@link BigQueryConnectionConfig}. Its defaults are those of a connection in the config
   * file that sets only {@code type} and {@code project}: {@link BigQueryConnectionReader} decides
   * the file's, and BigQueryConfigTest holds the two equal. Not thread-safe.
   */
  public static final class Builder {
    private String name;
    private String project;
    private String location = DEFAULT_LOCATION;
    private Credentials credentials = Credentials.APPLICATION_DEFAULT;
    private Optional<String> host = Optional.empty();
    private Map<String, String> labels = Map.of();
    private OptionalLong maximumBytesBilled = OptionalLong.empty();
    private Optional<String> stagingDataset = Optional.empty();
    private Duration stagingExpiration = DEFAULT_STAGING_EXPIRATION;
    private int pageSize = DEFAULT_PAGE_SIZE;
    private Map<String, QueryParameter> queryParameters = Map.of();
    private Duration retryDelay = DEFAULT_RETRY_DELAY;
    private BigQueryTimeouts timeouts = BigQueryTimeouts.DEFAULT;
    private BigQueryReadApi readApi = BigQueryReadApi.DEFAULT;

    private Builder(String name, String project) {
      this.name = name;
      this.project = project;
    }

    public Builder name(String value) {
      this.name = value;
      return this;
    }

    public Builder project(String value) {
      this.project = value;
      return this;
    }

    public Builder location(String value) {
      this.location = value;
      return this;
    }

    public Builder credentials(Credentials value) {
      this.credentials = value;
      return this;
    }

    public Builder host(Optional<String> value) {
      this.host = value;
      return this;
    }

    public Builder labels(Map<String, String> value) {
      this.labels = value;
      return this;
    }

    public Builder maximumBytesBilled(OptionalLong value) {
      this.maximumBytesBilled = value;
      return this;
    }

    public Builder stagingDataset(Optional<String> value) {
      this.stagingDataset = value;
      return this;
    }

    public Builder stagingExpiration(Duration value) {
      this.stagingExpiration = value;
      return this;
    }

    public Builder pageSize(int value) {
      this.pageSize = value;
      return this;
    }

    public Builder queryParameters(Map<String, QueryParameter> value) {
      this.queryParameters = value;
      return this;
    }

    public Builder retryDelay(Duration value) {
      this.retryDelay = value;
      return this;
    }

    public Builder timeouts(BigQueryTimeouts value) {
      this.timeouts = value;
      return this;
    }

    public Builder readApi(BigQueryReadApi value) {
      this.readApi = value;
      return this;
    }

    public BigQueryConnectionConfig build() {
      return new BigQueryConnectionConfig(
          name,
          project,
          location,
          credentials,
          host,
          labels,
          maximumBytesBilled,
          stagingDataset,
          stagingExpiration,
          pageSize,
          queryParameters,
          retryDelay,
          timeouts,
          readApi);
    }
  }
}
