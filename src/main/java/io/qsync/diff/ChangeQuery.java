package io.qsync.diff;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;

/**
 * How a {@code diff: snapshot} run asks the warehouse for its change set, and why: in one query
 * that reads every column of the result, or in two steps, a comparison of keys and fingerprints
 * alone and, only when some key changed, a fetch of the changed rows' columns.
 *
 * <p>A warehouse that bills the columns a job reads, every row of them, bills the two steps less
 * when nothing changed (the result's other columns are not read at all) and more when something did
 * (the fetch reads the result's columns whole, its key among them, so the key is read twice). No
 * rule bills no more than the other in both cases, so each run bets on what the sync's last
 * successful run found: two steps after a run that changed no row, one query after a run that
 * changed some (and after a first load, which inserted every row: a sync that always changes then
 * pays what it paid before). Pure; immutable.
 *
 * @param twoSteps compare keys and fingerprints first, fetch only what changed
 * @param reason why, naming the run the choice looked at
 */
public record ChangeQuery(boolean twoSteps, String reason) {
  public ChangeQuery {
    requireNonNull(reason, "reason is null");
  }

  /**
   * The choice for a run whose sync's last successful run was {@code previousRun}, with the counts
   * of its change set (empty when they were not recorded).
   *
   * @param cannotSave why comparing first could not bill less for this run's result, whatever
   *     changed (see {@code WarehouseState#whyOneQuery}); empty when it can
   */
  public static ChangeQuery after(
      String previousRun, Optional<ChangeCounts> previousCounts, Optional<String> cannotSave) {
    requireNonNull(previousRun, "previousRun is null");
    if (cannotSave.isPresent()) {
      return new ChangeQuery(false, cannotSave.get());
    }
    if (previousCounts.isEmpty()) {
      return new ChangeQuery(false, "run " + previousRun + " left no counts");
    }
    long changes = previousCounts.get().changes();
    if (changes == 0) {
      return new ChangeQuery(true, "run " + previousRun + " changed no row");
    }
    return new ChangeQuery(
        false,
        String.format(
            Locale.ROOT,
            "run %s changed %,d row%s",
            previousRun,
            changes,
            changes == 1 ? "" : "s"));
  }
}
