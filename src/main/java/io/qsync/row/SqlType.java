package io.qsync.row;

import static java.util.Objects.requireNonNull;

/**
 * A column's type as qsync carries it from source to target, whatever the source's own type system.
 * Each source maps its types onto these; the target maps these onto its own (see the README's type
 * table). Values of each kind travel as one Java type, named beside it.
 *
 * @param precision digits for {@link Kind#DECIMAL}, else 0
 * @param scale digits after the point for {@link Kind#DECIMAL}, else 0
 */
public record SqlType(Kind kind, int precision, int scale) {

  /** The kinds of value qsync moves, with the Java type that carries each. */
  public enum Kind {
    BOOLEAN, // Boolean
    TINYINT, // Long (all integer kinds travel as Long)
    SMALLINT,
    INTEGER,
    BIGINT,
    UTINYINT,
    USMALLINT,
    UINTEGER,
    UBIGINT, // BigInteger
    HUGEINT, // BigInteger
    FLOAT, // Float
    DOUBLE, // Double
    DECIMAL, // BigDecimal
    VARCHAR, // String
    BLOB, // byte[]
    DATE, // LocalDate
    TIME, // LocalTime
    TIMESTAMP, // LocalDateTime, a wall-clock time with no zone
    TIMESTAMP_UTC, // LocalDateTime in UTC: an instant, normalised by the source
    JSON, // String holding JSON text
    UUID; // String, 36 characters
  }

  public SqlType {
    requireNonNull(kind, "kind is null");
    if (kind != Kind.DECIMAL && (precision != 0 || scale != 0)) {
      throw new IllegalArgumentException("only DECIMAL has precision and scale: " + kind);
    }
  }

  /** The widest DECIMAL DuckDB has; wider ones are staged as text (see {@link #duckDbName()}). */
  public static final int MAX_DUCKDB_DECIMAL = 38;

  public static SqlType of(Kind kind) {
    return new SqlType(kind, 0, 0);
  }

  public static SqlType decimal(int precision, int scale) {
    return new SqlType(Kind.DECIMAL, precision, scale);
  }

  /** The type as DuckDB spells it; the stage stores every column in this type. */
  public String duckDbName() {
    return switch (kind) {
      // DuckDB's DECIMAL stops at 38 digits. A wider one (BigQuery's BIGNUMERIC, as MySQL's
      // DECIMAL(65,30)) is kept as its plain text at the column's scale: equal values, equal text.
      case DECIMAL ->
          precision > MAX_DUCKDB_DECIMAL ? "VARCHAR" : "DECIMAL(" + precision + "," + scale + ")";
      case TIMESTAMP, TIMESTAMP_UTC -> "TIMESTAMP";
      // DuckDB's appender takes no unsigned Java values: keep them in the next wider signed type.
      case UTINYINT -> "SMALLINT";
      case USMALLINT -> "INTEGER";
      case UINTEGER -> "BIGINT";
      case UBIGINT -> "HUGEINT";
      case JSON, UUID -> "VARCHAR";
      default -> kind.name();
    };
  }

  @Override
  public String toString() {
    return kind == Kind.DECIMAL ? "DECIMAL(" + precision + "," + scale + ")" : kind.name();
  }
}
