package io.qsync.source.bigquery;

import com.google.cloud.bigquery.FieldList;
import io.qsync.duckdb.DuckDbValues;
import io.qsync.row.Column;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Storage Read API's record batches as DuckDB reads them when some columns are Java's ({@link
 * BigQueryArrowSql#renderedInJava}): each of those becomes a utf8 column of the text the stage
 * would hold had the row come through Java ({@link BigQueryArrowRows}, {@link BigQueryTypes#value},
 * a decimal wider than DuckDB's as {@link DuckDbValues#wideDecimal}); every other column is moved
 * over as it came. Not thread-safe.
 */
final class BigQueryJavaColumns {
  private final FieldList fields;
  private final List<Column> columns;
  private final Set<Integer> rendered;

  /**
   * @param fields the result's fields, in the batches' order
   * @param columns the columns passed on, the first of {@code fields}
   * @param rendered the indexes of the fields Java renders
   */
  BigQueryJavaColumns(FieldList fields, List<Column> columns, Set<Integer> rendered) {
    this.fields = fields;
    this.columns = List.copyOf(columns);
    this.rendered = Set.copyOf(rendered);
  }

  /** Whether Java renders no column: the batches go to DuckDB as they came. */
  boolean none() {
    return rendered.isEmpty();
  }

  /** {@code schema}, the API's, with each rendered column a nullable utf8 of its name. */
  Schema schema(Schema schema) {
    if (rendered.isEmpty()) {
      return schema;
    }
    List<Field> out = new ArrayList<>(schema.getFields());
    for (int i : rendered) {
      out.set(i, Field.nullable(out.get(i).getName(), ArrowType.Utf8.INSTANCE));
    }
    return new Schema(out);
  }

  /**
   * Fills {@code out} (of {@link #schema}) from {@code batch} (of the API's schema): the rendered
   * columns as text, the others transferred. {@code batch} is left empty, its buffers released.
   *
   * @throws io.qsync.QsyncException for a BIGNUMERIC that MySQL's column cannot hold
   */
  void render(VectorSchemaRoot batch, VectorSchemaRoot out) {
    int rows = batch.getRowCount();
    try {
      // Rendered first: a value too wide names its row's other values, still in the batch then.
      for (int i : rendered) {
        render(batch, i, (VarCharVector) out.getVector(i));
      }
      for (int i = 0; i < batch.getFieldVectors().size(); i++) {
        if (!rendered.contains(i)) {
          batch.getVector(i).makeTransferPair(out.getVector(i)).transfer();
        }
      }
      out.setRowCount(rows);
    } finally {
      batch.clear();
    }
  }

  private void render(VectorSchemaRoot batch, int index, VarCharVector out) {
    int rows = batch.getRowCount();
    out.allocateNew(rows);
    if (index < columns.size()) { // one not passed on (none is so today) stays NULL
      com.google.cloud.bigquery.Field field = fields.get(index);
      for (int row = 0; row < rows; row++) {
        int at = row;
        Object value =
            BigQueryTypes.value(
                fields,
                columns,
                index,
                BigQueryArrowRows.value(field, batch.getVector(index), row),
                () -> BigQueryArrowRows.row(batch, fields, at));
        if (value != null) {
          out.setSafe(row, text(value, index).getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    out.setValueCount(rows);
  }

  /** The text the stage keeps of a Java value of a rendered column. */
  private String text(Object value, int index) {
    return value instanceof BigDecimal decimal
        ? DuckDbValues.wideDecimal(decimal, columns.get(index).type())
        : value.toString();
  }
}
