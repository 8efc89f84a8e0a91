package io.qsync.source.duckdb;

import static java.util.Objects.requireNonNull;

import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.verify.BucketSum;
import io.qsync.verify.BucketValue;
import io.qsync.verify.Grouping;
import io.qsync.verify.HashedRow;
import io.qsync.verify.KeyRange;
import io.qsync.verify.RowChecksums;
import io.qsync.verify.RowShape;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The warehouse's side of a verify in DuckDB: the canonical rendering of each row of the query's
 * result (in the types qsync carries, as the run's projection casts them), hashed and summed per
 * bucket by DuckDB itself. See docs/verify.md for the rendering of each type; {@code
 * MySqlChecksums} renders the table's side identically. Not thread-safe.
 */
final class DuckDbChecksums implements RowChecksums {
  private final DuckDbSource source;
  private final String select;
  private final RowShape shape;

  /**
   * @param select the query, each column cast to the type qsync carries it as
   */
  DuckDbChecksums(DuckDbSource source, String select, RowShape shape) {
    this.source = requireNonNull(source, "source is null");
    this.select = requireNonNull(select, "select is null");
    this.shape = requireNonNull(shape, "shape is null");
  }

  @Override
  public Optional<KeyRange> span() {
    String first = DuckDbSource.quote(shape.key().get(0));
    String sql =
        "SELECT CAST(min("
            + first
            + ") AS VARCHAR), CAST(max("
            + first
            + ") AS VARCHAR) FROM ("
            + select
            + ") q";
    try (Statement statement = source.open().createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      String low = rows.getString(1);
      return low == null
          ? Optional.empty()
          : Optional.of(
              new KeyRange(
                  new BigInteger(low), new BigInteger(rows.getString(2)).add(BigInteger.ONE)));
    } catch (SQLException e) {
      throw source.queryFailed(e);
    }
  }

  @Override
  public Map<BigInteger, BucketSum> sums(Grouping grouping, List<KeyRange> ranges) {
    String sql =
        "SELECT CAST((v - "
            + grouping.origin()
            + ") // "
            + grouping.width()
            + " AS VARCHAR) AS b, count(*), bit_xor(h) FROM (SELECT "
            + bucketValue()
            + " AS v, "
            + rowHash()
            + " AS h FROM ("
            + select
            + ") q) s WHERE "
            + within(ranges)
            + " GROUP BY b";
    Map<BigInteger, BucketSum> sums = new HashMap<>();
    try (Statement statement = source.open().createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        sums.put(
            new BigInteger(rows.getString(1)), new BucketSum(rows.getLong(2), rows.getLong(3)));
      }
    } catch (SQLException e) {
      throw source.queryFailed(e);
    }
    return sums;
  }

  @Override
  public List<HashedRow> rows(List<KeyRange> ranges) {
    List<Column> columns = shape.columns();
    StringJoiner selected = new StringJoiner(", ");
    selected.add(keyRendering());
    for (Column column : shape.keyColumns()) {
      selected.add(shown(column));
    }
    selected.add(rowHash());
    for (Column column : columns) {
      selected.add(hash(part(column)));
    }
    String sql =
        "SELECT * EXCLUDE (v) FROM (SELECT "
            + bucketValue()
            + " AS v, "
            + selected
            + " FROM ("
            + select
            + ") q) s WHERE "
            + within(ranges);
    List<HashedRow> hashed = new ArrayList<>();
    int keys = shape.key().size();
    try (Statement statement = source.open().createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        List<String> shownKey = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
          shownKey.add(rows.getString(2 + k));
        }
        List<Long> columnHashes = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
          columnHashes.add(rows.getLong(3 + keys + i));
        }
        hashed.add(
            new HashedRow(rows.getString(1), shownKey, rows.getLong(2 + keys), columnHashes));
      }
    } catch (SQLException e) {
      throw source.queryFailed(e);
    }
    return hashed;
  }

  @Override
  public List<Object[]> values(java.util.Collection<String> keys) {
    List<Object[]> values = new ArrayList<>();
    List<String> all = List.copyOf(keys);
    List<Column> columns = shape.columns();
    for (int from = 0; from < all.size(); from += KEYS_PER_STATEMENT) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + KEYS_PER_STATEMENT));
      StringJoiner marks = new StringJoiner(", ", "(", ")");
      chunk.forEach(key -> marks.add("?"));
      String sql = "SELECT * FROM (" + select + ") q WHERE " + keyRendering() + " IN " + marks;
      try (java.sql.PreparedStatement statement = source.open().prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) {
          statement.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            Object[] row = new Object[columns.size()];
            for (int i = 0; i < row.length; i++) {
              row[i] = io.qsync.duckdb.DuckDbValues.read(rows, i + 1, columns.get(i).type());
            }
            values.add(row);
          }
        }
      } catch (SQLException e) {
        throw source.queryFailed(e);
      }
    }
    return values;
  }

  /** At most this many keys in one statement's IN list. */
  static final int KEYS_PER_STATEMENT = 1000;

  private String within(List<KeyRange> ranges) {
    StringJoiner any = new StringJoiner(" OR ", "(", ")");
    for (KeyRange range : ranges) {
      any.add("(v >= " + range.low() + " AND v < " + range.high() + ")");
    }
    return any.toString();
  }

  private String bucketValue() {
    return shape.bucketValue() == BucketValue.FIRST_KEY_COLUMN
        ? "CAST(" + DuckDbSource.quote(shape.key().get(0)) + " AS HUGEINT)"
        : hash(keyRendering());
  }

  private String keyRendering() {
    StringJoiner parts = new StringJoiner(", ", "concat_ws('|', ", ")");
    shape.keyColumns().forEach(column -> parts.add(part(column)));
    return parts.toString();
  }

  private String rowHash() {
    StringJoiner parts = new StringJoiner(", ", "concat_ws('|', ", ")");
    shape.columns().forEach(column -> parts.add(part(column)));
    return hash(parts.toString());
  }

  /** The first 60 bits of the MD5 of {@code text}, as a BIGINT. */
  static String hash(String text) {
    return "CAST('0x' || left(md5(" + text + "), 15) AS BIGINT)";
  }

  /** A column's part of a row: N for NULL, else V and its rendering ('' is V). */
  static String part(Column column) {
    String quoted = DuckDbSource.quote(column.name());
    return "CASE WHEN "
        + quoted
        + " IS NULL THEN 'N' ELSE 'V' || "
        + rendering(quoted, column.type())
        + " END";
  }

  private static String shown(Column column) {
    String quoted = DuckDbSource.quote(column.name());
    return column.type().kind() == SqlType.Kind.BLOB
        ? "'0x' || hex(" + quoted + ")"
        : "CAST(" + quoted + " AS VARCHAR)";
  }

  /** The canonical rendering of a non-NULL value of {@code type} (see docs/verify.md). */
  static String rendering(String quoted, SqlType type) {
    return switch (type.kind()) {
      case BOOLEAN -> "CASE WHEN " + quoted + " THEN '1' ELSE '0' END";
      case TINYINT,
          SMALLINT,
          INTEGER,
          BIGINT,
          UTINYINT,
          USMALLINT,
          UINTEGER,
          UBIGINT,
          HUGEINT,
          DECIMAL ->
          "CAST(" + quoted + " AS VARCHAR)";
      case FLOAT -> real("CAST(" + quoted + " AS DOUBLE)");
      case DOUBLE -> real(quoted);
      case VARCHAR, JSON, UUID, BLOB -> "md5(" + quoted + ")";
      case DATE ->
          "CASE WHEN isfinite("
              + quoted
              + ") THEN strftime(CAST("
              + quoted
              + " AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%f') ELSE CAST("
              + quoted
              + " AS VARCHAR) END";
      case TIME -> "strftime(DATE '2000-01-01' + " + quoted + ", '%H:%M:%S.%f')";
      case TIMESTAMP, TIMESTAMP_UTC ->
          "CASE WHEN isfinite("
              + quoted
              + ") THEN strftime("
              + quoted
              + ", '%Y-%m-%d %H:%M:%S.%f') ELSE CAST("
              + quoted
              + " AS VARCHAR) END";
    };
  }

  /**
   * A double as its shortest round-trip digits and a decimal exponent: {@code 0.1} is {@code 1e0},
   * {@code 1e20} is {@code 1e21} (0.1 × 10^21), zero (and −0) is {@code 0}. DuckDB writes {@code
   * 1e+20} and {@code 1000000000000000.0}, MySQL {@code 1e20} and {@code 1e15}: both write the same
   * shortest digits, which this takes apart and puts together in one form.
   */
  static String real(String value) {
    String text = "CAST(abs(" + value + ") AS VARCHAR)";
    String mantissa = "split_part(" + text + ", 'e', 1)";
    String exponent =
        "(CASE WHEN contains("
            + text
            + ", 'e') THEN CAST(split_part("
            + text
            + ", 'e', 2) AS INTEGER) ELSE 0 END)";
    String whole = "split_part(" + mantissa + ", '.', 1)";
    String digits = "(" + whole + " || split_part(" + mantissa + ", '.', 2))";
    String significant = "ltrim(" + digits + ", '0')";
    return "CASE WHEN "
        + value
        + " = 0 THEN '0' WHEN NOT isfinite("
        + value
        + ") THEN CAST("
        + value
        + " AS VARCHAR) ELSE (CASE WHEN "
        + value
        + " < 0 THEN '-' ELSE '' END) || rtrim("
        + significant
        + ", '0') || 'e' || CAST(length("
        + whole
        + ") + "
        + exponent
        + " - (length("
        + digits
        + ") - length("
        + significant
        + ")) AS VARCHAR) END";
  }
}
