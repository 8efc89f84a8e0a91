package io.qsync.diff.strategy;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.config.Diff;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.KeyProblem;
import io.qsync.row.Column;
import io.qsync.row.RowSink;
import io.qsync.row.Unrepresentable;
import io.qsync.source.Source;
import io.qsync.source.SourceResult;
import io.qsync.stage.Stage;
import io.qsync.verify.BucketValue;
import io.qsync.verify.DoubleText;
import io.qsync.verify.RowShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code diff: target}: the query's whole result, extracted into the stage, compared there with a
 * copy of the table ({@code mirror}, {@code upsert}), or taken whole ({@code replace}, {@code
 * append}). The diff's SQL is the stage's. Not thread-safe.
 */
public final class TargetDiff implements ChangeSetStrategy {
  private final SyncConfig sync;
  private final Source source;
  private final Destination destination;

  public TargetDiff(SyncConfig sync, Source source, Destination destination) {
    this.sync = requireNonNull(sync, "sync is null");
    this.source = requireNonNull(source, "source is null");
    this.destination = requireNonNull(destination, "destination is null");
  }

  @Override
  public SourceResult result(String runId) {
    return source.query(sync.query(), runId);
  }

  @Override
  public ChangeSetStrategy comparing(Comparison comparison, boolean full, List<String> notes) {
    return this;
  }

  @Override
  public boolean extracts() {
    return true;
  }

  @Override
  public List<KeyProblem> keyProblems(Stage stage, Comparison comparison, int samples) {
    return comparison.key().isEmpty()
        ? List.of()
        : stage.checkKeys(comparison.key(), comparison.collations(), samples);
  }

  @Override
  public ChangeCounts changes(
      Stage stage, SourceResult result, Comparison comparison, Steps steps, List<String> notes) {
    List<String> key = comparison.key();
    boolean exists = comparison.existing().isPresent();
    return switch (sync.mode()) {
      case MIRROR, UPSERT -> {
        boolean deletes = sync.mode() == Mode.MIRROR;
        if (!exists) {
          // A table this run creates holds nothing: every row is an insert, and the join with
          // an empty target copy would only cost time (0.6 s per 300,000 rows).
          steps.begin("diff", -1);
          ChangeCounts counts = stage.insertAll(key, 0);
          steps.end();
          yield counts;
        }
        Optional<String> wholeRows =
            sync.diff().compare() == Diff.Compare.ROWS
                ? Optional.of("compare: rows, the default; compare: hashes reads row hashes")
                : destination.noKeyHashes();
        if (wholeRows.isPresent()) {
          yield wholeTable(stage, comparison, steps, notes, deletes, wholeRows.get());
        }
        yield byHashes(stage, comparison, steps, notes, deletes);
      }
      case REPLACE -> stage.insertAll(key, exists ? destination.countRows(sync.table()) : 0);
      case APPEND -> stage.insertAll(key, 0);
    };
  }

  /**
   * The rows of each chunk when the table is read in primary-key order, whole or as each row's key
   * and hash (which the server computes from the whole row): on a busy server the run rests between
   * chunks ({@link Steps#between}), so a chunk is a burst the application waits behind (5,000 rows
   * of a narrow table: about 0.1 s on an idle server, as a batch's time); on an idle one each chunk
   * is one more index seek.
   */
  static final int READ_CHUNK_ROWS = 5000;

  /**
   * At most this many keys per read of the rows whose hash differs; the run may rest between these
   * reads as between chunks.
   */
  static final int KEYS_PER_READ = 1000;

  /**
   * The change set from the table's row hashes: reads each row's key and hash (computed by the
   * table's server as {@code qsync verify} renders rows), compares them with the result's hashes in
   * the stage, and reads whole only the rows whose hash differs or whose key the result lacks. The
   * change set is the one {@link Stage#diff} makes of the whole table: the rows left out are
   * exactly those whose rendering, and so every value, is equal. When more than a quarter of the
   * rows differ, reading them by key would cost more than reading the table: it is read whole.
   */
  private ChangeCounts byHashes(
      Stage stage, Comparison comparison, Steps steps, List<String> notes, boolean deletes) {
    List<String> key = comparison.key();
    DoubleText doubles = destination.checksumDoubles();
    RowShape shape = new RowShape(comparison.columns(), key, BucketValue.KEY_HASH, doubles);
    steps.begin("read target hashes", -1);
    long hashed;
    long[] unhashed = {0};
    try (Stage.StageWriter writer = stage.targetHashWriter(key)) {
      RowSink hashes = representableKeys(writer, shape.keyColumns(), key);
      destination.readKeyHashes(
          sync.table(),
          shape,
          READ_CHUNK_ROWS,
          steps::between,
          steps.counting(
              row -> {
                if (row[row.length - 1] == null) {
                  unhashed[0]++; // no hash never equals one: the stage reads the row whole
                }
                hashes.accept(row);
              }));
      hashed = writer.rows();
      steps.advance(hashed);
    }
    steps.end();
    long differing =
        stage.differingKeys(key, comparison.collations(), deletes, doubles == DoubleText.MARIADB);
    if (differing > KEYS_PER_READ && differing > hashed / 4) {
      return wholeTable(
          stage,
          comparison,
          steps,
          notes,
          deletes,
          "the row hashes of " + Plural.of(differing, "row") + " differ, more than a quarter");
    }
    steps.begin("read differing rows", differing);
    long fetched;
    try (Stage.StageWriter writer = stage.targetWriter(comparison.columns())) {
      for (long after = 0; after < differing; after += KEYS_PER_READ) {
        if (after > 0) {
          steps.between();
        }
        destination.readRows(
            sync.table(),
            comparison.columns(),
            key,
            stage.differingKeys(key, after, KEYS_PER_READ),
            writer);
        steps.advance(writer.rows());
      }
      fetched = writer.rows();
    }
    steps.end();
    notes.add(
        "diff: target compared row hashes: read the key and hash of "
            + Plural.of(hashed, "row")
            + ", and "
            + Plural.of(fetched, "row")
            + " whole"
            + (unhashed[0] == 0
                ? ""
                : "; the database gave no hash of "
                    + Plural.of(unhashed[0], "row")
                    + ", whose rendering (its texts up to 64 KiB each whole) passes the server's"
                    + " max_allowed_packet, so it was read whole and compared exactly; raise"
                    + " max_allowed_packet on the server to compare it by its hash"));
    return diff(
        stage, comparison, steps, () -> stage.diffDiffering(key, comparison.collations(), deletes));
  }

  /**
   * The change set from every row of the table, read whole into the stage's target copy, as before
   * row hashes; {@code why} goes into the note that says so.
   */
  private ChangeCounts wholeTable(
      Stage stage,
      Comparison comparison,
      Steps steps,
      List<String> notes,
      boolean deletes,
      String why) {
    steps.begin("read target", -1);
    long rows;
    try (Stage.StageWriter writer = stage.targetWriter(comparison.columns())) {
      destination.readRowsInChunks(
          sync.table(),
          comparison.columns(),
          READ_CHUNK_ROWS,
          steps::between,
          steps.counting(representableKeys(writer, comparison.columns(), comparison.key())));
      rows = writer.rows();
      steps.advance(rows);
    }
    steps.end();
    notes.add("diff: target read the table's " + Plural.of(rows, "row") + " whole (" + why + ")");
    return diff(
        stage,
        comparison,
        steps,
        () -> stage.diff(comparison.key(), comparison.collations(), deletes));
  }

  private static ChangeCounts diff(
      Stage stage, Comparison comparison, Steps steps, Supplier<ChangeCounts> diff) {
    steps.begin("diff", -1);
    ChangeCounts counts = diff.get();
    steps.end();
    return counts;
  }

  /**
   * A target row whose key the query's type cannot represent (300 in a column the query fills with
   * TINYINT, a zero date) can be neither matched nor deleted: stop before writing.
   */
  private RowSink representableKeys(RowSink sink, List<Column> columns, List<String> key) {
    List<Integer> keyIndexes = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      String name = columns.get(i).name();
      if (key.stream().anyMatch(name::equalsIgnoreCase)) {
        keyIndexes.add(i);
      }
    }
    return row -> {
      for (int index : keyIndexes) {
        if (row[index] == Unrepresentable.VALUE) {
          Column column = columns.get(index);
          throw new QsyncException(
              ErrorKind.NEEDS_ACTION,
              "sync '"
                  + sync.name()
                  + "': table "
                  + sync.table()
                  + " holds a row whose key column "
                  + column.name()
                  + " has a value the query's type "
                  + column.type()
                  + " cannot represent (out of its range, or a zero date), so qsync can neither"
                  + " match nor delete it; nothing was written\nCast the key column in the query"
                  + " to the table's type, or fix that row.");
        }
      }
      sink.accept(row);
    };
  }
}
