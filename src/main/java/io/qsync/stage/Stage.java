package io.qsync.stage;

import io.qsync.Caller;
import io.qsync.QsyncException;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.ChangeKind;
import io.qsync.diff.KeyCollation;
import io.qsync.diff.KeyProblem;
import io.qsync.row.Column;
import io.qsync.row.RowSink;
import io.qsync.row.SqlType;
import io.qsync.source.DuckDbFileTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A run's local DuckDB file: the query result ({@code src}), the target's current rows ({@code
 * tgt}) and the change set between them ({@code changes}, in key order, numbered from 1). Only the
 * change set is kept in the file ({@code src} and {@code tgt} are temporary tables of the session,
 * or {@code src} a view of a DuckDB source's result file); it outlives a failed run so the next run
 * can resume from it. Memory is bounded by DuckDB's memory limit: larger data spills to the stage
 * folder.
 *
 * <p>Lifecycle: {@link #open}, {@link #begin} (or {@link #meta} to resume), write rows (or read a
 * DuckDB file's in place, {@link #readSourceInPlace}), {@link #checkKeys}, {@link #diff} or {@link
 * #insertAll}, {@link #releaseSource}, read {@link #changes}, {@link #close}. Not thread-safe: one
 * run uses one stage.
 *
 * <p>The run's view of the stage; each job is a class of its own beside it: the file and the run it
 * holds ({@link StageFile}), the SQL ({@link StageSql}), bringing rows in ({@link StageLoader}),
 * the key checks ({@link KeyCheck}), making the change set ({@link StageDiff}) and reading it
 * ({@link ChangeSetReader}).
 */
public final class Stage implements AutoCloseable {
  private final StageFile file;
  private final StageLoader loader;
  private final KeyCheck keyCheck;
  private final StageDiff diff;
  private final ChangeSetReader changes;
  private final StageFacts facts;

  private Stage(StageFile file) {
    this.file = file;
    this.loader = new StageLoader(file);
    this.keyCheck = new KeyCheck(file);
    this.diff = new StageDiff(file);
    this.changes = new ChangeSetReader(file);
    this.facts = new StageFacts(file);
  }

  /** Opens a run's stage file, creating it and its folder when absent. */
  public static Stage open(Path file) {
    return open(file, Caller.RUN);
  }

  /**
   * Opens the stage file of {@code caller} (a run, or a plan), creating it and its folder when
   * absent; a failure of the stage says what that command does next.
   */
  public static Stage open(Path file, Caller caller) {
    return new Stage(StageFile.open(file, caller));
  }

  /**
   * Why the stage file that {@link #open} failed on with {@code failure} is damaged (not a DuckDB
   * database, or corrupt), so that the change set it held is lost; empty when the failure may pass
   * (another process holds the file, an I/O error) and the file is as it was.
   */
  public static Optional<String> damage(Path file, QsyncException failure) {
    return StageFile.damage(file, failure);
  }

  /** Deletes a stage file and its spill folder; absent files are fine. */
  public static void delete(Path file) {
    StageFile.delete(file);
  }

  public Path file() {
    return file.file();
  }

  /** What the stage holds, if it holds a run at all. */
  public Optional<StageMeta> meta() {
    return file.meta();
  }

  /** Empties the stage and prepares it for a new run whose result has these columns. */
  public void begin(String runId, String fingerprint, List<Column> columns) {
    file.begin(runId, fingerprint, columns);
  }

  /** The columns of the run the stage holds. */
  public List<Column> columns() {
    return file.columns();
  }

  /** A writer of query-result rows into the stage. Close it to make them visible. */
  public StageWriter sourceWriter(List<Column> columns) {
    return loader.sourceWriter(columns);
  }

  /** A writer of the target's current rows into the stage. */
  public StageWriter targetWriter(List<Column> columns) {
    return loader.targetWriter(columns);
  }

  /**
   * A writer of the target's keys and row hashes: each row the key's values (in the key's order)
   * and then the row's hash as a {@code Long}. For {@code diff: target} by hashes.
   */
  public StageWriter targetHashWriter(List<String> key) {
    return loader.targetHashWriter(key);
  }

  /**
   * Compares the result's row hashes, as verify renders them (doubles as MariaDB writes them when
   * {@code mariaDbDoubles}), with the target's ({@link #targetHashWriter}), matching keys as the
   * target compares them; numbers the target's keys whose rows must be read whole (those whose hash
   * differs, and, when {@code deletes}, those the result lacks). Returns how many.
   */
  public long differingKeys(
      List<String> key, List<KeyCollation> collations, boolean deletes, boolean mariaDbDoubles) {
    return diff.differingKeys(key, collations, deletes, mariaDbDoubles);
  }

  /**
   * The keys {@link #differingKeys} numbered, after the first {@code after}, at most {@code limit}.
   */
  public List<Object[]> differingKeys(List<String> key, long after, int limit) {
    return diff.differingKeys(key, after, limit);
  }

  /**
   * {@link #diff}, after {@link #differingKeys}, of the rows not known to be unchanged against the
   * target rows read whole into {@link #targetWriter}: the change set {@link #diff} makes of the
   * whole table, as long as the row hashes are equal exactly where the rows are.
   */
  public ChangeCounts diffDiffering(
      List<String> key, List<KeyCollation> collations, boolean deletes) {
    return diff.diffDiffering(key, collations, deletes);
  }

  /**
   * Reads a query result that is a table in a DuckDB file where it lies, as the stage's {@code
   * src}, until {@link #releaseSource}: the same values {@link #sourceWriter} would have appended
   * row by row (each column cast to its {@link SqlType#duckDbName()}, as the appender converts it)
   * in the same order, without copying them. The file must stay until then; a run resumes from the
   * change set alone, never from the result. Fails unless the table holds the result's row count.
   * Returns the rows.
   */
  public long readSourceInPlace(DuckDbFileTable result) {
    return loader.readSourceInPlace(result);
  }

  /**
   * Lets go of a result read in place ({@link #readSourceInPlace}) so that its file may be deleted;
   * the result is gone from the stage until the next {@link #begin}. Does nothing for a result
   * written into the stage.
   */
  public void releaseSource() {
    file.releaseSource();
  }

  /**
   * A writer of a change set the warehouse computed ({@code diff: snapshot}): each row is the
   * change's kind ({@code insert}, {@code update} or {@code delete}), then the result's columns.
   */
  public StageWriter warehouseChangeWriter() {
    return loader.warehouseChangeWriter();
  }

  /** Copies a change set the warehouse computed, as {@link #warehouseChangeWriter} would. */
  public long copyWarehouseChanges(DuckDbFileTable changes) {
    return loader.copyWarehouseChanges(changes);
  }

  public long sourceRows() {
    return diff.sourceRows();
  }

  /**
   * Finds NULL key parts, duplicate keys and keys that collide under the target's collation.
   * Returns every kind found, each with a few samples; empty when the keys are fit to write.
   */
  public List<KeyProblem> checkKeys(List<String> key, List<KeyCollation> collations, int samples) {
    return keyCheck.keys(key, collations, samples);
  }

  /**
   * Values of another unique key of the table (its columns all in the result) that the result holds
   * on more than one row, as the target compares them; rows with a NULL in them are left out, since
   * a unique key holds any number of those. Empty when the values are fit to write.
   */
  public List<KeyProblem> repeatedValues(
      List<String> columns, List<KeyCollation> collations, int samples) {
    return keyCheck.repeatedValues(columns, collations, samples);
  }

  /**
   * Computes the change set of {@code src} against {@code tgt}, matching rows by key as the target
   * compares keys, and numbers it in key order. Updates are rows whose compared values differ;
   * deletes (when asked for) are target rows whose key left the result.
   */
  public ChangeCounts diff(List<String> key, List<KeyCollation> collations, boolean deletes) {
    return diff.diff(key, collations, deletes);
  }

  /**
   * Makes the whole result the change set, as inserts: in key order when there is a key, else in
   * the order the source returned the rows. For {@code replace} and {@code append}.
   */
  public ChangeCounts insertAll(List<String> key, long replacedRows) {
    return diff.insertAll(key, replacedRows);
  }

  /**
   * Numbers a change set the warehouse computed: deletes first, then inserts and updates, each in
   * key order. Deletes go first because the warehouse matches keys exactly: a key whose case
   * changed is a delete of the old spelling and an insert of the new one, which a case-insensitive
   * target column holds as one key.
   *
   * @param sourceRows the number of rows in the query result (which stayed in the warehouse)
   */
  public ChangeCounts numberWarehouseChanges(List<String> key, long sourceRows) {
    return diff.numberWarehouseChanges(key, sourceRows);
  }

  /**
   * Whether the change set came from the warehouse ({@link #numberWarehouseChanges}): diffed
   * against an earlier state rather than the table, so its inserts and updates must be idempotent.
   */
  public boolean changesFromWarehouse() {
    return changes.fromWarehouse();
  }

  /**
   * What is wrong with the change set a run left for the next to resume, which should hold {@code
   * expected} changes (its table dropped, or cut short); empty when it holds them all.
   */
  public Optional<String> changeSetDamage(long expected) {
    return changes.damage(expected);
  }

  /** The number of changes in the change set: what the checkpoint runs up to. */
  public long changeSetLength() {
    return changes.length();
  }

  /**
   * Opens a cursor over the change set after the given sequence number, in order, reading one batch
   * ahead on a thread of its own.
   *
   * @param insertsAsText whether new rows come as LOAD DATA text without their values ({@link
   *     Change#text}), for a writer that loads them so
   */
  public ChangeCursor changes(long afterSeq, boolean insertsAsText) {
    return changes.after(afterSeq, insertsAsText);
  }

  /** Up to {@code limit} changes of one kind, in key order: what {@code plan} shows. */
  public List<Change> sample(ChangeKind kind, int limit) {
    return changes.sample(kind, limit);
  }

  /**
   * Keeps facts about the change set in the file beside it, replacing any kept before, as text by
   * name (a saved plan's: what it was computed against), and makes the file whole on disk, so that
   * it can be copied once closed.
   */
  public void keepFacts(java.util.Map<String, String> kept) {
    facts.keep(kept);
  }

  /** The facts {@link #keepFacts} kept, in name order; empty when none were. */
  public java.util.Map<String, String> facts() {
    return facts.read();
  }

  /**
   * The stage's file and session, for the checks beside it in this package ({@link ValueCheck}).
   */
  StageFile stageFile() {
    return file;
  }

  @Override
  public void close() {
    file.close();
  }

  /** {@link #releaseSource} as a resource, for a try-with-resources beside the result's. */
  public interface SourceRelease extends AutoCloseable {
    @Override
    void close();
  }

  /** Appends rows to one of the stage's tables. Close it to make them visible. Not thread-safe. */
  public interface StageWriter extends RowSink, AutoCloseable {
    /** The rows appended so far. */
    long rows();

    @Override
    void close();
  }
}
