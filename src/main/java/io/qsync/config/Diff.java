package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;

/**
 * How a sync finds its change set. Immutable.
 *
 * @param strategy {@link Strategy#TARGET}: compare the whole result with the table's rows; {@link
 *     Strategy#SNAPSHOT}: let the warehouse compare the result with the state of the last applied
 *     run, so that only changed rows leave it
 * @param stateDataset where the warehouse keeps the state (a BigQuery dataset, a DuckDB schema);
 *     present exactly for {@code snapshot}
 * @param compare how a comparison with the table reads it: {@link Compare#ROWS} every row whole,
 *     {@link Compare#HASHES} each row's key and hash where the table's server can hash its rows
 * @param verifyEvery for {@code snapshot}: how often a run is followed by a verify of the table,
 *     which sees the changes made to it by hand that the warehouse's diff cannot
 */
public record Diff(
    Strategy strategy,
    Optional<String> stateDataset,
    Compare compare,
    Optional<VerifyEvery> verifyEvery) {
  public enum Strategy {
    TARGET,
    SNAPSHOT;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How a comparison with the table ({@code diff: target}, or a snapshot's full one) reads it. */
  public enum Compare {
    /** Every row whole. */
    ROWS,
    /**
     * Key and row hash of each row, computed by the table's server, and whole only the rows whose
     * hash differs, where the destination can hash its rows.
     */
    HASHES;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final Diff TARGET = new Diff(Strategy.TARGET, Optional.empty());

  /** A diff that reads the table's rows whole, and that no scheduled verify follows. */
  public Diff(Strategy strategy, Optional<String> stateDataset) {
    this(strategy, stateDataset, Compare.ROWS, Optional.empty());
  }

  public Diff {
    requireNonNull(strategy, "strategy is null");
    requireNonNull(stateDataset, "stateDataset is null");
    requireNonNull(compare, "compare is null");
    requireNonNull(verifyEvery, "verifyEvery is null");
    if ((strategy == Strategy.SNAPSHOT) != stateDataset.isPresent()) {
      throw new IllegalArgumentException("a state dataset goes with the snapshot strategy only");
    }
    if (strategy != Strategy.SNAPSHOT && verifyEvery.isPresent()) {
      throw new IllegalArgumentException("verify_every goes with the snapshot strategy only");
    }
  }

  public static Diff snapshot(String stateDataset) {
    return new Diff(Strategy.SNAPSHOT, Optional.of(stateDataset));
  }

  public Diff withCompare(Compare newCompare) {
    return new Diff(strategy, stateDataset, newCompare, verifyEvery);
  }

  /** The same snapshot diff, its runs followed by a verify as {@code newVerifyEvery} says. */
  public Diff withVerifyEvery(Optional<VerifyEvery> newVerifyEvery) {
    return new Diff(strategy, stateDataset, compare, newVerifyEvery);
  }

  public boolean snapshot() {
    return strategy == Strategy.SNAPSHOT;
  }
}
