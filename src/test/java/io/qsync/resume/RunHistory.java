package io.qsync.resume;

import io.qsync.testing.TestDatabase;
import java.util.List;

/**
 * What {@code _qsync_runs} holds, read straight from the table (not through qsync's own store), so
 * the tests check what an operator would see.
 */
public record RunHistory(
    String runId,
    String status,
    String phase,
    long changesTotal,
    long appliedThrough,
    int batchesApplied,
    int resumes,
    long connectionId,
    String error) {

  /** Every run of the database, oldest first. */
  public static List<RunHistory> read(TestDatabase database) {
    return database
        .rows(
            "SELECT run_id, status, phase, changes_total, applied_through, batches_applied,"
                + " resumes, connection_id, error FROM `_qsync_runs` ORDER BY started_at, run_id")
        .stream()
        .map(
            row ->
                new RunHistory(
                    row.get(0),
                    row.get(1),
                    row.get(2),
                    Long.parseLong(row.get(3)),
                    Long.parseLong(row.get(4)),
                    Integer.parseInt(row.get(5)),
                    Integer.parseInt(row.get(6)),
                    Long.parseLong(row.get(7)),
                    row.get(8)))
        .toList();
  }

  /** The only run; fails when there is not exactly one. */
  static RunHistory only(TestDatabase database) {
    List<RunHistory> runs = read(database);
    if (runs.size() != 1) {
      throw new AssertionError("expected exactly one run in _qsync_runs, found " + runs);
    }
    return runs.get(0);
  }

  /**
   * A resumed run of {@code mirror} or {@code upsert}, and the fresh run that then compared the
   * table with the query's current result and found nothing to change (the result did not change in
   * between): returns the resumed one.
   */
  static RunHistory resumedThenCaughtUp(TestDatabase database) {
    List<RunHistory> runs = read(database);
    if (runs.size() != 2) {
      throw new AssertionError(
          "expected a resumed run and its catch-up in _qsync_runs, found " + runs);
    }
    RunHistory caughtUp = runs.get(1);
    if (!caughtUp.status().equals("succeeded")
        || caughtUp.changesTotal() != 0
        || caughtUp.resumes() != 0) {
      throw new AssertionError("expected a catch-up run that changed nothing, found " + caughtUp);
    }
    return runs.get(0);
  }

  static long batchesFor(long changes, int batchSize) {
    return (changes + batchSize - 1) / batchSize;
  }
}
