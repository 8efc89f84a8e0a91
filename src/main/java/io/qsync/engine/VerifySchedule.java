package io.qsync.engine;

import io.qsync.config.VerifyEvery;
import io.qsync.state.RunRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether a {@code diff: snapshot} sync's run is followed by a verify now ({@code verify_every}),
 * and why. Pure: it decides from the run history alone.
 *
 * <p>With {@code verify_every: N runs}, a verify follows every Nth successful run, counted since
 * the last verify (or since the first run). With an interval, it follows the first successful run
 * after the last verify grew that old; a sync never verified is verified after its second
 * successful run, not its first: the first load has just written the whole table.
 */
final class VerifySchedule {
  private VerifySchedule() {}

  /**
   * @param lastVerify the sync's newest verify record
   * @param succeeded the sync's newest successful runs, newest first, the run just finished
   *     included: at least {@code every.runs()} of them when there are that many
   * @return why a verify is due, for the run's report; empty when it is not
   */
  static Optional<String> due(
      VerifyEvery every, Optional<RunRecord> lastVerify, List<RunRecord> succeeded, Instant now) {
    String setting = " (verify_every: " + every.configText() + ")";
    if (every.interval().isEmpty()) {
      long since =
          succeeded.stream()
              .filter(run -> lastVerify.isEmpty() || run.startedAt().isAfter(lastEnd(lastVerify)))
              .count();
      if (since < every.runs()) {
        return Optional.empty();
      }
      return Optional.of(
          (lastVerify.isEmpty()
                  ? io.qsync.Plural.of(since, "successful run") + " and no verify yet"
                  : io.qsync.Plural.of(since, "successful run") + " since the last verify")
              + setting);
    }
    if (lastVerify.isEmpty()) {
      return succeeded.size() >= 2 ? Optional.of("no verify yet" + setting) : Optional.empty();
    }
    Duration age = Duration.between(lastStart(lastVerify), now);
    return age.compareTo(every.interval().get()) >= 0
        ? Optional.of("the last verify was " + io.qsync.Messages.duration(age) + " ago" + setting)
        : Optional.empty();
  }

  private static Instant lastStart(Optional<RunRecord> lastVerify) {
    return lastVerify.orElseThrow().startedAt();
  }

  /** When the last verify ended, its heal included: the heal's own run does not count. */
  private static Instant lastEnd(Optional<RunRecord> lastVerify) {
    RunRecord verify = lastVerify.orElseThrow();
    return verify.finishedAt().orElse(verify.startedAt());
  }
}
