package io.qsync.duckdb;

import static java.util.Objects.requireNonNull;

import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.verify.LongText;
import java.util.List;
import java.util.StringJoiner;

/**
 * A row's canonical rendering and its 60-bit hash in DuckDB's SQL (docs/verify.md), over any
 * relation whose columns are given as SQL references: the DuckDB source renders the query's result
 * with it for {@code qsync verify}, the stage the result it extracted for {@code diff: target} by
 * hashes. {@code MySqlChecksums} renders the table's side identically. Builds strings only.
 * Immutable; thread-safe.
 */
public final class DuckDbRowHash {
  private final List<Column> columns;
  private final List<String> references;

  /** Doubles written from their digits and exponent as verify's table side writes them. */
  private static final io.qsync.verify.DoubleSql DOUBLES = new io.qsync.verify.DoubleSql("VARCHAR");

  private final boolean mariaDbDoubles;

  /**
   * @param columns the rows' columns, in the types qsync carries them as
   * @param references how the SQL names each column, in the same order
   * @param mariaDbDoubles render doubles as MariaDB's {@code CAST(d AS CHAR)} does, else as digits
   *     and exponent (the verify's {@code DoubleText})
   */
  public DuckDbRowHash(List<Column> columns, List<String> references, boolean mariaDbDoubles) {
    this.columns = List.copyOf(requireNonNull(columns, "columns is null"));
    this.references = List.copyOf(requireNonNull(references, "references is null"));
    this.mariaDbDoubles = mariaDbDoubles;
    if (columns.size() != references.size()) {
      throw new IllegalArgumentException(
          columns.size() + " columns, but " + references.size() + " references");
    }
  }

  /**
   * {@code select} with, for each FLOAT or DOUBLE column {@code i}, its shortest round-trip digits
   * without leading and trailing zeros ({@code __qsync_d<i>}) and decimal exponent ({@code
   * __qsync_p<i>}: the value is 0.digits × 10^exponent), computed once per row: the relation that
   * {@link #part} and {@link #rowHash} read from.
   */
  public String prepared(String select) {
    StringJoiner texts = new StringJoiner("");
    StringJoiner parts = new StringJoiner("");
    for (int i = 0; i < columns.size(); i++) {
      SqlType.Kind kind = columns.get(i).type().kind();
      if (kind != SqlType.Kind.FLOAT && kind != SqlType.Kind.DOUBLE) {
        continue;
      }
      String value = "CAST(" + references.get(i) + " AS DOUBLE)";
      texts.add(
          ", regexp_extract("
              + DuckDbDoubles.text("abs(" + value + ")")
              + ", '^(\\d*)\\.?(\\d*)e?([-+]?\\d*)$', ['i', 'f', 'e']) AS __qsync_t"
              + i);
      String t = "__qsync_t" + i;
      String digits = "(" + t + ".i || " + t + ".f)";
      parts.add(
          ", rtrim(ltrim("
              + digits
              + ", '0'), '0') AS __qsync_d"
              + i
              + ", length("
              + t
              + ".i) + coalesce(TRY_CAST("
              + t
              + ".e AS INTEGER), 0) - (length("
              + digits
              + ") - length(ltrim("
              + digits
              + ", '0'))) AS __qsync_p"
              + i);
    }
    if (texts.length() == 0) {
      return "(" + select + ")";
    }
    return "(SELECT *" + parts + " FROM (SELECT *" + texts + " FROM (" + select + ") q0) q1)";
  }

  /** The rendering of the columns at {@code indexes}, joined by {@code |}. */
  public String rendering(List<Integer> indexes) {
    StringJoiner parts = new StringJoiner(", ", "concat_ws('|', ", ")");
    indexes.forEach(index -> parts.add(part(index)));
    return parts.toString();
  }

  /** The hash of the whole row's rendering. */
  public String rowHash() {
    StringJoiner parts = new StringJoiner(", ", "concat_ws('|', ", ")");
    for (int i = 0; i < columns.size(); i++) {
      parts.add(part(i));
    }
    return hash(parts.toString());
  }

  /** The first 60 bits of the MD5 of {@code text}, as a BIGINT. */
  public static String hash(String text) {
    return "CAST('0x' || left(md5(" + text + "), 15) AS BIGINT)";
  }

  /** Column {@code index}'s part of a row: N for NULL, else V and its rendering ('' is V). */
  public String part(int index) {
    String quoted = references.get(index);
    return "CASE WHEN "
        + quoted
        + " IS NULL THEN 'N' ELSE 'V' || "
        + rendering(quoted, columns.get(index).type(), index)
        + " END";
  }

  /**
   * The canonical rendering of a non-NULL value of {@code type} in column {@code index} (see
   * docs/verify.md).
   */
  private String rendering(String quoted, SqlType type, int index) {
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
      case FLOAT, DOUBLE -> real("CAST(" + quoted + " AS DOUBLE)", index);
      case VARCHAR, JSON -> lengthAndBytes("CAST(" + quoted + " AS VARCHAR)");
      case UUID, BLOB -> "md5(" + quoted + ")";
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
   * Text as its length in bytes (strlen counts a VARCHAR's UTF-8 bytes), a colon and the text,
   * inside the row's one MD5 (not an MD5 of each); a text longer than {@link LongText#BYTES} as its
   * length, {@code #} and the lower-case hex MD5 of its UTF-8 bytes, as the table's side does.
   */
  private static String lengthAndBytes(String text) {
    String length = "CAST(strlen(" + text + ") AS VARCHAR)";
    return "CASE WHEN strlen("
        + text
        + ") > "
        + LongText.BYTES
        + " THEN "
        + length
        + " || '#' || md5("
        + text
        + ") ELSE "
        + length
        + " || ':' || "
        + text
        + " END";
  }

  /**
   * A double as the table's side renders it, from the digits and exponent {@link #prepared}
   * computed: DuckDB writes {@code 1e+20} and {@code 1000000000000000.0}, MariaDB {@code 1e20} and
   * {@code 1e15}, both the same shortest round-trip digits. Zero (and −0) is {@code 0}; NaN and
   * infinities, which MySQL cannot hold, as DuckDB writes them.
   */
  private String real(String value, int index) {
    String digits = "__qsync_d" + index;
    String exponent = "__qsync_p" + index;
    String sign = "(CASE WHEN " + value + " < 0 THEN '-' ELSE '' END)";
    String text =
        DOUBLES.text(
            mariaDbDoubles ? io.qsync.verify.DoubleText.MARIADB : io.qsync.verify.DoubleText.PARTS,
            digits,
            exponent);
    return "CASE WHEN "
        + value
        + " = 0 THEN '0' WHEN NOT isfinite("
        + value
        + ") THEN CAST("
        + value
        + " AS VARCHAR) ELSE "
        + sign
        + " || "
        + text
        + " END";
  }
}
