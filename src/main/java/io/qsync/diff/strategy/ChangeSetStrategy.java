package io.qsync.diff.strategy;

import static java.util.Objects.requireNonNull;

import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.destination.DestinationTable;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.KeyCollation;
import io.qsync.diff.KeyProblem;
import io.qsync.row.Column;
import io.qsync.row.RowSink;
import io.qsync.source.ArrowStreamSink;
import io.qsync.source.Source;
import io.qsync.source.SourceResult;
import io.qsync.stage.Stage;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.c.ArrowArrayStream;

/**
 * How a run makes its change set: {@link TargetDiff} compares the query's whole result with the
 * table, {@link WarehouseDiff} compares it in the warehouse with the state of the last successful
 * run and brings only the changes. Lifecycle, per run: {@link #result} opens the result; {@link
 * #comparing} picks how this run compares; {@link #keyProblems} checks the keys where the rows are;
 * {@link #changes} puts the numbered change set into the stage. Not thread-safe.
 */
public interface ChangeSetStrategy {
  /** The strategy for a sync: {@code diff: snapshot} compares in the warehouse. */
  static ChangeSetStrategy of(SyncConfig sync, Source source, Destination destination) {
    return sync.diff().snapshot()
        ? WarehouseDiff.of(sync, source, destination)
        : new TargetDiff(sync, source, destination);
  }

  /** The query's result for run {@code runId}. */
  SourceResult result(String runId);

  /**
   * How this run compares: this strategy, or the target diff when the warehouse's state cannot be
   * trusted this time (the reason goes into {@code notes}).
   *
   * @param full {@code --full} was given
   */
  ChangeSetStrategy comparing(Comparison comparison, boolean full, List<String> notes);

  /** Whether the whole result is extracted into the stage before the keys are checked. */
  boolean extracts();

  /** Keys the result cannot write (NULL, on two rows, equal under the collation), with samples. */
  List<KeyProblem> keyProblems(Stage stage, Comparison comparison, int samples);

  /** Puts the change set, numbered in the order it is applied, into the stage. */
  ChangeCounts changes(
      Stage stage, SourceResult result, Comparison comparison, Steps steps, List<String> notes);

  /**
   * What a run compares.
   *
   * @param key the key as the result spells it
   * @param existing the table as it is, or empty when the run creates it
   * @param collations how the table compares each key column
   * @param dryRun the run is a plan: say what the comparison would scan
   */
  record Comparison(
      String runId,
      List<Column> columns,
      List<String> key,
      Optional<DestinationTable> existing,
      List<KeyCollation> collations,
      boolean dryRun) {
    public Comparison {
      requireNonNull(runId, "runId is null");
      columns = List.copyOf(columns);
      key = List.copyOf(key);
      requireNonNull(existing, "existing is null");
      collations = List.copyOf(collations);
    }
  }

  /** The long steps of a comparison, as the run's progress shows them. */
  interface Steps {
    void begin(String step, long total);

    void advance(long done);

    void end();

    /**
     * A piece of a step that can pause after it (a chunk of the table read back) ended: the run
     * rests here as long as its throttle asks, so that this work spares the target as its writes
     * do.
     */
    default void between() {}

    /**
     * {@code sink}, telling {@link #advance} every 1,024 rows; one that takes Arrow stays one, and
     * tells {@link #advance} once its stream is in.
     */
    default RowSink counting(RowSink sink) {
      if (sink instanceof ArrowStreamSink arrow) {
        return new ArrowStreamSink() {
          private long rows;

          @Override
          public void accept(Object[] row) {
            arrow.accept(row);
            if (++rows % 1024 == 0) {
              advance(rows);
            }
          }

          @Override
          public long insertArrow(ArrowArrayStream stream, List<String> select) {
            long inserted = arrow.insertArrow(stream, select);
            rows += inserted;
            advance(rows);
            return inserted;
          }
        };
      }
      return new RowSink() {
        private long rows;

        @Override
        public void accept(Object[] row) {
          sink.accept(row);
          if (++rows % 1024 == 0) {
            advance(rows);
          }
        }
      };
    }
  }
}
