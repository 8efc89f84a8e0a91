package io.qsync.engine;

import io.qsync.config.DeleteGuard;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.diff.ChangeCounts;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a sync's {@link DeleteGuard} lets a change set through: a pure function of the change
 * set's counts, checked before anything is written. Only {@code mirror} and {@code replace} lose
 * rows; a table with no rows has nothing to lose. In {@code mirror} the table's rows are the
 * deleted, updated and unchanged ones; in {@code replace}, which does not read the table's rows,
 * the rows the new copy loses are counted as the table's rows minus the result's.
 */
final class DeleteGuardCheck {
  private DeleteGuardCheck() {}

  /** Why a run must not apply this change set, ending with the remedy; empty when it may. */
  static Optional<String> refusal(SyncConfig sync, ChangeCounts counts) {
    DeleteGuard guard = sync.deleteGuard();
    long tableRows;
    long lost;
    switch (sync.mode()) {
      case MIRROR -> {
        tableRows = counts.deletes() + counts.updates() + counts.unchanged();
        lost = counts.deletes();
      }
      case REPLACE -> {
        tableRows = counts.deletes();
        lost = Math.max(0, tableRows - counts.sourceRows());
      }
      default -> {
        return Optional.empty();
      }
    }
    if (tableRows == 0 || lost == 0) {
      return Optional.empty();
    }
    String subject = "sync '" + sync.name() + "': ";
    if (counts.sourceRows() == 0) {
      return guard.allowEmpty()
          ? Optional.empty()
          : Optional.of(
              subject
                  + "the query returned no rows, and a "
                  + sync.mode().configName()
                  + " run would delete all "
                  + rows(tableRows)
                  + " of table "
                  + sync.table()
                  + "; nothing was written (allow_empty is false)\n"
                  + "If the result is rightly empty, set allow_empty: true on the sync, or run"
                  + " once with --allow-deletes"
                  + (sync.mode() == Mode.MIRROR
                      ? ", or review and apply exactly this change: " + savedPlan(sync)
                      : "")
                  + "; otherwise fix the query or the data it reads.");
    }
    double fraction = (double) lost / tableRows;
    if (fraction <= guard.maxDeleteFraction()) {
      return Optional.empty();
    }
    String what =
        sync.mode() == Mode.REPLACE
            ? "the new copy has "
                + rows(counts.sourceRows())
                + " where table "
                + sync.table()
                + " has "
                + rows(tableRows)
                + ": replacing it would lose "
                + rows(lost)
            : "this run would delete "
                + rows(lost)
                + " of the "
                + rows(tableRows)
                + " in table "
                + sync.table();
    return Optional.of(
        subject
            + what
            + " ("
            + percent(fraction)
            + "), more than max_delete_fraction "
            + guard.maxDeleteFraction()
            + " ("
            + percent(guard.maxDeleteFraction())
            + ") allows; nothing was written\n"
            + (sync.mode() == Mode.MIRROR
                ? "Review the deletes and apply exactly what you reviewed: "
                    + savedPlan(sync)
                    + "; or, if the result is right, run once with --allow-deletes, or raise"
                    + " max_delete_fraction on the sync."
                : "Check the result (qsync plan "
                    + sync.name()
                    + " shows sample deletes); if it is"
                    + " right, run once with --allow-deletes, or raise max_delete_fraction on the"
                    + " sync."));
  }

  /**
   * The route of a reviewed delete: a saved plan, which {@code run --plan} applies exactly and lets
   * through the guard.
   */
  static String savedPlan(SyncConfig sync) {
    return "qsync plan "
        + sync.name()
        + " --out plan.qsp (it shows sample deletes), then qsync run "
        + sync.name()
        + " --plan plan.qsp";
  }

  private static String rows(long count) {
    return String.format(Locale.ROOT, "%,d row%s", count, count == 1 ? "" : "s");
  }

  private static String percent(double fraction) {
    return BigDecimal.valueOf(fraction * 100)
            .setScale(1, RoundingMode.HALF_UP)
            .stripTrailingZeros()
            .toPlainString()
        + "%";
  }
}
