package io.qsync.stage;

import io.qsync.diff.ChangeCounts;
import io.qsync.diff.ChangeKind;
import io.qsync.diff.KeyCollation;
import java.util.List;

/**
 * Makes the stage's change set ({@code changes}, numbered from 1) in one of three ways: the result
 * diffed against the target's rows, the whole result as inserts, or a change set the warehouse
 * computed. Each records the counts in the stage's state, after which the run may resume from the
 * stage, and frees the tables it no longer needs. Not thread-safe: one run uses one stage.
 */
final class StageDiff {
  private final StageFile file;

  StageDiff(StageFile file) {
    this.file = file;
  }

  ChangeCounts diff(List<String> key, List<KeyCollation> collations, boolean deletes) {
    file.execute(file.sql().diff(key, collations, deletes), "compute the change set");
    return finish(sourceRows());
  }

  ChangeCounts insertAll(List<String> key, long replacedRows) {
    file.execute(file.sql().insertAll(key), "number the rows");
    ChangeCounts counted = finish(sourceRows());
    return new ChangeCounts(counted.sourceRows(), counted.inserts(), 0, replacedRows, 0);
  }

  /**
   * @param sourceRows the number of rows in the query result (which stayed in the warehouse)
   */
  ChangeCounts numberWarehouseChanges(List<String> key, long sourceRows) {
    file.execute(file.sql().numberWarehouseChanges(key), "number the change set");
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
    file.execute("CHECKPOINT", "flush the stage");
    return counts;
  }
}
