package io.qsync.source.bigquery;

import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FieldList;
import com.google.cloud.bigquery.LegacySQLTypeName;
import com.google.cloud.bigquery.StandardSQLTypeName;
import io.qsync.duckdb.DuckDbValues;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DuckDB SQL that turns the Storage Read API's Arrow columns, as DuckDB's Arrow import reads
 * them, into the values {@link BigQueryArrowRows} and {@link BigQueryTypes#row} give in Java, so
 * that the stage holds the same values whichever way the rows came. DuckDB reads INT64 as BIGINT,
 * FLOAT64 as DOUBLE (NaN, the infinities and -0 kept), NUMERIC decimal128(38, 9) as DECIMAL(38, 9),
 * BOOL, STRING, JSON, GEOGRAPHY, BYTES, DATE, TIME and DATETIME as themselves, TIMESTAMP as a
 * TIMESTAMP WITH TIME ZONE (taken as its microseconds since the epoch, never through a time zone),
 * INTERVAL month_day_nano as an INTERVAL (nanoseconds cut to microseconds, as Java does) and RANGE
 * as a struct; the last two become BigQuery's text here. A column DuckDB cannot read, or where the
 * SQL would not give the same text, Java renders as text in the batch ({@link #renderedInJava}):
 * BIGNUMERIC (DuckDB's Arrow import takes no decimal256), and ARRAY and STRUCT (qsync's exact JSON
 * of them is Java's). Pure; thread-safe.
 */
final class BigQueryArrowSql {
  private BigQueryArrowSql() {}

  /**
   * The columns whose Arrow DuckDB cannot take, or whose text the SQL would not give as Java does,
   * by their index among {@code fields}, each with why ({@code big (BIGNUMERIC, a decimal256
   * DuckDB's Arrow import cannot read)}): Java renders these as text ({@link BigQueryJavaColumns})
   * in place of their vectors before DuckDB reads a batch. Every field counts, also one that is not
   * passed on (a fingerprint): DuckDB reads the stream's whole schema.
   */
  static Map<Integer, String> renderedInJava(FieldList fields) {
    Map<Integer, String> rendered = new LinkedHashMap<>();
    for (int i = 0; i < fields.size(); i++) {
      Field field = fields.get(i);
      if (field.getMode() == Field.Mode.REPEATED) {
        rendered.put(i, field.getName() + " (ARRAY, as qsync's JSON text)");
      } else if (field.getType() == LegacySQLTypeName.RECORD) {
        rendered.put(i, field.getName() + " (STRUCT, as qsync's JSON text)");
      } else if (field.getType().getStandardType() == StandardSQLTypeName.BIGNUMERIC) {
        rendered.put(
            i, field.getName() + " (BIGNUMERIC, a decimal256 DuckDB's Arrow import cannot read)");
      }
    }
    return rendered;
  }

  /**
   * One expression per column passed on: the first {@code columns} fields, by their Arrow names; a
   * column {@link #renderedInJava} is already its stage value's text.
   */
  static List<String> select(FieldList fields, int columns) {
    Map<Integer, String> rendered = renderedInJava(fields);
    List<String> select = new ArrayList<>(columns);
    for (int i = 0; i < columns; i++) {
      Field field = fields.get(i);
      String column = DuckDbValues.quote(field.getName());
      select.add(rendered.containsKey(i) ? column : value(field, column));
    }
    return select;
  }

  private static String value(Field field, String column) {
    return switch (field.getType().getStandardType()) {
      case TIMESTAMP -> utc(column);
      case INTERVAL -> orNull(column, interval(column));
      case RANGE -> orNull(column, range(field, column));
      default -> column;
    };
  }

  private static String orNull(String column, String text) {
    return "CASE WHEN " + column + " IS NULL THEN NULL ELSE " + text + " END";
  }

  /** A TIMESTAMP WITH TIME ZONE as wall-clock time in UTC, whatever the session's time zone. */
  private static String utc(String timestamp) {
    return "make_timestamp(epoch_us(" + timestamp + "))";
  }

  /**
   * BigQuery's canonical INTERVAL text, "Y-M D H:M:S[.F]" (as {@link BigQueryArrowRows}): DuckDB
   * keeps months, days and microseconds apart, and gives them back by {@code datepart}.
   */
  private static String interval(String interval) {
    String months =
        "(datepart('year', " + interval + ") * 12 + datepart('month', " + interval + "))";
    String micros =
        "(datepart('hour', "
            + interval
            + ") * 3600000000 + datepart('minute', "
            + interval
            + ") * 60000000 + datepart('microseconds', "
            + interval
            + "))";
    String absMicros = "abs" + micros;
    // Every arithmetic in parentheses: DuckDB's // binds no tighter than ||.
    return "CASE WHEN "
        + months
        + " < 0 THEN '-' ELSE '' END || (abs"
        + months
        + " // 12) || '-' || (abs"
        + months
        + " % 12) || ' ' || datepart('day', "
        + interval
        + ") || ' ' || CASE WHEN "
        + micros
        + " < 0 THEN '-' ELSE '' END || ("
        + absMicros
        + " // 3600000000) || ':' || (("
        + absMicros
        + " // 60000000) % 60) || ':' || (("
        + absMicros
        + " // 1000000) % 60) || "
        + fraction("(" + absMicros + " % 1000000)", true);
  }

  /**
   * {@code .ffffff} of a count of microseconds below a second, nothing for none; {@code trimmed}
   * drops its trailing zeros (INTERVAL's text), else it keeps six digits (DATETIME's).
   */
  private static String fraction(String micros, boolean trimmed) {
    String digits = "lpad(CAST(" + micros + " AS VARCHAR), 6, '0')";
    return "CASE WHEN "
        + micros
        + " = 0 THEN '' ELSE '.' || "
        + (trimmed ? "rtrim(" + digits + ", '0')" : digits)
        + " END";
  }

  /** A RANGE, DuckDB's struct of start and end (NULL: unbounded), as "[start, end)". */
  private static String range(Field field, String range) {
    String element = field.getRangeElementType().getType();
    return "'[' || "
        + bound(element, "struct_extract_at(" + range + ", 1)")
        + " || ', ' || "
        + bound(element, "struct_extract_at(" + range + ", 2)")
        + " || ')'";
  }

  private static String bound(String element, String bound) {
    String text =
        switch (element) {
          case "DATE" -> "CAST(" + bound + " AS VARCHAR)";
          case "DATETIME" -> dateTime(bound, "T");
          // RANGE<TIMESTAMP>: as a TIMESTAMP's text in a query result, "2024-01-31 12:00:00 UTC".
          default -> dateTime(utc(bound), " ") + " || ' UTC'";
        };
    return "coalesce(" + text + ", 'UNBOUNDED')";
  }

  /** A TIMESTAMP as "2024-01-31T12:00:00[.ffffff]", with {@code separator} before the time. */
  private static String dateTime(String timestamp, String separator) {
    return "strftime("
        + timestamp
        + ", '%Y-%m-%d"
        + separator
        + "%H:%M:%S') || "
        + fraction("(datepart('microseconds', " + timestamp + ") % 1000000)", false);
  }
}
