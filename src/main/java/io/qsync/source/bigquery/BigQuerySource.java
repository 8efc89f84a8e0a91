package io.qsync.source.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.FieldList;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.JobStatistics;
import com.google.cloud.bigquery.JobStatus;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.QueryParameterValue;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.Table;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TableResult;
import com.google.cloud.http.HttpTransportOptions;
import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.RetryListener;
import io.qsync.Sha256;
import io.qsync.Sleeper;
import io.qsync.config.BigQueryConnectionConfig;
import io.qsync.config.BigQueryReadApi;
import io.qsync.row.Column;
import io.qsync.row.RowSink;
import io.qsync.source.QueryDialect;
import io.qsync.source.ResultRead;
import io.qsync.source.SnapshotSql;
import io.qsync.source.Source;
import io.qsync.source.SourceResult;
import io.qsync.source.SqlText;
import io.qsync.source.WarehouseState;
import io.qsync.verify.RowChecksums;
import io.qsync.verify.RowShape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Google BigQuery through Google's Java client. A run's query is a job whose id derives from the
 * run id and the query, so a resumed run finds its job and reads its result table again instead of
 * paying for a second query; never a job-less query (JOB_CREATION_OPTIONAL), which would leave
 * nothing to re-read. The result table is a named table in {@code staging_dataset} (with an
 * expiration) when configured, else BigQuery's temporary result table (kept about 24 hours, best
 * effort). Rows are read with {@code tabledata.list}, one page at a time, which bills no query
 * bytes, or, for large results ({@code read_api}), with the Storage Read API ({@link
 * BigQueryStorageReader}), which bills the bytes it reads. {@link #state} keeps {@code diff:
 * snapshot}'s tables in a dataset, with jobs run the same way ({@link BigQueryState}). Not
 * thread-safe.
 */
public final class BigQuerySource implements Source {
  /** How many times one run may run its query anew (each a new job), e.g. after expiry. */
  private static final int MAX_JOB_ATTEMPTS = 9;

  private static final Duration MAX_POLL = Duration.ofSeconds(10);

  private final BigQueryConnectionConfig config;
  private final BigQueryCalls calls;
  private final Caller caller;
  private final Sleeper sleeper;
  private final Clock clock;
  private BigQuery client;
  private final Map<String, Long> billed = new LinkedHashMap<>();

  /** The kind of each job this source ran or found ({@link Source#QUERY_JOB}, ...), by id. */
  private final Map<String, String> jobKinds = new java.util.HashMap<>();

  private final List<ResultRead> reads = new ArrayList<>();

  public BigQuerySource(BigQueryConnectionConfig config) {
    this(config, Caller.RUN, RetryListener.NONE);
  }

  /**
   * @param caller who waits for the calls: how long they are retried, what a failure says to do
   * @param listener hears each retry of a call
   */
  public BigQuerySource(BigQueryConnectionConfig config, Caller caller, RetryListener listener) {
    this(config, Sleeper.system(), Clock.systemUTC(), caller, listener);
  }

  BigQuerySource(BigQueryConnectionConfig config, Sleeper sleeper, Clock clock) {
    this(config, sleeper, clock, Caller.RUN, RetryListener.NONE);
  }

  private BigQuerySource(
      BigQueryConnectionConfig config,
      Sleeper sleeper,
      Clock clock,
      Caller caller,
      RetryListener listener) {
    this.config = requireNonNull(config, "config is null");
    this.calls =
        new BigQueryCalls(
            config.name(),
            config.project(),
            config.retryDelay(),
            config.timeouts(),
            sleeper,
            clock,
            caller,
            config.host(),
            listener);
    this.caller = requireNonNull(caller, "caller is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public QueryDialect dialect() {
    return QueryDialect.GOOGLE_SQL;
  }

  @Override
  public boolean resumesQueries() {
    return true;
  }

  @Override
  public SourceResult query(String sql, String runId) {
    rejectLegacySql(sql);
    List<String> notes = new ArrayList<>();
    RanJob job =
        runJob(
            new JobRequest(
                jobId(runId, sql),
                sql,
                true,
                Map.of(),
                id ->
                    config
                        .stagingDataset()
                        .map(dataset -> TableId.of(config.project(), dataset, id))
                        .orElse(null),
                "the query of run " + runId,
                QUERY_JOB),
            notes);
    if (config.stagingDataset().isPresent()) {
      keep(job.table(), true, Map.of());
    }
    return new BigQueryResult(job.id(), job.destination(), job.table(), false, notes);
  }

  /**
   * The verify's side in BigQuery: the query's result fields from a dry run (free), then one job
   * per pass ({@link BigQueryChecksums}).
   */
  @Override
  public Optional<RowChecksums> checksums(String sql, RowShape shape) {
    rejectLegacySql(sql);
    FieldList fields = dryRun(sql, true, "the query").getSchema().getFields();
    return Optional.of(
        new BigQueryChecksums(
            this, SqlText.GOOGLE_SQL.withoutTrailingSemicolons(sql), shape, fields));
  }

  @Override
  public Optional<WarehouseState> state(String dataset) {
    return Optional.of(new BigQueryState(this, config, calls, dataset));
  }

  /**
   * A query job that ran, or was found again, its result table, and the bytes it billed (0 when
   * BigQuery does not say).
   */
  record RanJob(String id, TableId destination, Table table, long bytesBilled) {}

  /** The result table of a job qsync ran for itself, read as a run's result is. */
  SourceResult result(RanJob job) {
    return new BigQueryResult(job.id(), job.destination(), job.table(), false, List.of());
  }

  /**
   * A query job to run or find again.
   *
   * @param baseId the job's id (see {@link #jobId})
   * @param withParameters whether the job takes the connection's query parameters (the sync's query
   *     does; qsync's own SQL does not)
   * @param labels labels besides the connection's
   * @param destination the table a job of this id writes to; null for BigQuery's temporary result
   *     table
   * @param subject what runs, for messages ("the query of run ...")
   * @param kind the kind of job, for the bytes billed ({@link Source#QUERY_JOB}, ...)
   */
  record JobRequest(
      String baseId,
      String sql,
      boolean withParameters,
      Map<String, String> labels,
      Function<String, TableId> destination,
      String subject,
      String kind) {
    /** Whether the SQL is qsync's own, over tables qsync made, rather than the sync's query. */
    boolean ownSql() {
      return !withParameters;
    }
  }

  /**
   * Runs a query job, or finds it again, and waits for it. A job found failed, or whose result
   * table is gone, is run anew under the next id ({@code baseId_r2}, ...), and {@code notes} say
   * so; a new job's own failure is final.
   */
  RanJob runJob(JobRequest request, List<String> notes) {
    String baseId = request.baseId();
    String subject = request.subject();
    for (int attempt = 1; attempt <= MAX_JOB_ATTEMPTS; attempt++) {
      String id = attempt == 1 ? baseId : baseId + "_r" + attempt;
      JobId jobId =
          JobId.newBuilder()
              .setProject(config.project())
              .setJob(id)
              .setLocation(config.location())
              .build();
      Job job = calls.call("look up job " + id, id, () -> client().getJob(jobId));
      boolean found = job != null;
      if (!found) {
        job = create(jobId, request, request.destination().apply(id));
      }
      job = waitFor(job, id);
      if (!found) {
        // A failed job bills nothing; a found one was billed to the attempt that created it.
        billed.merge(request.kind(), bytesBilled(job), Long::sum);
      }
      BigQueryError error = job.getStatus().getError();
      if (error != null) {
        if (found) {
          notes.add("job " + id + " had failed (" + error.getReason() + "); ran the query again");
          continue;
        }
        if (BigQueryCalls.isTransient(error)) {
          throw new QsyncException(
              ErrorKind.FAILED,
              "BigQuery connection '"
                  + config.name()
                  + "': job "
                  + id
                  + " failed: "
                  + error.getReason()
                  + ": "
                  + error.getMessage()
                  + "\nNothing was written. "
                  + caller.again("starts a new job."));
        }
        if (request.ownSql() && "notFound".equals(error.getReason())) {
          // qsync's SQL reads only tables qsync made: one of them expired or was dropped since.
          throw new QsyncException(
              ErrorKind.FAILED,
              "BigQuery connection '"
                  + config.name()
                  + "': "
                  + subject
                  + " failed (job "
                  + id
                  + "): a table qsync made is gone (it expired, or was dropped): "
                  + error.getMessage()
                  + "\n"
                  + caller.again("makes the tables it needs anew."));
        }
        throw calls.permanent(0, error.getReason(), error.getMessage(), subject, id);
      }
      TableId table = ((QueryJobConfiguration) job.getConfiguration()).getDestinationTable();
      Table described =
          calls.call("look up result table of job " + id, id, () -> client().getTable(table));
      if (described == null) {
        notes.add(
            "the result table of job "
                + id
                + " ("
                + name(table)
                + ") is gone (BigQuery"
                + " keeps temporary results about 24 hours); ran the query again");
        continue;
      }
      if (found) {
        notes.add(
            "found job "
                + id
                + " of this run; read its result table "
                + name(table)
                + " again instead of querying");
      }
      jobKinds.put(id, request.kind());
      return new RanJob(id, table, described, bytesBilled(job));
    }
    throw new QsyncException(
        ErrorKind.FAILED,
        "BigQuery connection '"
            + config.name()
            + "': "
            + subject
            + " ran "
            + MAX_JOB_ATTEMPTS
            + " times without a result to read: "
            + String.join("; ", notes)
            + "\nRun with --restart to start a new run.");
  }

  @Override
  public Map<String, Long> bytesBilled() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(billed));
  }

  @Override
  public List<ResultRead> reads() {
    return List.copyOf(reads);
  }

  private static long bytesBilled(Job job) {
    if (job.getStatistics() instanceof JobStatistics.QueryStatistics query
        && query.getTotalBytesBilled() != null) {
      return query.getTotalBytesBilled();
    }
    return 0;
  }

  /**
   * A job id for the run: the same run asks for the same job, a changed query for another one. Job
   * ids allow letters, digits, '_' and '-' (cloud.google.com/bigquery/docs/running-jobs).
   */
  static String jobId(String runId, String sql) {
    return "qsync_"
        + runId.replaceAll("[^A-Za-z0-9_-]", "_")
        + "_"
        + Sha256.hex(sql).substring(0, 12);
  }

  private Job create(JobId jobId, JobRequest request, TableId destination) {
    QueryJobConfiguration.Builder query =
        QueryJobConfiguration.newBuilder(request.sql())
            .setUseLegacySql(false)
            .setUseQueryCache(true)
            .setLabels(labels(request.labels()));
    config.maximumBytesBilled().ifPresent(query::setMaximumBytesBilled);
    if (request.withParameters()) {
      config
          .queryParameters()
          .forEach((name, parameter) -> query.addNamedParameter(name, parameter(parameter)));
    }
    if (destination != null) {
      query
          .setDestinationTable(destination)
          .setWriteDisposition(JobInfo.WriteDisposition.WRITE_TRUNCATE)
          .setCreateDisposition(JobInfo.CreateDisposition.CREATE_IF_NEEDED)
          .setAllowLargeResults(true);
    }
    // A second create of the same id (after a crash between create and record) is a 409
    // duplicate; the client answers it with the existing job.
    return calls.call(
        "start the query", jobId.getJob(), () -> client().create(JobInfo.of(jobId, query.build())));
  }

  Job waitFor(Job job, String id) {
    Duration poll = Duration.ofMillis(200);
    Job current = job;
    while (current.getStatus() == null || current.getStatus().getState() != JobStatus.State.DONE) {
      try {
        sleeper.sleep(poll);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QsyncException(
            ErrorKind.INTERRUPTED, "interrupted while waiting for job " + id, e);
      }
      poll = poll.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : poll.multipliedBy(2);
      JobId jobId = current.getJobId();
      current = calls.call("wait for job " + id, id, () -> client().getJob(jobId));
      if (current == null) {
        throw new QsyncException(
            ErrorKind.FAILED,
            "BigQuery connection '"
                + config.name()
                + "': job "
                + id
                + " vanished while running\n"
                + caller.again());
      }
    }
    return current;
  }

  /**
   * Gives a table qsync wrote its labels and, when it {@code expires}, an expiration after {@code
   * staging_expiration} (BigQuery deletes it then); else removes any expiration it has (a dataset's
   * default expiration, say). A table already so is left alone, so a resumed run keeps the
   * expiration its table got first.
   */
  void keep(Table table, boolean expires, Map<String, String> extraLabels) {
    Map<String, String> labels = labels(extraLabels);
    Map<String, String> has = table.getLabels() == null ? Map.of() : table.getLabels();
    boolean labelled = has.entrySet().containsAll(labels.entrySet());
    boolean expiring = table.getExpirationTime() != null;
    if (labelled && expiring == expires) {
      return;
    }
    Table.Builder kept = table.toBuilder().setLabels(labels);
    if (expiring != expires) {
      // null clears the expiration (the client sends an explicit JSON null)
      kept.setExpirationTime(
          expires ? clock.millis() + config.stagingExpiration().toMillis() : null);
    }
    calls.call(
        "set the labels and expiration of " + name(table.getTableId()),
        null,
        () -> kept.build().update());
  }

  /** The connection's labels, {@code tool: qsync} and {@code extra}, for jobs and tables. */
  Map<String, String> labels(Map<String, String> extra) {
    Map<String, String> labels = new TreeMap<>(config.labels());
    labels.putAll(extra);
    labels.putIfAbsent("tool", "qsync");
    return labels;
  }

  private static QueryParameterValue parameter(BigQueryConnectionConfig.QueryParameter parameter) {
    StandardSQLTypeName type =
        switch (parameter.type()) {
          case "INT64" -> StandardSQLTypeName.INT64;
          case "FLOAT64" -> StandardSQLTypeName.FLOAT64;
          case "NUMERIC" -> StandardSQLTypeName.NUMERIC;
          case "BIGNUMERIC" -> StandardSQLTypeName.BIGNUMERIC;
          case "BOOL" -> StandardSQLTypeName.BOOL;
          case "DATE" -> StandardSQLTypeName.DATE;
          case "DATETIME" -> StandardSQLTypeName.DATETIME;
          case "TIME" -> StandardSQLTypeName.TIME;
          case "TIMESTAMP" -> StandardSQLTypeName.TIMESTAMP;
          default -> StandardSQLTypeName.STRING;
        };
    return QueryParameterValue.newBuilder().setType(type).setValue(parameter.value()).build();
  }

  void rejectLegacySql(String sql) {
    if (sql.strip().toLowerCase(Locale.ROOT).startsWith("#legacysql")) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "BigQuery connection '"
              + config.name()
              + "': the query asks for legacy SQL (#legacySQL),"
              + " which qsync does not run\nRewrite it in GoogleSQL (`project.dataset.table`"
              + " instead of [project:dataset.table]) and drop #legacySQL.");
    }
  }

  @Override
  public List<Column> describe(String sql) {
    rejectLegacySql(sql);
    return BigQueryTypes.columns(dryRun(sql, true, "the query").getSchema().getFields());
  }

  /**
   * A dry run: BigQuery checks the query and says what it would return and scan, running nothing
   * and billing nothing.
   */
  JobStatistics.QueryStatistics dryRun(String sql, boolean withParameters, String subject) {
    QueryJobConfiguration.Builder query =
        QueryJobConfiguration.newBuilder(sql)
            .setUseLegacySql(false)
            .setDryRun(true)
            .setUseQueryCache(false);
    if (withParameters) {
      config
          .queryParameters()
          .forEach((name, parameter) -> query.addNamedParameter(name, parameter(parameter)));
    }
    JobId jobId =
        JobId.newBuilder().setProject(config.project()).setLocation(config.location()).build();
    Job dryRun =
        calls.call(
            "dry-run " + subject, null, () -> client().create(JobInfo.of(jobId, query.build())));
    BigQueryError error = dryRun.getStatus() == null ? null : dryRun.getStatus().getError();
    if (error != null) {
      throw calls.permanent(0, error.getReason(), error.getMessage(), subject + "'s dry run", null);
    }
    return dryRun.getStatistics();
  }

  BigQuery client() {
    if (client != null) {
      return client;
    }
    BigQueryOptions.Builder options =
        BigQueryOptions.newBuilder()
            .setProjectId(config.project())
            .setLocation(config.location())
            // Retries are BigQueryCalls' (counted, reported, with a sleeper tests replace).
            .setRetrySettings(RetrySettings.newBuilder().setMaxAttempts(1).build())
            // The HTTP client's timeouts, in milliseconds (HttpTransportOptions); a call that hits
            // one
            // is retried by BigQueryCalls.
            .setTransportOptions(
                HttpTransportOptions.newBuilder()
                    .setConnectTimeout((int) config.timeouts().connect().toMillis())
                    .setReadTimeout((int) config.timeouts().read().toMillis())
                    .build());
    config.host().ifPresent(options::setHost);
    com.google.auth.Credentials credentials = credentials();
    options.setCredentials(credentials == null ? NoCredentials.getInstance() : credentials);
    client = options.build().getService();
    return client;
  }

  /** The connection's credentials; null for none (an emulator). */
  private com.google.auth.Credentials credentials() {
    BigQueryConnectionConfig.Credentials credentials = config.credentials();
    if (credentials.none()) {
      return null;
    }
    if (credentials.file().isPresent()) {
      try (InputStream key = Files.newInputStream(credentials.file().get())) {
        return GoogleCredentials.fromStream(key);
      } catch (IOException e) {
        throw new QsyncException(
            ErrorKind.NEEDS_ACTION,
            "BigQuery connection '"
                + config.name()
                + "': cannot read the credentials file "
                + credentials.file().get()
                + ": "
                + e.getMessage()
                + "\nPoint credentials_file at a service-account key (JSON), or leave it out to use"
                + " Application Default Credentials (gcloud auth application-default login).",
            e);
      }
    }
    try {
      return GoogleCredentials.getApplicationDefault();
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "BigQuery connection '"
              + config.name()
              + "': no Application Default Credentials: "
              + e.getMessage()
              + "\nRun gcloud auth application-default login, set"
              + " GOOGLE_APPLICATION_CREDENTIALS, or set credentials_file on the connection.",
          e);
    }
  }

  @Override
  public void close() {
    client = null; // the client holds no connections of its own beyond the HTTP transport's pool
  }

  static String name(TableId table) {
    return table.getProject() + "." + table.getDataset() + "." + table.getTable();
  }

  /**
   * One job's result table, read with tabledata.list one page at a time. A result table of {@code
   * diff: snapshot} ends with each row's fingerprint, which is read (tabledata.list returns whole
   * rows) but neither described nor passed on.
   */
  final class BigQueryResult implements SourceResult {
    private final String jobId;
    private final TableId table;
    private final FieldList fields;
    private final List<Column> columns;
    private final long rows;
    private final List<String> notes;
    private BigQueryStorageReader storage;

    BigQueryResult(
        String jobId, TableId table, Table described, boolean withFingerprint, List<String> notes) {
      this.jobId = jobId;
      this.table = table;
      this.fields = described.getDefinition().getSchema().getFields();
      List<Column> all = BigQueryTypes.columns(fields);
      boolean endsWithFingerprint =
          withFingerprint
              && !all.isEmpty()
              && all.get(all.size() - 1).name().equals(SnapshotSql.FINGERPRINT);
      this.columns = endsWithFingerprint ? List.copyOf(all.subList(0, all.size() - 1)) : all;
      this.rows = described.getNumRows() == null ? 0 : described.getNumRows().longValue();
      this.notes = new ArrayList<>(notes);
    }

    @Override
    public List<Column> columns() {
      return columns;
    }

    @Override
    public OptionalLong totalRows() {
      return OptionalLong.of(rows);
    }

    @Override
    public void read(long fromRow, RowSink sink) {
      BigQueryReadPath path =
          BigQueryReadPath.choose(config.readApi(), config.host().isPresent(), rows, fromRow);
      if (path.storage()) {
        storage = new BigQueryStorageReader(config, credentials(), sleeper, calls);
        try {
          long read = storage.read(table, fields, columns, rows, sink);
          done(
              new ResultRead(
                  kind(),
                  ResultRead.Api.STORAGE_READ,
                  storage.streams(),
                  read,
                  path.reason() + storage.how()));
          return;
        } catch (BigQueryStorageReader.Refused refused) {
          if (config.readApi().mode() == BigQueryReadApi.Mode.STORAGE) {
            throw new QsyncException(
                ErrorKind.NEEDS_ACTION,
                "BigQuery connection '"
                    + config.name()
                    + "': the Storage Read API refused a read session over "
                    + name(table)
                    + ": "
                    + refused.getMessage()
                    + "\nNothing was written. Enable the BigQuery Storage API on project "
                    + config.project()
                    + " and grant the account roles/bigquery.readSessionUser there, or set"
                    + " read_api: auto or rest on the connection.",
                refused);
          }
          path =
              new BigQueryReadPath(
                  false,
                  "the Storage Read API refused a read session ("
                      + refused.getMessage()
                      + "); grant roles/bigquery.readSessionUser, or set read_api: rest");
        }
      }
      long read = readPages(fromRow, sink);
      done(new ResultRead(kind(), ResultRead.Api.TABLEDATA_LIST, 1, read, path.reason()));
    }

    /** The kind of job whose result this is ({@link Source#QUERY_JOB}, ...). */
    private String kind() {
      return jobKinds.getOrDefault(jobId, "");
    }

    /**
     * Says how the result was read in its notes, and keeps it for the run's history when it is a
     * result of the table's rows (the query's, or the change set's).
     */
    private void done(ResultRead read) {
      notes.add("read " + read.describe());
      if (read.result().equals(QUERY_JOB) || read.result().equals(CHANGES_JOB)) {
        reads.add(read);
      }
    }

    /** Reads with tabledata.list from {@code fromRow} to the end; returns how many rows. */
    private long readPages(long fromRow, RowSink sink) {
      long read = fromRow;
      String pageToken = null;
      int page = 0;
      do {
        page++;
        String token = pageToken;
        long start = read;
        int current = page;
        String what = "read page " + page + " of " + name(table);
        // tabledata.list on a table that is gone fails with a 404 (it returns no empty page):
        // the result table expired or was dropped while it was read.
        TableResult result =
            calls
                .callUnlessGone(
                    what,
                    jobId,
                    () ->
                        client()
                            .listTableData(
                                table,
                                fields.isEmpty()
                                    ? null
                                    : com.google.cloud.bigquery.Schema.of(fields),
                                token == null
                                    ? BigQuery.TableDataListOption.startIndex(start)
                                    : BigQuery.TableDataListOption.pageToken(token),
                                BigQuery.TableDataListOption.pageSize(config.pageSize())))
                .orElseThrow(
                    () ->
                        new QsyncException(
                            ErrorKind.FAILED,
                            "BigQuery connection '"
                                + config.name()
                                + "': the result table "
                                + name(table)
                                + " of job "
                                + jobId
                                + " vanished while being read (at page "
                                + current
                                + "; it expired, or was dropped)\n"
                                + caller.again("runs the query again (billed again).")));
        for (FieldValueList values : result.getValues()) {
          sink.accept(BigQueryTypes.row(fields, columns, values));
          read++;
        }
        pageToken = result.getNextPageToken();
      } while (pageToken != null && !pageToken.isEmpty());
      if (read != rows) {
        throw new QsyncException(
            ErrorKind.FAILED,
            "BigQuery connection '"
                + config.name()
                + "': read "
                + Plural.of(read - fromRow, "row")
                + " from row "
                + fromRow
                + " of "
                + name(table)
                + ", which holds "
                + rows
                + "\n"
                + caller.again());
      }
      return read - fromRow;
    }

    @Override
    public Optional<String> job() {
      return Optional.of(
          config.project() + ":" + config.location() + "." + jobId + " -> " + name(table));
    }

    @Override
    public List<String> notes() {
      List<String> all = new ArrayList<>(notes);
      if (storage != null) {
        all.addAll(storage.notes());
      }
      all.addAll(calls.notes());
      return all;
    }

    @Override
    public void close() {
      // The result table stays until it expires: a resumed run may read it again.
    }
  }
}
