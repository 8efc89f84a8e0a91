package io.qsync.source.duckdb;

import static java.util.Objects.requireNonNull;

import io.qsync.duckdb.DuckDbRowHash;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.verify.BucketList;
import io.qsync.verify.BucketSum;
import io.qsync.verify.BucketValue;
import io.qsync.verify.DoubleText;
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

  /** The rendering and hash of the query's rows, read from {@link #prepared}. */
  private final DuckDbRowHash rendering;

  /** The query with what {@link DuckDbRowHash#prepared} adds for each FLOAT or DOUBLE column. */
  private final String prepared;

  /**
   * @param select the query, each column cast to the type qsync carries it as
   */
  DuckDbChecksums(DuckDbSource source, String select, RowShape shape) {
    this.source = requireNonNull(source, "source is null");
    this.select = requireNonNull(select, "select is null");
    this.shape = requireNonNull(shape, "shape is null");
    this.rendering =
        new DuckDbRowHash(
            shape.columns(),
            shape.columns().stream().map(column -> DuckDbSource.quote(column.name())).toList(),
            shape.doubles() == DoubleText.MARIADB);
    this.prepared = rendering.prepared(select);
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
        "SELECT CAST((__qsync_v - "
            + grouping.origin()
            + ") // "
            + grouping.width()
            + " AS VARCHAR) AS __qsync_b, count(*), bit_xor("
            + rowHash()
            + "), "
            + shape.occupiedColumns("__qsync_v", "VARCHAR")
            + " FROM "
            + inRanges(ranges)
            + " GROUP BY 1";
    Map<BigInteger, BucketSum> sums = new HashMap<>();
    try (Statement statement = source.open().createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        sums.put(
            new BigInteger(rows.getString(1)),
            BucketSum.of(rows.getLong(2), rows.getLong(3), rows.getString(4), rows.getString(5)));
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
      selected.add(hash(part(columns.indexOf(column))));
    }
    String sql = "SELECT " + selected + " FROM " + inRanges(ranges);
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
      String sql = "SELECT * FROM " + prepared + " q WHERE " + keyRendering() + " IN " + marks;
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

  /**
   * The rows whose bucket value {@code __qsync_v} is within {@code ranges}, before any of them is
   * rendered or hashed: with it, the query's columns and {@link #prepared}'s. By the first key
   * column, the query's rows are kept by their key ({@link #whereKey}) before {@link
   * DuckDbRowHash#prepared} takes their doubles apart: an ASOF join of the whole rows with the
   * ranges sorted every row it read, which cost DuckDB 7-10 s of CPU per million of the bench's
   * rows for the one range of a verify's first pass, against 3-4 s with the key's WHERE.
   */
  private String inRanges(List<KeyRange> ranges) {
    if (shape.bucketValue() == BucketValue.FIRST_KEY_COLUMN) {
      String kept = "SELECT * FROM (" + select + ") q WHERE " + whereKey(ranges);
      return "(SELECT *, "
          + bucketValue()
          + " AS __qsync_v FROM "
          + rendering.prepared(kept)
          + " q) s";
    }
    return "(SELECT *, "
        + bucketValue()
        + " AS __qsync_v FROM "
        + prepared
        + " q) s"
        + within(ranges);
  }

  /** At most this many ranges of the first key column as a WHERE of ranges. */
  static final int RANGES_IN_WHERE = 16;

  /** At most this many buckets of the first key column in one IN list. */
  static final int MAX_BUCKETS_LISTED = 100_000;

  /**
   * The first key column within {@code ranges}: a few ranges as such; more as a list of the buckets
   * they join ({@link BucketList}), which DuckDB looks up in a hash set, where a WHERE of 500
   * ranges cost it 5.7 s per million rows; failing that (ranges of uneven widths, too many
   * buckets), by an ASOF join of the key alone with the ranges.
   */
  private String whereKey(List<KeyRange> ranges) {
    String first = "CAST(" + DuckDbSource.quote(shape.key().get(0)) + " AS HUGEINT)";
    if (ranges.size() <= RANGES_IN_WHERE) {
      StringJoiner any = new StringJoiner(" OR ", "(", ")");
      for (KeyRange range : ranges) {
        any.add("(" + first + " >= " + range.low() + " AND " + first + " < " + range.high() + ")");
      }
      return any.toString();
    }
    Optional<BucketList> list = BucketList.of(ranges, MAX_BUCKETS_LISTED);
    if (list.isPresent()) {
      StringJoiner buckets =
          new StringJoiner(
              ", ",
              "("
                  + first
                  + " >= "
                  + list.get().origin()
                  + " AND ("
                  + first
                  + " - "
                  + list.get().origin()
                  + ") // "
                  + list.get().width()
                  + " IN (",
              "))");
      list.get().buckets().forEach(bucket -> buckets.add(bucket.toString()));
      return buckets.toString();
    }
    return first
        + " IN (SELECT s.__qsync_v FROM (SELECT "
        + first
        + " AS __qsync_v FROM ("
        + select
        + ") q) s"
        + within(ranges)
        + ")";
  }

  /**
   * Keeps the rows of {@code s} whose bucket value {@code __qsync_v} is within {@code ranges}
   * (sorted, disjoint): an ASOF join with the ranges finds each row's candidate in one sorted pass,
   * where a WHERE of 500 ranges cost DuckDB 5.7 s per million rows against 0.9 s.
   */
  private static String within(List<KeyRange> ranges) {
    StringJoiner values = new StringJoiner(", ");
    for (KeyRange range : ranges) {
      values.add("(" + range.low() + ", " + range.high() + ")");
    }
    return " ASOF JOIN (SELECT CAST(lo AS HUGEINT) AS __qsync_lo, CAST(hi AS HUGEINT) AS __qsync_hi"
        + " FROM (VALUES "
        + values
        + ") t(lo, hi)) r ON s.__qsync_v >= r.__qsync_lo WHERE s.__qsync_v < r.__qsync_hi";
  }

  private String bucketValue() {
    return shape.bucketValue() == BucketValue.FIRST_KEY_COLUMN
        ? "CAST(" + DuckDbSource.quote(shape.key().get(0)) + " AS HUGEINT)"
        : hash(keyRendering());
  }

  private String keyRendering() {
    return rendering.rendering(shape.key().stream().map(shape::index).toList());
  }

  private String rowHash() {
    return rendering.rowHash();
  }

  private static String hash(String text) {
    return DuckDbRowHash.hash(text);
  }

  private String part(int index) {
    return rendering.part(index);
  }

  private static String shown(Column column) {
    String quoted = DuckDbSource.quote(column.name());
    return column.type().kind() == SqlType.Kind.BLOB
        ? "'0x' || hex(" + quoted + ")"
        : "CAST(" + quoted + " AS VARCHAR)";
  }
}
