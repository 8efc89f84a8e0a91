package io.qsync.engine;

/**
 * How one {@code qsync run} treats a sync, beyond its config. Immutable.
 *
 * @param restart abandon an unfinished run and its stage, and start over ({@code --restart})
 * @param allowDeletes lift the sync's delete guard ({@code allow_empty}, {@code
 *     max_delete_fraction}) for this run only ({@code --allow-deletes})
 * @param full make a {@code diff: snapshot} sync compare its whole result with the table, and
 *     rebuild its state, instead of trusting the state in the warehouse ({@code --full})
 */
public record RunOptions(boolean restart, boolean allowDeletes, boolean full) {
  /** A plain run: resume what is unfinished, keep the guards, use the warehouse state. */
  public static final RunOptions DEFAULT = new RunOptions(false, false, false);

  /** A run with {@code --restart}. */
  public static RunOptions restarting() {
    return new RunOptions(true, false, false);
  }

  /** A run with {@code --full}. */
  public static RunOptions fullCompare() {
    return new RunOptions(false, false, true);
  }
}
