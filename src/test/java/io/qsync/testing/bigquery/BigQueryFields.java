package io.qsync.testing.bigquery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The emulator's schema: DuckDB column types as BigQuery's REST API describes them in a {@code
 * TableSchema} (legacy type names INTEGER, FLOAT, BOOLEAN, RECORD, as the API returns them; modes
 * NULLABLE and REPEATED). Reference:
 * cloud.google.com/bigquery/docs/reference/rest/v2/tables#TableFieldSchema. Pure; thread-safe.
 */
final class BigQueryFields {
  /**
   * One field. {@code type} is BigQuery's name; {@code duckDb} the DuckDB type it came from; {@code
   * fields} the children of a RECORD; {@code rangeElement} the element type of a RANGE.
   */
  record Field(
      String name,
      String type,
      boolean repeated,
      List<Field> fields,
      String duckDb,
      String rangeElement) {
    ObjectNode toJson() {
      ObjectNode node = JsonNodeFactory.instance.objectNode();
      node.put("name", name);
      node.put("type", type);
      node.put("mode", repeated ? "REPEATED" : "NULLABLE");
      if (!fields.isEmpty()) {
        ArrayNode children = node.putArray("fields");
        fields.forEach(child -> children.add(child.toJson()));
      }
      if (rangeElement != null) {
        node.putObject("rangeElementType").put("type", rangeElement);
      }
      return node;
    }

    Field element() {
      return new Field(name, type, false, fields, duckDb, rangeElement);
    }
  }

  private BigQueryFields() {}

  static ArrayNode toJson(List<Field> fields) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    fields.forEach(field -> array.add(field.toJson()));
    return array;
  }

  /**
   * Maps a DuckDB type (as DESCRIBE prints it) to a BigQuery field. {@code declared} holds the
   * BigQuery types a test declared for VARCHAR columns DuckDB has no type for (GEOGRAPHY,
   * BIGNUMERIC beyond DuckDB's 38 digits, RANGE&lt;DATE&gt;...).
   */
  static Field field(String name, String duckDbType, Map<String, String> declared) {
    String type = duckDbType.trim();
    String upper = type.toUpperCase(Locale.ROOT);
    if (upper.endsWith("[]")) {
      Field element = field(name, type.substring(0, type.length() - 2), declared);
      if (element.repeated()) {
        throw new IllegalArgumentException("BigQuery has no ARRAY of ARRAY: " + duckDbType);
      }
      return new Field(name, element.type(), true, element.fields(), type, element.rangeElement());
    }
    if (upper.startsWith("STRUCT(")) {
      List<Field> children = new ArrayList<>();
      for (String part : splitTopLevel(type.substring(7, type.length() - 1))) {
        String[] nameAndType = splitName(part.trim());
        children.add(field(nameAndType[0], nameAndType[1], Map.of()));
      }
      return new Field(name, "RECORD", false, children, type, null);
    }
    String declaredType = declared.get(name.toLowerCase(Locale.ROOT));
    if (declaredType != null && upper.equals("VARCHAR")) {
      String declaredUpper = declaredType.toUpperCase(Locale.ROOT);
      if (declaredUpper.startsWith("RANGE<")) {
        return new Field(
            name,
            "RANGE",
            false,
            List.of(),
            type,
            declaredUpper.substring(6, declaredUpper.length() - 1));
      }
      return new Field(name, declaredUpper, false, List.of(), type, null);
    }
    String bigQuery;
    if (upper.startsWith("DECIMAL(")) {
      String[] precisionScale = upper.substring(8, upper.length() - 1).split(",");
      int precision = Integer.parseInt(precisionScale[0].trim());
      int scale = Integer.parseInt(precisionScale[1].trim());
      // NUMERIC holds 29 integer and 9 fractional digits; anything wider is BIGNUMERIC.
      bigQuery = scale <= 9 && precision - scale <= 29 ? "NUMERIC" : "BIGNUMERIC";
    } else {
      bigQuery =
          switch (upper) {
            // HUGEINT: DuckDB's SUM of BIGINTs, where BigQuery's SUM of INT64s is an INT64
            case "TINYINT",
                "SMALLINT",
                "INTEGER",
                "BIGINT",
                "UTINYINT",
                "USMALLINT",
                "UINTEGER",
                "HUGEINT" ->
                "INTEGER";
            case "FLOAT", "DOUBLE" -> "FLOAT";
            case "BOOLEAN" -> "BOOLEAN";
            case "VARCHAR" -> "STRING";
            case "BLOB" -> "BYTES";
            case "DATE" -> "DATE";
            case "TIME" -> "TIME";
            case "TIMESTAMP" -> "DATETIME";
            case "TIMESTAMP WITH TIME ZONE" -> "TIMESTAMP";
            case "JSON" -> "JSON";
            case "INTERVAL" -> "INTERVAL";
            default ->
                throw new IllegalArgumentException(
                    "the emulator has no BigQuery type for DuckDB type "
                        + duckDbType
                        + " (column "
                        + name
                        + ")");
          };
    }
    return new Field(name, bigQuery, false, List.of(), type, null);
  }

  /** Splits "a INTEGER, b STRUCT(x INTEGER, y VARCHAR)" at the commas outside parentheses. */
  static List<String> splitTopLevel(String text) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == '(') {
        depth++;
      } else if (!quoted && c == ')') {
        depth--;
      } else if (!quoted && depth == 0 && c == ',') {
        parts.add(text.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(text.substring(start));
    return parts;
  }

  private static String[] splitName(String part) {
    if (part.startsWith("\"")) {
      int end = part.indexOf('"', 1);
      while (end + 1 < part.length() && part.charAt(end + 1) == '"') {
        end = part.indexOf('"', end + 2);
      }
      return new String[] {
        part.substring(1, end).replace("\"\"", "\""), part.substring(end + 1).trim()
      };
    }
    int space = part.indexOf(' ');
    return new String[] {part.substring(0, space), part.substring(space + 1).trim()};
  }
}
