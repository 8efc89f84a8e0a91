package io.qsync.source;

import static java.util.Objects.requireNonNull;

import io.qsync.diff.KeyCollation;
import io.qsync.row.Column;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * The SQL of {@code diff: snapshot}, one text for every warehouse: what differs between BigQuery
 * and DuckDB (quoting, qualified names, the fingerprint function, collation folding, lexical rules)
 * is the {@link Dialect}'s. Every statement is a SELECT; the warehouse writes its answer to the
 * table the caller names (a BigQuery job's destination, a DuckDB {@code CREATE OR REPLACE TABLE ...
 * AS}).
 *
 * <p>Every name the SQL makes up — columns and aliases — starts with {@value #RESERVED}, and a
 * query may return no column of such a name ({@link #reservedNameProblems}): a query column never
 * shadows one of qsync's. (A row alias {@code q} lost to a query column {@code q} in DuckDB, which
 * binds a bare name to a column before a table alias, and the fingerprint covered that one column.)
 * Immutable; thread-safe.
 */
public final class SnapshotSql {
  /** The start of every column and alias name qsync's SQL makes up; no query column may use it. */
  public static final String RESERVED = "_qsync_";

  /** A result row's fingerprint: equal rows, equal fingerprints. */
  public static final String FINGERPRINT = "_qsync_fp";

  /** The kind of a change: {@code insert}, {@code update} or {@code delete}. */
  public static final String OP = "_qsync_op";

  /** The number of offending keys, on each sample row of a key check. */
  public static final String COUNT = "_qsync_count";

  /** The version of the fingerprint: a state made under another version is not compared. */
  public static final int FINGERPRINT_VERSION = 1;

  /** The query's row, whole, in the result statement. */
  static final String ROW = "_qsync_row";

  /** The result and the state table in the change set's join. */
  static final String RESULT = "_qsync_result";

  static final String STATE = "_qsync_state";

  /** The changed keys, in the second statement of a change set made in two. */
  static final String CHANGED = "_qsync_changed";

  /** The smallest and the largest key of a colliding group. */
  static final String FIRST = "_qsync_first";

  static final String LAST = "_qsync_last";

  /** What a warehouse's SQL spells its own way. */
  public interface Dialect {
    /** An identifier, quoted. */
    String quote(String identifier);

    /** A table of the state dataset, qualified and quoted. */
    String table(String name);

    /** The warehouse's lexical rules, to take the query's closing semicolon off. */
    SqlText text();

    /** An expression fingerprinting the whole row of {@code rowAlias}, never NULL. */
    String fingerprint(String rowAlias);

    /** An expression folding a key value the way the target's collation compares it. */
    String normalise(KeyCollation collation, String expression);

    /** One comparable value made of several (for counting distinct composite keys). */
    String rowValue(List<String> expressions);
  }

  private final Dialect dialect;

  public SnapshotSql(Dialect dialect) {
    this.dialect = requireNonNull(dialect, "dialect is null");
  }

  /**
   * What keeps a query's columns out of the snapshot's tables: a name starting with {@value
   * #RESERVED} (any case), which qsync's own columns and aliases use. One line per column, with the
   * remedy; empty when there is none.
   */
  public static List<String> reservedNameProblems(List<Column> columns) {
    List<String> problems = new ArrayList<>();
    for (Column column : columns) {
      if (column.name().toLowerCase(Locale.ROOT).startsWith(RESERVED)) {
        problems.add(
            "the query returns a column named "
                + column.name()
                + ", but diff: snapshot"
                + " names columns and aliases of its own "
                + RESERVED
                + "...; rename it with AS (e.g. "
                + column.name().substring(1)
                + ")");
      }
    }
    return problems;
  }

  /**
   * The query's rows, each with its fingerprint as a last column. The query goes inside a subquery,
   * so its closing {@code ;} is dropped (by the warehouse's own lexical rules), and it ends on a
   * line of its own (a trailing comment stays a comment).
   */
  public String result(String query) {
    return "SELECT "
        + ROW
        + ".*, "
        + dialect.fingerprint(ROW)
        + " AS "
        + FINGERPRINT
        + " FROM (\n"
        + dialect.text().withoutTrailingSemicolons(query)
        + "\n) AS "
        + ROW;
  }

  /**
   * The change set of a result table against a state table: keys new to the result ({@code
   * insert}), keys whose fingerprint changed ({@code update}), and, with {@code deletes}, keys that
   * left the result ({@code delete}, every column NULL but the key). Keys match exactly, as the
   * warehouse compares them; a key whose case changed under a case-insensitive target column
   * becomes a delete and an insert, which the stage orders deletes first. It reads every column of
   * the result and the state's key and fingerprint: {@link #changedKeys} and {@link #fetch} give
   * the same rows in two statements, the first reading only keys and fingerprints.
   *
   * @param columns the result's columns, in order
   */
  public String changes(
      String resultTable,
      String stateTable,
      List<String> columns,
      List<String> key,
      boolean deletes) {
    StringJoiner select = new StringJoiner(", ");
    select.add(kind() + " AS " + dialect.quote(OP));
    for (String column : columns) {
      select.add(changedColumn(column, key, deletes ? STATE : null));
    }
    return "SELECT " + select + changedRows(resultTable, stateTable, key, deletes);
  }

  /**
   * The first of the change set's two statements: {@value #OP}, then the key, of every key {@link
   * #changes} would return, read from the result's key and fingerprint and the state's alone.
   */
  public String changedKeys(
      String resultTable, String stateTable, List<String> key, boolean deletes) {
    return changes(resultTable, stateTable, key, key, deletes);
  }

  /**
   * The second of the change set's two statements: the rows of {@link #changes}, made of the keys
   * {@link #changedKeys} wrote to {@code keysTable} and the result's columns of those keys (on a
   * delete, all NULL but the key). It reads the result's columns but not its fingerprint.
   *
   * @param columns the result's columns, in order
   */
  public String fetch(
      String keysTable, String resultTable, List<String> columns, List<String> key) {
    StringJoiner select = new StringJoiner(", ");
    select.add(CHANGED + "." + dialect.quote(OP) + " AS " + dialect.quote(OP));
    for (String column : columns) {
      select.add(changedColumn(column, key, CHANGED));
    }
    return "SELECT "
        + select
        + " FROM "
        + dialect.table(keysTable)
        + " AS "
        + CHANGED
        + " LEFT JOIN "
        + dialect.table(resultTable)
        + " AS "
        + RESULT
        + " ON "
        + keysEqual(CHANGED, key);
  }

  /** The kind of a changed row, from which side of the join has no fingerprint. */
  private String kind() {
    String fp = dialect.quote(FINGERPRINT);
    return "CASE WHEN "
        + STATE
        + "."
        + fp
        + " IS NULL THEN 'insert' WHEN "
        + RESULT
        + "."
        + fp
        + " IS NULL THEN 'delete' ELSE 'update' END";
  }

  /**
   * A result column of a changed row; a key column comes from {@code keyAlias} too when the result
   * has no row of the key (a delete), when there is such an alias.
   */
  private String changedColumn(String column, List<String> key, String keyAlias) {
    String name = dialect.quote(column);
    boolean isKey = key.stream().anyMatch(column::equalsIgnoreCase);
    String value =
        isKey && keyAlias != null
            ? "COALESCE(" + RESULT + "." + name + ", " + keyAlias + "." + name + ")"
            : RESULT + "." + name;
    return value + " AS " + name;
  }

  /** The join of result and state on the key, keeping the rows whose fingerprints differ. */
  private String changedRows(
      String resultTable, String stateTable, List<String> key, boolean deletes) {
    String r = RESULT + ".";
    String s = STATE + ".";
    String fp = dialect.quote(FINGERPRINT);
    return " FROM "
        + dialect.table(resultTable)
        + " AS "
        + RESULT
        + " "
        + (deletes ? "FULL OUTER JOIN " : "LEFT JOIN ")
        + dialect.table(stateTable)
        + " AS "
        + STATE
        + " ON "
        + keysEqual(STATE, key)
        + " WHERE "
        + r
        + fp
        + " IS NULL OR "
        + s
        + fp
        + " IS NULL OR "
        + r
        + fp
        + " <> "
        + s
        + fp;
  }

  /** The result's key equal to another alias's, column by column. */
  private String keysEqual(String alias, List<String> key) {
    StringJoiner on = new StringJoiner(" AND ");
    key.forEach(
        column ->
            on.add(
                RESULT
                    + "."
                    + dialect.quote(column)
                    + " = "
                    + alias
                    + "."
                    + dialect.quote(column)));
    return on.toString();
  }

  /** The key and fingerprint of every row of a result table: a run's state. */
  public String state(String resultTable, List<String> key) {
    return "SELECT "
        + list(key)
        + ", "
        + dialect.quote(FINGERPRINT)
        + " FROM "
        + dialect.table(resultTable);
  }

  /** The kind of a key problem, in {@link #keyProblems}: {@code null} or {@code duplicate}. */
  public static final String KIND = "_qsync_kind";

  static final String ROWS = "_qsync_rows";
  static final String NTH = "_qsync_n";

  /**
   * NULL key parts and duplicate keys in one scan of the key columns (a warehouse that bills bytes
   * read bills the key once, not once per check): {@value #COUNT}, {@value #KIND} ({@code null} or
   * {@code duplicate}), then the key, a few keys of each kind. For {@code null} the count is of
   * rows with a NULL key part, as {@link #nullKeys} counts; for {@code duplicate}, of keys on more
   * than one row, as {@link #duplicateKeys} counts. No rows when the keys pass.
   */
  public String keyProblems(String resultTable, List<String> key, int samples) {
    StringJoiner anyNull = new StringJoiner(" OR ");
    key.forEach(column -> anyNull.add(dialect.quote(column) + " IS NULL"));
    String keys = list(key);
    String kind = dialect.quote(KIND);
    String partition = " OVER (PARTITION BY " + kind + ")";
    return "SELECT "
        + COUNT
        + ", "
        + kind
        + ", "
        + keys
        + " FROM (SELECT "
        + keys
        + ", "
        + kind
        + ", CASE WHEN "
        + kind
        + " = 'null' THEN SUM("
        + ROWS
        + ")"
        + partition
        + " ELSE COUNT(*)"
        + partition
        + " END AS "
        + COUNT
        + ", ROW_NUMBER() OVER (PARTITION BY "
        + kind
        + " ORDER BY "
        + keys
        + ") AS "
        + NTH
        + " FROM (SELECT "
        + keys
        + ", COUNT(*) AS "
        + ROWS
        + ", CASE WHEN "
        + anyNull
        + " THEN 'null' ELSE 'duplicate' END AS "
        + kind
        + " FROM "
        + dialect.table(resultTable)
        + " GROUP BY "
        + keys
        + " HAVING COUNT(*) > 1 OR "
        + anyNull
        + ") AS _qsync_groups) AS _qsync_problems WHERE "
        + NTH
        + " <= "
        + samples
        + " ORDER BY "
        + kind
        + " DESC, "
        + NTH;
  }

  /** Rows with a NULL key part: {@value #COUNT}, then the key, a few rows. */
  public String nullKeys(String resultTable, List<String> key, int samples) {
    StringJoiner anyNull = new StringJoiner(" OR ");
    key.forEach(column -> anyNull.add(dialect.quote(column) + " IS NULL"));
    return "SELECT COUNT(*) OVER () AS "
        + COUNT
        + ", "
        + list(key)
        + " FROM "
        + dialect.table(resultTable)
        + " WHERE "
        + anyNull
        + " LIMIT "
        + samples;
  }

  /** Keys on more than one row: {@value #COUNT}, then the key, a few keys. */
  public String duplicateKeys(String resultTable, List<String> key, int samples) {
    return "SELECT COUNT(*) OVER () AS "
        + COUNT
        + ", "
        + list(key)
        + " FROM "
        + dialect.table(resultTable)
        + " GROUP BY "
        + list(key)
        + " HAVING COUNT(*) > 1"
        + " ORDER BY "
        + list(key)
        + " LIMIT "
        + samples;
  }

  /**
   * Keys distinct in the result but equal under the target's collations: {@value #COUNT}, then the
   * smallest and the largest of each colliding group, a few groups.
   */
  public String collidingKeys(
      String resultTable, List<String> key, List<KeyCollation> collations, int samples) {
    List<String> folded = new ArrayList<>();
    List<String> raw = new ArrayList<>();
    for (int i = 0; i < key.size(); i++) {
      folded.add(dialect.normalise(collations.get(i), dialect.quote(key.get(i))));
      raw.add(dialect.quote(key.get(i)));
    }
    String keyValue = dialect.rowValue(raw);
    return "SELECT COUNT(*) OVER () AS "
        + COUNT
        + ", MIN("
        + keyValue
        + ") AS "
        + FIRST
        + ", MAX("
        + keyValue
        + ") AS "
        + LAST
        + " FROM "
        + dialect.table(resultTable)
        + " GROUP BY "
        + String.join(", ", folded)
        + " HAVING COUNT(DISTINCT "
        + keyValue
        + ") > 1 LIMIT "
        + samples;
  }

  private String list(List<String> columns) {
    StringJoiner list = new StringJoiner(", ");
    columns.forEach(column -> list.add(dialect.quote(column)));
    return list.toString();
  }
}
