package io.qsync.destination;

import io.qsync.row.Column;
import io.qsync.source.QueryDialect;
import java.util.List;
import java.util.Optional;

/**
 * What a destination knows and changes about its tables as a whole: their shape, the checks a
 * result must pass before it is written, and the DDL of a run (create, drop, the swap of {@code
 * replace} mode). Not thread-safe.
 */
public interface DestinationCatalog {
  /** The table as it exists now, or empty when there is no such table. */
  Optional<DestinationTable> describe(String table);

  /**
   * Every reason the existing table cannot hold the result, each with its remedy; empty when it
   * can.
   */
  List<String> schemaProblems(
      DestinationTable table, List<Column> columns, List<String> key, boolean keyRequired);

  /**
   * Every value rule of the table's columns: which values each column the result is written to
   * would not store as sent (see {@link ValueRule}), with the remedy phrased for the source's
   * dialect. For a table qsync has yet to create, the rules of the one {@link #createTable} makes.
   *
   * @param existing the table as it exists, or empty when the run creates it
   */
  List<ValueRule> valueRules(
      String table,
      Optional<DestinationTable> existing,
      List<Column> columns,
      List<String> key,
      QueryDialect dialect);

  /** The CREATE TABLE statement {@link #createTable} runs, for plans and messages. */
  String createTableStatement(String table, List<Column> columns, List<String> key);

  /**
   * The collation {@link #createTable} gives a string key column: one under which every two
   * distinct strings are distinct keys (case, accents and trailing spaces count).
   */
  String createdKeyCollation();

  /**
   * The statement that makes an existing string key column compare exactly, as {@link
   * #createdKeyCollation} does: the remedy a message about colliding keys names.
   */
  String exactKeyStatement(DestinationTable table, String column);

  /** Creates a table for the result, with the key as its primary key. DDL: outside batches. */
  void createTable(String table, List<Column> columns, List<String> key);

  /** Creates {@code table} with the columns and indexes of {@code model}. DDL: outside batches. */
  void createTableLike(String table, String model);

  void dropTable(String table);

  /**
   * Why {@code replace} mode cannot swap a new copy in for the existing {@code table} (triggers,
   * foreign keys into or out of it), each with its remedy; empty when it can.
   */
  List<String> replaceProblems(String table);

  /**
   * Every privilege a run needs that the account lacks, each with the GRANT that lifts it: on
   * {@code table}, on the database as a whole, and on the run history (to read and write it, and to
   * create it when absent); empty when it holds them, or when they cannot be known.
   *
   * @param onTable the privileges the run needs on the table: SELECT, INSERT, UPDATE, DELETE,
   *     CREATE
   * @param onDatabase the privileges the run needs on the whole database (replace mode's new copy)
   */
  List<String> privilegeProblems(String table, List<String> onTable, List<String> onDatabase);

  /**
   * Swaps {@code shadow} in as {@code table} in one atomic RENAME and drops the old table. Safe to
   * call again after a failure or a crash part-way: a shadow already swapped in is not swapped
   * again, and an old table left behind is dropped. Returns only when neither the shadow nor the
   * old table is left and {@code table} exists.
   */
  void swap(String table, String shadow);

  /** The table {@code replace} mode builds a new copy of {@code table} in. */
  String shadowName(String table);
}
