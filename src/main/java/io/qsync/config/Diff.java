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
 * @param verifyEvery for {@code snapshot}: how often a run is followed by a verify of the table,
 *     which sees the changes made to it by hand that the warehouse's diff cannot
 */
public record Diff(
    Strategy strategy, Optional<String> stateDataset, Optional<VerifyEvery> verifyEvery) {
  public enum Strategy {
    TARGET,
    SNAPSHOT;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final Diff TARGET = new Diff(Strategy.TARGET, Optional.empty());

  public Diff {
    requireNonNull(strategy, "strategy is null");
    requireNonNull(stateDataset, "stateDataset is null");
    requireNonNull(verifyEvery, "verifyEvery is null");
    if ((strategy == Strategy.SNAPSHOT) != stateDataset.isPresent()) {
      throw new IllegalArgumentException("a state dataset goes with the snapshot strategy only");
    }
    if (strategy != Strategy.SNAPSHOT && verifyEvery.isPresent()) {
      throw new IllegalArgumentException("verify_every goes with the snapshot strategy only");
    }
  }

  /** A diff that no scheduled verify follows. */
  public Diff(Strategy strategy, Optional<String> stateDataset) {
    this(strategy, stateDataset, Optional.empty());
  }

  /** The same snapshot diff, its runs followed by a verify as {@code verifyEvery} says. */
  public Diff withVerifyEvery(Optional<VerifyEvery> verifyEvery) {
    return new Diff(strategy, stateDataset, verifyEvery);
  }

  public static Diff snapshot(String stateDataset) {
    return new Diff(Strategy.SNAPSHOT, Optional.of(stateDataset));
  }

  public boolean snapshot() {
    return strategy == Strategy.SNAPSHOT;
  }
}
