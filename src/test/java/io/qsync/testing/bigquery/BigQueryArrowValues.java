package io.qsync.testing.bigquery;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntervalMonthDayNanoVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.IntervalUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Encodes a table's rows as the BigQuery Storage Read API does in Arrow: a schema and record
 * batches, each serialized as an Arrow IPC message ({@code ArrowSchema.serialized_schema}, {@code
 * ArrowRecordBatch.serialized_record_batch}). The types are BigQuery's
 * (cloud.google.com/bigquery/docs/reference/storage, "Arrow schema details"): INT64 int64, FLOAT64
 * float64, BOOL bool, STRING utf8, BYTES binary, NUMERIC decimal128(38, 9), BIGNUMERIC
 * decimal256(76, 38), DATE date32, TIME time64[us], DATETIME timestamp[us], TIMESTAMP timestamp[us,
 * UTC], GEOGRAPHY and JSON utf8 (with BigQuery's extension name in the field's metadata), INTERVAL
 * month_day_nano, RANGE struct&lt;start, end&gt;, ARRAY list, STRUCT struct. The values come from
 * the rows {@code tabledata.list} gives ({@link BigQueryValues}, with int64 timestamps), so both
 * read paths serve the same table. Not thread-safe: one per stream read.
 */
final class BigQueryArrowValues {
  private BigQueryArrowValues() {}

  /** The Arrow schema of a table's REST schema ({@code TableFieldSchema}s). */
  static Schema schema(JsonNode fields) {
    List<Field> arrow = new ArrayList<>();
    for (JsonNode field : fields) {
      arrow.add(field(field));
    }
    return new Schema(arrow);
  }

  private static Field field(JsonNode field) {
    String name = field.path("name").asText();
    if ("REPEATED".equals(field.path("mode").asText())) {
      JsonNode element =
          ((com.fasterxml.jackson.databind.node.ObjectNode) field.deepCopy())
              .put("mode", "NULLABLE");
      return new Field(name, FieldType.nullable(ArrowType.List.INSTANCE), List.of(field(element)));
    }
    String type = field.path("type").asText();
    return switch (type) {
      case "RECORD", "STRUCT" -> {
        List<Field> children = new ArrayList<>();
        field.path("fields").forEach(child -> children.add(field(child)));
        yield new Field(name, FieldType.nullable(ArrowType.Struct.INSTANCE), children);
      }
      case "RANGE" -> {
        ArrowType element = scalar(field.path("rangeElementType").path("type").asText());
        yield new Field(
            name,
            FieldType.nullable(ArrowType.Struct.INSTANCE),
            List.of(
                new Field("start", FieldType.nullable(element), null),
                new Field("end", FieldType.nullable(element), null)));
      }
      case "GEOGRAPHY", "JSON" ->
          new Field(
              name,
              new FieldType(
                  true,
                  ArrowType.Utf8.INSTANCE,
                  null,
                  Map.of(
                      "ARROW:extension:name",
                      "google:sqlType:" + type.toLowerCase(java.util.Locale.ROOT))),
              null);
      default -> new Field(name, FieldType.nullable(scalar(type)), null);
    };
  }

  private static ArrowType scalar(String type) {
    return switch (type) {
      case "INTEGER", "INT64" -> new ArrowType.Int(64, true);
      case "FLOAT", "FLOAT64" -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case "BOOLEAN", "BOOL" -> ArrowType.Bool.INSTANCE;
      case "BYTES" -> ArrowType.Binary.INSTANCE;
      case "NUMERIC" -> new ArrowType.Decimal(38, 9, 128);
      case "BIGNUMERIC" -> new ArrowType.Decimal(76, 38, 256);
      case "DATE" -> new ArrowType.Date(DateUnit.DAY);
      case "TIME" -> new ArrowType.Time(TimeUnit.MICROSECOND, 64);
      case "DATETIME" -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      case "TIMESTAMP" -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
      case "INTERVAL" -> new ArrowType.Interval(IntervalUnit.MONTH_DAY_NANO);
      default -> ArrowType.Utf8.INSTANCE;
    };
  }

  /** The schema as an IPC message. */
  static byte[] serialize(Schema schema) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      MessageSerializer.serialize(new WriteChannel(Channels.newChannel(bytes)), schema);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * One record batch of rows as {@code tabledata.list} gives them ({@code {"f":[{"v":...}]}}), as
   * an IPC message.
   */
  static byte[] batch(Schema schema, JsonNode fields, List<JsonNode> rows, BufferAllocator memory) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, memory)) {
      root.allocateNew();
      for (int column = 0; column < fields.size(); column++) {
        FieldVector vector = root.getVector(column);
        for (int row = 0; row < rows.size(); row++) {
          set(vector, fields.get(column), row, rows.get(row).path("f").get(column).get("v"));
        }
        vector.setValueCount(rows.size());
      }
      root.setRowCount(rows.size());
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
        MessageSerializer.serialize(new WriteChannel(Channels.newChannel(bytes)), batch);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return bytes.toByteArray();
    }
  }

  private static void set(FieldVector vector, JsonNode field, int index, JsonNode value) {
    if ("REPEATED".equals(field.path("mode").asText())) {
      ListVector list = (ListVector) vector;
      JsonNode element =
          ((com.fasterxml.jackson.databind.node.ObjectNode) field.deepCopy())
              .put("mode", "NULLABLE");
      int start = list.startNewValue(index);
      int count = 0;
      if (value != null && value.isArray()) {
        for (JsonNode item : value) {
          set(list.getDataVector(), element, start + count, item.get("v"));
          count++;
        }
      }
      list.getDataVector().setValueCount(start + count);
      list.endValue(index, count);
      return;
    }
    if (value == null || value.isNull()) {
      vector.setNull(index);
      return;
    }
    String type = field.path("type").asText();
    if (type.equals("RECORD") || type.equals("STRUCT")) {
      StructVector struct = (StructVector) vector;
      struct.setIndexDefined(index);
      JsonNode children = field.path("fields");
      for (int i = 0; i < children.size(); i++) {
        FieldVector child = (FieldVector) struct.getChildByOrdinal(i);
        set(child, children.get(i), index, value.path("f").get(i).get("v"));
        child.setValueCount(Math.max(child.getValueCount(), index + 1));
      }
      return;
    }
    String text = value.asText();
    if (type.equals("RANGE")) {
      StructVector struct = (StructVector) vector;
      struct.setIndexDefined(index);
      String element = field.path("rangeElementType").path("type").asText();
      String[] bounds = text.substring(1, text.length() - 1).split(", ");
      for (int i = 0; i < 2; i++) {
        FieldVector child = (FieldVector) struct.getChildByOrdinal(i);
        if (bounds[i].equals("UNBOUNDED")) {
          child.setNull(index);
        } else {
          scalar(child, element, index, bounds[i].replace(" UTC", "").replace(' ', 'T'));
        }
        child.setValueCount(Math.max(child.getValueCount(), index + 1));
      }
      return;
    }
    scalar(vector, type, index, text);
  }

  private static void scalar(FieldVector vector, String type, int index, String text) {
    switch (type) {
      case "INTEGER" -> ((BigIntVector) vector).setSafe(index, Long.parseLong(text));
      case "FLOAT" -> ((Float8Vector) vector).setSafe(index, Double.parseDouble(text));
      case "BOOLEAN" -> ((BitVector) vector).setSafe(index, Boolean.parseBoolean(text) ? 1 : 0);
      case "NUMERIC" -> ((DecimalVector) vector).setSafe(index, new BigDecimal(text).setScale(9));
      case "BIGNUMERIC" ->
          ((Decimal256Vector) vector).setSafe(index, new BigDecimal(text).setScale(38));
      case "BYTES" -> ((VarBinaryVector) vector).setSafe(index, Base64.getDecoder().decode(text));
      case "DATE" ->
          ((DateDayVector) vector).setSafe(index, (int) LocalDate.parse(text).toEpochDay());
      case "TIME" ->
          ((TimeMicroVector) vector).setSafe(index, LocalTime.parse(text).toNanoOfDay() / 1000);
      case "DATETIME" -> ((TimeStampMicroVector) vector).setSafe(index, micros(text));
      case "TIMESTAMP" ->
          ((TimeStampMicroTZVector) vector)
              .setSafe(index, text.contains("T") ? micros(text) : Long.parseLong(text));
      case "INTERVAL" -> interval((IntervalMonthDayNanoVector) vector, index, text);
      default ->
          ((VarCharVector) vector)
              .setSafe(index, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static long micros(String dateTime) {
    return ChronoUnit.MICROS.between(
        LocalDateTime.of(1970, 1, 1, 0, 0),
        LocalDateTime.parse(dateTime).atOffset(ZoneOffset.UTC).toLocalDateTime());
  }

  /** BigQuery's canonical "[-]Y-M D [-]H:M:S[.F]" as months, days and nanoseconds. */
  private static void interval(IntervalMonthDayNanoVector vector, int index, String text) {
    String[] parts = text.split(" ");
    boolean negativeMonths = parts[0].startsWith("-");
    String[] yearMonth = parts[0].replace("-", " ").trim().split(" ");
    long months = Long.parseLong(yearMonth[0]) * 12 + Long.parseLong(yearMonth[1]);
    int days = Integer.parseInt(parts[1]);
    boolean negativeTime = parts[2].startsWith("-");
    String[] hms = parts[2].replace("-", "").split(":");
    BigDecimal seconds = new BigDecimal(hms[2]);
    long nanos =
        (Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60) * 1_000_000_000L
            + seconds.movePointRight(9).longValueExact();
    vector.setSafe(
        index, (int) (negativeMonths ? -months : months), days, negativeTime ? -nanos : nanos);
  }
}
