package io.qsync.config;

import java.util.Locale;

/**
 * What the target table ends as after a run. See docs/modes-and-types.md ("Modes") for each one's
 * guarantees.
 */
public enum Mode {
  /** Exactly the query result: keys absent from the result are deleted. */
  MIRROR,
  /** The query result plus any older rows it no longer contains. */
  UPSERT,
  /** Exactly the query result, built in a shadow table and swapped in with one RENAME TABLE. */
  REPLACE,
  /** Old rows plus every result row inserted. */
  APPEND;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the mode identifies rows by key (every mode but append). */
  public boolean needsKey() {
    return this != APPEND;
  }
}
