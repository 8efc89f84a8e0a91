package io.qsync.row;

/** Receives rows one at a time, in the order the source reads them. Not thread-safe. */
@FunctionalInterface
public interface RowSink {
  /**
   * Takes one row; the array is the sink's to keep. Values are of the Java types named in {@link
   * SqlType.Kind}, or null.
   */
  void accept(Object[] row);
}
