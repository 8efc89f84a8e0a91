package io.qsync.source;

import io.qsync.row.SqlType.Kind;

/**
 * How a warehouse's SQL spells the expressions a remedy asks the user to put in the query, so that
 * a message about a value ends with SQL the user can paste into that warehouse's query. Pure;
 * thread-safe.
 */
public enum QueryDialect {
  /** DuckDB's SQL. */
  DUCKDB("DuckDB"),
  /** BigQuery's GoogleSQL. */
  GOOGLE_SQL("BigQuery");

  private final String warehouse;

  QueryDialect(String warehouse) {
    this.warehouse = warehouse;
  }

  /** The warehouse's name, for messages. */
  public String warehouse() {
    return warehouse;
  }

  /** The column with NaN and the infinities turned into NULL. */
  public String finiteOrNull(String column) {
    return switch (this) {
      case DUCKDB -> "CASE WHEN isfinite(" + column + ") THEN " + column + " END";
      case GOOGLE_SQL ->
          "IF(IS_NAN(" + column + ") OR IS_INF(" + column + "), NULL, " + column + ")";
    };
  }

  /**
   * A literal of a temporal kind, as the warehouse writes it: a wall-clock timestamp is a {@code
   * TIMESTAMP} in DuckDB and a {@code DATETIME} in GoogleSQL.
   */
  public String literal(Kind kind, String text) {
    String type =
        switch (kind) {
          case DATE -> "DATE";
          case TIME -> "TIME";
          case TIMESTAMP -> this == GOOGLE_SQL ? "DATETIME" : "TIMESTAMP";
          case TIMESTAMP_UTC -> "TIMESTAMP";
          default -> throw new IllegalArgumentException("no literal for " + kind);
        };
    return type + " '" + text + "'";
  }

  /** The column with values outside {@code [min, max]} turned into NULL. */
  public String nullOutside(String column, Kind kind, String min, String max) {
    return "CASE WHEN "
        + column
        + " BETWEEN "
        + literal(kind, min)
        + " AND "
        + literal(kind, max)
        + " THEN "
        + column
        + " END";
  }
}
