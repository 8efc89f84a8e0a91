package io.qsync.destination;

import io.qsync.row.Column;
import io.qsync.row.RowSink;
import java.util.List;
import java.util.Optional;

/** Reads the rows a destination table holds now: for the diff, for checks and for plans. */
public interface TableReader {
  long countRows(String table);

  /** Streams the table's current values of the given columns, in no particular order. */
  void readRows(String table, List<Column> columns, RowSink sink);

  /**
   * Streams the table's current values of {@code columns}, as {@link #readRows(String, List,
   * RowSink)} does, in chunks of at most {@code chunkRows} rows in the order of the key the rows
   * are stored by (its primary key, or without one its first UNIQUE index of NOT NULL columns, as
   * InnoDB clusters them) when that order can be sought (each chunk one index range from where the
   * last ended), whether or not its columns are among {@code columns} (read for the seek only,
   * never handed on), calling {@code between} after each chunk but the last, the chunk's statement
   * closed: the caller may rest there. Otherwise (no such key, or one that cannot be sought) in one
   * read, calling nothing. Each chunk is a statement of its own, so the rows are not read at one
   * instant but each as it stands when its chunk is read (the table is qsync's to write; another
   * session's change meanwhile is as one made just after a single read).
   */
  default void readRowsInChunks(
      String table, List<Column> columns, int chunkRows, Runnable between, RowSink sink) {
    readRows(table, columns, sink);
  }

  /**
   * Streams the table's rows whose key columns hold one of {@code keys} (each a row of qsync's
   * values in key order, as {@link #readRows} read them), matched as the table compares keys, as
   * {@code columns} in their order; in no particular order. For {@code diff: target} by hashes,
   * which reads whole only the rows whose hash differs; called with at most a few thousand keys.
   */
  default void readRows(
      String table, List<Column> columns, List<String> key, List<Object[]> keys, RowSink sink) {
    throw new UnsupportedOperationException("this destination reads no rows by key");
  }

  /**
   * Why this destination cannot give each row's key and row hash ({@link #readKeyHashes}), or empty
   * when it can.
   */
  default Optional<String> noKeyHashes() {
    return Optional.of("this destination computes no row hashes");
  }

  /**
   * Streams, for each row of {@code table}, the values of {@code shape}'s key columns (in the key's
   * order, as {@link #readRows} reads them) followed by the row's hash as a {@code Long}: the hash
   * of its canonical rendering, computed by the server exactly as {@link #checksums} does for a
   * verify; null when the server gives none (MySQL's {@code CONCAT} gives NULL for a rendering
   * longer than {@code max_allowed_packet}), so that the row is read whole. In no particular order.
   * Only when {@link #noKeyHashes} is empty. Read in chunks of at most {@code chunkRows} rows in
   * the order of the key the table's rows are stored by, calling {@code between} after each chunk
   * but the last, exactly as {@link #readRowsInChunks} reads whole rows (in one read, calling
   * nothing, when that key cannot be sought): the same rows as one read gives.
   */
  default void readKeyHashes(
      String table, io.qsync.verify.RowShape shape, int chunkRows, Runnable between, RowSink sink) {
    throw new UnsupportedOperationException(noKeyHashes().orElse("no row hashes"));
  }

  /**
   * The table's row whose key columns hold {@code keyValues} (in key order), as {@code columns} in
   * their order, matched as the table compares keys; empty when it holds none. For the few rows a
   * plan shows.
   */
  Optional<Object[]> findRow(
      String table, List<Column> columns, List<String> key, List<Object> keyValues);

  /**
   * The table's side of a verify (see {@code io.qsync.verify}): the server renders, hashes and sums
   * the rows, so only checksums cross the network. Empty when this destination cannot verify, or
   * when the table does not exist.
   */
  default Optional<io.qsync.verify.RowChecksums> checksums(
      String table, io.qsync.verify.RowShape shape) {
    return Optional.empty();
  }

  /** How a verify renders doubles so that this destination's side computes them cheaply. */
  default io.qsync.verify.DoubleText checksumDoubles() {
    return io.qsync.verify.DoubleText.PARTS;
  }
}
