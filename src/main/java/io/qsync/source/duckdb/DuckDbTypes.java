package io.qsync.source.duckdb;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a DuckDB column type (as {@code DESCRIBE} prints it) onto a {@link SqlType}, and says how
 * the source must project the column so that its values arrive as that type. Pure; thread-safe.
 */
final class DuckDbTypes {
  private static final Pattern DECIMAL = Pattern.compile("DECIMAL\\((\\d+),\\s*(\\d+)\\)");

  /** A TIMESTAMP_NS as the microsecond it falls in (rounded down, whatever its sign). */
  static final String TIMESTAMP_NS_FLOORED =
      "make_timestamp(epoch_ns(%1$s) // 1000"
          + " - CASE WHEN epoch_ns(%1$s) %% 1000 < 0 THEN 1 ELSE 0 END)";

  /**
   * How one result column is read.
   *
   * @param type what the column becomes
   * @param projection a SQL expression over {@code %s} (the quoted column) that yields it
   */
  record Mapping(SqlType type, String projection) {}

  private DuckDbTypes() {}

  static Mapping map(String column, String duckDbType) {
    String upper = duckDbType.toUpperCase(Locale.ROOT).trim();
    Matcher decimal = DECIMAL.matcher(upper);
    if (decimal.matches()) {
      return same(
          SqlType.decimal(Integer.parseInt(decimal.group(1)), Integer.parseInt(decimal.group(2))));
    }
    if (upper.endsWith("]")
        || upper.startsWith("STRUCT")
        || upper.startsWith("MAP")
        || upper.startsWith("UNION")) {
      return new Mapping(SqlType.of(Kind.JSON), "CAST(to_json(%s) AS VARCHAR)");
    }
    if (upper.startsWith("ENUM")) {
      return new Mapping(SqlType.of(Kind.VARCHAR), "CAST(%s AS VARCHAR)");
    }
    return simple(upper)
        .orElseThrow(
            () ->
                new QsyncException(
                    ErrorKind.NEEDS_ACTION,
                    "column '"
                        + column
                        + "' has DuckDB type "
                        + duckDbType
                        + ", which qsync cannot carry to MySQL\n"
                        + "Cast it in the query to a supported type (see the README's type table),"
                        + " e.g. CAST("
                        + column
                        + " AS VARCHAR)."));
  }

  private static Optional<Mapping> simple(String upper) {
    return Optional.ofNullable(
        switch (upper) {
          case "BOOLEAN" -> same(SqlType.of(Kind.BOOLEAN));
          case "TINYINT" -> same(SqlType.of(Kind.TINYINT));
          case "SMALLINT" -> same(SqlType.of(Kind.SMALLINT));
          case "INTEGER" -> same(SqlType.of(Kind.INTEGER));
          case "BIGINT" -> same(SqlType.of(Kind.BIGINT));
          case "UTINYINT" -> same(SqlType.of(Kind.UTINYINT));
          case "USMALLINT" -> same(SqlType.of(Kind.USMALLINT));
          case "UINTEGER" -> same(SqlType.of(Kind.UINTEGER));
          case "UBIGINT" -> same(SqlType.of(Kind.UBIGINT));
          case "HUGEINT", "UHUGEINT" ->
              new Mapping(SqlType.of(Kind.HUGEINT), "CAST(%s AS HUGEINT)");
          case "FLOAT" -> same(SqlType.of(Kind.FLOAT));
          case "DOUBLE" -> same(SqlType.of(Kind.DOUBLE));
          case "VARCHAR" -> same(SqlType.of(Kind.VARCHAR));
          case "BLOB" -> same(SqlType.of(Kind.BLOB));
          case "DATE" -> same(SqlType.of(Kind.DATE));
          case "TIME" -> same(SqlType.of(Kind.TIME));
          // DuckDB's TIMESTAMP is microseconds, as MySQL's DATETIME(6); coarser ones cast exactly.
          case "TIMESTAMP" -> same(SqlType.of(Kind.TIMESTAMP));
          case "TIMESTAMP_S", "TIMESTAMP_MS" ->
              new Mapping(SqlType.of(Kind.TIMESTAMP), "CAST(%s AS TIMESTAMP)");
          // Nanoseconds are truncated to the microsecond they fall in, before 1970 too: DuckDB's
          // CAST divides the nanoseconds since 1970 toward zero, which moves an earlier time up
          // (1969-12-31 23:59:59.9999999 became 1970-01-01 00:00:00). Floor it here.
          case "TIMESTAMP_NS" -> new Mapping(SqlType.of(Kind.TIMESTAMP), TIMESTAMP_NS_FLOORED);
          // An instant: normalised to UTC wall-clock time, whatever the session's zone.
          case "TIMESTAMP WITH TIME ZONE" ->
              new Mapping(SqlType.of(Kind.TIMESTAMP_UTC), "timezone('UTC', %s)");
          case "JSON" -> new Mapping(SqlType.of(Kind.JSON), "CAST(%s AS VARCHAR)");
          case "UUID" -> new Mapping(SqlType.of(Kind.UUID), "CAST(%s AS VARCHAR)");
          default -> null;
        });
  }

  private static Mapping same(SqlType type) {
    return new Mapping(type, "%s");
  }
}
