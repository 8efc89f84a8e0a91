package io.qsync.verify;

import static java.util.Objects.requireNonNull;

/**
 * The SQL both warehouses' sides share to write a double as {@link DoubleText} says, from its
 * shortest round-trip digits (without leading and trailing zeros) and decimal exponent (the value
 * is 0.digits × 10^exponent), each side having taken its own text apart. DuckDB and GoogleSQL spell
 * these functions alike ({@code length}, {@code substr}, {@code left}, {@code repeat}, {@code ||});
 * only the name of the text type differs. Pure; thread-safe.
 *
 * @param textType the SQL name of the text type ({@code VARCHAR}, {@code STRING})
 */
public record DoubleSql(String textType) {
  public DoubleSql {
    requireNonNull(textType, "textType is null");
  }

  /** The text of a positive double's {@code digits} and {@code exponent}, as {@code doubles}. */
  public String text(DoubleText doubles, String digits, String exponent) {
    return doubles == DoubleText.PARTS
        ? digits + " || 'e' || CAST(" + exponent + " AS " + textType + ")"
        : mariaDb(digits, exponent);
  }

  /**
   * MariaDB's {@code CAST(d AS CHAR)} of 0.{@code digits} × 10^{@code exponent}: positional when
   * the exponent is −14 to 15, or the digits reach past the point ({@code 1234567890123456.8});
   * else the first digit, a point and the others, {@code e} and the exponent less one ({@code
   * 1.5e-7}, {@code 1e15}).
   */
  private String mariaDb(String digits, String exponent) {
    String length = "length(" + digits + ")";
    return "(CASE WHEN "
        + exponent
        + " >= -14 AND ("
        + exponent
        + " <= 15 OR "
        + length
        + " > "
        + exponent
        + ") THEN (CASE WHEN "
        + exponent
        + " <= 0 THEN '0.' || repeat('0', -"
        + exponent
        + ") || "
        + digits
        + " WHEN "
        + exponent
        + " < "
        + length
        + " THEN substr("
        + digits
        + ", 1, "
        + exponent
        + ") || '.' || substr("
        + digits
        + ", "
        + exponent
        + " + 1) ELSE "
        + digits
        + " || repeat('0', "
        + exponent
        + " - "
        + length
        + ") END) ELSE left("
        + digits
        + ", 1) || (CASE WHEN "
        + length
        + " > 1 THEN '.' || substr("
        + digits
        + ", 2) ELSE '' END) || 'e' || CAST("
        + exponent
        + " - 1 AS "
        + textType
        + ") END)";
  }
}
