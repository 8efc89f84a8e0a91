package io.qsync.testing;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.destination.Destination;
import io.qsync.destination.DestinationColumn;
import io.qsync.destination.DestinationTable;
import io.qsync.destination.LatencyProbe;
import io.qsync.destination.ValueRule;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import io.qsync.row.Column;
import io.qsync.row.RowSink;
import io.qsync.source.QueryDialect;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.state.RunStore;
import io.qsync.state.SyncLock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A destination in memory: tables as rows by key, run history as records, locks as names. Every
 * batch moves the run's checkpoint from exactly where the batch expects it, as the real writer
 * does, and fails where the test says. For unit tests of the runner's decisions (resume, guards,
 * failure bookkeeping, locks), never proof that a database path works: types, collations, schema
 * checks and value rules are not modelled. Not thread-safe.
 */
public final class FakeDestination implements Destination {
  private final Map<String, FakeTable> tables = new LinkedHashMap<>();
  private final FakeRunStore runs = new FakeRunStore();
  private final Set<String> lockedElsewhere = new HashSet<>();
  private final Set<String> locked = new HashSet<>();
  private final List<Applied> applied = new ArrayList<>();
  private final Map<Long, RuntimeException> failures = new LinkedHashMap<>();

  /**
   * A batch a writer committed: its run, and the changes after {@code afterSeq} up to {@code
   * lastSeq}.
   */
  public record Applied(String runId, String table, long afterSeq, long lastSeq) {}

  /**
   * A table that holds {@code rows} (each as {@code columns} in their order), keyed by {@code key}.
   */
  public FakeDestination withTable(
      String table, List<Column> columns, List<String> key, List<Object[]> rows) {
    createTable(table, columns, key);
    rows.forEach(row -> tables.get(table).put(row.clone()));
    return this;
  }

  /**
   * Another run holds the sync's lock: taking it fails as the real lock does when it stays taken.
   */
  public FakeDestination lockedByAnotherRun(String sync) {
    lockedElsewhere.add(sync);
    return this;
  }

  /**
   * The next batch that starts after change {@code afterSeq} fails with {@code error}, once,
   * writing nothing.
   */
  public FakeDestination failBatchAfter(long afterSeq, RuntimeException error) {
    failures.put(afterSeq, error);
    return this;
  }

  /** The table's rows, in the order they were first written. */
  public List<Object[]> rows(String table) {
    FakeTable found = tables.get(table);
    return found == null ? List.of() : found.rows.values().stream().map(Object[]::clone).toList();
  }

  /** Every batch committed so far, in order. */
  public List<Applied> applied() {
    return List.copyOf(applied);
  }

  @Override
  public FakeRunStore runs() {
    return runs;
  }

  @Override
  public Optional<DestinationTable> describe(String table) {
    FakeTable found = tables.get(table);
    if (found == null) {
      return Optional.empty();
    }
    List<DestinationColumn> columns =
        found.columns.stream()
            .map(
                column -> {
                  String type = column.type().kind().name().toLowerCase(Locale.ROOT);
                  return new DestinationColumn(
                      column.name(), type, type, true, true, Optional.empty(), 0, 0, 0, 0);
                })
            .toList();
    return Optional.of(
        new DestinationTable(table, columns, found.key.isEmpty() ? List.of() : List.of(found.key)));
  }

  @Override
  public List<String> schemaProblems(
      DestinationTable table, List<Column> columns, List<String> key, boolean keyRequired) {
    return List.of();
  }

  @Override
  public List<ValueRule> valueRules(
      String table,
      Optional<DestinationTable> existing,
      List<Column> columns,
      List<String> key,
      QueryDialect dialect) {
    return List.of();
  }

  @Override
  public String createTableStatement(String table, List<Column> columns, List<String> key) {
    return "CREATE TABLE "
        + table
        + " ("
        + columns.stream().map(Column::name).collect(Collectors.joining(", "))
        + ")";
  }

  @Override
  public String createdKeyCollation() {
    return "utf8mb4_bin";
  }

  @Override
  public String exactKeyStatement(DestinationTable table, String column) {
    return "ALTER TABLE " + table.name() + " MODIFY " + column + " COLLATE utf8mb4_bin";
  }

  @Override
  public void createTable(String table, List<Column> columns, List<String> key) {
    tables.put(table, new FakeTable(columns, key));
  }

  @Override
  public void createTableLike(String table, String model) {
    FakeTable found = tables.get(model);
    tables.put(table, new FakeTable(found.columns, found.key));
  }

  @Override
  public void dropTable(String table) {
    tables.remove(table);
  }

  @Override
  public List<String> replaceProblems(String table) {
    return List.of();
  }

  @Override
  public List<String> privilegeProblems(
      String table, List<String> onTable, List<String> onDatabase) {
    return List.of();
  }

  @Override
  public void swap(String table, String shadow) {
    FakeTable built = tables.remove(shadow);
    if (built != null) {
      tables.put(table, built);
    }
  }

  @Override
  public String shadowName(String table) {
    return table + "__qsync_new";
  }

  @Override
  public long countRows(String table) {
    return tables.get(table).rows.size();
  }

  @Override
  public void readRows(String table, List<Column> columns, RowSink sink) {
    FakeTable found = tables.get(table);
    for (Object[] row : found.rows.values()) {
      Object[] read = new Object[columns.size()];
      for (int i = 0; i < read.length; i++) {
        read[i] = row[found.indexOf(columns.get(i).name())];
      }
      sink.accept(read);
    }
  }

  @Override
  public Optional<Object[]> findRow(
      String table, List<Column> columns, List<String> key, List<Object> keyValues) {
    FakeTable found = tables.get(table);
    return Optional.ofNullable(found.rows.get(keyValues))
        .map(
            row -> {
              Object[] read = new Object[columns.size()];
              for (int i = 0; i < read.length; i++) {
                read[i] = row[found.indexOf(columns.get(i).name())];
              }
              return read;
            });
  }

  @Override
  public ChangeWriter writer(
      String table,
      List<Column> columns,
      List<String> key,
      Writes writes,
      String runId,
      SyncLock lock) {
    return new ChangeWriter() {
      @Override
      public void apply(List<Change> batch, long afterSeq) {
        if (batch.isEmpty()) {
          return;
        }
        RuntimeException failure = failures.remove(afterSeq);
        if (failure != null) {
          throw failure;
        }
        if (!lock.held()) {
          throw new IllegalStateException("run " + runId + " writes without its lock");
        }
        long lastSeq = batch.get(batch.size() - 1).seq();
        runs.advance(runId, afterSeq, lastSeq);
        FakeTable written = tables.get(table);
        for (Change change : batch) {
          Object[] row = new Object[written.columns.size()];
          for (int i = 0; i < columns.size(); i++) {
            row[written.indexOf(columns.get(i).name())] = change.row()[i];
          }
          if (change.kind() == ChangeKind.DELETE) {
            written.rows.remove(written.keyOf(row));
          } else {
            written.put(row);
          }
        }
        applied.add(new Applied(runId, table, afterSeq, lastSeq));
      }

      @Override
      public Optional<String> finish() {
        return Optional.empty();
      }
    };
  }

  @Override
  public SyncLock lock(String sync, Duration timeout) {
    if (lockedElsewhere.contains(sync) || !locked.add(sync)) {
      throw new QsyncException(
          ErrorKind.LOCK_HELD,
          "sync '" + sync + "' is locked by another run (waited " + timeout.toSeconds() + "s)");
    }
    return new SyncLock() {
      private boolean held = true;

      @Override
      public boolean held() {
        return held;
      }

      @Override
      public long sessionId() {
        return 1;
      }

      @Override
      public void close() {
        if (held) {
          held = false;
          locked.remove(sync);
        }
      }
    };
  }

  @Override
  public boolean lockHeld(String sync) {
    return lockedElsewhere.contains(sync) || locked.contains(sync);
  }

  @Override
  public long threadsRunning() {
    return 0;
  }

  @Override
  public Optional<Duration> replicationLag() {
    return Optional.empty();
  }

  @Override
  public LatencyProbe openLatencyProbe(String table, List<String> key) {
    return new LatencyProbe() { // an idle server: only the probe's own statements
      private long statements;

      @Override
      public Reading read() {
        statements += 2;
        return new Reading(Duration.ofNanos(100_000), statements, statements);
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public long statementsRun() {
    return 0;
  }

  @Override
  public String describeLocation() {
    return "fake:3306/app";
  }

  @Override
  public void close() {}

  /** A table's columns and its rows by key (by position where it has no key). */
  private static final class FakeTable {
    final List<Column> columns;
    final List<String> key;
    final Map<List<Object>, Object[]> rows = new LinkedHashMap<>();

    FakeTable(List<Column> columns, List<String> key) {
      this.columns = List.copyOf(columns);
      this.key = List.copyOf(key);
    }

    int indexOf(String name) {
      for (int i = 0; i < columns.size(); i++) {
        if (columns.get(i).name().equalsIgnoreCase(name)) {
          return i;
        }
      }
      throw new IllegalArgumentException("no column " + name);
    }

    List<Object> keyOf(Object[] row) {
      if (key.isEmpty()) {
        return List.of(rows.size());
      }
      return key.stream().map(name -> row[indexOf(name)]).toList();
    }

    void put(Object[] row) {
      rows.put(keyOf(row), row);
    }
  }

  /**
   * Run history in memory, newest last. As in the real store, {@link #update} leaves the checkpoint
   * alone: only a batch moves it.
   */
  public static final class FakeRunStore implements RunStore {
    private final Map<String, RunRecord> records = new LinkedHashMap<>();
    private final Map<String, String> diffStates = new LinkedHashMap<>();
    private final Map<String, Map<String, Duration>> throttled = new LinkedHashMap<>();

    /** Every run, oldest first. */
    public List<RunRecord> all() {
      return List.copyOf(records.values());
    }

    void advance(String runId, long afterSeq, long lastSeq) {
      RunRecord run = records.get(runId);
      if (run == null || run.appliedThrough() != afterSeq) {
        throw new QsyncException(
            ErrorKind.FAILED,
            "run " + runId + ": the checkpoint is no longer at change " + afterSeq);
      }
      records.put(runId, run.withCheckpoint(lastSeq, run.batchesApplied() + 1));
    }

    @Override
    public void prepare() {}

    @Override
    public void insert(RunRecord run) {
      if (records.putIfAbsent(run.runId(), run) != null) {
        throw new IllegalStateException("run " + run.runId() + " is recorded already");
      }
    }

    @Override
    public void update(RunRecord run) {
      RunRecord stored = records.get(run.runId());
      if (stored != null) {
        records.put(
            run.runId(), run.withCheckpoint(stored.appliedThrough(), stored.batchesApplied()));
      }
    }

    @Override
    public Optional<RunRecord> find(String runId) {
      return Optional.ofNullable(records.get(runId));
    }

    @Override
    public Optional<RunRecord> unfinished(String sync, String table) {
      return history(sync, table, 1).stream().filter(run -> run.status().unfinished()).findFirst();
    }

    @Override
    public Optional<RunRecord> unfinishedOfAnyTable(String sync) {
      return newestFirst()
          .filter(run -> run.sync().equals(sync))
          .findFirst()
          .filter(run -> run.status().unfinished());
    }

    @Override
    public Optional<RunRecord> lastSucceeded(String sync, String table) {
      return history(sync, table, Integer.MAX_VALUE).stream()
          .filter(run -> run.status() == io.qsync.state.RunStatus.SUCCEEDED)
          .findFirst();
    }

    @Override
    public List<RunRecord> succeeded(String sync, String table, int limit) {
      return history(sync, table, Integer.MAX_VALUE).stream()
          .filter(run -> !run.mode().equals(RunRecord.VERIFY))
          .filter(run -> run.status() == io.qsync.state.RunStatus.SUCCEEDED)
          .limit(limit)
          .toList();
    }

    @Override
    public Optional<RunRecord> lastVerify(String sync, String table) {
      return history(sync, table, Integer.MAX_VALUE).stream()
          .filter(run -> run.mode().equals(RunRecord.VERIFY))
          .findFirst();
    }

    @Override
    public boolean recordsDiffState() {
      return true;
    }

    @Override
    public void recordDiffState(String runId, String state) {
      diffStates.put(runId, state);
    }

    @Override
    public Optional<String> diffState(String runId) {
      return Optional.ofNullable(diffStates.get(runId));
    }

    @Override
    public void addThrottled(String runId, Map<String, Duration> throttledBy) {
      if (throttledBy.isEmpty()) {
        return;
      }
      Map<String, Duration> sum = throttled.computeIfAbsent(runId, id -> new LinkedHashMap<>());
      throttledBy.forEach((rule, waited) -> sum.merge(rule, waited, Duration::plus));
    }

    @Override
    public Map<String, Map<String, Duration>> throttledBy(java.util.Collection<String> runIds) {
      Map<String, Map<String, Duration>> found = new LinkedHashMap<>();
      for (String runId : runIds) {
        if (throttled.containsKey(runId)) {
          found.put(runId, new LinkedHashMap<>(throttled.get(runId)));
        }
      }
      return found;
    }

    @Override
    public List<RunRecord> history(String sync, String table, int limit) {
      return newestFirst()
          .filter(run -> run.sync().equals(sync) && run.table().equals(table))
          .limit(limit)
          .toList();
    }

    @Override
    public Optional<RunRecord> stoppedPartWaySince(String sync, String table, Instant since) {
      return newestFirst()
          .filter(run -> run.sync().equals(sync) && run.table().equals(table))
          .filter(run -> !run.startedAt().isBefore(since))
          .filter(run -> run.status() != RunStatus.SUCCEEDED && run.appliedThrough() > 0)
          .findFirst();
    }

    private java.util.stream.Stream<RunRecord> newestFirst() {
      List<RunRecord> newestFirst = new ArrayList<>(records.values());
      java.util.Collections.reverse(newestFirst);
      return newestFirst.stream();
    }

    @Override
    public List<RunRecord> latestPerSync() {
      Map<String, RunRecord> latest = new LinkedHashMap<>();
      records.values().forEach(run -> latest.put(run.sync(), run));
      return List.copyOf(latest.values());
    }
  }
}
