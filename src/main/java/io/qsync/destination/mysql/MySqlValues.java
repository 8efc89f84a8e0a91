package io.qsync.destination.mysql;

import io.qsync.row.SqlType;
import io.qsync.row.Unrepresentable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.LocalTime;

/**
 * Moves values between Connector/J and the Java types of {@link SqlType.Kind}. Reading converts the
 * target's value to the source column's type, so the stage compares like with like. Stateless.
 */
final class MySqlValues {
  private MySqlValues() {}

  /**
   * How to select a column so that {@link #read} gets its exact value. Dates and times come as
   * text: Connector/J converts them through the JVM's time zone, and a wall-clock time in a
   * daylight-saving gap there (02:30 on the night clocks jump) would come back an hour off. A DATE
   * is read with its time of day, which a DATETIME column holding it may have (edited by hand).
   * FLOAT comes as DOUBLE: as text MariaDB sends it with 6 significant digits only, and a DOUBLE
   * column holding it may hold a double that is no float.
   */
  static String selectExpression(String quotedColumn, SqlType type) {
    return switch (type.kind()) {
      case TIMESTAMP, TIMESTAMP_UTC, DATE ->
          "DATE_FORMAT(" + quotedColumn + ", '%Y-%m-%d %H:%i:%s.%f')";
      case TIME -> "TIME_FORMAT(" + quotedColumn + ", '%H:%i:%s.%f')";
      case FLOAT -> "CAST(" + quotedColumn + " AS DOUBLE)";
      default -> quotedColumn;
    };
  }

  /** How {@link #read} takes a column's numbers from the driver. */
  enum Numbers {
    /**
     * Whole numbers a {@code long} holds exactly: an integer column, signed or narrower than
     * BIGINT. Taken with {@code getLong}; through {@code getBigDecimal} the driver formats each
     * number as text and parses it back, which was a tenth of the time spent reading the target.
     */
    LONG,
    /** A BIT column: its bits as an unsigned number (the driver reads BIT(64) as signed). */
    BITS,
    /** Anything else, taken with {@code getBigDecimal}. */
    DECIMAL
  }

  /** How to read the numbers of column {@code index} of a result. */
  static Numbers numbers(ResultSetMetaData columns, int index) throws SQLException {
    if (columns.getColumnTypeName(index).equalsIgnoreCase("BIT")) {
      return Numbers.BITS;
    }
    return switch (columns.getColumnType(index)) {
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER -> Numbers.LONG;
      case Types.BIGINT -> columns.isSigned(index) ? Numbers.LONG : Numbers.DECIMAL;
      default -> Numbers.DECIMAL;
    };
  }

  /**
   * Reads a column selected by {@link #selectExpression} as the Java type of its kind, exactly: a
   * stored value the kind cannot hold without change (a hand-edited 7.25 in a column the query
   * fills with whole numbers) reads as {@link Unrepresentable#VALUE}, so its row counts as changed.
   *
   * @param numbers what {@link #numbers} says of the column
   */
  static Object read(ResultSet rows, int index, SqlType type, Numbers numbers) throws SQLException {
    Object value =
        switch (type.kind()) {
          case BOOLEAN -> bool(wholeNumber(rows, index, numbers));
          case TINYINT,
              SMALLINT,
              INTEGER,
              BIGINT,
              UTINYINT,
              USMALLINT,
              UINTEGER,
              UBIGINT,
              HUGEINT ->
              numbers == Numbers.LONG
                  ? integer(rows.getLong(index), type.kind())
                  : integer(wholeNumber(rows, index, numbers), type.kind());
          case FLOAT -> single(rows.getDouble(index));
          case DOUBLE -> rows.getDouble(index);
          case DECIMAL ->
              decimal(
                  numbers == Numbers.BITS
                      ? wholeNumber(rows, index, numbers)
                      : rows.getBigDecimal(index),
                  type);
          case VARCHAR, JSON, UUID -> rows.getString(index);
          case BLOB -> rows.getBytes(index);
          case DATE -> parse(rows.getString(index), MySqlValues::date);
          case TIME -> parse(rows.getString(index), LocalTime::parse);
          case TIMESTAMP, TIMESTAMP_UTC -> parse(rows.getString(index), MySqlValues::dateTime);
        };
    return rows.wasNull() ? null : value;
  }

  private static BigDecimal wholeNumber(ResultSet rows, int index, Numbers numbers)
      throws SQLException {
    return switch (numbers) {
      case LONG -> BigDecimal.valueOf(rows.getLong(index));
      case BITS -> new BigDecimal(Long.toUnsignedString(rows.getLong(index)));
      case DECIMAL -> rows.getBigDecimal(index);
    };
  }

  /** A double that is a float exactly, as that float; else unrepresentable. */
  private static Object single(double value) {
    float single = (float) value;
    return (double) single == value ? (Object) single : Unrepresentable.VALUE;
  }

  /** A date at midnight (all a DATE column holds) as that date; else unrepresentable. */
  private static Object date(String text) {
    LocalDateTime dateTime = dateTime(text);
    return dateTime.toLocalTime().equals(LocalTime.MIDNIGHT)
        ? dateTime.toLocalDate()
        : Unrepresentable.VALUE;
  }

  private static Object bool(BigDecimal value) {
    if (value == null) {
      return null;
    }
    int sign = value.signum();
    if (sign == 0) {
      return false;
    }
    return value.compareTo(BigDecimal.ONE) == 0 ? (Object) true : Unrepresentable.VALUE;
  }

  /** A whole number within the kind's range, as the kind's Java type; else unrepresentable. */
  private static Object integer(BigDecimal value, SqlType.Kind kind) {
    if (value == null) {
      return null;
    }
    BigInteger whole;
    try {
      whole = value.toBigIntegerExact();
    } catch (ArithmeticException fraction) {
      return Unrepresentable.VALUE;
    }
    boolean fits =
        switch (kind) {
          case TINYINT -> whole.bitLength() <= 7;
          case SMALLINT -> whole.bitLength() <= 15;
          case INTEGER -> whole.bitLength() <= 31;
          case BIGINT -> whole.bitLength() <= 63;
          case HUGEINT -> whole.bitLength() <= 127;
          case UTINYINT -> whole.signum() >= 0 && whole.bitLength() <= 8;
          case USMALLINT -> whole.signum() >= 0 && whole.bitLength() <= 16;
          case UINTEGER -> whole.signum() >= 0 && whole.bitLength() <= 32;
          case UBIGINT -> whole.signum() >= 0 && whole.bitLength() <= 64;
          default -> throw new IllegalArgumentException("not an integer kind: " + kind);
        };
    if (!fits) {
      return Unrepresentable.VALUE;
    }
    return kind == SqlType.Kind.UBIGINT || kind == SqlType.Kind.HUGEINT
        ? (Object) whole
        : (Object) whole.longValueExact();
  }

  /** As {@link #integer(BigDecimal, SqlType.Kind)}, for a value read as a long. */
  private static Object integer(long value, SqlType.Kind kind) {
    boolean fits =
        switch (kind) {
          case TINYINT -> value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE;
          case SMALLINT -> value >= Short.MIN_VALUE && value <= Short.MAX_VALUE;
          case INTEGER -> value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
          case BIGINT, HUGEINT -> true;
          case UTINYINT -> value >= 0 && value <= 0xFF;
          case USMALLINT -> value >= 0 && value <= 0xFFFF;
          case UINTEGER -> value >= 0 && value <= 0xFFFF_FFFFL;
          case UBIGINT -> value >= 0;
          default -> throw new IllegalArgumentException("not an integer kind: " + kind);
        };
    if (!fits) {
      return Unrepresentable.VALUE;
    }
    return kind == SqlType.Kind.UBIGINT || kind == SqlType.Kind.HUGEINT
        ? (Object) BigInteger.valueOf(value)
        : (Object) value;
  }

  /** A decimal that fits the kind's precision and scale without rounding; else unrepresentable. */
  private static Object decimal(BigDecimal value, SqlType type) {
    if (value == null) {
      return null;
    }
    BigDecimal scaled;
    try {
      scaled = value.setScale(type.scale());
    } catch (ArithmeticException needsRounding) {
      return Unrepresentable.VALUE;
    }
    return scaled.precision() > type.precision() && scaled.signum() != 0
        ? Unrepresentable.VALUE
        : scaled;
  }

  /**
   * Parses {@code yyyy-MM-dd HH:mm:ss.ffffff}, the shape {@link #selectExpression} asks for, by
   * hand: {@code LocalDateTime.parse} cost a quarter of the time spent reading the target. Any
   * other shape goes to {@code LocalDateTime.parse}, which decides as before.
   */
  static LocalDateTime dateTime(String text) {
    if (text.length() == 26
        && text.charAt(4) == '-'
        && text.charAt(7) == '-'
        && text.charAt(10) == ' '
        && text.charAt(13) == ':'
        && text.charAt(16) == ':'
        && text.charAt(19) == '.') {
      int year = digits(text, 0, 4);
      int month = digits(text, 5, 7);
      int day = digits(text, 8, 10);
      int hour = digits(text, 11, 13);
      int minute = digits(text, 14, 16);
      int second = digits(text, 17, 19);
      int micros = digits(text, 20, 26);
      if ((year | month | day | hour | minute | second | micros) >= 0) {
        try {
          return LocalDateTime.of(year, month, day, hour, minute, second, micros * 1000);
        } catch (java.time.DateTimeException e) {
          // A zero date or a day the month lacks: as LocalDateTime.parse would refuse it.
          throw new java.time.format.DateTimeParseException(e.getMessage(), text, 0, e);
        }
      }
    }
    return LocalDateTime.parse(text.replace(' ', 'T'));
  }

  /** The decimal number in {@code text[from, to)}, or -1 when a character is not a digit. */
  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      int digit = text.charAt(i) - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      value = value * 10 + digit;
    }
    return value;
  }

  /**
   * A stored value Java cannot represent (a zero date, a TIME beyond 24 hours, both set by hand) is
   * unrepresentable: its row differs from any source row and is rewritten.
   */
  private static Object parse(String text, java.util.function.Function<String, ?> parser) {
    if (text == null) {
      return null;
    }
    try {
      return parser.apply(text);
    } catch (java.time.format.DateTimeParseException e) {
      return Unrepresentable.VALUE;
    }
  }

  static void bind(PreparedStatement statement, int index, Object value, SqlType type)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.NULL);
      return;
    }
    switch (type.kind()) {
      case BOOLEAN -> statement.setBoolean(index, (Boolean) value);
      case TINYINT, SMALLINT, INTEGER, BIGINT, UTINYINT, USMALLINT, UINTEGER ->
          statement.setLong(index, ((Number) value).longValue());
      case UBIGINT, HUGEINT -> statement.setBigDecimal(index, new BigDecimal((BigInteger) value));
      // As the double the float widens to: the driver sends it as its shortest decimal text,
      // which the server reads back as exactly that double and stores as exactly the float (the
      // float's own shortest text may read as another float, or above FLT_MAX for the largest),
      // and which a FLOAT column equals in a comparison (WHERE k = ?), as a key needs.
      case FLOAT -> statement.setDouble(index, ((Float) value).doubleValue());
      case DOUBLE -> statement.setDouble(index, (Double) value);
      case DECIMAL -> statement.setBigDecimal(index, (BigDecimal) value);
      case VARCHAR, JSON, UUID -> statement.setString(index, (String) value);
      case BLOB -> statement.setBytes(index, (byte[]) value);
      case DATE, TIME, TIMESTAMP, TIMESTAMP_UTC -> statement.setObject(index, value);
    }
  }
}
