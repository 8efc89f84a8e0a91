package io.qsync.duckdb;

import io.qsync.row.SqlType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import org.duckdb.DuckDBAppender;

/**
 * Moves values between DuckDB and the Java types of {@link SqlType.Kind}, both ways. The source
 * reads with it, and so does the stage, which keeps every column in {@link SqlType#duckDbName()}.
 * Stateless and thread-safe.
 */
public final class DuckDbValues {
  private DuckDbValues() {}

  /** Reads column {@code index} (1-based) of the current row as the Java type of its kind. */
  public static Object read(ResultSet resultSet, int index, SqlType type) throws SQLException {
    Object value =
        switch (type.kind()) {
          case BOOLEAN -> resultSet.getBoolean(index);
          case TINYINT, SMALLINT, INTEGER, BIGINT, UTINYINT, USMALLINT, UINTEGER ->
              resultSet.getLong(index);
          case UBIGINT, HUGEINT -> toBigInteger(resultSet.getObject(index));
          case FLOAT -> resultSet.getFloat(index);
          case DOUBLE -> resultSet.getDouble(index);
          case DECIMAL ->
              type.precision() > SqlType.MAX_DUCKDB_DECIMAL
                  ? decimalText(resultSet.getString(index))
                  : resultSet.getBigDecimal(index);
          case VARCHAR, JSON, UUID -> resultSet.getString(index);
          case BLOB -> resultSet.getBytes(index);
          // getObject(i, LocalDate.class) goes through java.sql.Date and the Julian calendar
          // (1582-10-10 became 1582-10-20, year 0 became year 1); plain getObject is exact.
          case DATE -> toLocalDate(resultSet.getObject(index));
          case TIME -> toLocalTime(resultSet.getObject(index));
          case TIMESTAMP, TIMESTAMP_UTC -> resultSet.getObject(index, LocalDateTime.class);
        };
    return resultSet.wasNull() ? null : value;
  }

  private static LocalDate toLocalDate(Object value) {
    if (value == null || value instanceof LocalDate) {
      return (LocalDate) value;
    }
    return LocalDate.parse(value.toString());
  }

  /** DuckDB's JDBC driver refuses getObject(i, LocalTime.class) but hands out a LocalTime. */
  private static LocalTime toLocalTime(Object value) {
    if (value == null || value instanceof LocalTime) {
      return (LocalTime) value;
    }
    if (value instanceof java.sql.Time time) {
      return time.toLocalTime();
    }
    return LocalTime.parse(value.toString());
  }

  private static BigDecimal decimalText(String text) {
    return text == null ? null : new BigDecimal(text);
  }

  private static BigInteger toBigInteger(Object value) {
    if (value == null || value instanceof BigInteger) {
      return (BigInteger) value;
    }
    return new BigInteger(value.toString());
  }

  /** A DuckDB identifier, quoted. */
  public static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** Appends one value of the given type to the appender's current row. */
  public static void append(DuckDBAppender appender, Object value, SqlType type)
      throws SQLException {
    if (value == null) {
      appender.appendNull();
      return;
    }
    switch (type.kind()) {
      case BOOLEAN -> appender.append((boolean) (Boolean) value);
      case TINYINT -> appender.append((byte) ((Number) value).longValue());
      case SMALLINT, UTINYINT -> appender.append((short) ((Number) value).longValue());
      case INTEGER, USMALLINT -> appender.append((int) ((Number) value).longValue());
      case BIGINT, UINTEGER -> appender.append(((Number) value).longValue());
      case UBIGINT, HUGEINT -> appender.append(asBigInteger(value));
      case FLOAT -> appender.append(((Number) value).floatValue());
      case DOUBLE -> appender.append(((Number) value).doubleValue());
      case DECIMAL -> {
        BigDecimal scaled = asBigDecimal(value).setScale(type.scale());
        if (type.precision() > SqlType.MAX_DUCKDB_DECIMAL) {
          appender.append(wideDecimal(scaled, type));
        } else {
          appender.append(scaled);
        }
      }
      case VARCHAR, JSON, UUID -> appender.append(value.toString());
      case BLOB -> appender.append((byte[]) value);
      case DATE -> appender.append((LocalDate) value);
      case TIME -> appender.append((LocalTime) value);
      case TIMESTAMP, TIMESTAMP_UTC -> appender.append((LocalDateTime) value);
    }
  }

  /**
   * A decimal as the stage keeps one wider than DuckDB's DECIMAL ({@link SqlType#duckDbName}): its
   * plain text at the column's scale.
   */
  public static String wideDecimal(BigDecimal value, SqlType type) {
    return value.setScale(type.scale()).toPlainString();
  }

  private static BigInteger asBigInteger(Object value) {
    return value instanceof BigInteger big ? big : new BigInteger(value.toString());
  }

  private static BigDecimal asBigDecimal(Object value) {
    return value instanceof BigDecimal decimal ? decimal : new BigDecimal(value.toString());
  }
}
