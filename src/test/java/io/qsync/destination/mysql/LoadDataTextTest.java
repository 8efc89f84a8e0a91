package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import io.qsync.stage.ChangeCursor;
import io.qsync.stage.Stage;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * New rows travel from the stage to LOAD DATA as text DuckDB makes ({@link Change#text}), and are
 * decoded back to values only where a batch needs statements. Every value must come back exactly as
 * the stage's reader reads it from the same row: doubles bit for bit (subnormals, -0, the extremes,
 * 1e16, which DuckDB writes {@code 1e+16} and Java {@code 1.0E16}), decimals at their scale, dates
 * at the years' edges, strings with every byte LOAD DATA treats as structure, 4-byte UTF-8, binary,
 * and NULL apart from the text {@code \N}.
 */
class LoadDataTextTest {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", SqlType.of(Kind.BIGINT)),
          new Column("d", SqlType.of(Kind.DOUBLE)),
          new Column("f", SqlType.of(Kind.FLOAT)),
          new Column("amount", SqlType.decimal(38, 9)),
          new Column("wide", SqlType.decimal(65, 30)),
          new Column("s", SqlType.of(Kind.VARCHAR)),
          new Column("b", SqlType.of(Kind.BLOB)),
          new Column("flag", SqlType.of(Kind.BOOLEAN)),
          new Column("huge", SqlType.of(Kind.HUGEINT)),
          new Column("ubig", SqlType.of(Kind.UBIGINT)),
          new Column("small", SqlType.of(Kind.UTINYINT)),
          new Column("day", SqlType.of(Kind.DATE)),
          new Column("tm", SqlType.of(Kind.TIME)),
          new Column("ts", SqlType.of(Kind.TIMESTAMP)),
          new Column("utc", SqlType.of(Kind.TIMESTAMP_UTC)),
          new Column("doc", SqlType.of(Kind.JSON)),
          new Column("u", SqlType.of(Kind.UUID)));

  private static final double[] DOUBLES = {
    0.0,
    -0.0,
    Double.MIN_VALUE,
    -Double.MIN_VALUE,
    Double.MIN_NORMAL,
    Math.nextDown(Double.MIN_NORMAL),
    Double.MAX_VALUE,
    -Double.MAX_VALUE,
    1e16,
    1e15,
    1e21,
    1e-7,
    0.1,
    1.0 / 3,
    123456789012345678.0,
    9007199254740993.0,
    Math.PI,
    -2.5e-300
  };

  private static final float[] FLOATS = {
    0f,
    -0f,
    Float.MIN_VALUE,
    Float.MIN_NORMAL,
    Float.MAX_VALUE,
    -Float.MAX_VALUE,
    0.1f,
    1e16f,
    1f / 3,
    16777217f
  };

  private static final String[] STRINGS = {
    "tab\tx",
    "line\nx",
    "cr\rx",
    "back\\slash",
    "\\N",
    "\\",
    "x\\",
    "\\t literally",
    "nul\0byte",
    "\0",
    "",
    "NULL",
    "emoji 🧪 𝄞 한글 é",
    "trailing ",
    "\"quoted\" 'single'",
    "\t\n\r\\\0 all"
  };

  private static final byte[][] BLOBS = {
    {0, 9, 10, 13, 92, (byte) 0xff}, {}, "bytes".getBytes(StandardCharsets.UTF_8), {'\\', 'N'}
  };

  private static final LocalDate[] DATES = {
    LocalDate.of(1000, 1, 1),
    LocalDate.of(9999, 12, 31),
    LocalDate.of(1582, 10, 10),
    LocalDate.of(2024, 2, 29),
    LocalDate.of(1970, 1, 1)
  };

  private static final LocalDateTime[] TIMES = {
    LocalDateTime.of(1000, 1, 1, 0, 0),
    LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000),
    LocalDateTime.of(2020, 4, 5, 1, 30, 0, 123_456_000),
    LocalDateTime.of(1969, 12, 31, 23, 59, 59, 1_000)
  };

  @TempDir Path dir;

  @Test
  void everyValueDecodedFromTheStagesTextEqualsTheValueTheStageReads() {
    List<Object[]> rows = rows();
    try (Stage stage = Stage.open(dir.resolve("s.duckdb"))) {
      stage.begin("run-1", "fingerprint", COLUMNS);
      try (Stage.StageWriter writer = stage.sourceWriter(COLUMNS)) {
        rows.forEach(writer::accept);
      }
      stage.insertAll(List.of("id"), 0);

      List<Change> values = all(stage, false);
      List<Change> texts = all(stage, true);

      assertThat(texts).hasSize(rows.size());
      MySqlLoadData loadData = new MySqlLoadData("t", COLUMNS);
      for (int i = 0; i < rows.size(); i++) {
        Change text = texts.get(i);
        assertThat(text.row()).as("a new row comes as text only").isNull();
        assertThat(text.seq()).isEqualTo(values.get(i).seq());
        assertThat(text.kind()).isEqualTo(ChangeKind.INSERT);
        Object[] decoded = loadData.values(text.text());
        Object[] read = values.get(i).row();
        for (int c = 0; c < COLUMNS.size(); c++) {
          // −0 goes as 0, as a statement binding −0.0 stores it (MariaDB 11.4 would keep a −0 it
          // reads as text); every other double and float bit for bit (Double.equals and
          // Float.equals compare bit patterns).
          Object expected =
              read[c] instanceof Double d && d == 0
                  ? (Object) 0.0
                  : read[c] instanceof Float f && f == 0 ? (Object) 0.0f : read[c];
          assertThat(decoded[c])
              .as(
                  "row %d column %s from %s",
                  i, COLUMNS.get(c).name(), new String(text.text(), StandardCharsets.UTF_8))
              .isEqualTo(expected);
          if (expected instanceof Double d) {
            assertThat(Double.doubleToRawLongBits((Double) decoded[c]))
                .isEqualTo(Double.doubleToRawLongBits(d));
          }
        }
      }
    }
  }

  @Test
  void aNullAndTheTextBackslashNAreToldApartInTheText() {
    try (Stage stage = Stage.open(dir.resolve("s.duckdb"))) {
      List<Column> columns =
          List.of(
              new Column("id", SqlType.of(Kind.BIGINT)), new Column("s", SqlType.of(Kind.VARCHAR)));
      stage.begin("run-1", "fingerprint", columns);
      try (Stage.StageWriter writer = stage.sourceWriter(columns)) {
        writer.accept(new Object[] {1L, null});
        writer.accept(new Object[] {2L, "\\N"});
      }
      stage.insertAll(List.of("id"), 0);
      List<Change> texts = all(stage, true);
      assertThat(new String(texts.get(0).text(), StandardCharsets.UTF_8)).isEqualTo("1\t\\N\n");
      assertThat(new String(texts.get(1).text(), StandardCharsets.UTF_8)).isEqualTo("2\t\\\\N\n");
      MySqlLoadData loadData = new MySqlLoadData("t", columns);
      assertThat(loadData.values(texts.get(0).text())).containsExactly(1L, null);
      assertThat(loadData.values(texts.get(1).text())).containsExactly(2L, "\\N");
    }
  }

  private static List<Change> all(Stage stage, boolean insertsAsText) {
    List<Change> changes = new ArrayList<>();
    try (ChangeCursor cursor = stage.changes(0, insertsAsText)) {
      List<Change> batch;
      while (!(batch = cursor.next(7)).isEmpty()) {
        changes.addAll(batch);
      }
    }
    return changes;
  }

  /** Every tricky value in some row, the others cycling, and a row of NULLs but the key. */
  private static List<Object[]> rows() {
    int count = 40;
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(
          new Object[] {
            (long) i,
            DOUBLES[i % DOUBLES.length],
            FLOATS[i % FLOATS.length],
            new BigDecimal(i % 2 == 0 ? "-12345678901234567890123456789.1234567" : "0.0000001")
                .movePointLeft(i % 3),
            new BigDecimal("12345678901234567890123456789012345.1234567890123456789012345678")
                .negate()
                .movePointLeft(i % 2),
            STRINGS[i % STRINGS.length],
            BLOBS[i % BLOBS.length],
            i % 2 == 0,
            new BigInteger("-170141183460469231731687303715884105728").add(BigInteger.valueOf(i)),
            new BigInteger("18446744073709551615").subtract(BigInteger.valueOf(i)),
            (long) (255 - i),
            DATES[i % DATES.length],
            LocalTime.of(i % 24, 59, 59, i * 1_000),
            TIMES[i % TIMES.length],
            TIMES[(i + 1) % TIMES.length],
            "{\"k\": \"ü\\t" + i + "\", \"n\": [1, 2.5e300]}",
            "0000000" + i % 10 + "-89ab-4def-8123-456789abcdef"
          });
    }
    Object[] nulls = new Object[COLUMNS.size()];
    nulls[0] = (long) count;
    rows.add(nulls);
    return rows;
  }
}
