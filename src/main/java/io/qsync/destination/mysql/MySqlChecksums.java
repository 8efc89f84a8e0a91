package io.qsync.destination.mysql;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.destination.DestinationColumn;
import io.qsync.destination.DestinationTable;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.verify.BucketList;
import io.qsync.verify.BucketSum;
import io.qsync.verify.BucketValue;
import io.qsync.verify.DoubleText;
import io.qsync.verify.Grouping;
import io.qsync.verify.HashedRow;
import io.qsync.verify.KeyRange;
import io.qsync.verify.LongText;
import io.qsync.verify.RowChecksums;
import io.qsync.verify.RowShape;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The table's side of a verify: MySQL renders each row canonically (as {@code DuckDbChecksums}
 * renders the query's, for the column types qsync creates and the exact pairs of the type mapping),
 * hashes it and sums the hashes per bucket on the server, each statement bounded in time ({@code
 * max_statement_time} on MariaDB, {@code MAX_EXECUTION_TIME} on MySQL). See docs/verify.md. Not
 * thread-safe.
 */
final class MySqlChecksums implements RowChecksums {
  private final MySqlConnections connections;
  private final String table;
  private final RowShape shape;
  private final List<DestinationColumn> targetColumns;

  MySqlChecksums(MySqlConnections connections, DestinationTable table, RowShape shape) {
    this.connections = requireNonNull(connections, "connections is null");
    this.table = requireNonNull(table, "table is null").name();
    this.shape = requireNonNull(shape, "shape is null");
    List<DestinationColumn> columns = new ArrayList<>();
    for (Column column : shape.columns()) {
      columns.add(
          table
              .column(column.name())
              .orElseThrow(
                  () ->
                      new QsyncException(
                          ErrorKind.NEEDS_ACTION,
                          "table "
                              + table.name()
                              + " has no column "
                              + column.name()
                              + ", which the query returns; nothing to verify\nRun the sync"
                              + " first: its schema check says how to fix the table.")));
    }
    this.targetColumns = List.copyOf(columns);
  }

  @Override
  public Optional<KeyRange> span() {
    String first = MySqlDialect.quote(shape.key().get(0));
    String sql =
        bounded(
            "SELECT CAST(MIN("
                + first
                + ") AS CHAR), CAST(MAX("
                + first
                + ") AS CHAR) FROM "
                + MySqlDialect.quote(table));
    try (Statement statement = connections.connection().createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      String low = rows.getString(1);
      return low == null
          ? Optional.empty()
          : Optional.of(
              new KeyRange(
                  new BigInteger(low), new BigInteger(rows.getString(2)).add(BigInteger.ONE)));
    } catch (SQLException e) {
      throw connections.failed("read the key span of table " + table, e);
    }
  }

  @Override
  public Map<BigInteger, BucketSum> sums(Grouping grouping, List<KeyRange> ranges) {
    String sql =
        bounded(
            "SELECT CAST((v - "
                + grouping.origin()
                + ") DIV "
                + grouping.width()
                + " AS CHAR) AS __qsync_b, COUNT(*), BIT_XOR(h), "
                + shape.occupiedColumns("v", "CHAR")
                + " FROM (SELECT "
                + bucketValue()
                + " AS v, "
                + rowHash()
                + " AS h FROM "
                + MySqlDialect.quote(table)
                + keyFilter(ranges)
                + ") s WHERE "
                + within(ranges)
                + " GROUP BY 1");
    Map<BigInteger, BucketSum> sums = new HashMap<>();
    try (Statement statement = connections.connection().createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        sums.put(
            new BigInteger(rows.getString(1)),
            BucketSum.of(
                rows.getLong(2),
                rows.getBigDecimal(3).longValueExact(),
                rows.getString(4),
                rows.getString(5)));
      }
    } catch (SQLException e) {
      throw connections.failed("compute the checksums of table " + table, e);
    }
    return sums;
  }

  @Override
  public List<HashedRow> rows(List<KeyRange> ranges) {
    List<Column> columns = shape.columns();
    StringJoiner selected = new StringJoiner(", ");
    // Named, since MariaDB names an unnamed one by its text's first 64 characters, which two
    // columns' hashes may share.
    selected.add(keyRendering() + " AS k");
    List<Column> keyColumns = shape.keyColumns();
    for (int k = 0; k < keyColumns.size(); k++) {
      selected.add(shown(keyColumns.get(k)) + " AS s" + k);
    }
    selected.add(rowHash() + " AS h");
    for (int i = 0; i < columns.size(); i++) {
      selected.add(hash(part(i)) + " AS c" + i);
    }
    String sql =
        bounded(
            "SELECT * FROM (SELECT "
                + bucketValue()
                + " AS v, "
                + selected
                + " FROM "
                + MySqlDialect.quote(table)
                + keyFilter(ranges)
                + ") s WHERE "
                + within(ranges));
    List<HashedRow> hashed = new ArrayList<>();
    int keys = shape.key().size();
    try (Statement statement = connections.connection().createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        List<String> shownKey = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
          shownKey.add(rows.getString(3 + k));
        }
        List<Long> columnHashes = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
          columnHashes.add(hashOf(rows, 4 + keys + i, shownKey));
        }
        hashed.add(
            new HashedRow(
                rows.getString(2), shownKey, hashOf(rows, 3 + keys, shownKey), columnHashes));
      }
    } catch (SQLException e) {
      throw connections.failed("read the row hashes of table " + table, e);
    }
    return hashed;
  }

  /**
   * The hash in column {@code index}. MariaDB gives none (NULL) when the row's rendering is longer
   * than {@code max_allowed_packet}: texts of up to 64 KiB each are rendered whole, so enough of
   * them in one row pass it, and that row can be compared only once the server takes longer rows.
   */
  private long hashOf(ResultSet rows, int index, List<String> shownKey) throws SQLException {
    java.math.BigDecimal hash = rows.getBigDecimal(index);
    if (hash == null) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "database: the row of table "
              + table
              + " with key "
              + String.join(", ", shownKey)
              + " renders longer than the server's max_allowed_packet, so the server gives no hash of"
              + " it (its texts of up to 64 KiB each are rendered whole) and it cannot be compared"
              + " by checksums\nRaise max_allowed_packet on the server above the row's size (SET"
              + " GLOBAL max_allowed_packet = 1073741824, and in the server's configuration), then"
              + " verify again.");
    }
    return hash.longValueExact();
  }

  @Override
  public List<Object[]> values(java.util.Collection<String> keys) {
    List<Object[]> values = new ArrayList<>();
    List<String> all = List.copyOf(keys);
    List<Column> columns = shape.columns();
    StringJoiner names = new StringJoiner(", ");
    columns.forEach(
        column ->
            names.add(
                MySqlValues.selectExpression(MySqlDialect.quote(column.name()), column.type())));
    for (int from = 0; from < all.size(); from += KEYS_PER_STATEMENT) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + KEYS_PER_STATEMENT));
      StringJoiner marks = new StringJoiner(", ", "(", ")");
      chunk.forEach(key -> marks.add("?"));
      String sql =
          bounded(
              "SELECT "
                  + names
                  + " FROM "
                  + MySqlDialect.quote(table)
                  + " WHERE "
                  + keyRendering()
                  + " IN "
                  + marks);
      try (java.sql.PreparedStatement statement = connections.connection().prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) {
          statement.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            Object[] row = new Object[columns.size()];
            for (int i = 0; i < row.length; i++) {
              row[i] =
                  MySqlValues.read(
                      rows,
                      i + 1,
                      columns.get(i).type(),
                      MySqlValues.numbers(rows.getMetaData(), i + 1));
            }
            values.add(row);
          }
        }
      } catch (SQLException e) {
        throw connections.failed("read the differing rows of table " + table, e);
      }
    }
    return values;
  }

  /**
   * Streams each row's key columns, as a run reads them, and its row hash ({@link #rowHash}, as a
   * {@code Long}): what {@code diff: target} reads of the table instead of its whole rows. In
   * chunks of the primary key, as the whole rows are read ({@link
   * MySqlTableReader#streamInChunks}), so that a run can rest between them.
   */
  void keyHashes(
      MySqlTableReader reader, int chunkRows, Runnable between, io.qsync.row.RowSink sink) {
    // No alias for the hash: a primary-key column of the same name would order the chunks by it.
    reader.streamInChunks(
        table,
        MySqlTableReader.selected(shape.keyColumns()) + ", " + rowHash(),
        shape.keyColumns(),
        true,
        chunkRows,
        between,
        sink,
        "read the row hashes of table " + table);
  }

  /** At most this many keys in one statement's IN list. */
  static final int KEYS_PER_STATEMENT = 1000;

  /** The statement with the connection's statement time limit, if it has one. */
  private String bounded(String select) {
    Duration limit = connections.statementTimeout();
    if (limit.isZero()) {
      return select;
    }
    if (connections.mariaDb()) {
      return String.format(
              Locale.ROOT,
              "SET STATEMENT max_statement_time = %.3f FOR ",
              limit.toMillis() / 1000.0)
          + select;
    }
    return "SELECT /*+ MAX_EXECUTION_TIME(" + limit.toMillis() + ") */" + select.substring(6);
  }

  /** For buckets by the first key column: the ranges on the column itself, so its index serves. */
  private String keyFilter(List<KeyRange> ranges) {
    if (shape.bucketValue() != BucketValue.FIRST_KEY_COLUMN) {
      return "";
    }
    String first = MySqlDialect.quote(shape.key().get(0));
    StringJoiner any = new StringJoiner(" OR ", " WHERE ", "");
    for (KeyRange range : ranges) {
      any.add("(" + first + " >= " + range.low() + " AND " + first + " < " + range.high() + ")");
    }
    return any.toString();
  }

  /**
   * Keeps the rows whose bucket value {@code v} is within {@code ranges}. By the first key column,
   * {@link #keyFilter} already did, through the index. By the key's hash, every row is looked at:
   * many ranges of one width become a list of buckets ({@code v DIV width IN (...)}, a binary
   * search per row) instead of a WHERE of that many ranges.
   */
  private String within(List<KeyRange> ranges) {
    if (shape.bucketValue() == BucketValue.FIRST_KEY_COLUMN) {
      return "TRUE";
    }
    Optional<BucketList> list =
        ranges.size() <= 8
            ? Optional.empty()
            : BucketList.of(ranges, BigInteger.ZERO, MAX_BUCKETS_LISTED);
    if (list.isEmpty()) {
      return orList(ranges);
    }
    StringJoiner buckets = new StringJoiner(", ", "v DIV " + list.get().width() + " IN (", ")");
    list.get().buckets().forEach(bucket -> buckets.add(bucket.toString()));
    return buckets.toString();
  }

  /** At most this many buckets in one IN list; more ranges are asked for as ranges. */
  static final int MAX_BUCKETS_LISTED = 100_000;

  private static String orList(List<KeyRange> ranges) {
    StringJoiner any = new StringJoiner(" OR ", "(", ")");
    for (KeyRange range : ranges) {
      any.add("(v >= " + range.low() + " AND v < " + range.high() + ")");
    }
    return any.toString();
  }

  private String bucketValue() {
    if (shape.bucketValue() == BucketValue.FIRST_KEY_COLUMN) {
      String first = MySqlDialect.quote(shape.key().get(0));
      DestinationColumn column = targetColumns.get(shape.index(shape.key().get(0)));
      return column.dataType().equals("bit")
          ? "(" + first + " + 0)"
          : "CAST(" + first + " AS DECIMAL(65,0))";
    }
    return hash(keyRendering());
  }

  private String keyRendering() {
    StringJoiner parts = new StringJoiner(", ", "CONCAT_WS('|', ", ")");
    shape.key().forEach(name -> parts.add(part(shape.index(name))));
    return parts.toString();
  }

  private String rowHash() {
    StringJoiner parts = new StringJoiner(", ", "CONCAT_WS('|', ", ")");
    for (int i = 0; i < shape.columns().size(); i++) {
      parts.add(part(i));
    }
    return hash(parts.toString());
  }

  /** The first 60 bits of the MD5 of {@code text}, as a BIGINT UNSIGNED. */
  private static String hash(String text) {
    return "CAST(CONV(LEFT(MD5(" + text + "), 15), 16, 10) AS UNSIGNED)";
  }

  /** Column {@code index}'s part of a row: N for NULL, else V and its rendering ('' is V). */
  private String part(int index) {
    Column column = shape.columns().get(index);
    String quoted = MySqlDialect.quote(column.name());
    return "IF("
        + quoted
        + " IS NULL, 'N', CONCAT('V', "
        + rendering(quoted, column.type(), targetColumns.get(index), shape.doubles())
        + "))";
  }

  private String shown(Column column) {
    String quoted = MySqlDialect.quote(column.name());
    return switch (column.type().kind()) {
      case BLOB -> "CONCAT('0x', LOWER(HEX(" + quoted + ")))";
      case DATE, TIMESTAMP, TIMESTAMP_UTC, TIME ->
          MySqlValues.selectExpression(quoted, column.type());
      default -> "CAST(" + quoted + " AS CHAR)";
    };
  }

  /**
   * The canonical rendering of a non-NULL value of the query's type {@code type} held in {@code
   * column}, equal to DuckDbChecksums's for the same value (see docs/verify.md). A value the
   * query's type cannot hold (7.25 where it returns whole numbers, 2 for a BOOLEAN, a time of day
   * where it returns dates, a double no float holds) renders as something no value of that type
   * renders as, so its row differs, as the run's diff finds.
   */
  static String rendering(
      String quoted, SqlType type, DestinationColumn column, DoubleText doubles) {
    String dataType = column.dataType().toLowerCase(Locale.ROOT);
    return switch (type.kind()) {
      case BOOLEAN,
          TINYINT,
          SMALLINT,
          INTEGER,
          BIGINT,
          UTINYINT,
          USMALLINT,
          UINTEGER,
          UBIGINT,
          HUGEINT ->
          decimal(quoted, dataType, column.numericScale(), 0);
      case DECIMAL -> decimal(quoted, dataType, column.numericScale(), type.scale());
      case FLOAT -> real("CAST(" + quoted + " AS DOUBLE)", doubles);
      case DOUBLE -> real(quoted, doubles);
      case VARCHAR, JSON -> lengthAndBytes(text(quoted, column));
      case UUID ->
          dataType.equals("uuid")
              ? "MD5(CAST(" + quoted + " AS CHAR))"
              : "MD5(" + text(quoted, column) + ")";
      case BLOB -> "MD5(" + quoted + ")";
      case DATE, TIMESTAMP, TIMESTAMP_UTC -> "DATE_FORMAT(" + quoted + ", '%Y-%m-%d %H:%i:%s.%f')";
      case TIME -> "TIME_FORMAT(" + quoted + ", '%H:%i:%s.%f')";
    };
  }

  /**
   * Text as its length in bytes, a colon and the bytes themselves, inside the row's one MD5: the
   * length makes the row's text unambiguous whatever the text holds ({@code |} included), and costs
   * the server's CPU about 30 % less than an MD5 of each text column did (docs/benchmarks.md). A
   * text longer than {@link LongText#BYTES} as its length, {@code #} and the MD5 of its bytes
   * instead, so that the row's rendering stays below {@code max_allowed_packet}, past which {@code
   * CONCAT} returns NULL.
   */
  private static String lengthAndBytes(String text) {
    String length = "LENGTH(" + text + ")";
    return "IF("
        + length
        + " > "
        + LongText.BYTES
        + ", CONCAT("
        + length
        + ", '#', MD5("
        + text
        + ")), CONCAT("
        + length
        + ", ':', "
        + text
        + "))";
  }

  /**
   * Text as its UTF-8 bytes, whatever the column's character set, compared byte by byte: the
   * explicit collation also lets one row's text columns of different collations be joined ({@code
   * CONCAT_WS} refuses an "illegal mix of collations" otherwise).
   */
  private static String text(String quoted, DestinationColumn column) {
    boolean utf8mb4 =
        column.characterSet().map(set -> set.equalsIgnoreCase("utf8mb4")).orElse(false);
    return (utf8mb4 ? quoted : "CONVERT(" + quoted + " USING utf8mb4)") + " COLLATE utf8mb4_bin";
  }

  /**
   * A number at scale {@code scale} as DuckDB writes it: a column with more digits after the point
   * renders a value that fits the scale at that scale, and any other at its own (longer) one.
   */
  private static String decimal(String quoted, String dataType, int columnScale, int scale) {
    if (dataType.equals("bit")) {
      return "CAST(" + quoted + " + 0 AS CHAR)";
    }
    if (dataType.equals("decimal") && columnScale > scale) {
      return "IF("
          + quoted
          + " = ROUND("
          + quoted
          + ", "
          + scale
          + "), CAST(CAST("
          + quoted
          + " AS DECIMAL(65,"
          + scale
          + ")) AS CHAR), CAST("
          + quoted
          + " AS CHAR))";
    }
    return "CAST(" + quoted + " AS CHAR)";
  }

  /** A double as {@code doubles} says (0 and −0 as {@code 0}). */
  static String real(String value, DoubleText doubles) {
    return doubles == DoubleText.MARIADB
        ? "IF(" + value + " = 0, '0', CAST(" + value + " AS CHAR))"
        : parts(value);
  }

  /** {@link DoubleText#PARTS}: shortest round-trip digits and a decimal exponent. */
  static String parts(String value) {
    String text = "CAST(ABS(" + value + ") AS CHAR)";
    String mantissa = "SUBSTRING_INDEX(" + text + ", 'e', 1)";
    String exponent =
        "IF(LOCATE('e', "
            + text
            + ") > 0, CAST(SUBSTRING_INDEX("
            + text
            + ", 'e', -1) AS SIGNED), 0)";
    String whole = "SUBSTRING_INDEX(" + mantissa + ", '.', 1)";
    String digits =
        "CONCAT("
            + whole
            + ", IF(LOCATE('.', "
            + mantissa
            + ") > 0, SUBSTRING_INDEX("
            + mantissa
            + ", '.', -1), ''))";
    String significant = "TRIM(LEADING '0' FROM " + digits + ")";
    return "IF("
        + value
        + " = 0, '0', CONCAT(IF("
        + value
        + " < 0, '-', ''), TRIM(TRAILING '0' FROM "
        + significant
        + "), 'e', CAST(LENGTH("
        + whole
        + ") + "
        + exponent
        + " - (LENGTH("
        + digits
        + ") - LENGTH("
        + significant
        + ")) AS SIGNED)))";
  }
}
