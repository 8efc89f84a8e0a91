package io.qsync.stage;

import static java.util.Objects.requireNonNull;

import io.qsync.diff.ChangeCounts;
import io.qsync.diff.ChangeKind;
import io.qsync.diff.KeyCollation;
import io.qsync.duckdb.DuckDbRowHash;
import io.qsync.duckdb.DuckDbValues;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The stage's SQL, as text: its file format (the tables {@code qsync_meta} and {@code
 * qsync_columns}, which a stage left by an older build must still be read by), the key checks, the
 * change set's computations and reads. Builds strings only: nothing here runs a statement.
 *
 * <p>The stage's columns are named by position ({@code c0}, {@code c1}, ...), never by the query's
 * names: a result column may be called anything, including the names of qsync's own columns. The
 * column-bound statements are built by an instance over the run's columns, which finds a result
 * column by its (case-insensitive) name. Immutable; thread-safe.
 */
final class StageSql {
  /**
   * The tables of a run dropped by name when a new run begins: all but {@code changes}, a table or
   * a view ({@link #CHANGES_ARE_A_VIEW}), which is dropped apart ({@link #DROP_CHANGES_VIEW},
   * {@link #DROP_CHANGES_TABLE}).
   */
  static final List<String> TABLES =
      List.of(
          "qsync_meta",
          "qsync_columns",
          "src",
          "tgt",
          "qsync_change_rows",
          "qsync_warehouse_changes");

  /**
   * The rows of a change set numbered by their place ({@link #insertAll}): the changes without
   * their numbers, in their order.
   */
  static final String CHANGE_ROWS = "qsync_change_rows";

  /**
   * Whether {@code changes} is the view that numbers {@link #CHANGE_ROWS} by place ({@link
   * #insertAll}) rather than a table holding its numbers (the other change sets, and every change
   * set of a stage left by an older build): 1 or 0.
   */
  static final String CHANGES_ARE_A_VIEW =
      "SELECT count(*) FROM duckdb_views() WHERE view_name = 'changes' AND NOT temporary"
          + " AND database_name = current_database()";

  /** Drops the change set when it is the view ({@link #CHANGES_ARE_A_VIEW}). */
  static final String DROP_CHANGES_VIEW = "DROP VIEW changes";

  /** Drops the change set when it is a table; DuckDB drops no view under this statement. */
  static final String DROP_CHANGES_TABLE = drop("changes");

  static final String META_EXISTS =
      "SELECT count(*) FROM information_schema.tables WHERE table_name = 'qsync_meta'";
  static final String READ_COLUMNS =
      "SELECT name, kind, precision, scale FROM qsync_columns ORDER BY position";
  static final String READ_META =
      "SELECT run_id, fingerprint, phase, source_rows, inserts, updates, deletes,"
          + " unchanged FROM qsync_meta";
  static final String CREATE_META =
      "CREATE TABLE qsync_meta (run_id VARCHAR, fingerprint VARCHAR, phase VARCHAR,"
          + " source_rows BIGINT, inserts BIGINT, updates BIGINT, deletes BIGINT,"
          + " unchanged BIGINT)";
  static final String CREATE_COLUMNS =
      "CREATE TABLE qsync_columns (position INTEGER, name VARCHAR, kind VARCHAR,"
          + " precision INTEGER, scale INTEGER)";
  static final String INSERT_META =
      "INSERT INTO qsync_meta (run_id, fingerprint, phase) VALUES (?, ?, 'EXTRACTING')";
  static final String INSERT_COLUMN = "INSERT INTO qsync_columns VALUES (?, ?, ?, ?, ?)";

  static final String SOURCE_ROWS = "SELECT count(*) FROM src";
  static final String CHANGE_SET_LENGTH = "SELECT count(*) FROM changes";

  /** Whether the file holds the change set: a temporary or attached table of the name does not. */
  static final String CHANGE_SET_EXISTS =
      "SELECT count(*) FROM information_schema.tables WHERE table_name = 'changes'"
          + " AND table_schema = 'main' AND table_catalog = current_database()";

  static final String MARK_FROM_WAREHOUSE =
      "CREATE TABLE IF NOT EXISTS qsync_warehouse_changes (marked BOOLEAN)";
  static final String FROM_WAREHOUSE =
      "SELECT count(*) FROM information_schema.tables WHERE table_name = 'qsync_warehouse_changes'";

  /** The temporary table of the query's result. */
  static final String SOURCE = "src";

  /** The temporary table of the target's current rows. */
  static final String TARGET = "tgt";

  /** The temporary table of the target's keys and row hashes ({@code diff: target} by hashes). */
  static final String TARGET_HASHES = "tgt_hash";

  /** The temporary table of the normalised keys whose row hashes are equal on both sides. */
  static final String SAME = "qsync_same";

  /** The temporary table of the target's keys whose rows are read whole, numbered from 1. */
  static final String FETCH = "qsync_fetch";

  static final String FETCH_ROWS = "SELECT count(*) FROM qsync_fetch";

  /** The temporary table of a change set the warehouse computed, before it is numbered. */
  static final String WAREHOUSE_CHANGES = "snap";

  private final List<Column> columns;

  StageSql(List<Column> columns) {
    this.columns = List.copyOf(requireNonNull(columns, "columns is null"));
  }

  /** The run's columns, as the query returns them. */
  List<Column> columns() {
    return columns;
  }

  /** The stage column at a position of the result. */
  static String positional(int index) {
    return "c" + index;
  }

  /** The position of a result column, by its (case-insensitive) name. */
  static int index(List<Column> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equalsIgnoreCase(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no column " + name + " in the stage");
  }

  static String drop(String table) {
    return "DROP TABLE IF EXISTS " + table;
  }

  /**
   * The query's result: a temporary table, since only the change set must survive the process (a
   * run that stops before the diff starts over).
   */
  static String createSource(List<Column> columns) {
    return "CREATE TEMPORARY TABLE src (" + definitions(columns) + ")";
  }

  /**
   * The target's rows; {@code qsync_dirty} marks a row holding a value the source's type cannot
   * represent exactly (a hand-edited 7.25 where the query returns whole numbers): it always
   * differs.
   */
  static String createTarget(List<Column> columns) {
    return "CREATE TEMPORARY TABLE tgt (" + definitions(columns) + ", qsync_dirty BOOLEAN)";
  }

  static String attach(String file) {
    return attach(file, "qsync_source");
  }

  /** Attaches a DuckDB file read-only under {@code alias}. */
  static String attach(String file, String alias) {
    return "ATTACH '" + file.replace("'", "''") + "' AS " + alias + " (READ_ONLY)";
  }

  /**
   * The alias of a query result's file while {@code src} reads it in place ({@link #readInPlace}),
   * apart from {@code qsync_source}, which a copy attaches and detaches again.
   */
  static final String IN_PLACE = "qsync_in_place";

  static final String DETACH_IN_PLACE = "DETACH DATABASE IF EXISTS " + IN_PLACE;

  static final String DROP_SOURCE_VIEW = "DROP VIEW IF EXISTS temp.src";

  /**
   * The query's result as a table of the file attached as {@link #IN_PLACE}, under {@code src}'s
   * name: a temporary view with {@code src}'s columns, each cast to its stage type as a copy into
   * {@code src} would cast it, read in the table's order.
   */
  static String readInPlace(List<Column> columns, String table) {
    StringJoiner names = new StringJoiner(", ");
    StringJoiner cast = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      String name = positional(i);
      names.add(name);
      cast.add("CAST(" + name + " AS " + columns.get(i).type().duckDbName() + ") AS " + name);
    }
    return "CREATE TEMPORARY VIEW src AS SELECT "
        + cast
        + " FROM "
        + IN_PLACE
        + ".main."
        + DuckDbValues.quote(table)
        + " AS r("
        + names
        + ")";
  }

  static final String DETACH = "DETACH DATABASE IF EXISTS qsync_source";

  /** The name an Arrow stream is registered under while its rows are inserted. */
  static final String ARROW_STREAM = "qsync_arrow_stream";

  static final String DROP_ARROW_STREAM = "DROP VIEW IF EXISTS " + ARROW_STREAM;

  /**
   * Inserts the rows of the Arrow stream registered as {@link #ARROW_STREAM} into {@code
   * stageTable}: each column the expression of {@code select}, cast to its stage type as the
   * appender converts a value (and, for the target's table, marked exact).
   */
  static String insertArrow(
      String stageTable, List<Column> columns, List<String> select, boolean marksInexact) {
    if (select.size() != columns.size()) {
      throw new IllegalArgumentException(
          select.size() + " expressions for the " + columns.size() + " columns of " + stageTable);
    }
    StringJoiner cast = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      cast.add("CAST(" + select.get(i) + " AS " + columns.get(i).type().duckDbName() + ")");
    }
    if (marksInexact) {
      cast.add("false");
    }
    return "INSERT INTO temp." + stageTable + " SELECT " + cast + " FROM " + ARROW_STREAM;
  }

  /** Copies a table of the attached file into a temporary table of the stage, in its order. */
  static String copy(String table, String stageTable) {
    return "INSERT INTO temp."
        + stageTable
        + " SELECT * FROM qsync_source.main."
        + DuckDbValues.quote(table);
  }

  /** Records a complete change set: the stage may be resumed from now on. */
  static String recordDiffed(ChangeCounts counts) {
    return "UPDATE qsync_meta SET phase = 'DIFFED', source_rows = "
        + counts.sourceRows()
        + ", inserts = "
        + counts.inserts()
        + ", updates = "
        + counts.updates()
        + ", deletes = "
        + counts.deletes()
        + ", unchanged = "
        + counts.unchanged();
  }

  static String countChanges(ChangeKind kind) {
    return "SELECT count(*) FROM changes WHERE qsync_op = '" + kind.code() + "'";
  }

  /** The columns of a change set the warehouse computed: the change's kind, then the result's. */
  List<Column> warehouseChangeColumns() {
    List<Column> all = new ArrayList<>();
    all.add(new Column("_qsync_op", SqlType.of(SqlType.Kind.VARCHAR)));
    all.addAll(columns);
    return all;
  }

  String createWarehouseChanges() {
    return "CREATE OR REPLACE TEMPORARY TABLE snap (" + definitions(warehouseChangeColumns()) + ")";
  }

  /**
   * Numbers a change set the warehouse computed: deletes first, then inserts and updates, each in
   * key order.
   */
  String numberWarehouseChanges(List<String> key) {
    StringJoiner shifted = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      shifted.add(positional(i + 1) + " AS " + positional(i));
    }
    StringJoiner order = new StringJoiner(", ");
    order.add("c0 = 'delete' DESC");
    key.forEach(column -> order.add(positional(index(columns, column) + 1)));
    return "CREATE OR REPLACE TABLE changes AS SELECT row_number() OVER (ORDER BY "
        + order
        + ") AS qsync_seq, CASE c0 WHEN 'insert' THEN 'I' WHEN 'update' THEN 'U' ELSE 'D' END"
        + " AS qsync_op, "
        + shifted
        + " FROM snap ORDER BY qsync_seq";
  }

  /**
   * The change set of {@code src} against {@code tgt}, matching rows by key as the target compares
   * keys, numbered in key order. Updates are rows whose compared values differ; deletes (when asked
   * for) are target rows whose key left the result.
   */
  String diff(List<String> key, List<KeyCollation> collations, boolean deletes) {
    return diff(key, collations, deletes, "src");
  }

  /**
   * {@link #diff} of the rows of {@code source} (a relation of {@code src}'s columns) against
   * {@code tgt}: by hashes, the result's rows not known to be unchanged against the target's rows
   * read whole.
   */
  String diff(List<String> key, List<KeyCollation> collations, boolean deletes, String source) {
    StringJoiner join = new StringJoiner(" AND ");
    StringJoiner keyOut = new StringJoiner(", ");
    StringJoiner keyOrder = new StringJoiner(", ");
    for (int i = 0; i < key.size(); i++) {
      join.add("s.__k" + i + " = t.__k" + i);
      keyOut.add("coalesce(s.__k" + i + ", t.__k" + i + ") AS __k" + i);
      keyOrder.add("__k" + i);
    }
    StringJoiner differs = new StringJoiner(" OR ", "", " OR t.qsync_dirty");
    StringJoiner values = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      String name = positional(i);
      differs.add("s." + name + " IS DISTINCT FROM t." + name);
      values.add("CASE WHEN s.__in THEN s." + name + " ELSE t." + name + " END AS " + name);
    }
    String keyed = normalised(key, collations, "__k");
    return "CREATE OR REPLACE TABLE changes AS SELECT row_number() OVER (ORDER BY "
        + keyOrder
        + ") AS qsync_seq, qsync_op, "
        + allColumns()
        + " FROM ( SELECT CASE WHEN t.__in IS NULL THEN 'I' WHEN s.__in IS NULL THEN 'D'"
        + " ELSE 'U' END AS qsync_op, "
        + keyOut
        + ", "
        + values
        + " FROM (SELECT *, true AS __in, "
        + keyed
        + " FROM "
        + source
        + ") s"
        + " FULL OUTER JOIN (SELECT *, true AS __in, "
        + keyed
        + " FROM tgt) t ON "
        + join
        + " WHERE (t.__in IS NULL OR s.__in IS NULL OR "
        + differs
        + ")"
        + (deletes ? "" : " AND s.__in IS NOT NULL")
        + ") ORDER BY qsync_seq";
  }

  /**
   * The target's keys and row hashes: each key column under its stage name ({@code c<i>}, as in
   * {@code src}), then {@code qsync_hash}.
   */
  String createTargetHashes(List<String> key) {
    return "CREATE OR REPLACE TEMPORARY TABLE tgt_hash ("
        + keyDefinitions(key.stream().map(name -> index(columns, name)).toList())
        + ", qsync_hash BIGINT)";
  }

  /** The columns of {@link #createTargetHashes}, for the appender. */
  List<Column> targetHashColumns(List<String> key) {
    List<Column> hashed = new ArrayList<>();
    key.forEach(name -> hashed.add(columns.get(index(columns, name))));
    hashed.add(new Column("qsync_hash", SqlType.of(SqlType.Kind.BIGINT)));
    return hashed;
  }

  /**
   * The normalised keys ({@code __k0}, ...) of the result's rows whose row hash (verify's canonical
   * rendering, doubles as MariaDB writes them when {@code mariaDbDoubles}) equals the target row's
   * of the same key as the target compares keys: the rows that are unchanged.
   */
  String same(List<String> key, List<KeyCollation> collations, boolean mariaDbDoubles) {
    List<String> references = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      references.add(positional(i));
    }
    DuckDbRowHash hashes = new DuckDbRowHash(columns, references, mariaDbDoubles);
    StringJoiner join = new StringJoiner(" AND ", "", " AND s.__h = t.__h");
    StringJoiner keyOut = new StringJoiner(", ");
    for (int i = 0; i < key.size(); i++) {
      join.add("s.__k" + i + " = t.__k" + i);
      keyOut.add("s.__k" + i);
    }
    String keyed = normalised(key, collations, "__k");
    return "CREATE OR REPLACE TEMPORARY TABLE qsync_same AS SELECT "
        + keyOut
        + " FROM (SELECT "
        + keyed
        + ", "
        + hashes.rowHash()
        + " AS __h FROM "
        + hashes.prepared("SELECT * FROM src")
        + " q) s JOIN (SELECT "
        + keyed
        + ", qsync_hash AS __h FROM tgt_hash) t ON "
        + join;
  }

  /**
   * The target's keys whose rows must be read whole, numbered in key order ({@code qsync_n}): those
   * whose hash differs from the result's row of the same key, and those the result lacks (which
   * become deletes: only when {@code deletes}).
   */
  String fetch(List<String> key, List<KeyCollation> collations, boolean deletes) {
    String keyed = normalised(key, collations, "__k");
    String keyList = list(key);
    return "CREATE OR REPLACE TEMPORARY TABLE qsync_fetch AS SELECT row_number() OVER (ORDER BY "
        + keyList
        + ") AS qsync_n, "
        + keyList
        + " FROM (SELECT *, "
        + keyed
        + " FROM tgt_hash) t WHERE NOT EXISTS (SELECT 1 FROM qsync_same x WHERE "
        + matches(key.size(), "x", "t")
        + ")"
        + (deletes
            ? ""
            : " AND EXISTS (SELECT 1 FROM (SELECT "
                + keyed
                + " FROM src) s WHERE "
                + matches(key.size(), "s", "t")
                + ")");
  }

  /** The keys of {@link #fetch} numbered after the first parameter up to the second, in order. */
  String fetchKeys(List<String> key) {
    return "SELECT "
        + list(key)
        + " FROM qsync_fetch WHERE qsync_n > ? AND qsync_n <= ? ORDER BY qsync_n";
  }

  /** The rows of {@code src} whose key is not among the unchanged ({@link #same}). */
  String changedSource(List<String> key, List<KeyCollation> collations) {
    StringJoiner match = new StringJoiner(" AND ");
    for (int i = 0; i < key.size(); i++) {
      match.add("x.__k" + i + " = " + collations.get(i).normalise(column(key.get(i))));
    }
    return "(SELECT * FROM src WHERE NOT EXISTS (SELECT 1 FROM qsync_same x WHERE " + match + "))";
  }

  private static String matches(int keys, String left, String right) {
    StringJoiner match = new StringJoiner(" AND ");
    for (int i = 0; i < keys; i++) {
      match.add(left + ".__k" + i + " = " + right + ".__k" + i);
    }
    return match.toString();
  }

  /**
   * The whole result as inserts, in key order when there is a key, else in the order the source
   * returned the rows: two statements, the rows stored in that order ({@link #CHANGE_ROWS}, written
   * keeping insertion order, StageFile#executeInOrder) and {@code changes}, the view that numbers
   * each by its place ({@code rowid + 1}). A stored number would cost a window over the whole
   * result: {@code row_number() OVER ()} gathers every row of every column in one partition, which
   * took up to 0.8 s of CPU more per million rows of the bench's nine columns (0.96-1.77 s against
   * 0.93-1.00 s for the sort and the write alone).
   */
  List<String> insertAll(List<String> key) {
    return List.of(
        "CREATE OR REPLACE TABLE "
            + CHANGE_ROWS
            + " AS SELECT 'I' AS qsync_op, "
            + allColumns()
            + (key.isEmpty()
                ? " FROM src"
                : " FROM (SELECT * FROM src ORDER BY " + list(key) + ")"),
        "CREATE VIEW changes AS SELECT "
            + SEQ_BY_PLACE
            + " AS qsync_seq, qsync_op, "
            + allColumns()
            + " FROM "
            + CHANGE_ROWS);
  }

  /** How a change set lies in the stage, which decides how it is read in order. */
  enum Layout {
    /**
     * The view that numbers {@link #CHANGE_ROWS} by place ({@link #insertAll}): read from the rows
     * themselves by {@code rowid}, a filter DuckDB takes into the scan (it skips the row groups
     * before a checkpoint), where the view's {@code rowid + 1 > ?} is applied to every row scanned.
     */
    BY_PLACE,
    /** A table with every change at its number's place ({@link #CHANGES_OUT_OF_PLACE}). */
    IN_PLACE,
    /** A table with changes out of place (left by an older build): sorted by number. */
    SORTED
  }

  /**
   * The change set after a sequence number (the statement's one parameter), in order: in the stored
   * order unless the {@code layout} is {@link Layout#SORTED}, which a scan keeping insertion order
   * returns as it is. Each change's number and kind ({@link #KIND_CODE}), then the columns {@code
   * read} asks for: with text, a new row as a line of LOAD DATA text ({@link #loadDataText}), NULL
   * for the other changes.
   */
  String changesAfter(ChangeRead read, Layout layout) {
    String columns =
        switch (read) {
          case VALUES -> allColumns();
          case INSERTS_AS_TEXT ->
              valuesUnlessInsert()
                  + ", CASE WHEN qsync_op = '"
                  + ChangeKind.INSERT.code()
                  + "' THEN "
                  + loadDataText()
                  + " END";
          case TEXT_ONLY -> loadDataText();
        };
    return "SELECT "
        + (layout == Layout.BY_PLACE ? SEQ_BY_PLACE + " AS qsync_seq" : "qsync_seq")
        + ", "
        + KIND_CODE
        + ", "
        + columns
        + changesFrom(layout, "?")
        + (layout == Layout.SORTED ? " ORDER BY qsync_seq" : "");
  }

  /** A change's number when {@code changes} numbers {@link #CHANGE_ROWS} by place. */
  private static final String SEQ_BY_PLACE = "rowid + 1";

  /** The change set from the change after {@code afterSeq} on, in the way its layout reads fast. */
  private static String changesFrom(Layout layout, String afterSeq) {
    return layout == Layout.BY_PLACE
        ? " FROM " + CHANGE_ROWS + " WHERE rowid >= " + afterSeq
        : " FROM changes WHERE qsync_seq > " + afterSeq;
  }

  /**
   * A change's kind as the code point of its one-letter code ({@link ChangeKind#ofCode(int)}): the
   * driver makes a Java {@code String} of every VARCHAR value it fetches, one JNI call and a decode
   * each, 0.3-0.4 s of CPU per million changes for the letter; a number comes as a vector.
   */
  static final String KIND_CODE = "ascii(qsync_op)";

  /**
   * The changes after a number that are not new rows: with none, a read may leave out the values
   * ({@link ChangeRead#TEXT_ONLY}).
   */
  static String notInsertsAfter(long afterSeq, Layout layout) {
    return "SELECT count(*)"
        + changesFrom(layout, Long.toString(afterSeq))
        + " AND qsync_op <> '"
        + ChangeKind.INSERT.code()
        + "'";
  }

  /**
   * The changes not stored at their number's place ({@code rowid} one less): none when the change
   * set was written in order (StageFile#executeInOrder), so that a scan that keeps insertion order
   * reads it in order without sorting it; a stage left by an older build may hold some.
   */
  static final String CHANGES_OUT_OF_PLACE =
      "SELECT count(*) FROM changes WHERE qsync_seq <> rowid + 1";

  /**
   * A row as one line of LOAD DATA's default text format, as a BLOB of its UTF-8 bytes (so the
   * driver hands over bytes, not a string to decode and encode again): what {@link
   * io.qsync.diff.Change#text} describes, made by DuckDB for the whole batch so that the writer
   * only moves bytes. Every value reads back as the value the stage holds: a DOUBLE as DuckDB's
   * shortest text that parses back to the same bits, mended where DuckDB's is wrong ({@link
   * io.qsync.duckdb.DuckDbDoubles}; DuckDB writes {@code 1e+16}, Java {@code 1.0E16}; the server
   * parses either exactly), a FLOAT as the DOUBLE it is (its own shortest text may parse to a
   * double above the largest float), a DECIMAL at its scale, a TIMESTAMP in microseconds.
   */
  String loadDataText() {
    // One concat() of every field: a chain of || makes an intermediate string per operator (1.3 s
    // against 0.9 s of CPU for a million rows of the bench's nine columns).
    StringJoiner fields = new StringJoiner(", chr(9), ", "encode(concat(", ", chr(10)))");
    for (int i = 0; i < columns.size(); i++) {
      fields.add("coalesce(" + loadDataField(positional(i), columns.get(i).type()) + ", '\\N')");
    }
    return fields.toString();
  }

  /** One value as LOAD DATA text; NULL stays NULL. */
  static String loadDataField(String column, SqlType type) {
    return switch (type.kind()) {
      case BOOLEAN -> "CAST(CAST(" + column + " AS INTEGER) AS VARCHAR)";
      // −0 as 0, as the statement path writes it: MariaDB 11.4 keeps the −0 it reads as text
      // ("-0"), 10.11 does not, and a bound −0.0 is stored as 0 by both.
      case FLOAT ->
          "CASE WHEN "
              + column
              + " = 0 THEN '0' ELSE "
              + io.qsync.duckdb.DuckDbDoubles.text("CAST(" + column + " AS DOUBLE)")
              + " END";
      case DOUBLE ->
          "CASE WHEN "
              + column
              + " = 0 THEN '0' ELSE "
              + io.qsync.duckdb.DuckDbDoubles.text(column)
              + " END";
      case VARCHAR, JSON, UUID ->
          // Most strings hold nothing to escape: the test spares five replaces of each (1M rows of
          // four strings: 2-3 s of CPU). The escape character first, so the escapes added stay
          // single.
          "CASE WHEN regexp_matches("
              + column
              + ", '[\\t\\n\\r\\\\\\x00]') THEN replace(replace(replace(replace(replace("
              + column
              + ", '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), chr(13), '\\r'),"
              + " chr(0), '\\0') ELSE "
              + column
              + " END";
      case BLOB -> "hex(" + column + ")";
      // Integers, DECIMAL (at
      // its scale; a wider one is its text already), DATE, TIME, and TIMESTAMP as YYYY-MM-DD
      // HH:MM:SS with as many digits of microseconds as it needs (strftime's fixed six cost 0.6 s
      // more per million rows).
      default -> "CAST(" + column + " AS VARCHAR)";
    };
  }

  /** Up to {@code limit} changes of one kind, in order. */
  String sample(ChangeKind kind, int limit) {
    return "SELECT qsync_seq, "
        + KIND_CODE
        + ", "
        + allColumns()
        + " FROM changes WHERE qsync_op = '"
        + kind.code()
        + "' ORDER BY qsync_seq LIMIT "
        + limit;
  }

  /** Key values with a NULL part: the count of such rows, then a sample's key columns. */
  String nullKeys(List<String> key, int samples) {
    StringJoiner anyNull = new StringJoiner(" OR ");
    key.forEach(column -> anyNull.add(column(column) + " IS NULL"));
    return "SELECT count(*) OVER (), "
        + list(key)
        + " FROM src WHERE "
        + anyNull
        + " LIMIT "
        + samples;
  }

  /** The rows of {@code src} whose values in these columns are all present. */
  String withoutNulls(List<String> names) {
    StringJoiner noneNull = new StringJoiner(" AND ");
    names.forEach(column -> noneNull.add(column(column) + " IS NOT NULL"));
    return "(SELECT * FROM src WHERE " + noneNull + ")";
  }

  /** Values held by more than one of {@code rows}: their count, then a sample's key columns. */
  String duplicates(List<String> key, String rows, int samples) {
    String keyList = list(key);
    return "SELECT count(*) OVER (), "
        + keyList
        + " FROM "
        + rows
        + " GROUP BY "
        + keyList
        + " HAVING count(*) > 1 ORDER BY "
        + keyList
        + " LIMIT "
        + samples;
  }

  /**
   * Values distinct in {@code rows} but one under the collations: their count, then each group
   * rendered in a column named {@code rendered}.
   */
  String collisions(List<String> key, List<KeyCollation> collations, String rows, int samples) {
    String row = key.size() == 1 ? column(key.get(0)) : "row(" + list(key) + ")";
    return "SELECT count(*) OVER (), string_agg(DISTINCT '''' || CAST("
        + row
        + " AS VARCHAR) || '''', ' and ') AS rendered FROM "
        + rows
        + " GROUP BY "
        + normalised(key, collations, "")
        + " HAVING count(DISTINCT "
        + row
        + ") > 1 LIMIT "
        + samples;
  }

  /** The stage column of a result column, by the result's (case-insensitive) name. */
  String column(String name) {
    return positional(index(columns, name));
  }

  /** The definitions of the run's columns at {@code indexes}, under their stage names. */
  private String keyDefinitions(List<Integer> indexes) {
    StringJoiner definitions = new StringJoiner(", ");
    indexes.forEach(i -> definitions.add(positional(i) + " " + columns.get(i).type().duckDbName()));
    return definitions.toString();
  }

  private static String definitions(List<Column> columns) {
    StringJoiner definitions = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      definitions.add(positional(i) + " " + columns.get(i).type().duckDbName());
    }
    return definitions.toString();
  }

  private String normalised(List<String> key, List<KeyCollation> collations, String aliasPrefix) {
    StringJoiner list = new StringJoiner(", ");
    for (int i = 0; i < key.size(); i++) {
      String expression = collations.get(i).normalise(column(key.get(i)));
      list.add(aliasPrefix.isEmpty() ? expression : expression + " AS " + aliasPrefix + i);
    }
    return list.toString();
  }

  private String list(List<String> names) {
    StringJoiner list = new StringJoiner(", ");
    names.forEach(name -> list.add(column(name)));
    return list.toString();
  }

  /**
   * Every column, NULL in a new row's: its text carries its values, and the driver would make a
   * Java object of each value it fetches (a string decoded from UTF-8 through JNI, one call each),
   * about 2 s of CPU per million rows of the bench's four strings.
   */
  private String valuesUnlessInsert() {
    StringJoiner list = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      list.add(
          "CASE WHEN qsync_op <> '"
              + ChangeKind.INSERT.code()
              + "' THEN "
              + positional(i)
              + " END AS "
              + positional(i));
    }
    return list.toString();
  }

  private String allColumns() {
    StringJoiner list = new StringJoiner(", ");
    for (int i = 0; i < columns.size(); i++) {
      list.add(positional(i));
    }
    return list.toString();
  }
}
