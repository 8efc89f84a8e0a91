package io.qsync.testing.bigquery;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qsync.testing.bigquery.BigQueryFields.Field;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Encodes values as BigQuery's REST API does in {@code tabledata.list} and {@code
 * jobs.getQueryResults}: a row is {@code {"f":[{"v":...}]}}, every scalar a JSON string, NULL a
 * JSON null, a REPEATED field {@code {"v":[{"v":...}]}} and a RECORD {@code {"v":{"f":[...]}}}
 * (cloud.google.com/bigquery/docs/reference/rest/v2/tabledata/list, "rows[]: ... f[].v"). The
 * scalar forms are those the API documents and Google's clients parse (cited per type below). Pure;
 * thread-safe.
 */
final class BigQueryValues {
  /** Reads DuckDB's to_json; its decimals stay exact (as BigDecimal, never through a double). */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private BigQueryValues() {}

  /**
   * The SQL expression the emulator selects for a top-level column, so that its JDBC value is a
   * string this class can encode without loss (DuckDB's JDBC date and time objects go through
   * java.sql types and their calendars; strings do not).
   */
  static String projection(Field field, String quotedColumn) {
    if (field.repeated() || field.type().equals("RECORD")) {
      return "CAST(to_json(" + quotedColumn + ") AS VARCHAR)";
    }
    return switch (field.type()) {
      case "BYTES" -> "base64(" + quotedColumn + ")";
      case "DATETIME" -> "strftime(" + quotedColumn + ", '%Y-%m-%dT%H:%M:%S.%f')";
      case "TIMESTAMP" -> "CAST(epoch_us(" + quotedColumn + ") AS VARCHAR)";
      case "INTERVAL" ->
          "CAST(datepart('year', "
              + quotedColumn
              + ") * 12 + datepart('month', "
              + quotedColumn
              + ") AS VARCHAR) || ' ' || CAST(datepart('day', "
              + quotedColumn
              + ") AS VARCHAR)"
              + " || ' ' || CAST((datepart('hour', "
              + quotedColumn
              + ") * 3600::BIGINT"
              + " + datepart('minute', "
              + quotedColumn
              + ") * 60) * 1000000 + datepart('microseconds', "
              + quotedColumn
              + ") AS VARCHAR)";
      case "FLOAT" -> "CAST(" + quotedColumn + " AS DOUBLE)";
      // JSON: BigQuery returns JSON values minified ({"a":[1]}); json() minifies.
      case "JSON" -> "CAST(json(" + quotedColumn + ") AS VARCHAR)";
      default -> "CAST(" + quotedColumn + " AS VARCHAR)";
    };
  }

  /** One cell of a top-level column, from the value {@link #projection} selected. */
  static JsonNode cell(Field field, Object selected, boolean int64Timestamps) {
    ObjectNode cell = JsonNodeFactory.instance.objectNode();
    if (selected == null && field.repeated()) {
      // "BigQuery translates a NULL ARRAY into an empty ARRAY in the query result"
      // (cloud.google.com/bigquery/docs/reference/standard-sql/data-types#array_nulls).
      cell.putArray("v");
      return cell;
    }
    if (selected == null) {
      cell.putNull("v");
      return cell;
    }
    if (field.repeated() || field.type().equals("RECORD")) {
      try {
        cell.set("v", nested(field, JSON.readTree(selected.toString()), int64Timestamps));
      } catch (java.io.IOException e) {
        throw new IllegalStateException("DuckDB's to_json gave no JSON: " + selected, e);
      }
      return cell;
    }
    cell.put("v", scalar(field.type(), selected, int64Timestamps));
    return cell;
  }

  private static JsonNode nested(Field field, JsonNode value, boolean int64Timestamps) {
    if (value == null || value.isNull()) {
      return JsonNodeFactory.instance.nullNode();
    }
    if (field.repeated()) {
      // REPEATED: {"v": [{"v": element}, ...]}
      ArrayNode elements = JsonNodeFactory.instance.arrayNode();
      Field element = field.element();
      for (JsonNode item : value) {
        elements.addObject().set("v", nested(element, item, int64Timestamps));
      }
      return elements;
    }
    if (field.type().equals("RECORD")) {
      // RECORD: {"v": {"f": [{"v": child}, ...]}}
      ObjectNode record = JsonNodeFactory.instance.objectNode();
      ArrayNode cells = record.putArray("f");
      for (Field child : field.fields()) {
        cells.addObject().set("v", nested(child, value.get(child.name()), int64Timestamps));
      }
      return record;
    }
    Object text =
        switch (field.type()) {
          case "TIMESTAMP" ->
              Long.toString(
                  micros(
                      OffsetDateTime.parse(
                          value.asText().replace(' ', 'T').replaceAll("([+-]\\d\\d)$", "$1:00"))));
          // As a top-level DATETIME: six fraction digits, none when they are all zeros.
          case "DATETIME" ->
              LocalDateTime.parse(value.asText().replace(' ', 'T'))
                  .format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS"));
          // BYTES: base64 at any depth; DuckDB's to_json writes a BLOB as its text, \xHH escapes.
          case "BYTES" -> Base64.getEncoder().encodeToString(blob(value.asText()));
          case "FLOAT" -> value.isNumber() ? value.doubleValue() : Double.valueOf(value.asText());
          case "STRING", "JSON", "DATE", "TIME", "GEOGRAPHY" ->
              value.isTextual() ? value.asText() : value.toString();
          default -> value.isTextual() ? value.asText() : value.toString();
        };
    return JsonNodeFactory.instance.textNode(scalar(field.type(), text, int64Timestamps));
  }

  /** DuckDB's text of a BLOB: printable ASCII as itself, other bytes as {@code \xHH}. */
  private static byte[] blob(String text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      if (text.startsWith("\\x", i) && i + 4 <= text.length()) {
        bytes.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
        i += 3;
      } else {
        bytes.write(text.charAt(i));
      }
    }
    return bytes.toByteArray();
  }

  private static long micros(OffsetDateTime time) {
    return ChronoUnit.MICROS.between(java.time.Instant.EPOCH, time.toInstant());
  }

  private static String scalar(String type, Object value, boolean int64Timestamps) {
    String text = value.toString();
    return switch (type) {
      // INT64: a decimal string, so values beyond 2^53 survive JSON ("int64 ... as a string";
      // cloud.google.com/bigquery/docs/reference/rest/v2/tabledata/list).
      case "INTEGER" -> new BigInteger(text).toString();
      // FLOAT64: a string that may be "NaN", "Infinity" or "-Infinity" (JSON has no number for
      // them); Google's Java client parses it with Double.parseDouble (FieldValue.getDoubleValue).
      case "FLOAT" ->
          Double.toString(
              value instanceof Number number ? number.doubleValue() : Double.parseDouble(text));
      // NUMERIC / BIGNUMERIC: an exact decimal string, without trailing zeros
      // (FieldValue.getNumericValue parses it with new BigDecimal).
      case "NUMERIC", "BIGNUMERIC" -> canonicalDecimal(text);
      // BOOL: "true" or "false".
      case "BOOLEAN" -> Boolean.toString(text.equalsIgnoreCase("true"));
      // TIMESTAMP: float seconds since the epoch ("1.40845209522E9") unless the request set
      // formatOptions.useInt64Timestamp, then int64 microseconds
      // (cloud.google.com/bigquery/docs/reference/rest/v2/DataFormatOptions: "Output timestamp
      // as usec int64. Default is false.").
      case "TIMESTAMP" -> int64Timestamps ? text : floatSeconds(Long.parseLong(text));
      // DATETIME: "YYYY-MM-DDTHH:MM:SS[.FFFFFF]" (civil time, 'T' separator).
      case "DATETIME" -> trimMicros(text);
      // TIME: "HH:MM:SS[.FFFFFF]".
      case "TIME" -> trimMicros(text);
      // INTERVAL: BigQuery's canonical "Y-M D H:M:S[.F]" form
      // (cloud.google.com/bigquery/docs/reference/standard-sql/data-types#interval_type).
      case "INTERVAL" -> interval(text);
      // BYTES: base64 (the projection encodes it); DATE "YYYY-MM-DD"; STRING, JSON, GEOGRAPHY
      // (WKT) and RANGE ("[start, end)" with UNBOUNDED) as their text.
      default -> text;
    };
  }

  static String canonicalDecimal(String text) {
    BigDecimal decimal = new BigDecimal(text);
    if (decimal.signum() == 0) {
      return "0";
    }
    return decimal.stripTrailingZeros().toPlainString();
  }

  /** Seconds as BigQuery writes them: 1408452095220000 us -> "1.40845209522E9", exactly. */
  static String floatSeconds(long micros) {
    if (micros == 0) {
      return "0.0";
    }
    BigDecimal seconds = new BigDecimal(BigInteger.valueOf(micros), 6).stripTrailingZeros();
    String digits = seconds.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - seconds.scale();
    String mantissa = digits.charAt(0) + "." + (digits.length() > 1 ? digits.substring(1) : "0");
    return (micros < 0 ? "-" : "") + mantissa + "E" + exponent;
  }

  private static String trimMicros(String text) {
    return text.endsWith(".000000") ? text.substring(0, text.length() - 7) : text;
  }

  private static String interval(String monthsDaysMicros) {
    String[] parts = monthsDaysMicros.split(" ");
    long months = Long.parseLong(parts[0]);
    long days = Long.parseLong(parts[1]);
    long micros = Long.parseLong(parts[2]);
    long absMonths = Math.abs(months);
    long absMicros = Math.abs(micros);
    long hours = absMicros / 3_600_000_000L;
    long minutes = absMicros / 60_000_000L % 60;
    long seconds = absMicros / 1_000_000L % 60;
    long fraction = absMicros % 1_000_000L;
    String time =
        hours
            + ":"
            + minutes
            + ":"
            + seconds
            + (fraction == 0
                ? ""
                : "." + String.format(Locale.ROOT, "%06d", fraction).replaceAll("0+$", ""));
    return (months < 0 ? "-" : "")
        + absMonths / 12
        + "-"
        + absMonths % 12
        + " "
        + days
        + " "
        + (micros < 0 ? "-" : "")
        + time;
  }

  static ObjectNode row(List<Field> fields, Object[] values, boolean int64Timestamps) {
    ObjectNode row = JsonNodeFactory.instance.objectNode();
    ArrayNode cells = row.putArray("f");
    for (int i = 0; i < fields.size(); i++) {
      cells.add(cell(fields.get(i), values[i], int64Timestamps));
    }
    return row;
  }
}
