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
