package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import io.qsync.Caller;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.destination.ChangeWriters;
import io.qsync.destination.Destination;
import io.qsync.destination.DestinationCatalog;
import io.qsync.destination.DestinationTable;
import io.qsync.destination.LatencyProbe;
import io.qsync.destination.LoadProbe;
import io.qsync.destination.SyncLocks;
import io.qsync.destination.ValueRule;
import io.qsync.row.Column;
import io.qsync.row.RowSink;
import io.qsync.source.QueryDialect;
import io.qsync.state.RunStore;
import io.qsync.state.SyncLock;
import io.qsync.verify.DoubleText;
import io.qsync.verify.RowChecksums;
import io.qsync.verify.RowShape;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A MySQL 8 or MariaDB 10.6+ target, through MariaDB Connector/J (which speaks to both): a façade
 * over one class per role, all on the sessions of one {@link MySqlConnections}. Every session runs
 * in strict mode, in UTC, in utf8mb4, with short lock waits so that a conflict costs the sync a
 * retry rather than the application a stall. Opens one connection for work on first use and one
 * more per lock; {@link #close()} closes them. Not thread-safe.
 */
public final class MySqlDestination implements Destination {
  private final MySqlConnections connections;
  private final DestinationCatalog catalog;
  private final MySqlTableReader reader;
  private final ChangeWriters writers;
  private final RunStore runs;
  private final SyncLocks locks;
  private final LoadProbe load;

  public MySqlDestination(MySqlConnectionConfig config, Clock clock) {
    this(config, clock, Caller.RUN);
  }

  /**
   * @param caller the command the target works for: a passing failure that outlasts its retries
   *     tells a run that it resumes, and any other command that it is tried again later
   */
  public MySqlDestination(MySqlConnectionConfig config, Clock clock, Caller caller) {
    requireNonNull(clock, "clock is null");
    this.connections = new MySqlConnections(config, caller);
    this.catalog = new MySqlCatalog(connections);
    this.reader = new MySqlTableReader(connections);
    this.writers = new MySqlChangeWriters(connections, clock);
    this.runs = new MySqlRunStore(connections::connection, connections.side(), caller);
    this.locks = new MySqlSyncLocks(connections, runs);
    this.load = new MySqlLoadProbe(connections);
  }

  /** The sessions every role works on. */
  MySqlConnections connections() {
    return connections;
  }

  @Override
  public String describeLocation() {
    return connections.describeLocation();
  }

  @Override
  public Optional<DestinationTable> describe(String table) {
    return catalog.describe(table);
  }

  @Override
  public List<String> schemaProblems(
      DestinationTable table, List<Column> columns, List<String> key, boolean keyRequired) {
    return catalog.schemaProblems(table, columns, key, keyRequired);
  }

  @Override
  public List<ValueRule> valueRules(
      String table,
      Optional<DestinationTable> existing,
      List<Column> columns,
      List<String> key,
      QueryDialect dialect) {
    return catalog.valueRules(table, existing, columns, key, dialect);
  }

  @Override
  public String createTableStatement(String table, List<Column> columns, List<String> key) {
    return catalog.createTableStatement(table, columns, key);
  }

  @Override
  public String createdKeyCollation() {
    return catalog.createdKeyCollation();
  }

  @Override
  public String exactKeyStatement(DestinationTable table, String column) {
    return catalog.exactKeyStatement(table, column);
  }

  @Override
  public void createTable(String table, List<Column> columns, List<String> key) {
    catalog.createTable(table, columns, key);
  }

  @Override
  public void createTableLike(String table, String model) {
    catalog.createTableLike(table, model);
  }

  @Override
  public void dropTable(String table) {
    catalog.dropTable(table);
  }

  @Override
  public List<String> replaceProblems(String table) {
    return catalog.replaceProblems(table);
  }

  @Override
  public List<String> privilegeProblems(
      String table, List<String> onTable, List<String> onDatabase) {
    return catalog.privilegeProblems(table, onTable, onDatabase);
  }

  @Override
  public void swap(String table, String shadow) {
    catalog.swap(table, shadow);
  }

  @Override
  public String shadowName(String table) {
    return catalog.shadowName(table);
  }

  @Override
  public DoubleText checksumDoubles() {
    return connections.mariaDb() ? DoubleText.MARIADB : DoubleText.PARTS;
  }

  @Override
  public Optional<RowChecksums> checksums(String table, RowShape shape) {
    return describe(table).map(found -> new MySqlChecksums(connections, found, shape));
  }

  @Override
  public Optional<String> noKeyHashes() {
    return Optional.empty();
  }

  @Override
  public void readKeyHashes(
      String table, RowShape shape, int chunkRows, Runnable between, RowSink sink) {
    DestinationTable found =
        describe(table)
            .orElseThrow(() -> new IllegalStateException("table " + table + " does not exist"));
    new MySqlChecksums(connections, found, shape).keyHashes(reader, chunkRows, between, sink);
  }

  @Override
  public void readRows(
      String table, List<Column> columns, List<String> key, List<Object[]> keys, RowSink sink) {
    reader.readRows(table, columns, key, keys, sink);
  }

  @Override
  public void readRowsInChunks(
      String table, List<Column> columns, int chunkRows, Runnable between, RowSink sink) {
    reader.readRowsInChunks(table, columns, chunkRows, between, sink);
  }

  @Override
  public long countRows(String table) {
    return reader.countRows(table);
  }

  @Override
  public void readRows(String table, List<Column> columns, RowSink sink) {
    reader.readRows(table, columns, sink);
  }

  @Override
  public Optional<Object[]> findRow(
      String table, List<Column> columns, List<String> key, List<Object> keyValues) {
    return reader.findRow(table, columns, key, keyValues);
  }

  @Override
  public ChangeWriter writer(
      String table,
      List<Column> columns,
      List<String> key,
      Writes writes,
      String runId,
      SyncLock lock) {
    return writers.writer(table, columns, key, writes, runId, lock);
  }

  @Override
  public RunStore runs() {
    return runs;
  }

  @Override
  public SyncLock lock(String sync, Duration timeout) {
    return locks.lock(sync, timeout);
  }

  @Override
  public boolean lockHeld(String sync) {
    return locks.lockHeld(sync);
  }

  @Override
  public long threadsRunning() {
    return load.threadsRunning();
  }

  @Override
  public Optional<Duration> replicationLag() {
    return load.replicationLag();
  }

  @Override
  public LatencyProbe openLatencyProbe(String table, List<String> key) {
    return load.openLatencyProbe(table, key);
  }

  @Override
  public long statementsRun() {
    return load.statementsRun();
  }

  @Override
  public void close() {
    connections.close();
  }
}
