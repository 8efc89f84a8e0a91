package io.qsync.destination.mysql;

import io.qsync.diff.Change;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the rows of a multi-row statement so that each statement stays within MySQL's limits: at
 * most 65,535 placeholders, and at most {@code max_allowed_packet} bytes on the wire (a statement
 * over it fails with "packet too big"). Sizes are estimated from above: the driver sends values as
 * escaped text, so a character may take up to six bytes. Pure; thread-safe.
 */
final class StatementChunks {
  /** Bytes a non-text value takes at most as a literal, with its separator. */
  static final int SCALAR_BYTES = 48;

  private StatementChunks() {}

  /**
   * Consecutive runs of {@code rows}, each of at most {@code maxRows} rows and, unless a single row
   * is larger, at most {@code maxBytes} estimated bytes of the given columns.
   */
  static List<List<Change>> split(List<Change> rows, int maxRows, long maxBytes, int[] columns) {
    List<List<Change>> chunks = new ArrayList<>();
    int from = 0;
    long bytes = 0;
    for (int i = 0; i < rows.size(); i++) {
      long rowBytes = estimate(rows.get(i).row(), columns);
      boolean full = i - from == maxRows || i > from && bytes + rowBytes > maxBytes;
      if (full) {
        chunks.add(rows.subList(from, i));
        from = i;
        bytes = 0;
      }
      bytes += rowBytes;
    }
    if (from < rows.size()) {
      chunks.add(rows.subList(from, rows.size()));
    }
    return chunks;
  }

  /** An upper bound of the bytes the given values of a row take in a statement's text. */
  static long estimate(Object[] row, int[] columns) {
    long bytes = 0;
    for (int column : columns) {
      Object value = row[column];
      if (value instanceof String text) {
        bytes += 6L * text.length() + 4;
      } else if (value instanceof byte[] binary) {
        bytes += 2L * binary.length + 4;
      } else {
        bytes += SCALAR_BYTES;
      }
    }
    return bytes;
  }

  /**
   * The bytes a value takes in a statement's text as the driver sends it: a string as UTF-8 in
   * quotes, with a backslash before each quote, backslash and NUL; binary as {@code _binary '...'}
   * escaped the same way; anything else at most {@link #SCALAR_BYTES}.
   */
  static long bytesSent(Object value) {
    if (value instanceof String text) {
      long bytes = 2;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c < 0x80) {
          bytes += escaped(c) ? 2 : 1;
        } else if (c < 0x800) {
          bytes += 2;
        } else if (Character.isHighSurrogate(c)) {
          bytes += 4;
          i++;
        } else {
          bytes += 3;
        }
      }
      return bytes;
    }
    if (value instanceof byte[] binary) {
      long bytes = 10;
      for (byte b : binary) {
        bytes += escaped((char) (b & 0xff)) ? 2 : 1;
      }
      return bytes;
    }
    return SCALAR_BYTES;
  }

  private static boolean escaped(char c) {
    return c == '\'' || c == '\\' || c == '"' || c == 0;
  }

  /** Every column index of a row of {@code width} columns. */
  static int[] all(int width) {
    int[] columns = new int[width];
    for (int i = 0; i < width; i++) {
      columns[i] = i;
    }
    return columns;
  }
}
