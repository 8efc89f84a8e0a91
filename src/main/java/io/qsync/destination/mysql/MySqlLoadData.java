package io.qsync.destination.mysql;

import io.qsync.diff.Change;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Writes new rows with {@code LOAD DATA LOCAL INFILE}, fed from qsync's own stream: the server's
 * bulk path, several times faster than multi-row INSERTs. It runs inside the caller's transaction,
 * so a batch and its checkpoint still commit together.
 *
 * <p>With LOCAL the server cannot stop the client mid-transfer, so it treats a rejected value or a
 * duplicate key as a warning and skips or mangles the row (as with IGNORE): strict mode does not
 * hold. So every load is checked: it must report exactly as many rows as were sent and no warning
 * at all. Anything else answers {@code false}, and the caller rolls the batch back and writes it
 * with the row-exact statements, which fail with the key and column where a value is rejected.
 *
 * <p>Security: the stream is handed to the driver before the statement runs, and MariaDB
 * Connector/J sends that stream whatever file name the server asks for; with no stream set, the
 * driver refuses any file the statement did not name itself. So a hostile server cannot make qsync
 * send a local file. Not thread-safe.
 */
final class MySqlLoadData {
  /** Below this many rows a multi-row INSERT costs less than LOAD DATA's extra round trip. */
  static final int MIN_ROWS = 64;

  /**
   * Errors that mean LOCAL is refused here (server {@code local_infile=OFF}, client {@code
   * allowLocalInfile=false}, MySQL's "disabled on both sides"): the writer stops trying.
   */
  private static final Set<Integer> REFUSED = Set.of(1148, 3948, 2068, 1235);

  /**
   * The most bytes one read of the stream hands the driver. MariaDB Connector/J (3.5) reads the
   * stream 8192 bytes at a time and sends each read as one packet from a buffer of 8192 bytes that
   * also holds the packet's 4-byte header: a full read grows that buffer to 128 KiB and the flush
   * shrinks it again, two allocations per 8 KiB sent. A read that leaves room for the header is
   * sent from the buffer as it is.
   */
  static final int MAX_READ = 8192 - 4;

  private static final byte[] NULL_FIELD = {'\\', 'N'};
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  private final List<Column> columns;
  private final String sql;

  /** LOCAL is refused here, or a load did not take its rows as sent: write with statements. */
  private boolean refused;

  MySqlLoadData(String table, List<Column> columns) {
    this.columns = List.copyOf(columns);
    this.sql = statement(table, columns);
  }

  /**
   * The statement. MySQL's default field and line format is what the stream writes: fields
   * terminated by a tab, lines by a newline, escaped by a backslash, not enclosed; NULL is {@code
   * \N}. Binary columns travel as hex and are decoded by the server.
   */
  static String statement(String table, List<Column> columns) {
    StringJoiner targets = new StringJoiner(", ", " (", ")");
    StringJoiner decoded = new StringJoiner(", ", " SET ", "");
    for (int i = 0; i < columns.size(); i++) {
      String name = MySqlDialect.quote(columns.get(i).name());
      if (columns.get(i).type().kind() == SqlType.Kind.BLOB) {
        targets.add("@qsync_hex" + i);
        decoded.add(name + " = UNHEX(@qsync_hex" + i + ")");
      } else {
        targets.add(name);
      }
    }
    return "LOAD DATA LOCAL INFILE 'qsync-stream' INTO TABLE "
        + MySqlDialect.quote(table)
        + " CHARACTER SET utf8mb4"
        + targets
        + (decoded.length() > 5 ? decoded.toString() : "");
  }

  /** Whether to load these rows this way: enough of them, and no load refused or declined yet. */
  boolean suits(List<Change> rows) {
    return !refused && rows.size() >= MIN_ROWS;
  }

  /**
   * Loads the rows into the table, in the connection's open transaction. True when every row went
   * in as sent; false when the caller must roll back and write the rows another way.
   *
   * @throws SQLException when the connection fails, or a lock wait or deadlock ends the statement
   */
  boolean load(Connection connection, List<Change> rows) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement
          .unwrap(org.mariadb.jdbc.Statement.class)
          .setLocalInfileInputStream(new RowStream(rows));
      long loaded;
      try {
        loaded = statement.executeLargeUpdate(sql);
      } catch (SQLException e) {
        if (MySqlErrors.isTransient(e)) {
          throw e; // a lost connection, a lock wait or a deadlock: the batch fails as without LOAD
          // DATA
        }
        // Refused, or a value the server would not take even as a warning: the row-exact
        // statements write the batch, or name the row that fails.
        refused |= REFUSED.contains(e.getErrorCode());
        return false;
      }
      boolean exact = loaded == rows.size() && statement.getWarnings() == null;
      // Declined: the row-exact statements write the batch, or fail naming its row. A column
      // that takes no text load (BIT reads the text as bytes) would decline every batch, and a
      // value the table refuses stops the run: either way, the next batches skip LOAD DATA.
      refused |= !exact;
      return exact;
    }
  }

  /**
   * The values of a row the stage sent as LOAD DATA text ({@link Change#text}), as the stage's
   * reader would have decoded them: for the statements that write a batch LOAD DATA declined, and
   * for the messages that name a row.
   */
  Object[] values(byte[] text) {
    Object[] row = new Object[columns.size()];
    int start = 0;
    for (int i = 0; i < row.length; i++) {
      int end = start;
      while (text[end] != '\t' && text[end] != '\n') {
        end++;
      }
      row[i] = value(text, start, end, columns.get(i).type());
      start = end + 1;
    }
    return row;
  }

  private static Object value(byte[] text, int start, int end, SqlType type) {
    if (end - start == 2 && text[start] == '\\' && text[start + 1] == 'N') {
      return null;
    }
    byte[] unescaped = new byte[end - start];
    int length = 0;
    for (int i = start; i < end; i++) {
      byte b = text[i];
      if (b == '\\' && i + 1 < end) {
        b =
            switch (text[++i]) {
              case 't' -> '\t';
              case 'n' -> '\n';
              case 'r' -> '\r';
              case '0' -> 0;
              default -> text[i];
            };
      }
      unescaped[length++] = b;
    }
    String value = new String(unescaped, 0, length, StandardCharsets.UTF_8);
    return switch (type.kind()) {
      case BOOLEAN -> value.equals("1");
      case TINYINT, SMALLINT, INTEGER, BIGINT, UTINYINT, USMALLINT, UINTEGER ->
          Long.parseLong(value);
      case UBIGINT, HUGEINT -> new BigInteger(value);
      case FLOAT -> (float) Double.parseDouble(value); // the float's exact value as a double
      case DOUBLE -> Double.parseDouble(value);
      case DECIMAL -> new BigDecimal(value);
      case VARCHAR, JSON, UUID -> value;
      case BLOB -> java.util.HexFormat.of().parseHex(value);
      case DATE -> LocalDate.parse(value);
      case TIME -> LocalTime.parse(value);
      case TIMESTAMP, TIMESTAMP_UTC -> LocalDateTime.parse(value.replace(' ', 'T'));
    };
  }

  /** The rows in LOAD DATA's default text format, encoded as they are read. */
  private final class RowStream extends InputStream {
    private final List<Change> rows;
    private int next;
    private byte[] buffer = new byte[1 << 14];
    private int length;
    private int position;

    RowStream(List<Change> rows) {
      this.rows = rows;
    }

    @Override
    public int read() {
      if (!fill()) {
        return -1;
      }
      return buffer[position++] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int count) {
      if (count == 0) {
        return 0;
      }
      count = Math.min(count, MAX_READ);
      int copied = 0;
      while (copied < count && fill()) {
        int chunk = Math.min(count - copied, length - position);
        System.arraycopy(buffer, position, target, offset + copied, chunk);
        position += chunk;
        copied += chunk;
      }
      return copied == 0 ? -1 : copied;
    }

    /** Encodes rows until the buffer holds unread bytes; false at the end. */
    private boolean fill() {
      while (position == length) {
        if (next == rows.size()) {
          return false;
        }
        position = 0;
        length = 0;
        while (next < rows.size() && length < (1 << 13)) {
          Change change = rows.get(next++);
          if (change.text() != null) {
            put(change.text()); // made by the stage in this very format
          } else {
            encode(change.row());
          }
        }
      }
      return true;
    }

    private void encode(Object[] row) {
      for (int i = 0; i < row.length; i++) {
        if (i > 0) {
          put((byte) '\t');
        }
        encodeValue(row[i], columns.get(i).type());
      }
      put((byte) '\n');
    }

    private void encodeValue(Object value, SqlType type) {
      if (value == null) {
        put(NULL_FIELD);
        return;
      }
      switch (type.kind()) {
        case BOOLEAN -> put((byte) ((Boolean) value ? '1' : '0'));
        case TINYINT, SMALLINT, INTEGER, BIGINT, UTINYINT, USMALLINT, UINTEGER ->
            ascii(Long.toString(((Number) value).longValue()));
        case UBIGINT, HUGEINT -> ascii(((BigInteger) value).toString());
        // The shortest text that reads back as the same double (Java's toString); the server
        // parses it correctly rounded, so the stored value is the same bits. A float goes as the
        // double it is: its own shortest text (3.4028235E38) parses to a double above the
        // largest float, which a FLOAT column refuses; the double's text is the float exactly.
        case FLOAT -> ascii(Double.toString((Float) value));
        case DOUBLE -> ascii(Double.toString((Double) value));
        case DECIMAL -> ascii(((BigDecimal) value).toPlainString());
        case VARCHAR, JSON, UUID -> escaped(((String) value).getBytes(StandardCharsets.UTF_8));
        case BLOB -> hex((byte[]) value);
        case DATE -> ascii(((LocalDate) value).toString());
        case TIME -> time((LocalTime) value);
        case TIMESTAMP, TIMESTAMP_UTC -> {
          LocalDateTime dateTime = (LocalDateTime) value;
          ascii(dateTime.toLocalDate().toString());
          put((byte) ' ');
          time(dateTime.toLocalTime());
        }
      }
    }

    /** HH:MM:SS.ffffff: microseconds, as DATETIME(6) and TIME(6) hold (nanoseconds truncated). */
    private void time(LocalTime time) {
      two(time.getHour());
      put((byte) ':');
      two(time.getMinute());
      put((byte) ':');
      two(time.getSecond());
      put((byte) '.');
      int micros = time.getNano() / 1000;
      for (int divisor = 100_000; divisor > 0; divisor /= 10) {
        put((byte) ('0' + micros / divisor % 10));
      }
    }

    private void two(int value) {
      put((byte) ('0' + value / 10));
      put((byte) ('0' + value % 10));
    }

    private void ascii(String text) {
      ensure(text.length());
      for (int i = 0; i < text.length(); i++) {
        buffer[length++] = (byte) text.charAt(i);
      }
    }

    /**
     * Escapes the bytes LOAD DATA would read as structure: the escape character, the field and line
     * terminators, carriage return and NUL. A UTF-8 multi-byte sequence never contains a byte below
     * 0x80, so escaping bytes is escaping characters.
     */
    private void escaped(byte[] bytes) {
      ensure(bytes.length * 2);
      for (byte b : bytes) {
        switch (b) {
          case '\\' -> {
            buffer[length++] = '\\';
            buffer[length++] = '\\';
          }
          case '\t' -> {
            buffer[length++] = '\\';
            buffer[length++] = 't';
          }
          case '\n' -> {
            buffer[length++] = '\\';
            buffer[length++] = 'n';
          }
          case '\r' -> {
            buffer[length++] = '\\';
            buffer[length++] = 'r';
          }
          case 0 -> {
            buffer[length++] = '\\';
            buffer[length++] = '0';
          }
          default -> buffer[length++] = b;
        }
      }
    }

    private void hex(byte[] bytes) {
      ensure(bytes.length * 2);
      for (byte b : bytes) {
        buffer[length++] = HEX[(b >> 4) & 0xf];
        buffer[length++] = HEX[b & 0xf];
      }
    }

    private void put(byte b) {
      ensure(1);
      buffer[length++] = b;
    }

    private void put(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buffer, length, bytes.length);
      length += bytes.length;
    }

    private void ensure(int more) {
      if (length + more > buffer.length) {
        buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
      }
    }

    @Override
    public void close() throws IOException {
      next = rows.size();
      position = length;
    }
  }
}
