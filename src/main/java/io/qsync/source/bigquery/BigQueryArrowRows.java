package io.qsync.source.bigquery;

import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FieldList;
import com.google.cloud.bigquery.FieldValue;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.StandardSQLTypeName;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntervalMonthDayNanoVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.holders.NullableIntervalMonthDayNanoHolder;

/**
 * The rows of one Arrow record batch of the BigQuery Storage Read API as the {@code tabledata.list}
 * rows Google's client gives ({@link FieldValueList}), so that both read paths go through {@link
 * BigQueryTypes#row} and end byte for byte the same. Each value takes the text BigQuery's REST API
 * writes for it: INT64 and NUMERIC as decimal digits (NUMERIC without trailing zeros), FLOAT64 as
 * Java writes a double ("NaN", "Infinity"), BYTES as base64, DATE "2024-01-31", TIME "12:00:00" or
 * "12:00:00.000001", DATETIME "2024-01-31T12:00:00[.ffffff]", TIMESTAMP as microseconds since the
 * epoch, INTERVAL as "Y-M D H:M:S[.F]", RANGE as "[start, end)" with UNBOUNDED; a REPEATED field a
 * list, a RECORD a row of its own. BigQuery's Arrow types: INT64 int64, FLOAT64 float64, BOOL bool,
 * STRING/JSON/GEOGRAPHY utf8, BYTES binary, NUMERIC decimal128(38, 9), BIGNUMERIC decimal256(76,
 * 38), DATE date32, TIME time64[us], DATETIME timestamp[us], TIMESTAMP timestamp[us, UTC], INTERVAL
 * month_day_nano, RANGE struct&lt;start, end&gt;, ARRAY list, STRUCT struct. Pure; thread-safe.
 */
final class BigQueryArrowRows {
  private static final DateTimeFormatter DATETIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS", Locale.ROOT);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS", Locale.ROOT);

  private BigQueryArrowRows() {}

  /** Row {@code index} of the batch, its vectors in the order of {@code fields}. */
  static FieldValueList row(VectorSchemaRoot batch, FieldList fields, int index) {
    List<FieldValue> values = new ArrayList<>(fields.size());
    for (int i = 0; i < fields.size(); i++) {
      values.add(value(fields.get(i), batch.getVector(i), index));
    }
    return FieldValueList.of(values, fields);
  }

  /** Row {@code index} of one column's vector, {@code field} the column's. */
  static FieldValue value(Field field, ValueVector vector, int index) {
    if (field.getMode() == Field.Mode.REPEATED) {
      List<FieldValue> elements = new ArrayList<>();
      // BigQuery returns a NULL ARRAY as an empty one.
      if (!vector.isNull(index)) {
        ListVector list = (ListVector) vector;
        Field element = field.toBuilder().setMode(Field.Mode.NULLABLE).build();
        for (int i = list.getElementStartIndex(index); i < list.getElementEndIndex(index); i++) {
          elements.add(value(element, list.getDataVector(), i));
        }
      }
      return FieldValue.of(FieldValue.Attribute.REPEATED, FieldValueList.of(elements));
    }
    if (vector.isNull(index)) {
      return FieldValue.of(FieldValue.Attribute.PRIMITIVE, null);
    }
    StandardSQLTypeName type = field.getType().getStandardType();
    if (type == StandardSQLTypeName.STRUCT) {
      StructVector struct = (StructVector) vector;
      FieldList children = field.getSubFields();
      List<FieldValue> values = new ArrayList<>(children.size());
      for (int i = 0; i < children.size(); i++) {
        values.add(value(children.get(i), struct.getChildByOrdinal(i), index));
      }
      return FieldValue.of(FieldValue.Attribute.RECORD, FieldValueList.of(values, children));
    }
    return FieldValue.of(FieldValue.Attribute.PRIMITIVE, text(type, vector, index), true);
  }

  /** A scalar's text as BigQuery's REST API writes it. */
  private static String text(StandardSQLTypeName type, ValueVector vector, int index) {
    return switch (type) {
      case INT64 -> Long.toString(((BigIntVector) vector).get(index));
      case FLOAT64 -> Double.toString(((Float8Vector) vector).get(index));
      case BOOL -> Boolean.toString(((BitVector) vector).get(index) == 1);
      case NUMERIC -> decimal(((DecimalVector) vector).getObject(index));
      case BIGNUMERIC -> decimal(((Decimal256Vector) vector).getObject(index));
      case BYTES -> Base64.getEncoder().encodeToString(((VarBinaryVector) vector).getObject(index));
      case DATE -> LocalDate.ofEpochDay(((DateDayVector) vector).get(index)).toString();
      case TIME -> time(((TimeMicroVector) vector).get(index));
      case DATETIME -> dateTime(((TimeStampMicroVector) vector).get(index));
      case TIMESTAMP -> Long.toString(((TimeStampMicroTZVector) vector).get(index));
      case INTERVAL -> interval((IntervalMonthDayNanoVector) vector, index);
      case RANGE -> range((StructVector) vector, index);
      default -> ((VarCharVector) vector).getObject(index).toString();
    };
  }

  /** NUMERIC and BIGNUMERIC: exact digits, no trailing zeros ("0" for zero). */
  private static String decimal(BigDecimal value) {
    return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
  }

  /** Six fraction digits, none when they are all zeros. */
  private static String trimMicros(String text) {
    return text.endsWith(".000000") ? text.substring(0, text.length() - 7) : text;
  }

  private static String time(long micros) {
    return trimMicros(TIME.format(LocalTime.ofNanoOfDay(micros * 1000)));
  }

  private static String dateTime(long micros) {
    return trimMicros(DATETIME.format(BigQueryTypes.utc(micros)));
  }

  /**
   * BigQuery's canonical INTERVAL text, "Y-M D H:M:S[.F]"
   * (cloud.google.com/bigquery/docs/reference/standard-sql/data-types#interval_type), of Arrow's
   * months, days and nanoseconds.
   */
  private static String interval(IntervalMonthDayNanoVector vector, int index) {
    NullableIntervalMonthDayNanoHolder holder = new NullableIntervalMonthDayNanoHolder();
    vector.get(index, holder);
    long months = holder.months;
    long micros = holder.nanoseconds / 1000;
    long absMonths = Math.abs(months);
    long absMicros = Math.abs(micros);
    long fraction = absMicros % 1_000_000L;
    String time =
        absMicros / 3_600_000_000L
            + ":"
            + absMicros / 60_000_000L % 60
            + ":"
            + absMicros / 1_000_000L % 60
            + (fraction == 0
                ? ""
                : "." + String.format(Locale.ROOT, "%06d", fraction).replaceAll("0+$", ""));
    return (months < 0 ? "-" : "")
        + absMonths / 12
        + "-"
        + absMonths % 12
        + " "
        + holder.days
        + " "
        + (micros < 0 ? "-" : "")
        + time;
  }

  /** A RANGE, Arrow's struct of start and end (NULL: unbounded), as "[start, end)". */
  private static String range(StructVector vector, int index) {
    return "["
        + bound(vector.getChildByOrdinal(0), index)
        + ", "
        + bound(vector.getChildByOrdinal(1), index)
        + ")";
  }

  private static String bound(ValueVector vector, int index) {
    if (vector.isNull(index)) {
      return "UNBOUNDED";
    }
    if (vector instanceof DateDayVector date) {
      return LocalDate.ofEpochDay(date.get(index)).toString();
    }
    if (vector instanceof TimeStampMicroVector dateTime) {
      return dateTime(dateTime.get(index));
    }
    // RANGE<TIMESTAMP>: as a TIMESTAMP's text in a query result, "2024-01-31 12:00:00 UTC".
    String text = DATETIME.format(BigQueryTypes.utc(((TimeStampMicroTZVector) vector).get(index)));
    return trimMicros(text).replace('T', ' ') + " UTC";
  }
}
