package io.qsync.target.mysql;

import io.qsync.source.SqlType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;

/**
 * Moves values between Connector/J and the Java types of {@link SqlType.Kind}. Reading converts
 * the target's value to the source column's type, so the stage compares like with like. Stateless.
 */
final class MySqlValues {
  private MySqlValues() {}

  static Object read(ResultSet rows, int index, SqlType type) throws SQLException {
    Object value =
        switch (type.kind()) {
          case BOOLEAN -> rows.getBoolean(index);
          case TINYINT, SMALLINT, INTEGER, BIGINT, UTINYINT, USMALLINT, UINTEGER ->
              rows.getLong(index);
          case UBIGINT, HUGEINT -> toBigInteger(rows.getBigDecimal(index));
          case FLOAT -> rows.getFloat(index);
          case DOUBLE -> rows.getDouble(index);
          case DECIMAL -> rows.getBigDecimal(index);
          case VARCHAR, JSON, UUID -> rows.getString(index);
          case BLOB -> rows.getBytes(index);
          case DATE -> rows.getObject(index, LocalDate.class);
          case TIME -> rows.getObject(index, LocalTime.class);
          case TIMESTAMP, TIMESTAMP_UTC -> rows.getObject(index, LocalDateTime.class);
        };
    return rows.wasNull() ? null : value;
  }

  private static BigInteger toBigInteger(BigDecimal value) {
    return value == null ? null : value.toBigInteger();
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
      case FLOAT -> statement.setFloat(index, (Float) value);
      case DOUBLE -> statement.setDouble(index, (Double) value);
      case DECIMAL -> statement.setBigDecimal(index, (BigDecimal) value);
      case VARCHAR, JSON, UUID -> statement.setString(index, (String) value);
      case BLOB -> statement.setBytes(index, (byte[]) value);
      case DATE, TIME, TIMESTAMP, TIMESTAMP_UTC -> statement.setObject(index, value);
    }
  }
}
