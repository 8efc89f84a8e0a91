package io.qsync.source.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FieldList;
import com.google.cloud.bigquery.LegacySQLTypeName;
import com.google.cloud.bigquery.StandardSQLTypeName;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.row.Column;
import io.qsync.source.bigquery.BigQuerySource.JobRequest;
import io.qsync.source.bigquery.BigQuerySource.RanJob;
import io.qsync.verify.BucketList;
import io.qsync.verify.BucketSearch;
import io.qsync.verify.BucketSum;
import io.qsync.verify.BucketValue;
import io.qsync.verify.DoubleSql;
import io.qsync.verify.Grouping;
import io.qsync.verify.HashedRow;
import io.qsync.verify.KeyRange;
import io.qsync.verify.LongText;
import io.qsync.verify.RowChecksums;
import io.qsync.verify.RowShape;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * The warehouse's side of a verify in BigQuery: GoogleSQL renders each row of the query's result
 * canonically (as the run carries it: see docs/verify.md), hashes it ({@code MD5}, its first 60
 * bits as an INT64) and sums the hashes per bucket ({@code COUNT(*)}, {@code BIT_XOR}), so that a
 * pass is one query job whose result is one row per bucket. Every job goes through {@link
 * BigQuerySource#runJob} (the connection's {@code maximum_bytes_billed}, labels and retries), and
 * the bytes each job billed are added up. Not thread-safe.
 */
final class BigQueryChecksums implements RowChecksums {
  private static final DoubleSql DOUBLES = new DoubleSql("STRING");

  /** The smallest normal double: below it (subnormals) fewer than 15 digits always round-trip. */
  private static final String MIN_NORMAL = "2.2250738585072014e-308";

  /**
   * At most this many buckets listed in one job's WHERE (about 10 characters each): GoogleSQL
   * queries may be 1,024K characters long (cloud.google.com/bigquery/quotas#query_jobs).
   */
  static final int MAX_BUCKETS_LISTED = 50_000;

  private final BigQuerySource source;
  private final String query;
  private final RowShape shape;
  private final List<Field> fields;
  private final String prepared;
  private final String jobPrefix = "verify_" + UUID.randomUUID().toString().substring(0, 8);
  private final List<String> notes = new ArrayList<>();
  private int jobs;
  private long bytesBilled;

  /**
   * @param fields the query's result fields (from its dry run), in the order of {@code shape}'s
   *     columns
   */
  BigQueryChecksums(BigQuerySource source, String query, RowShape shape, FieldList fields) {
    this.source = requireNonNull(source, "source is null");
    this.query = requireNonNull(query, "query is null");
    this.shape = requireNonNull(shape, "shape is null");
    this.fields = List.copyOf(requireNonNull(fields, "fields is null"));
    if (this.fields.size() != shape.columns().size()) {
      throw new IllegalArgumentException("the fields and the shape's columns differ");
    }
    for (Field field : this.fields) {
      if (repeatedOrRecord(field)) {
        json(
            quote(field.getName()),
            field,
            field.getMode() == Field.Mode.REPEATED,
            field.getName(),
            0);
      }
    }
    this.prepared = prepared();
  }

  /** The bytes billed by the verify's jobs so far. */
  @Override
  public OptionalLong bytesBilled() {
    return OptionalLong.of(bytesBilled);
  }

  /** One job per pass: every range of a pass in one query (see {@link #MAX_BUCKETS_LISTED}). */
  @Override
  public int rangesPerQuery() {
    return Integer.MAX_VALUE;
  }

  @Override
  public Optional<KeyRange> span() {
    String first = quote(shape.key().get(0));
    List<Object[]> rows =
        read(
            "SELECT CAST(MIN("
                + first
                + ") AS STRING) AS lo, CAST(MAX("
                + first
                + ") AS STRING) AS hi FROM ("
                + query
                + "\n) AS q",
            "the key span");
    Object low = rows.isEmpty() ? null : rows.get(0)[0];
    return low == null
        ? Optional.empty()
        : Optional.of(
            new KeyRange(
                new BigInteger(low.toString()),
                new BigInteger(rows.get(0)[1].toString()).add(BigInteger.ONE)));
  }

  @Override
  public Map<BigInteger, BucketSum> sums(Grouping grouping, List<KeyRange> ranges) {
    return sumsWhere(grouping, filters(ranges));
  }

  /**
   * A pass's checksums, its rows kept by the buckets of the last pass it splits: every job bills a
   * full scan, and those few buckets take at most one job per {@link #MAX_BUCKETS_LISTED} of them,
   * where the finer ranges of the spans their rows occupy would take many.
   */
  @Override
  public Map<BigInteger, BucketSum> sums(BucketSearch.Pass pass) {
    return sumsWhere(pass.grouping(), filters(pass));
  }

  /** The filters of a pass's jobs: one per {@link #MAX_BUCKETS_LISTED} of the buckets it splits. */
  static List<String> filters(BucketSearch.Pass pass) {
    BucketList parents = pass.parents();
    return listFilters(parents.origin(), parents.width(), parents.buckets());
  }

  private Map<BigInteger, BucketSum> sumsWhere(Grouping grouping, List<String> filters) {
    Map<BigInteger, BucketSum> sums = new HashMap<>();
    for (String filter : filters) {
      String sql =
          "SELECT CAST(DIV(__qsync_v - "
              + numeric(grouping.origin())
              + ", "
              + numeric(grouping.width())
              + ") AS STRING) AS b, COUNT(*) AS n, BIT_XOR("
              + rowHash()
              + ") AS x, "
              + shape.occupiedColumns("__qsync_v", "STRING")
              + " FROM "
              + withBucketValue()
              + " WHERE "
              + filter
              + " GROUP BY 1";
      for (Object[] row : read(sql, "the bucket checksums")) {
        sums.put(
            new BigInteger(row[0].toString()),
            BucketSum.of(
                ((Number) row[1]).longValue(),
                ((Number) row[2]).longValue(),
                row[3] == null ? null : row[3].toString(),
                row[4] == null ? null : row[4].toString()));
      }
    }
    return sums;
  }

  @Override
  public List<HashedRow> rows(List<KeyRange> ranges) {
    int keys = shape.key().size();
    List<Column> columns = shape.columns();
    StringJoiner selected = new StringJoiner(", ");
    selected.add(keyRendering() + " AS k");
    List<Column> keyColumns = shape.keyColumns();
    for (int k = 0; k < keyColumns.size(); k++) {
      selected.add(shown(shape.index(keyColumns.get(k).name())) + " AS s" + k);
    }
    selected.add(rowHash() + " AS h");
    for (int i = 0; i < columns.size(); i++) {
      selected.add(hash(part(i)) + " AS c" + i);
    }
    List<HashedRow> hashed = new ArrayList<>();
    for (String filter : filters(ranges)) {
      String sql = "SELECT " + selected + " FROM " + withBucketValue() + " WHERE " + filter;
      for (Object[] row : read(sql, "the row hashes")) {
        List<String> shownKey = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
          shownKey.add(row[1 + k] == null ? null : row[1 + k].toString());
        }
        List<Long> columnHashes = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
          columnHashes.add(((Number) row[2 + keys + i]).longValue());
        }
        hashed.add(
            new HashedRow(
                row[0].toString(), shownKey, ((Number) row[1 + keys]).longValue(), columnHashes));
      }
    }
    return hashed;
  }

  @Override
  public List<Object[]> values(Collection<String> keys) {
    List<Object[]> values = new ArrayList<>();
    List<String> all = List.copyOf(keys);
    StringJoiner names = new StringJoiner(", ");
    shape.columns().forEach(column -> names.add(quote(column.name())));
    for (int from = 0; from < all.size(); from += MAX_BUCKETS_LISTED) {
      StringJoiner list = new StringJoiner(", ", "(", ")");
      all.subList(from, Math.min(all.size(), from + MAX_BUCKETS_LISTED))
          .forEach(key -> list.add(literal(key)));
      values.addAll(
          read(
              "SELECT " + names + " FROM " + prepared + " WHERE " + keyRendering() + " IN " + list,
              "the differing rows"));
    }
    return values;
  }

  /**
   * Runs one query job over qsync's SQL around the sync's query (which may take the connection's
   * parameters), adds its bytes billed, and reads its result as qsync reads a run's.
   */
  private List<Object[]> read(String sql, String what) {
    jobs++;
    String id = jobPrefix + "_" + jobs;
    RanJob job =
        source.runJob(
            new JobRequest(
                BigQuerySource.jobId(id, sql),
                sql,
                true,
                Map.of("qsync_verify", "true"),
                table -> null,
                what + " of verify job " + jobs,
                io.qsync.source.Source.VERIFY_JOB),
            notes);
    bytesBilled += job.bytesBilled();
    List<Object[]> rows = new ArrayList<>();
    source.result(job).read(0, rows::add);
    return rows;
  }

  /**
   * The rows of the query with {@code __qsync_v}, their bucket value, as a NUMERIC: the differences
   * a pass computes from an INT64 key may not fit an INT64.
   */
  private String withBucketValue() {
    String value =
        shape.bucketValue() == BucketValue.FIRST_KEY_COLUMN
            ? quote(shape.key().get(0))
            : hash(keyRendering());
    return "(SELECT *, CAST(" + value + " AS NUMERIC) AS __qsync_v FROM " + prepared + ") AS s";
  }

  /**
   * Conditions on {@code __qsync_v} that keep the rows within {@code ranges}, one per job. Each
   * pass's ranges are whole buckets of one width, so they become a list of the buckets of their
   * {@link BucketList#commonWidth} counted from the lowest ({@code DIV(v - low, width) IN (...)}),
   * at most {@link #MAX_BUCKETS_LISTED} per job; or, where that would take more jobs (ranges of
   * uneven widths, as spans of rows make them), as ranges, at most {@value #RANGES_PER_JOB} per
   * job.
   */
  private static List<String> filters(List<KeyRange> ranges) {
    BigInteger low = ranges.stream().map(KeyRange::low).min(BigInteger::compareTo).orElseThrow();
    BigInteger width = BucketList.commonWidth(ranges, low);
    BigInteger listed = BigInteger.ZERO;
    for (KeyRange range : ranges) {
      listed = listed.add(range.width().divide(width));
    }
    if (jobs(listed, MAX_BUCKETS_LISTED)
            .compareTo(jobs(BigInteger.valueOf(ranges.size()), RANGES_PER_JOB))
        > 0) {
      return rangeFilters(ranges);
    }
    List<BigInteger> buckets = new ArrayList<>();
    for (KeyRange range : ranges) {
      BigInteger from = range.low().subtract(low);
      for (BigInteger bucket = from.divide(width);
          bucket.compareTo(from.add(range.width()).divide(width)) < 0;
          bucket = bucket.add(BigInteger.ONE)) {
        buckets.add(bucket);
      }
    }
    return listFilters(low, width, buckets);
  }

  /**
   * {@code DIV(v - low, width) IN (...)} over {@code buckets}, at most {@link #MAX_BUCKETS_LISTED}
   * per job.
   */
  private static List<String> listFilters(
      BigInteger low, BigInteger width, List<BigInteger> buckets) {
    List<String> filters = new ArrayList<>();
    for (int from = 0; from < buckets.size(); from += MAX_BUCKETS_LISTED) {
      StringJoiner list =
          new StringJoiner(
              ", ",
              "__qsync_v >= "
                  + numeric(low)
                  + " AND DIV(__qsync_v - "
                  + numeric(low)
                  + ", "
                  + numeric(width)
                  + ") IN (",
              ")");
      buckets
          .subList(from, Math.min(buckets.size(), from + MAX_BUCKETS_LISTED))
          .forEach(bucket -> list.add(bucket.toString()));
      filters.add(list.toString());
    }
    return filters;
  }

  /** At most this many ranges in one job's WHERE, when they are not listed as buckets. */
  static final int RANGES_PER_JOB = 500;

  /** How many jobs ask for {@code items} at {@code perJob} each. */
  private static BigInteger jobs(BigInteger items, int perJob) {
    BigInteger per = BigInteger.valueOf(perJob);
    return items.add(per).subtract(BigInteger.ONE).divide(per);
  }

  private static List<String> rangeFilters(List<KeyRange> ranges) {
    List<String> filters = new ArrayList<>();
    for (int from = 0; from < ranges.size(); from += RANGES_PER_JOB) {
      StringJoiner any = new StringJoiner(" OR ", "(", ")");
      for (KeyRange range : ranges.subList(from, Math.min(ranges.size(), from + RANGES_PER_JOB))) {
        any.add(
            "(__qsync_v >= "
                + numeric(range.low())
                + " AND __qsync_v < "
                + numeric(range.high())
                + ")");
      }
      filters.add(any.toString());
    }
    return filters;
  }

  /**
   * A whole number as a NUMERIC: a literal beyond INT64 would not parse
   * (cloud.google.com/bigquery/docs/reference/standard-sql/lexical#integer_literals).
   */
  private static String numeric(BigInteger value) {
    return "CAST('" + value + "' AS NUMERIC)";
  }

  /**
   * The query with, for each FLOAT64 column {@code i}, its shortest round-trip digits without
   * leading and trailing zeros ({@code __qsync_d<i>}) and decimal exponent ({@code __qsync_p<i>}:
   * the value is 0.digits × 10^exponent), computed once per row from the text {@link #shortest}
   * chose ({@code __qsync_t<i>}); and for each column rendered as text that is not a STRING, that
   * text ({@code __qsync_s<i>}, see {@link #text}).
   */
  private String prepared() {
    StringJoiner texts = new StringJoiner("");
    StringJoiner parts = new StringJoiner("");
    for (int i = 0; i < fields.size(); i++) {
      int index = i;
      text(i).ifPresent(value -> texts.add(", " + value + " AS " + preparedText(index)));
      if (!isFloat(fields.get(i))) {
        continue;
      }
      String t = "__qsync_t" + i;
      texts.add(", " + shortest("ABS(" + quote(shape.columns().get(i).name()) + ")") + " AS " + t);
      String whole = "REGEXP_EXTRACT(" + t + ", r'^([0-9]*)')";
      String fraction = "IFNULL(REGEXP_EXTRACT(" + t + ", r'\\.([0-9]*)'), '')";
      String exponent =
          "IFNULL(SAFE_CAST(REGEXP_EXTRACT(" + t + ", r'e\\+?(-?[0-9]+)') AS INT64), 0)";
      String digits = "CONCAT(" + whole + ", " + fraction + ")";
      parts.add(
          ", RTRIM(LTRIM("
              + digits
              + ", '0'), '0') AS __qsync_d"
              + i
              + ", LENGTH("
              + whole
              + ") + "
              + exponent
              + " - (LENGTH("
              + digits
              + ") - LENGTH(LTRIM("
              + digits
              + ", '0'))) AS __qsync_p"
              + i);
    }
    if (texts.length() == 0) {
      return "(" + query + "\n)";
    }
    if (parts.length() == 0) {
      return "(SELECT *" + texts + " FROM (" + query + "\n) AS q0)";
    }
    return "(SELECT *"
        + parts
        + " FROM (SELECT *"
        + texts
        + " FROM ("
        + query
        + "\n) AS q0) AS q1)";
  }

  /**
   * The shortest round-trip text of a positive FLOAT64 {@code value} ({@code CAST(... AS STRING)}
   * is not guaranteed to be one): the first of {@code FORMAT('%.15g')}, {@code '%.16g'} that reads
   * back as the same double; else the 16-digit number one above {@code '%.15e'}'s when that does
   * (at a power of two the gap below is half the gap above, so the nearest 16 digits may miss while
   * the next ones hit); else {@code '%.17g'}, which always does. Any decimal of at most 15 digits
   * survives a trip through a double, so when one reads back as the value {@code '%.15g'} gives it.
   * Below the smallest normal double fewer digits hold, so there it tries 1 to 17 digits.
   */
  static String shortest(String value) {
    StringBuilder cases = new StringBuilder("(CASE WHEN " + value + " < " + MIN_NORMAL);
    for (int digits = 1; digits <= 17; digits++) {
      String text = "FORMAT('%." + digits + "g', " + value + ")";
      cases.append(digits == 1 ? " THEN (CASE" : "");
      cases.append(
          digits == 17
              ? " ELSE " + text + " END)"
              : " WHEN " + roundTrips(text, value) + " THEN " + text);
    }
    String g15 = "FORMAT('%.15g', " + value + ")";
    String g16 = "FORMAT('%.16g', " + value + ")";
    String e15 = "FORMAT('%.15e', " + value + ")";
    String up =
        "CONCAT(CAST(SAFE_CAST(REPLACE(REGEXP_EXTRACT("
            + e15
            + ", r'^([0-9.]*)'), '.', '') AS INT64) + 1 AS STRING), 'e', CAST(SAFE_CAST(REGEXP_EXTRACT("
            + e15
            + ", r'e\\+?(-?[0-9]+)') AS INT64) - 15 AS STRING))";
    cases
        .append(" WHEN ")
        .append(roundTrips(g15, value))
        .append(" THEN ")
        .append(g15)
        .append(" WHEN ")
        .append(roundTrips(g16, value))
        .append(" THEN ")
        .append(g16)
        .append(" WHEN ")
        .append(roundTrips(up, value))
        .append(" THEN ")
        .append(up)
        .append(" ELSE FORMAT('%.17g', ")
        .append(value)
        .append(") END)");
    return cases.toString();
  }

  private static String roundTrips(String text, String value) {
    return "SAFE_CAST(" + text + " AS FLOAT64) = " + value;
  }

  private String keyRendering() {
    StringJoiner parts = new StringJoiner(", '|', ", "CONCAT(", ")");
    shape.key().forEach(name -> parts.add(part(shape.index(name))));
    return shape.key().size() == 1 ? part(shape.index(shape.key().get(0))) : parts.toString();
  }

  private String rowHash() {
    if (shape.columns().size() == 1) {
      return hash(part(0));
    }
    StringJoiner parts = new StringJoiner(", '|', ", "CONCAT(", ")");
    for (int i = 0; i < shape.columns().size(); i++) {
      parts.add(part(i));
    }
    return hash(parts.toString());
  }

  /**
   * The first 60 bits of the MD5 of {@code text} as an INT64: MD5 returns 16 bytes, TO_HEX their
   * lower-case hex, and a STRING cast to INT64 may be hex with a {@code 0x} prefix
   * (cloud.google.com/bigquery/docs/reference/standard-sql/conversion_functions#cast_as_int64).
   */
  static String hash(String text) {
    return "CAST(CONCAT('0x', SUBSTR(TO_HEX(MD5(" + text + ")), 1, 15)) AS INT64)";
  }

  /** Column {@code index}'s part of a row: N for NULL, else V and its rendering ('' is V). */
  private String part(int index) {
    String quoted = quote(shape.columns().get(index).name());
    if (fields.get(index).getMode() == Field.Mode.REPEATED) {
      // BigQuery returns a NULL ARRAY as an empty one
      // (reference/standard-sql/data-types#array_nulls): the run writes [].
      return "CONCAT('V', " + rendering(quoted, fields.get(index), index) + ")";
    }
    return "IF("
        + quoted
        + " IS NULL, 'N', CONCAT('V', "
        + rendering(quoted, fields.get(index), index)
        + "))";
  }

  private String shown(int index) {
    String quoted = quote(shape.columns().get(index).name());
    StandardSQLTypeName type = fields.get(index).getType().getStandardType();
    return switch (type) {
      case BYTES -> "CONCAT('0x', TO_HEX(" + quoted + "))";
      case JSON -> "TO_JSON_STRING(" + quoted + ")";
      default -> "CAST(" + quoted + " AS STRING)";
    };
  }

  /**
   * The canonical rendering of a non-NULL value of {@code field} (see docs/verify.md), as the run
   * carries it and MySqlChecksums renders the table's: the text a run writes for each type is what
   * BigQuery's API returns for it (BigQueryTypes), which GoogleSQL spells as below.
   */
  private String rendering(String quoted, Field field, int index) {
    if (repeatedOrRecord(field)) {
      return lengthAndBytes(preparedText(index));
    }
    StandardSQLTypeName type = field.getType().getStandardType();
    return switch (type) {
      case INT64 -> "CAST(" + quoted + " AS STRING)";
      case BOOL -> "IF(" + quoted + ", '1', '0')";
      case NUMERIC, BIGNUMERIC -> decimal(quoted, shape.columns().get(index).type().scale());
      case FLOAT64 -> real(quoted, index);
      case STRING -> lengthAndBytes(quoted);
      case BYTES -> "TO_HEX(MD5(" + quoted + "))";
      // The text the run writes for them (see text), computed once per row by prepared.
      case GEOGRAPHY, INTERVAL, RANGE, JSON -> lengthAndBytes(preparedText(index));
      // DATE's canonical text is YYYY-MM-DD, zero-padded; FORMAT_*'s %E6S is the seconds with six
      // digits after the point (reference/standard-sql/format-elements).
      case DATE -> "CONCAT(CAST(" + quoted + " AS STRING), ' 00:00:00.000000')";
      case DATETIME ->
          "CONCAT(CAST(CAST("
              + quoted
              + " AS DATE) AS STRING), FORMAT_DATETIME(' %H:%M:%E6S', "
              + quoted
              + "))";
      // A TIMESTAMP cast to DATE is its date in UTC, BigQuery's default time zone.
      case TIMESTAMP ->
          "CONCAT(CAST(CAST("
              + quoted
              + " AS DATE) AS STRING), FORMAT_TIMESTAMP(' %H:%M:%E6S', "
              + quoted
              + ", 'UTC'))";
      case TIME -> "FORMAT_TIME('%H:%M:%E6S', " + quoted + ")";
      default -> throw new IllegalStateException("no rendering of " + type);
    };
  }

  /**
   * The text the run writes for field {@code index} when it is not a STRING but is rendered as one
   * (JSON, GEOGRAPHY, INTERVAL, RANGE, ARRAY, STRUCT), else empty. {@link #prepared} computes it
   * once per row, as {@link #preparedText}, since {@link #lengthAndBytes} reads it three times.
   */
  private Optional<String> text(int index) {
    Field field = fields.get(index);
    String quoted = quote(shape.columns().get(index).name());
    if (repeatedOrRecord(field)) {
      return Optional.of(
          json(quoted, field, field.getMode() == Field.Mode.REPEATED, field.getName(), 0));
    }
    return switch (field.getType().getStandardType()) {
      // GEOGRAPHY: the API returns WKT, as ST_ASTEXT writes it; INTERVAL and RANGE their
      // canonical text, as CAST(... AS STRING) writes it
      // (reference/standard-sql/data-types#interval_type, #range_type).
      case GEOGRAPHY -> Optional.of("ST_ASTEXT(" + quoted + ")");
      case INTERVAL, RANGE -> Optional.of("CAST(" + quoted + " AS STRING)");
      // The API returns JSON minified, as TO_JSON_STRING writes it.
      case JSON -> Optional.of("TO_JSON_STRING(" + quoted + ")");
      default -> Optional.empty();
    };
  }

  /** The column of {@link #prepared} that holds {@link #text} of field {@code index}. */
  private static String preparedText(int index) {
    return "__qsync_s" + index;
  }

  /**
   * Text as the table's side renders it: its length in bytes (BYTE_LENGTH counts a STRING's UTF-8
   * bytes, reference/standard-sql/string_functions#byte_length), a colon and the text; a text
   * longer than {@link LongText#BYTES} bytes as its length, {@code #} and the lower-case hex MD5 of
   * its UTF-8 bytes (MD5 of a STRING hashes its UTF-8 bytes, TO_HEX writes lower case).
   */
  private static String lengthAndBytes(String text) {
    String length = "BYTE_LENGTH(" + text + ")";
    return "IF("
        + length
        + " > "
        + LongText.BYTES
        + ", CONCAT(CAST("
        + length
        + " AS STRING), '#', TO_HEX(MD5("
        + text
        + "))), CONCAT(CAST("
        + length
        + " AS STRING), ':', "
        + text
        + "))";
  }

  /**
   * A NUMERIC at the scale the run carries it: CAST writes the fewest digits after the point
   * ({@code 1.5}), MySQL's DECIMAL(p, s) all s of them ({@code 1.500000000}).
   */
  private static String decimal(String quoted, int scale) {
    String text = "CAST(" + quoted + " AS STRING)";
    if (scale == 0) {
      return text;
    }
    return "IF(STRPOS("
        + text
        + ", '.') = 0, CONCAT("
        + text
        + ", '.', REPEAT('0', "
        + scale
        + ")), CONCAT("
        + text
        + ", REPEAT('0', GREATEST(0, "
        + scale
        + " - (LENGTH("
        + text
        + ") - STRPOS("
        + text
        + ", '.'))))))";
  }

  /**
   * A FLOAT64 as the table's side renders it, from the digits and exponent {@link #prepared}
   * computed. Zero (and −0) is {@code 0}; NaN and the infinities, which a run never writes (MySQL
   * cannot hold them), as CAST writes them, so their rows differ.
   */
  private String real(String quoted, int index) {
    String text = DOUBLES.text(shape.doubles(), "__qsync_d" + index, "__qsync_p" + index);
    return "(CASE WHEN "
        + quoted
        + " = 0 THEN '0' WHEN IS_NAN("
        + quoted
        + ") OR IS_INF("
        + quoted
        + ") THEN CAST("
        + quoted
        + " AS STRING) ELSE CONCAT(IF("
        + quoted
        + " < 0, '-', ''), "
        + text
        + ") END)";
  }

  private static boolean isFloat(Field field) {
    return !repeatedOrRecord(field)
        && field.getType().getStandardType() == StandardSQLTypeName.FLOAT64;
  }

  private static boolean repeatedOrRecord(Field field) {
    return field.getMode() == Field.Mode.REPEATED || field.getType() == LegacySQLTypeName.RECORD;
  }

  /**
   * An ARRAY or STRUCT as the JSON text the run writes for it (BigQueryTypes.json, through
   * Jackson): a STRUCT's fields in order ({@code {"a":1,"b":"x"}}), an ARRAY's elements in order
   * (by their offset), INT64 and NUMERIC as their exact digits, BOOL as true/false, BYTES in
   * base64, TIMESTAMP as {@code "2014-08-19T12:41:35.220000Z"}, STRING, DATE, GEOGRAPHY and
   * INTERVAL as JSON strings, NULL as null. Types whose JSON the run takes from the JVM or from
   * text the API does not pin down (FLOAT64 in Java's digits, JSON re-serialised, DATETIME, TIME,
   * RANGE) are refused, naming the column.
   *
   * @param path the column and fields, for the message
   * @param depth how deep in arrays, for the names of their elements
   */
  private static String json(String expr, Field field, boolean repeated, String path, int depth) {
    if (repeated) {
      String element = "__qsync_e" + depth;
      String offset = "__qsync_o" + depth;
      return "CONCAT('[', IFNULL(ARRAY_TO_STRING(ARRAY(SELECT "
          + json(element, field, false, path + "[]", depth + 1)
          + " FROM UNNEST("
          + expr
          + ") AS "
          + element
          + " WITH OFFSET AS "
          + offset
          + " ORDER BY "
          + offset
          + "), ','), ''), ']')";
    }
    String text;
    if (field.getType() == LegacySQLTypeName.RECORD) {
      StringJoiner members = new StringJoiner(", ',', ", "CONCAT('{', ", ", '}')");
      for (Field child : field.getSubFields()) {
        members.add(
            "'\""
                + child.getName()
                + "\":', "
                + json(
                    expr + "." + quote(child.getName()),
                    child,
                    child.getMode() == Field.Mode.REPEATED,
                    path + "." + child.getName(),
                    depth));
      }
      text = members.toString();
    } else {
      StandardSQLTypeName type = field.getType().getStandardType();
      text =
          switch (type) {
            case INT64, NUMERIC, BIGNUMERIC -> "CAST(" + expr + " AS STRING)";
            case BOOL -> "IF(" + expr + ", 'true', 'false')";
            case BYTES -> "CONCAT('\"', TO_BASE64(" + expr + "), '\"')";
            case STRING -> jsonString(expr);
            case GEOGRAPHY -> jsonString("ST_ASTEXT(" + expr + ")");
            case DATE, INTERVAL -> "CONCAT('\"', CAST(" + expr + " AS STRING), '\"')";
            case TIMESTAMP ->
                "CONCAT('\"', CAST(CAST("
                    + expr
                    + " AS DATE) AS STRING), FORMAT_TIMESTAMP('T%H:%M:%E6SZ', "
                    + expr
                    + ", 'UTC'), '\"')";
            default -> throw unrendered(path, type);
          };
    }
    return "IF(" + expr + " IS NULL, 'null', " + text + ")";
  }

  private static QsyncException unrendered(String path, StandardSQLTypeName type) {
    return new QsyncException(
        ErrorKind.USAGE,
        "verify cannot compare "
            + path
            + " (a BigQuery "
            + type
            + " in an ARRAY or STRUCT): the run writes it into JSON text in a form BigQuery's SQL"
            + " cannot reproduce byte for byte, and nothing was queried\nVerify without it (a sync"
            + " whose query leaves it out, or casts it to STRING or NUMERIC inside the ARRAY or"
            + " STRUCT), or check the table by a run.");
  }

  /**
   * A STRING as a JSON string, escaped as Jackson escapes it: a backslash and a quote with a
   * backslash; \\b, \\t, \\n, \\f, \\r; any other character below U+0020 as \\u00XX (upper-case
   * hex); everything else as itself.
   */
  private static String jsonString(String expr) {
    String escaped = "REPLACE(REPLACE(" + expr + ", '\\\\', '\\\\\\\\'), '\"', '\\\\\"')";
    for (int c = 1; c < 0x20; c++) {
      String escape =
          switch (c) {
            case '\b' -> "\\\\b";
            case '\t' -> "\\\\t";
            case '\n' -> "\\\\n";
            case '\f' -> "\\\\f";
            case '\r' -> "\\\\r";
            default -> String.format(Locale.ROOT, "\\\\u%04X", c);
          };
      escaped =
          "REPLACE("
              + escaped
              + ", '"
              + String.format(Locale.ROOT, "\\x%02x", c)
              + "', '"
              + escape
              + "')";
    }
    return "CONCAT('\"', " + escaped + ", '\"')";
  }

  /** A GoogleSQL string literal of a key's rendering (digits, hex, dates, V, N and |). */
  private static String literal(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** A GoogleSQL quoted name (reference/standard-sql/lexical#quoted_identifiers). */
  static String quote(String name) {
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`";
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "BigQueryChecksums[%d jobs]", jobs);
  }
}
