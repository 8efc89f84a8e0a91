package io.qsync.verify;

/**
 * How both sides of a verify render a DOUBLE (and a FLOAT, as the double it is), so that equal
 * doubles give equal text and different ones different text. Both start from the shortest
 * round-trip digits, which MySQL, MariaDB and DuckDB all write, in different forms.
 */
public enum DoubleText {
  /**
   * The digits without leading and trailing zeros and a decimal exponent ({@code 0.1} → {@code
   * 1e0}): each side takes its own text apart and puts it together in this form. Costs the table's
   * server about 5 s per million doubles; for MySQL 8, whose exact text form is not relied on.
   */
  PARTS,
  /**
   * MariaDB's own text ({@code CAST(d AS CHAR)}: {@code 0.0001}, {@code 1e15}, {@code
   * 1234567890123456.8}, {@code 1.5e-7}), which the warehouse writes from the digits and exponent
   * by MariaDB's rule: positional when the exponent is from −14 to 15 or the digits reach past the
   * point, else one digit, the rest after a point, {@code e} and the exponent. The table's server
   * only casts.
   */
  MARIADB
}
