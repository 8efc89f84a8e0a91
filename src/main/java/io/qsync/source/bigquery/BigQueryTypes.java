package io.qsync.source.bigquery;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FieldList;
import com.google.cloud.bigquery.FieldValue;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.LegacySQLTypeName;
import com.google.cloud.bigquery.StandardSQLTypeName;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * BigQuery's types as qsync carries them (the README's type table), and the values of a result row
 * in the Java types of {@link SqlType.Kind}. Pure; thread-safe.
 */
final class BigQueryTypes {
  /** NUMERIC is DECIMAL(38, 9): 29 digits before the point, 9 after. */
  static final SqlType NUMERIC = SqlType.decimal(38, 9);

  /** BIGNUMERIC (76 digits, 38 after the point) goes to MySQL's widest: DECIMAL(65, 30). */
  static final SqlType BIGNUMERIC = SqlType.decimal(65, 30);

  /** Writes decimals as their digits (0.0000001, never 1E-7). */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final java.time.format.DateTimeFormatter TIMESTAMP_JSON =
      java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT);

  private BigQueryTypes() {}

  /** The result's columns; a type qsync cannot carry stops the run before anything is read. */
  static List<Column> columns(FieldList fields) {
    List<Column> columns = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Field field : fields) {
      if (!seen.add(field.getName().toLowerCase(Locale.ROOT))) {
        throw new QsyncException(
            ErrorKind.NEEDS_ACTION,
            "the query returns a column named '"
                + field.getName()
                + "' more than once (MySQL column"
                + " names ignore case)\nGive each result column its own name with AS.");
      }
      columns.add(new Column(field.getName(), type(field)));
    }
    return columns;
  }

  static SqlType type(Field field) {
    if (field.getMode() == Field.Mode.REPEATED || field.getType() == LegacySQLTypeName.RECORD) {
      return SqlType.of(Kind.JSON);
    }
    StandardSQLTypeName type = field.getType().getStandardType();
    return switch (type) {
      case INT64 -> SqlType.of(Kind.BIGINT);
      case FLOAT64 -> SqlType.of(Kind.DOUBLE);
      case NUMERIC -> numeric(field);
      // MySQL's widest decimal; a value beyond it stops the run (see bigNumeric).
      case BIGNUMERIC -> BIGNUMERIC;
      case BOOL -> SqlType.of(Kind.BOOLEAN);
      case STRING, GEOGRAPHY, INTERVAL, RANGE -> SqlType.of(Kind.VARCHAR);
      case BYTES -> SqlType.of(Kind.BLOB);
      case DATE -> SqlType.of(Kind.DATE);
      case TIME -> SqlType.of(Kind.TIME);
      case DATETIME -> SqlType.of(Kind.TIMESTAMP);
      case TIMESTAMP -> SqlType.of(Kind.TIMESTAMP_UTC);
      case JSON -> SqlType.of(Kind.JSON);
      default ->
          throw new QsyncException(
              ErrorKind.NEEDS_ACTION,
              "column '"
                  + field.getName()
                  + "' has BigQuery type "
                  + type
                  + ", which qsync cannot"
                  + " carry to MySQL\nCast it in the query to a supported type (see the README's type"
                  + " table), e.g. CAST("
                  + field.getName()
                  + " AS STRING).");
    };
  }

  /** NUMERIC(P, S) keeps its declared precision and scale; plain NUMERIC is (38, 9). */
  private static SqlType numeric(Field field) {
    if (field.getPrecision() != null && field.getPrecision() > 0) {
      int scale = field.getScale() == null ? 0 : field.getScale().intValue();
      return SqlType.decimal(field.getPrecision().intValue(), scale);
    }
    return NUMERIC;
  }

  /** One result row in the Java types of the columns' kinds. */
  static Object[] row(FieldList fields, List<Column> columns, FieldValueList values) {
    Object[] row = new Object[columns.size()];
    for (int i = 0; i < row.length; i++) {
      row[i] = value(fields, columns, i, values.get(i), () -> values);
    }
    return row;
  }

  /**
   * Column {@code index} of a result row in its kind's Java type, as {@link #row} gives it; {@code
   * row} gives the whole row, only for the error of a decimal too wide for its column.
   */
  static Object value(
      FieldList fields,
      List<Column> columns,
      int index,
      FieldValue value,
      Supplier<FieldValueList> row) {
    Object converted = value(fields.get(index), columns.get(index).type(), value);
    if (converted instanceof BigDecimal decimal && !fits(decimal, columns.get(index).type())) {
      throw tooWide(columns, index, decimal, row.get());
    }
    return converted;
  }

  /** Whether a decimal fits its column's DECIMAL(p, s) without rounding. */
  private static boolean fits(BigDecimal value, SqlType type) {
    BigDecimal stripped = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
    int scale = Math.max(stripped.scale(), 0);
    int integerDigits = Math.max(stripped.precision() - stripped.scale(), 0);
    return scale <= type.scale() && integerDigits <= type.precision() - type.scale();
  }

  /** A BIGNUMERIC beyond DECIMAL(65,30): the column, the value and the row (its key among it). */
  private static QsyncException tooWide(
      List<Column> columns, int index, BigDecimal value, FieldValueList values) {
    SqlType type = columns.get(index).type();
    List<String> row = new ArrayList<>();
    for (int i = 0; i < columns.size() && row.size() < 6; i++) {
      if (i != index) {
        FieldValue cell = values.get(i);
        String text =
            cell == null || cell.isNull() || !(cell.getValue() instanceof String s) ? "NULL" : s;
        row.add(
            columns.get(i).name()
                + "="
                + (text.length() > 40 ? text.substring(0, 40) + "..." : text));
      }
    }
    String name = columns.get(index).name();
    return new QsyncException(
        ErrorKind.NEEDS_ACTION,
        "column '"
            + name
            + "' holds "
            + value.toPlainString()
            + ", which MySQL's "
            + type
            + " cannot hold ("
            + (type.precision() - type.scale())
            + " digits before the point, "
            + type.scale()
            + " after), in the row with "
            + String.join(", ", row)
            + "\nNothing was written. Round it in the query (ROUND("
            + name
            + ", "
            + type.scale()
            + ")), or carry it as text: CAST("
            + name
            + " AS STRING).");
  }

  private static Object value(Field field, SqlType type, FieldValue value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (type.kind() == Kind.JSON && field.getType().getStandardType() != StandardSQLTypeName.JSON) {
      try {
        return JSON.writeValueAsString(json(field, value, field.getMode() == Field.Mode.REPEATED));
      } catch (IOException e) {
        throw new IllegalStateException("cannot write JSON of column " + field.getName(), e);
      }
    }
    if (field.getType().getStandardType() == StandardSQLTypeName.RANGE) {
      return range(value);
    }
    return switch (type.kind()) {
      case BIGINT -> value.getLongValue();
      // "NaN", "Infinity" and "-Infinity" parse as themselves; the target refuses them, naming
      // key and column, since MySQL's DOUBLE cannot hold them.
      case DOUBLE -> value.getDoubleValue();
      case DECIMAL -> new BigDecimal(value.getStringValue());
      case BOOLEAN -> value.getBooleanValue();
      case BLOB -> value.getBytesValue();
      case DATE -> LocalDate.parse(value.getStringValue());
      case TIME -> LocalTime.parse(value.getStringValue());
      case TIMESTAMP -> LocalDateTime.parse(value.getStringValue());
      case TIMESTAMP_UTC -> utc(value.getTimestampValue());
      default -> value.getStringValue();
    };
  }

  /**
   * A RANGE as BigQuery writes it, "[start, end)" with UNBOUNDED for a missing bound (the client
   * parses it into a Range; this puts it back).
   */
  private static String range(FieldValue value) {
    com.google.cloud.bigquery.Range range = value.getRangeValue();
    return "[" + bound(range.getStart()) + ", " + bound(range.getEnd()) + ")";
  }

  private static String bound(FieldValue bound) {
    return bound == null || bound.isNull() ? "UNBOUNDED" : bound.getStringValue();
  }

  /** Microseconds since the epoch as wall-clock time in UTC. */
  static LocalDateTime utc(long micros) {
    long seconds = Math.floorDiv(micros, 1_000_000L);
    int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1000;
    return LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
  }

  /**
   * A STRUCT or ARRAY as JSON text: INT64, NUMERIC and BIGNUMERIC as JSON numbers with BigQuery's
   * exact digits, whatever their size (unlike GoogleSQL's TO_JSON_STRING, which writes an INT64
   * beyond ±2^53 and a NUMERIC with a fraction as strings), FLOAT64 as a number (Java's shortest
   * exact form) or "NaN"/"Infinity"/"-Infinity", BOOL as true/false, BYTES as base64, TIMESTAMP as
   * "2014-08-19T12:41:35.220000Z" (UTC, six digits), JSON values embedded, and every other type
   * (STRING, DATE, DATETIME, TIME, GEOGRAPHY, INTERVAL...) as the string BigQuery returns.
   */
  private static JsonNode json(Field field, FieldValue value, boolean repeated) {
    if (value == null || value.isNull()) {
      return NODES.nullNode();
    }
    if (repeated) {
      ArrayNode array = NODES.arrayNode();
      for (FieldValue element : value.getRepeatedValue()) {
        array.add(json(field, element, false));
      }
      return array;
    }
    StandardSQLTypeName type = field.getType().getStandardType();
    if (type == StandardSQLTypeName.STRUCT) {
      ObjectNode object = NODES.objectNode();
      FieldValueList children = value.getRecordValue();
      FieldList subFields = field.getSubFields();
      for (int i = 0; i < subFields.size(); i++) {
        Field child = subFields.get(i);
        object.set(
            child.getName(), json(child, children.get(i), child.getMode() == Field.Mode.REPEATED));
      }
      return object;
    }
    return switch (type) {
      case INT64 -> NODES.numberNode(new java.math.BigInteger(value.getStringValue()));
      case NUMERIC, BIGNUMERIC -> NODES.numberNode(new BigDecimal(value.getStringValue()));
      case FLOAT64 -> {
        double number = value.getDoubleValue();
        yield Double.isFinite(number)
            ? NODES.numberNode(number)
            : NODES.textNode(value.getStringValue());
      }
      case BOOL -> NODES.booleanNode(value.getBooleanValue());
      case BYTES -> NODES.textNode(Base64.getEncoder().encodeToString(value.getBytesValue()));
      case TIMESTAMP -> NODES.textNode(TIMESTAMP_JSON.format(utc(value.getTimestampValue())));
      case JSON -> {
        try {
          yield JSON.readTree(value.getStringValue());
        } catch (IOException e) {
          yield NODES.textNode(value.getStringValue());
        }
      }
      default -> NODES.textNode(value.getStringValue());
    };
  }
}
