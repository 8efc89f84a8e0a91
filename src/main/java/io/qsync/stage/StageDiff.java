package io.qsync.stage;

import io.qsync.diff.ChangeCounts;
import io.qsync.diff.ChangeKind;
import io.qsync.diff.KeyCollation;
import io.qsync.duckdb.DuckDbValues;
import io.qsync.row.SqlType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the stage's change set ({@code changes}, numbered from 1 and stored in that order) in one
 * of three ways: the result diffed against the target's rows, the whole result as inserts, or a
 * change set the warehouse computed. Each records the counts in the stage's state, after which the
 * run may resume from the stage, and frees the tables it no longer needs. Not thread-safe: one run
 * uses one stage.
 */
final class StageDiff {
  private final StageFile file;

  StageDiff(StageFile file) {
    this.file = file;
  }

  ChangeCounts diff(List<String> key, List<KeyCollation> collations, boolean deletes) {
    file.dropChangeSet();
    file.executeInOrder(file.sql().diff(key, collations, deletes), "compute the change set");
    return finish(sourceRows());
  }

  /**
   * Finds the result's rows whose row hash equals the target's row of the same key, and numbers the
   * target's other keys (only those the result holds too, unless {@code deletes}): the rows to read
   * whole. Returns their number.
   */
  long differingKeys(
      List<String> key, List<KeyCollation> collations, boolean deletes, boolean mariaDbDoubles) {
    file.execute(file.sql().same(key, collations, mariaDbDoubles), "compare the row hashes");
    file.execute(file.sql().fetch(key, collations, deletes), "list the differing rows");
    return file.count(StageSql.FETCH_ROWS);
  }

  /** The keys {@link #differingKeys} numbered after {@code after}, at most {@code limit}. */
  List<Object[]> differingKeys(List<String> key, long after, int limit) {
    List<SqlType> types =
        key.stream()
            .map(name -> file.columns().get(StageSql.index(file.columns(), name)).type())
            .toList();
    List<Object[]> keys = new ArrayList<>();
    try (PreparedStatement statement =
        file.connection().prepareStatement(file.sql().fetchKeys(key))) {
      statement.setLong(1, after);
      statement.setLong(2, after + limit);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          Object[] values = new Object[types.size()];
          for (int k = 0; k < values.length; k++) {
            values[k] = DuckDbValues.read(rows, k + 1, types.get(k));
          }
          keys.add(values);
        }
      }
    } catch (SQLException e) {
      throw file.failed("read the differing keys", e);
    }
    return keys;
  }

  /**
   * The change set of the result's rows not known to be unchanged ({@link #differingKeys}) against
   * the target's rows read whole: the same change set {@link #diff} makes of the whole table.
   */
  ChangeCounts diffDiffering(List<String> key, List<KeyCollation> collations, boolean deletes) {
    file.dropChangeSet();
    file.executeInOrder(
        file.sql().diff(key, collations, deletes, file.sql().changedSource(key, collations)),
        "compute the change set");
    return finish(sourceRows());
  }

  ChangeCounts insertAll(List<String> key, long replacedRows) {
    file.dropChangeSet();
    for (String statement : file.sql().insertAll(key)) {
      file.executeInOrder(statement, "number the rows");
    }
    ChangeCounts counted = finish(sourceRows());
    return new ChangeCounts(counted.sourceRows(), counted.inserts(), 0, replacedRows, 0);
  }

  /**
   * @param sourceRows the number of rows in the query result (which stayed in the warehouse)
   */
  ChangeCounts numberWarehouseChanges(List<String> key, long sourceRows) {
    file.dropChangeSet();
    file.executeInOrder(file.sql().numberWarehouseChanges(key), "number the change set");
    file.execute(StageSql.drop(StageSql.WAREHOUSE_CHANGES), "free the change set copy");
    file.execute(StageSql.MARK_FROM_WAREHOUSE, "mark the change set");
    return finish(sourceRows);
  }

  long sourceRows() {
    return file.count(StageSql.SOURCE_ROWS);
  }

  private ChangeCounts finish(long sourceRows) {
    long inserts = file.count(StageSql.countChanges(ChangeKind.INSERT));
    long updates = file.count(StageSql.countChanges(ChangeKind.UPDATE));
    long deletes = file.count(StageSql.countChanges(ChangeKind.DELETE));
    ChangeCounts counts =
        new ChangeCounts(sourceRows, inserts, updates, deletes, sourceRows - inserts - updates);
    file.execute(StageSql.recordDiffed(counts), "record the change set");
    file.execute(StageSql.drop(StageSql.TARGET), "free the target copy");
    for (String table : List.of(StageSql.TARGET_HASHES, StageSql.SAME, StageSql.FETCH)) {
      file.execute(StageSql.drop(table), "free the row hashes");
    }
    file.execute("CHECKPOINT", "flush the stage");
    return counts;
  }
}
