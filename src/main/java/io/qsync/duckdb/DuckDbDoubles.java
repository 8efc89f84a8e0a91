package io.qsync.duckdb;

/**
 * DuckDB's text of a DOUBLE, as SQL: its shortest round-trip digits ({@code 1e+16}, {@code 0.1}),
 * mended where DuckDB's own formatting goes wrong. DuckDB 1.4 writes 2^807 (8.535058474086213e242)
 * as {@code A.070116948172427e+242}, text that reads back as no number; where the text does not
 * read back as the same double, the first of 15, 16 and 17 significant digits that does is taken
 * instead (17 always does). Pure; thread-safe.
 */
public final class DuckDbDoubles {
  private DuckDbDoubles() {}

  /**
   * The text of {@code value}, a DOUBLE expression (a column or a cast; it is repeated); NULL stays
   * NULL, NaN and infinities are DuckDB's {@code nan}, {@code inf}, {@code -inf}.
   */
  public static String text(String value) {
    String cast = "CAST(" + value + " AS VARCHAR)";
    return "(CASE WHEN NOT isfinite("
        + value
        + ") OR TRY_CAST("
        + cast
        + " AS DOUBLE) = "
        + value
        + " THEN "
        + cast
        + digits(value, 15)
        + digits(value, 16)
        + " ELSE printf('%.17g', "
        + value
        + ") END)";
  }

  private static String digits(String value, int significant) {
    String text = "printf('%." + significant + "g', " + value + ")";
    return " WHEN TRY_CAST(" + text + " AS DOUBLE) = " + value + " THEN " + text;
  }
}
