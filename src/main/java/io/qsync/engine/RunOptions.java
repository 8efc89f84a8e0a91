package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How one {@code qsync run} treats a sync, beyond its config. Immutable.
 *
 * @param restart abandon an unfinished run and its stage, and start over ({@code --restart})
 * @param allowDeletes lift the sync's delete guard ({@code allow_empty}, {@code
 *     max_delete_fraction}) for this run only ({@code --allow-deletes})
 * @param full make a {@code diff: snapshot} sync compare its whole result with the table, and
 *     rebuild its state, instead of trusting the state in the warehouse ({@code --full})
 * @param plan apply exactly the change set of this saved plan ({@code --plan FILE}, made by {@code
 *     qsync plan SYNC --out FILE}) instead of computing one
 * @param maxPlanAge how old that plan may be ({@code --max-plan-age})
 */
public record RunOptions(
    boolean restart, boolean allowDeletes, boolean full, Optional<Path> plan, Duration maxPlanAge) {
  /** A plain run: resume what is unfinished, keep the guards, use the warehouse state. */
  public static final RunOptions DEFAULT = new RunOptions(false, false, false);

  public RunOptions {
    requireNonNull(plan, "plan is null");
    requireNonNull(maxPlanAge, "maxPlanAge is null");
    if (maxPlanAge.isNegative()) {
      throw new IllegalArgumentException("maxPlanAge must not be negative: " + maxPlanAge);
    }
  }

  /** A run that computes its own change set. */
  public RunOptions(boolean restart, boolean allowDeletes, boolean full) {
    this(restart, allowDeletes, full, Optional.empty(), SavedPlan.DEFAULT_MAX_AGE);
  }

  /** A run with {@code --restart}. */
  public static RunOptions restarting() {
    return new RunOptions(true, false, false);
  }

  /** A run with {@code --full}. */
  public static RunOptions fullCompare() {
    return new RunOptions(false, false, true);
  }

  /** A run that applies the saved plan in {@code file}, if it is at most 24 hours old. */
  public static RunOptions applying(Path file) {
    return new RunOptions(false, false, false, Optional.of(file), SavedPlan.DEFAULT_MAX_AGE);
  }

  /** The same options, with {@code --max-plan-age}. */
  public RunOptions withMaxPlanAge(Duration newMaxPlanAge) {
    return new RunOptions(restart, allowDeletes, full, plan, newMaxPlanAge);
  }

  /** The same options, with {@code --restart}. */
  public RunOptions withRestart() {
    return new RunOptions(true, allowDeletes, full, plan, maxPlanAge);
  }
}
