package io.qsync.serve;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.config.Diff;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What {@code qsync serve} knows of each sync now: its schedule, its next run, whether it runs, its
 * newest run in the history and its last success. The scheduler writes it; the status page, the
 * metrics and the staleness alerts read it. Thread-safe: every method works on one consistent
 * snapshot.
 */
public final class SyncBoard {
  /** Whether a sync's last success is recent enough. */
  public enum Freshness {
    /** It succeeded within its {@code max_staleness}. */
    FRESH,
    /**
     * Its last success is older than its {@code max_staleness}, or it never succeeded and has been
     * watched for longer than that.
     */
    STALE,
    /**
     * It never succeeded, and has been watched for less than its {@code max_staleness}: a sync just
     * added is not stale before it had its chance.
     */
    PENDING,
    /** It has no {@code max_staleness}, so it is neither. */
    UNBOUNDED
  }

  /**
   * One sync's standing. Immutable.
   *
   * @param schedule the schedule as a person reads it; absent: runs only when asked
   * @param nextRun when the scheduler starts it next, jitter included
   * @param runningSince when its current run started, while one runs in this process
   * @param lastRun its newest run in the history, whoever ran it
   * @param lastSuccess when its newest successful run finished
   * @param lastOutcome how the last run this process started ended, which says why a run that
   *     failed before it was recorded failed
   * @param targetError why the target could not be read when the history was last asked, if so
   * @param diff how the sync finds its change set: a {@code snapshot} sync can also be run with
   *     {@code --full} from the page
   * @param watchedSince since when this process has known the sync: one that never succeeded is
   *     stale only once its {@code max_staleness} has passed since then; absent: at once
   */
  public record Entry(
      String sync,
      String table,
      String target,
      Optional<String> schedule,
      Optional<Duration> maxStaleness,
      Optional<Instant> nextRun,
      Optional<Instant> runningSince,
      Optional<RunRecord> lastRun,
      Optional<Instant> lastSuccess,
      Optional<RunOutcome> lastOutcome,
      Optional<String> targetError,
      Diff.Strategy diff,
      Optional<Instant> watchedSince) {
    public Entry {
      requireNonNull(sync, "sync is null");
      requireNonNull(table, "table is null");
      requireNonNull(target, "target is null");
      requireNonNull(schedule, "schedule is null");
      requireNonNull(maxStaleness, "maxStaleness is null");
      requireNonNull(nextRun, "nextRun is null");
      requireNonNull(runningSince, "runningSince is null");
      requireNonNull(lastRun, "lastRun is null");
      requireNonNull(lastSuccess, "lastSuccess is null");
      requireNonNull(lastOutcome, "lastOutcome is null");
      requireNonNull(targetError, "targetError is null");
      requireNonNull(diff, "diff is null");
      requireNonNull(watchedSince, "watchedSince is null");
    }

    /** A sync nothing is known of yet, which compares with the target ({@code diff: target}). */
    public static Entry of(
        String sync,
        String table,
        String target,
        Optional<String> schedule,
        Optional<Duration> maxStaleness) {
      return new Entry(
          sync,
          table,
          target,
          schedule,
          maxStaleness,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Diff.Strategy.TARGET,
          Optional.empty());
    }

    /** The entry with the sync's diff strategy (from its config). */
    public Entry withDiff(Diff.Strategy newDiff) {
      return toBuilder().diff(newDiff).build();
    }

    /** The entry of a sync this process has known since {@code at}. */
    public Entry withWatchedSince(Instant at) {
      return toBuilder().watchedSince(Optional.of(at)).build();
    }

    /** How long ago the last success finished, at {@code now}. */
    public Optional<Duration> age(Instant now) {
      return lastSuccess.map(success -> Duration.between(success, now));
    }

    public Freshness freshness(Instant now) {
      if (maxStaleness.isEmpty()) {
        return Freshness.UNBOUNDED;
      }
      Duration bound = maxStaleness.get();
      if (lastSuccess.isEmpty()) {
        return watchedSince
                .filter(since -> Duration.between(since, now).compareTo(bound) <= 0)
                .isPresent()
            ? Freshness.PENDING
            : Freshness.STALE;
      }
      return age(now).orElseThrow().compareTo(bound) <= 0 ? Freshness.FRESH : Freshness.STALE;
    }

    /** Whether a run of the sync is going on in this process now. */
    public boolean running() {
      return runningSince.isPresent();
    }

    /**
     * The error of the sync's last run, in full: the recorded run's if it failed, or the error of a
     * run of this process that stopped before it was recorded (not one that found the lock held).
     */
    public Optional<String> lastError() {
      // a run that found the lock held is another process's run, not a failure of this sync
      Optional<String> unrecorded =
          lastOutcome
              .filter(outcome -> outcome.runId().isEmpty())
              .filter(outcome -> outcome.errorKind().orElse(null) != ErrorKind.LOCK_HELD)
              .flatMap(RunOutcome::error);
      if (unrecorded.isPresent()
          && lastRun
              .map(run -> !run.startedAt().isAfter(lastOutcome.get().startedAt()))
              .orElse(true)) {
        return unrecorded;
      }
      return lastRun.filter(run -> run.status() != RunStatus.SUCCEEDED).flatMap(RunRecord::error);
    }

    public Entry withNextRun(Optional<Instant> at) {
      return toBuilder().nextRun(at).build();
    }

    public Entry withRunningSince(Optional<Instant> at) {
      return toBuilder().runningSince(at).build();
    }

    /** The entry with what the history says now (or why it could not be read). */
    public Entry withHistory(
        Optional<RunRecord> newLastRun, Optional<Instant> newLastSuccess, Optional<String> error) {
      return toBuilder().lastRun(newLastRun).lastSuccess(newLastSuccess).targetError(error).build();
    }

    public Entry withLastOutcome(RunOutcome outcome) {
      return toBuilder().lastOutcome(Optional.of(outcome)).build();
    }

    /**
     * What this process knows of the sync ({@code known}) under the sync's definition as the config
     * now gives it ({@code this}): its table, target, schedule, bound and diff.
     */
    Entry keeping(Entry known) {
      return known.toBuilder()
          .table(table)
          .target(target)
          .schedule(schedule)
          .maxStaleness(maxStaleness)
          .diff(diff)
          .watchedSince(known.watchedSince().or(this::watchedSince))
          .build();
    }

    private Builder toBuilder() {
      return new Builder(this);
    }

    /** A copy of an entry with some parts changed; what the {@code with} methods build on. */
    private static final class Builder {
      private final String sync;
      private String table;
      private String target;
      private Optional<String> schedule;
      private Optional<Duration> maxStaleness;
      private Optional<Instant> nextRun;
      private Optional<Instant> runningSince;
      private Optional<RunRecord> lastRun;
      private Optional<Instant> lastSuccess;
      private Optional<RunOutcome> lastOutcome;
      private Optional<String> targetError;
      private Diff.Strategy diff;
      private Optional<Instant> watchedSince;

      Builder(Entry entry) {
        sync = entry.sync;
        table = entry.table;
        target = entry.target;
        schedule = entry.schedule;
        maxStaleness = entry.maxStaleness;
        nextRun = entry.nextRun;
        runningSince = entry.runningSince;
        lastRun = entry.lastRun;
        lastSuccess = entry.lastSuccess;
        lastOutcome = entry.lastOutcome;
        targetError = entry.targetError;
        diff = entry.diff;
        watchedSince = entry.watchedSince;
      }

      Builder table(String value) {
        table = value;
        return this;
      }

      Builder target(String value) {
        target = value;
        return this;
      }

      Builder schedule(Optional<String> value) {
        schedule = value;
        return this;
      }

      Builder maxStaleness(Optional<Duration> value) {
        maxStaleness = value;
        return this;
      }

      Builder nextRun(Optional<Instant> value) {
        nextRun = value;
        return this;
      }

      Builder runningSince(Optional<Instant> value) {
        runningSince = value;
        return this;
      }

      Builder lastRun(Optional<RunRecord> value) {
        lastRun = value;
        return this;
      }

      Builder lastSuccess(Optional<Instant> value) {
        lastSuccess = value;
        return this;
      }

      Builder lastOutcome(Optional<RunOutcome> value) {
        lastOutcome = value;
        return this;
      }

      Builder targetError(Optional<String> value) {
        targetError = value;
        return this;
      }

      Builder diff(Diff.Strategy value) {
        diff = value;
        return this;
      }

      Builder watchedSince(Optional<Instant> value) {
        watchedSince = value;
        return this;
      }

      Entry build() {
        return new Entry(
            sync,
            table,
            target,
            schedule,
            maxStaleness,
            nextRun,
            runningSince,
            lastRun,
            lastSuccess,
            lastOutcome,
            targetError,
            diff,
            watchedSince);
      }
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  /**
   * Makes the board hold exactly these syncs, in this order (a config was loaded or reloaded): a
   * sync that stays keeps what is known of it, with its new table, schedule, bound and diff.
   */
  public synchronized void reset(List<Entry> syncs) {
    Map<String, Entry> next = new LinkedHashMap<>();
    for (Entry fresh : syncs) {
      Entry known = entries.get(fresh.sync());
      next.put(
          fresh.sync(),
          known == null || !known.table().equals(fresh.table()) ? fresh : fresh.keeping(known));
    }
    entries.clear();
    entries.putAll(next);
  }

  /** Changes one sync's entry; a sync no longer on the board is left alone. */
  public synchronized void update(String sync, UnaryOperator<Entry> change) {
    entries.computeIfPresent(sync, (name, entry) -> requireNonNull(change.apply(entry)));
  }

  /** Every sync, in the config's order. */
  public synchronized List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  public synchronized Optional<Entry> entry(String sync) {
    return Optional.ofNullable(entries.get(sync));
  }
}
