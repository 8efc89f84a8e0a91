package io.qsync.source.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.api.gax.paging.Page;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.Dataset;
import com.google.cloud.bigquery.DatasetId;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FieldList;
import com.google.cloud.bigquery.LegacySQLTypeName;
import com.google.cloud.bigquery.Table;
import com.google.cloud.bigquery.TableId;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.BigQueryConnectionConfig;
import io.qsync.diff.KeyCollation;
import io.qsync.diff.KeyProblem;
import io.qsync.row.Column;
import io.qsync.source.SnapshotNames;
import io.qsync.source.SnapshotSql;
import io.qsync.source.Source;
import io.qsync.source.SourceResult;
import io.qsync.source.SqlText;
import io.qsync.source.WarehouseState;
import io.qsync.source.bigquery.BigQuerySource.JobRequest;
import io.qsync.source.bigquery.BigQuerySource.RanJob;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;

/**
 * The state of {@code diff: snapshot} in a BigQuery dataset ({@code state_dataset}). Every step is
 * a query job whose id derives from the run and its SQL ({@link BigQuerySource#jobId}) and whose
 * destination is a named table of the dataset (WRITE_TRUNCATE, CREATE_IF_NEEDED), so a resumed run
 * finds its job and table again instead of paying twice. Result and changes tables expire after the
 * connection's {@code staging_expiration}; a state table never does (it is the sync's state until a
 * later run succeeds). Tables and jobs carry the connection's labels, {@code tool: qsync} and
 * {@code qsync_sync} (the sync's table prefix). Obtained from {@link BigQuerySource#state}; lives
 * as long as its source. Not thread-safe.
 */
final class BigQueryState implements WarehouseState {
  /** Tables per tables.list page. */
  private static final int LIST_PAGE_SIZE = 1000;

  /**
   * Label values: at most 63 lower-case letters, digits, '_' or '-'
   * (cloud.google.com/bigquery/docs/labels-intro#requirements).
   */
  private static final int MAX_LABEL = 63;

  private final BigQuerySource source;
  private final BigQueryConnectionConfig config;
  private final BigQueryCalls calls;
  private final String dataset;
  private final SnapshotSql sql;
  private boolean datasetChecked;

  /**
   * The columns of the run result tables {@link #whyOneQuery} looked up, so that the change set's
   * SQL, which names them, does not look the same table up again. A job writes its result table
   * whole, once, so its columns do not change while the run uses it.
   */
  private final Map<String, List<Column>> resultColumns = new HashMap<>();

  /** What the next job's notes say about the dataset's time travel window, once. */
  private String timeTravelNote;

  /**
   * The shortest time travel window BigQuery allows: 2 days instead of the default 7, in which a
   * dropped or overwritten table of the state dataset is still stored and billed
   * (cloud.google.com/bigquery/docs/time-travel#configure_the_time_travel_window).
   */
  static final long MIN_TIME_TRAVEL_HOURS = 48;

  /** The least a job is billed for each table it reads, on demand: 10 MB. */
  static final long MINIMUM_BILLED_PER_TABLE = 10L * 1024 * 1024;

  BigQueryState(
      BigQuerySource source, BigQueryConnectionConfig config, BigQueryCalls calls, String dataset) {
    this.source = requireNonNull(source, "source is null");
    this.config = requireNonNull(config, "config is null");
    this.calls = requireNonNull(calls, "calls is null");
    this.dataset = requireNonNull(dataset, "dataset is null");
    this.sql = new SnapshotSql(new GoogleSql(config.project(), dataset));
  }

  @Override
  public String location() {
    return config.project() + "." + dataset;
  }

  /** Checked on the query's dry run: no job runs, nothing is billed. */
  @Override
  public List<String> problems(String query, List<String> key) {
    source.rejectLegacySql(query);
    FieldList fields = source.dryRun(query, true, "the query").getSchema().getFields();
    List<String> problems =
        new ArrayList<>(SnapshotSql.reservedNameProblems(BigQueryTypes.columns(fields)));
    for (Field field : fields) {
      if (key.stream().anyMatch(field.getName()::equalsIgnoreCase)) {
        keyTypeProblem(field).ifPresent(problems::add);
      }
    }
    return problems;
  }

  /**
   * A key column of a type the snapshot's SQL cannot use: it groups keys (the duplicate check),
   * orders them (its samples; MIN and MAX of colliding keys) and joins on them with {@code =}.
   * GEOGRAPHY and JSON are neither groupable nor comparable, ARRAY and STRUCT not orderable
   * (cloud.google.com/bigquery/docs/reference/standard-sql/data-types#data_type_properties).
   */
  static Optional<String> keyTypeProblem(Field field) {
    String name = field.getName();
    String type =
        field.getMode() == Field.Mode.REPEATED
            ? "ARRAY"
            : field.getType() == LegacySQLTypeName.RECORD
                ? "STRUCT"
                : field.getType().getStandardType().name();
    String remedy =
        switch (type) {
          case "GEOGRAPHY" -> "ST_ASTEXT(" + name + ") AS " + name;
          case "JSON", "ARRAY", "STRUCT" -> "TO_JSON_STRING(" + name + ") AS " + name;
          default -> null;
        };
    return Optional.ofNullable(remedy)
        .map(
            text ->
                "key column "
                    + name
                    + " is "
                    + type
                    + ", which BigQuery cannot "
                    + (type.equals("ARRAY") || type.equals("STRUCT") ? "order" : "group or compare")
                    + ", so diff: snapshot cannot check or match its keys there; key on its text instead: "
                    + text
                    + " in the query");
  }

  @Override
  public SourceResult materialize(String query, SnapshotNames.Run run) {
    source.rejectLegacySql(query);
    List<String> notes = new ArrayList<>();
    RanJob job =
        run(
            run,
            sql.result(query),
            true,
            run.result(),
            "the query of run " + run.id(),
            Source.QUERY_JOB,
            notes);
    source.keep(job.table(), true, labels(run));
    return source.new BigQueryResult(job.id(), job.destination(), job.table(), true, notes);
  }

  @Override
  public List<KeyProblem> checkKeys(
      SnapshotNames.Run run, List<String> key, List<KeyCollation> collations, int samples) {
    List<KeyProblem> problems = new ArrayList<>(keyProblems(run, key, samples));
    if (collations.stream().anyMatch(collation -> !collation.isExact())) {
      problems.addAll(
          problem(
              run,
              KeyProblem.Kind.COLLATION_COLLISION,
              sql.collidingKeys(run.result(), key, collations, samples)));
    }
    return problems;
  }

  /**
   * NULL and duplicate keys, in one job that reads the result's key once ({@link
   * SnapshotSql#keyProblems}): a NULL-key problem first, then a duplicate-key one.
   */
  private List<KeyProblem> keyProblems(SnapshotNames.Run run, List<String> key, int samples) {
    List<String> notes = new ArrayList<>();
    RanJob job =
        run(
            run,
            sql.keyProblems(run.result(), key, samples),
            false,
            null,
            "the key check of run " + run.id(),
            Source.KEY_CHECK_JOB,
            notes);
    Map<KeyProblem.Kind, Long> counts = new java.util.EnumMap<>(KeyProblem.Kind.class);
    Map<KeyProblem.Kind, List<String>> samplesOf = new java.util.EnumMap<>(KeyProblem.Kind.class);
    try (SourceResult result =
        source.new BigQueryResult(job.id(), job.destination(), job.table(), false, notes)) {
      result.read(
          0,
          row -> {
            KeyProblem.Kind kind =
                "null".equals(row[1]) ? KeyProblem.Kind.NULL_KEY : KeyProblem.Kind.DUPLICATE_KEY;
            counts.put(kind, ((Number) row[0]).longValue());
            samplesOf
                .computeIfAbsent(kind, any -> new ArrayList<>())
                .add(sample(java.util.Arrays.copyOfRange(row, 1, row.length)));
          });
    }
    List<KeyProblem> problems = new ArrayList<>();
    for (KeyProblem.Kind kind : List.of(KeyProblem.Kind.NULL_KEY, KeyProblem.Kind.DUPLICATE_KEY)) {
      if (samplesOf.containsKey(kind)) {
        problems.add(new KeyProblem(kind, counts.get(kind), samplesOf.get(kind)));
      }
    }
    return problems;
  }

  /**
   * One key check: a small job into BigQuery's temporary result table, whose rows are {@value
   * SnapshotSql#COUNT} and a sample each; no rows when the keys pass.
   */
  private List<KeyProblem> problem(SnapshotNames.Run run, KeyProblem.Kind kind, String check) {
    List<String> notes = new ArrayList<>();
    RanJob job =
        run(
            run,
            check,
            false,
            null,
            "the key check of run " + run.id(),
            Source.KEY_CHECK_JOB,
            notes);
    long[] count = {0};
    List<String> samples = new ArrayList<>();
    try (SourceResult result =
        source.new BigQueryResult(job.id(), job.destination(), job.table(), false, notes)) {
      result.read(
          0,
          row -> {
            count[0] = ((Number) row[0]).longValue();
            samples.add(
                kind == KeyProblem.Kind.COLLATION_COLLISION
                    ? "'" + row[1] + "' and '" + row[2] + "'"
                    : sample(row));
          });
    }
    return samples.isEmpty() ? List.of() : List.of(new KeyProblem(kind, count[0], samples));
  }

  /** A key as a person reads it: {@code (1, 'a')}, as the stage renders one. */
  private static String sample(Object[] row) {
    StringJoiner sample = new StringJoiner(", ", "(", ")");
    for (int i = 1; i < row.length; i++) {
      Object value = row[i];
      sample.add(
          value == null
              ? "NULL"
              : value instanceof String text ? "'" + text + "'" : value.toString());
    }
    return sample.toString();
  }

  @Override
  public Optional<List<Column>> describe(String table) {
    checkDataset();
    Table found =
        calls.call(
            "look up table " + table + " of state_dataset " + dataset,
            null,
            () -> source.client().getTable(tableId(table)));
    return found == null
        ? Optional.empty()
        : Optional.of(BigQueryTypes.columns(found.getDefinition().getSchema().getFields()));
  }

  @Override
  public SourceResult changes(
      SnapshotNames.Run run, String stateTable, List<String> key, boolean deletes) {
    return changeSet(run, changesSql(run, stateTable, key, deletes));
  }

  @Override
  public SourceResult fetch(SnapshotNames.Run run, List<String> key) {
    return changeSet(run, fetchSql(run, key));
  }

  /**
   * Runs (or finds) the job that writes the run's changes table with {@code text}, and opens it.
   */
  private SourceResult changeSet(SnapshotNames.Run run, String text) {
    List<String> notes = new ArrayList<>();
    RanJob job =
        run(
            run,
            text,
            false,
            run.changes(),
            "the change set of run " + run.id(),
            Source.CHANGES_JOB,
            notes);
    source.keep(job.table(), true, labels(run));
    return source.new BigQueryResult(job.id(), job.destination(), job.table(), false, notes);
  }

  /**
   * BigQuery bills each table a job reads rounded up to a MB and at least 10 MB
   * (cloud.google.com/bigquery/pricing#on_demand_pricing): a result table whose logical bytes (its
   * {@code numBytes}, every column) are within that minimum bills the same for its key and
   * fingerprint as for all its columns.
   */
  @Override
  public Optional<String> whyOneQuery(SnapshotNames.Run run) {
    checkDataset();
    Table result =
        calls.call(
            "look up table " + run.result() + " of state_dataset " + dataset,
            null,
            () -> source.client().getTable(tableId(run.result())));
    if (result == null) {
      return Optional.empty();
    }
    resultColumns.put(
        run.result(), BigQueryTypes.columns(result.getDefinition().getSchema().getFields()));
    if (result.getNumBytes() == null) {
      return Optional.empty();
    }
    long bytes = result.getNumBytes();
    if (bytes > MINIMUM_BILLED_PER_TABLE) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "the result table holds %,d bytes, within the 10 MB BigQuery bills at least for each"
                + " table a job reads, so comparing keys and fingerprints first could not bill less",
            bytes));
  }

  @Override
  public OptionalLong compare(
      SnapshotNames.Run run, String stateTable, List<String> key, boolean deletes) {
    RanJob job =
        run(
            run,
            sql.changedKeys(run.result(), stateTable, key, deletes),
            false,
            run.keys(),
            "the comparison of keys and fingerprints of run " + run.id(),
            Source.COMPARE_JOB,
            new ArrayList<>());
    source.keep(job.table(), true, labels(run));
    BigInteger rows = job.table().getNumRows();
    return rows == null ? OptionalLong.empty() : OptionalLong.of(rows.longValue());
  }

  @Override
  public OptionalLong diffBytes(
      SnapshotNames.Run run, String stateTable, List<String> key, boolean deletes, Step step) {
    String text =
        switch (step) {
          case CHANGES -> changesSql(run, stateTable, key, deletes);
          case COMPARE -> sql.changedKeys(run.result(), stateTable, key, deletes);
          case FETCH -> fetchSql(run, key);
        };
    Long bytes =
        source.dryRun(text, false, "the change set of run " + run.id()).getTotalBytesProcessed();
    return bytes == null ? OptionalLong.empty() : OptionalLong.of(bytes);
  }

  private String changesSql(
      SnapshotNames.Run run, String stateTable, List<String> key, boolean deletes) {
    return sql.changes(run.result(), stateTable, queryColumns(run), key, deletes);
  }

  private String fetchSql(SnapshotNames.Run run, List<String> key) {
    return sql.fetch(run.keys(), run.result(), queryColumns(run), key);
  }

  /** The result's columns without the fingerprint: the query's. */
  private List<String> queryColumns(SnapshotNames.Run run) {
    return resultColumns(run).stream()
        .map(Column::name)
        .filter(name -> !name.equals(SnapshotSql.FINGERPRINT))
        .toList();
  }

  private List<Column> resultColumns(SnapshotNames.Run run) {
    List<Column> known = resultColumns.get(run.result());
    return known != null ? known : describe(run.result()).orElseThrow(() -> resultGone(run));
  }

  @Override
  public void advance(SnapshotNames.Run run, List<String> key) {
    if (describe(run.result()).isEmpty()) {
      if (describe(run.state()).isPresent()) {
        return; // written by this run before its result table expired: a job writes its table whole
      }
      throw resultGone(run);
    }
    RanJob job =
        run(
            run,
            sql.state(run.result(), key),
            false,
            run.state(),
            "the state of run " + run.id(),
            Source.STATE_JOB,
            new ArrayList<>());
    source.keep(job.table(), false, labels(run));
  }

  @Override
  public List<String> tables(String prefix) {
    checkDataset();
    List<String> names = new ArrayList<>();
    String token = null;
    do {
      String pageToken = token;
      Page<Table> page =
          calls.call(
              "list the tables of state_dataset " + dataset,
              null,
              () ->
                  pageToken == null
                      ? source
                          .client()
                          .listTables(
                              datasetId(), BigQuery.TableListOption.pageSize(LIST_PAGE_SIZE))
                      : source
                          .client()
                          .listTables(
                              datasetId(),
                              BigQuery.TableListOption.pageSize(LIST_PAGE_SIZE),
                              BigQuery.TableListOption.pageToken(pageToken)));
      for (Table table : page.getValues()) {
        String name = table.getTableId().getTable();
        if (name.startsWith(prefix)) {
          names.add(name);
        }
      }
      token = page.getNextPageToken();
    } while (token != null && !token.isEmpty());
    return names;
  }

  @Override
  public void drop(String table) {
    checkDataset();
    calls.call(
        "drop table " + table + " of state_dataset " + dataset,
        null,
        () -> source.client().delete(tableId(table)));
  }

  /**
   * Runs (or finds) one step's job, after checking the dataset is there to write to. The job id
   * names the sync as well as the run: run ids are unique per target database only, and two syncs'
   * materialize steps can have the same SQL.
   */
  private RanJob run(
      SnapshotNames.Run run,
      String text,
      boolean withParameters,
      String destination,
      String subject,
      String kind,
      List<String> notes) {
    checkDataset();
    if (timeTravelNote != null) {
      notes.add(timeTravelNote);
      timeTravelNote = null;
    }
    String sync = run.sync().prefix().substring(SnapshotNames.QSYNC_PREFIX.length());
    return source.runJob(
        new JobRequest(
            BigQuerySource.jobId(sync + run.id(), text),
            text,
            withParameters,
            labels(run),
            id -> destination == null ? null : tableId(destination),
            subject,
            kind),
        notes);
  }

  /** The state dataset exists and is where jobs run; checked once, before the first step. */
  private void checkDataset() {
    if (datasetChecked) {
      return;
    }
    Dataset found =
        calls.call(
            "look up state_dataset " + dataset,
            null,
            () -> source.client().getDataset(datasetId()));
    String create =
        "bq mk --dataset --location="
            + config.location()
            + " --max_time_travel_hours="
            + MIN_TIME_TRAVEL_HOURS
            + " "
            + config.project()
            + ":"
            + dataset;
    if (found == null) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "BigQuery connection '"
              + config.name()
              + "': state_dataset '"
              + dataset
              + "' does not exist in project "
              + config.project()
              + "\nCreate it ("
              + create
              + ") and grant the account roles/bigquery.dataEditor on it, then run again.");
    }
    if (found.getLocation() != null && !found.getLocation().equalsIgnoreCase(config.location())) {
      // A query job writes only to datasets in its own location
      // (cloud.google.com/bigquery/docs/locations#specify_locations).
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "BigQuery connection '"
              + config.name()
              + "': state_dataset '"
              + dataset
              + "' is in "
              + found.getLocation()
              + ", but the connection runs its jobs in "
              + config.location()
              + "\nUse a state dataset in "
              + config.location()
              + " ("
              + create
              + "), or set the connection's location: "
              + found.getLocation()
              + ".");
    }
    shortenTimeTravel(found);
    datasetChecked = true;
  }

  /**
   * Sets the dataset's time travel window to its minimum, {@value #MIN_TIME_TRAVEL_HOURS} hours:
   * every run drops the result, change set and state tables of the run before, and each stays
   * billed as time-travel storage for the window (and 7 days of fail-safe after it, which no
   * setting shortens). Without the permission to update the dataset (bigquery.datasets.update) the
   * run goes on, and says so once.
   */
  private void shortenTimeTravel(Dataset found) {
    Long hours = found.getMaxTimeTravelHours();
    if (hours != null && hours <= MIN_TIME_TRAVEL_HOURS) {
      return;
    }
    try {
      calls.call(
          "set the time travel window of state_dataset " + dataset,
          null,
          () -> found.toBuilder().setMaxTimeTravelHours(MIN_TIME_TRAVEL_HOURS).build().update());
      timeTravelNote =
          "set the time travel window of state_dataset "
              + dataset
              + " to "
              + MIN_TIME_TRAVEL_HOURS
              + " hours (was "
              + (hours == null ? "BigQuery's default, 168" : hours)
              + "): the tables each run drops stay billed for 2 days instead of 7";
    } catch (QsyncException e) {
      timeTravelNote =
          "could not set the time travel window of state_dataset "
              + dataset
              + " to "
              + MIN_TIME_TRAVEL_HOURS
              + " hours ("
              + e.getMessage().lines().findFirst().orElse("")
              + "); the tables each run drops stay billed for "
              + (hours == null ? 168 : hours) / 24
              + " days: bq update --max_time_travel_hours="
              + MIN_TIME_TRAVEL_HOURS
              + " "
              + config.project()
              + ":"
              + dataset;
    }
  }

  private QsyncException resultGone(SnapshotNames.Run run) {
    return new QsyncException(
        ErrorKind.FAILED,
        "BigQuery connection '"
            + config.name()
            + "': the result table "
            + location()
            + "."
            + run.result()
            + " of run "
            + run.id()
            + " is gone (it expires after staging_expiration,"
            + " "
            + config.stagingExpiration()
            + ")\nRun with --restart to start a new run.");
  }

  /** {@code qsync_sync}: the sync's table prefix, shortened to a label's 63 characters. */
  private static Map<String, String> labels(SnapshotNames.Run run) {
    String prefix = run.sync().prefix();
    String sync = prefix.endsWith("_") ? prefix.substring(0, prefix.length() - 1) : prefix;
    if (sync.length() > MAX_LABEL) {
      // keep the end: the hash that tells syncs of one name apart
      sync = sync.substring(0, MAX_LABEL - 9) + sync.substring(sync.length() - 9);
    }
    return Map.of("qsync_sync", sync);
  }

  private DatasetId datasetId() {
    return DatasetId.of(config.project(), dataset);
  }

  private TableId tableId(String table) {
    return TableId.of(config.project(), dataset, table);
  }

  /**
   * GoogleSQL (cloud.google.com/bigquery/docs/reference/standard-sql): backticked names, {@code
   * project.dataset.table}, {@code FARM_FINGERPRINT(TO_JSON_STRING(row))} as the fingerprint.
   */
  static final class GoogleSql implements SnapshotSql.Dialect {
    private final String project;
    private final String dataset;

    GoogleSql(String project, String dataset) {
      this.project = project;
      this.dataset = dataset;
    }

    /** Backticks, with '`' and '\' escaped (lexical#quoted_identifiers). */
    @Override
    public String quote(String identifier) {
      return "`" + identifier.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    @Override
    public String table(String name) {
      return "`" + project + "." + dataset + "." + name + "`";
    }

    @Override
    public SqlText text() {
      return SqlText.GOOGLE_SQL;
    }

    /**
     * FARM_FINGERPRINT (hash_functions#farm_fingerprint) of TO_JSON_STRING of the row
     * (json_functions#to_json_string), which renders every column, NULLs as null.
     */
    @Override
    public String fingerprint(String rowAlias) {
      return "FARM_FINGERPRINT(TO_JSON_STRING(" + rowAlias + "))";
    }

    /**
     * As {@link KeyCollation#normalise}: RTRIM of spaces, LOWER, and accents stripped by
     * decomposing (NORMALIZE(x, NFD)) and removing the combining marks (\pM), as
     * string_functions#normalize shows.
     */
    @Override
    public String normalise(KeyCollation collation, String expression) {
      String result = expression;
      if (collation.ignoreTrailingSpace()) {
        result = "RTRIM(" + result + ", ' ')";
      }
      if (collation.ignoreCase()) {
        result = "LOWER(" + result + ")";
      }
      if (collation.ignoreAccents()) {
        result = "REGEXP_REPLACE(NORMALIZE(" + result + ", NFD), r'\\pM', '')";
      }
      return result;
    }

    @Override
    public String rowValue(List<String> expressions) {
      return expressions.size() == 1
          ? expressions.get(0)
          : "TO_JSON_STRING(STRUCT(" + String.join(", ", expressions) + "))";
    }
  }
}
