package io.qsync.source;

import io.qsync.row.RowSink;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;

/**
 * A {@link RowSink} that DuckDB stands behind, which can also take rows as an Arrow C stream that
 * DuckDB reads itself, without Java decoding a value: a source whose rows arrive as Arrow record
 * batches (the BigQuery Storage Read API) hands them on so. A source may use either way for a read,
 * not both. Not thread-safe.
 */
public interface ArrowStreamSink extends RowSink {
  /**
   * Inserts every row of {@code stream}, blocking until it ends, and returns how many. Each of the
   * sink's columns, in order, takes the DuckDB SQL expression of {@code select} over the stream's
   * columns (named as its Arrow schema names them), converted as {@link #accept} converts that
   * column's Java value. All or nothing: when the stream fails (its producer keeps why), no row is
   * inserted and this throws, saying why. The caller keeps the stream: DuckDB releases it (which
   * closes the batches behind it) once it read from it, and the caller releases one it never took
   * (the insert failed before) and closes it.
   */
  long insertArrow(ArrowArrayStream stream, List<String> select);
}
