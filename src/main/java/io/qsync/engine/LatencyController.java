package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the sync's rate from the latency of a probe query, the way congestion control keeps a queue
 * short: while the probe's median stays within the budget (a multiple of its baseline, or an
 * absolute time), the share of time the sync writes grows by {@value #STEP} a decision (additive
 * increase); above it, the share halves (multiplicative decrease), down to {@value #MIN_SHARE}. The
 * baseline is the probe's median while the sync does not write: learned at the start, again every
 * {@link #RELEARN} and whenever other sessions begin to work. While other sessions run fewer than
 * {@code idleBelow} statements a second, nobody waits on the server and the sync writes all the
 * time. The verdict has hysteresis, the application first: the server turns busy at the first check
 * at or above {@code idleBelow}, and idle again only after {@value #IDLE_AFTER} checks in a row
 * below it (the first check of all decides at once: there is no verdict to flip). Each turn, and
 * each change of the baseline, is told. Pure: time comes in as arguments; not thread-safe.
 */
final class LatencyController {
  static final double MIN_SHARE = 0.02;
  static final double STEP = 0.1;

  /** How long a baseline holds while other sessions work: their load changes it. */
  static final Duration RELEARN = Duration.ofSeconds(30);

  /**
   * How many checks in a row must find other sessions below {@code idleBelow} before a busy server
   * counts as idle again: a rate that hovers about the threshold does not flip the verdict each
   * second.
   */
  static final int IDLE_AFTER = 3;

  /** How often a changing share is news, at most: the steps in between are no news. */
  static final Duration TELL_EVERY = Duration.ofSeconds(10);

  /**
   * The shortest batch the controller aims at: shorter ones cost more in commits than they spare.
   */
  static final Duration MIN_BATCH_TIME = Duration.ofMillis(50);

  /**
   * What the probe saw since the last decision.
   *
   * @param samples how many times the probe query ran
   * @param median their median time
   * @param otherStatementsPerSecond statements a second of every session but the sync's and the
   *     probe's; negative when unknown (fewer than two readings)
   * @param quiet whether the sync wrote nothing meanwhile, so the median is the application's alone
   */
  record Window(int samples, Duration median, double otherStatementsPerSecond, boolean quiet) {
    Window {
      requireNonNull(median, "median is null");
    }
  }

  /** What the sync does that the share paces, as a decision names it. */
  enum Activity {
    WRITING("writing"),
    /** The run reads its table back in chunks before it writes. */
    READING("reading the table");

    private final String said;

    Activity(String said) {
      this.said = said;
    }

    /** As a decision says it: {@code reading the table 50% of the time}. */
    String said() {
      return said;
    }
  }

  enum Move {
    /** Write all the time: the server is idle. */
    FULL,
    /** The probe is within budget: write a larger share of the time. */
    FASTER,
    /** The probe is over budget: write half as much of the time. */
    SLOWER,
    /** The baseline was learned from a quiet window. */
    LEARNED,
    /** Stop writing for a moment to learn the baseline, then decide again. */
    LEARN,
    /** No reading: keep the share. */
    HOLD
  }

  /**
   * One decision.
   *
   * @param share the share of time the sync writes from now on (1: all the time)
   * @param reason what a person reads: {@code probe 0.61ms > 1.3 x baseline 0.30ms}
   * @param rule the rule it falls under, by which waiting time is summed up
   * @param changed whether it is news to a person watching (gh-ost's rule: tell transitions, not
   *     every check): the server turned idle or busy, a baseline was learned, the probe could not
   *     be read; a share other than the one last told, at most once a {@link #TELL_EVERY}.
   */
  record Step(Move move, double share, String reason, String rule, boolean changed) {}

  private final double maxIncrease;
  private final Duration maxLatency;
  private final double idleBelow;
  private double share = 1;
  private Duration baseline;
  private Instant learnedAt;
  private boolean idle;
  private boolean judged;
  private int belowInARow;
  private Duration toldBaseline;
  private String state = "";
  private Instant toldAt = Instant.MIN;
  private double toldShare = -1;

  /**
   * @param maxIncrease the budget as a multiple of the baseline (used when {@code maxLatency} is
   *     zero)
   * @param maxLatency the budget as a time; zero: a multiple of the baseline
   * @param idleBelow statements a second of other sessions under which the server counts as idle;
   *     0: never idle
   */
  LatencyController(double maxIncrease, Duration maxLatency, double idleBelow) {
    this.maxIncrease = maxIncrease;
    this.maxLatency = requireNonNull(maxLatency, "maxLatency is null");
    this.idleBelow = idleBelow;
  }

  Step decide(Window window, Instant now) {
    return decide(window, now, Activity.WRITING);
  }

  /**
   * @param doing what the share paces, as the reason names it: writing, or reading the table while
   *     the run reads its table back before writing
   */
  Step decide(Window window, Instant now, Activity doing) {
    double others = window.otherStatementsPerSecond();
    if (others >= 0 && others < idleBelow) {
      belowInARow++;
      if (idle || !judged || belowInARow >= IDLE_AFTER) {
        idle = true;
        judged = true;
        share = 1;
        String[] shown = apart(others, idleBelow, 0);
        return step(
            Move.FULL,
            share,
            "server idle: "
                + shown[0]
                + " statements/s from other sessions < "
                + shown[1]
                + " (idle_below)",
            "server idle",
            false,
            now);
      }
    } else if (others >= 0) {
      belowInARow = 0;
    }
    if (window.samples() == 0 || others < 0) {
      return step(Move.HOLD, share, "no probe reading", "no probe reading", false, now);
    }
    boolean wasIdle = idle;
    List<String> news = new ArrayList<>();
    if (idle) {
      String[] shown = apart(others, idleBelow, 0);
      news.add(
          "server busy: "
              + shown[0]
              + " statements/s from other sessions >= "
              + shown[1]
              + " (idle_below)");
    }
    idle = false;
    judged = true;
    if (maxLatency.isZero()) {
      boolean stale =
          baseline == null || wasIdle || Duration.between(learnedAt, now).compareTo(RELEARN) >= 0;
      if (stale && window.quiet()) {
        Duration was = toldBaseline;
        learned(window.median(), now);
        String waited =
            String.format(
                Locale.ROOT,
                " while the sync waited (%,.0f statements/s from other sessions)",
                Math.max(0, others));
        news.add(
            was == null
                ? "probe baseline " + millis(baseline) + waited
                : "baseline re-learned: "
                    + millis(baseline)
                    + " (was "
                    + millis(was)
                    + ")"
                    + waited);
        toldBaseline = baseline;
        return step(Move.LEARNED, share, String.join("; ", news), "baseline learned", false, now);
      }
      if (stale) {
        news.add(
            wasIdle
                ? "learning the probe's baseline"
                : baseline == null
                    ? "learning the probe's baseline: other sessions are at work"
                    : "learning the probe's baseline again (every " + RELEARN.toSeconds() + "s)");
        // a turn to busy is told now, before the learning pause, as a line of its own
        return step(
            Move.LEARN,
            share,
            String.join("; ", news),
            "learning the probe's baseline",
            wasIdle,
            now);
      }
      if (window.median().compareTo(baseline) < 0) {
        // the application alone cannot be slower than with the sync: a lower median while the
        // sync writes shows the baseline was learned at an unlucky moment (as BBR keeps the
        // lowest round trip it saw)
        baseline = window.median();
        if (!millis(baseline).equals(millis(toldBaseline))) {
          news.add(
              "baseline lowered: "
                  + millis(baseline)
                  + " (was "
                  + millis(toldBaseline)
                  + "), the probe's median while the sync wrote");
          toldBaseline = baseline;
        }
      }
    }
    Duration limit = limit();
    String[] shown = apart(window.median().toNanos() / 1e6, limit.toNanos() / 1e6, 2);
    String probe = "probe " + shown[0] + "ms";
    String budget = shown[1] + "ms" + budgetNamed();
    if (window.median().compareTo(limit) > 0) {
      share = Math.max(MIN_SHARE, share / 2);
      news.add(probe + " > " + budget + ": " + doing.said() + " " + percent(share));
      return step(Move.SLOWER, share, String.join("; ", news), overRule(), news.size() > 1, now);
    }
    share = Math.min(1, share + STEP);
    // within budget, a share below all the time is on its way back up: the reader is not to take
    // "12% of the time" beside a good probe for a verdict
    news.add(
        probe
            + " <= "
            + budget
            + ": within budget, "
            + doing.said()
            + " "
            + percent(share)
            + (share < 1 ? " and growing" : ""));
    return step(
        Move.FASTER,
        share,
        String.join("; ", news),
        "probe latency within budget",
        news.size() > 1,
        now);
  }

  /**
   * Judges the run's work before its first batch (its query, extract, reads of the table and diff),
   * which the share does not pace as it is done: {@code median} is the probe's median meanwhile.
   * Over budget on a busy server, it counts as one decision over budget per second it lasted (had
   * it been written in batches, each second would have halved the share), and the run is to rest
   * before it writes until {@link #pauseAfter pauseAfter(worked)} is no longer than its rest so
   * far, the share growing as it rests ({@link #rested}), so that this work too takes the share.
   * Within budget, on an idle server, or without a baseline, it changes nothing.
   *
   * @param samples how many probe readings the median is of; none: nothing to judge
   * @return the decision, when the share changed
   */
  Optional<Step> judgeWork(Duration median, int samples, Duration worked, Instant now) {
    if (idle || !judged || samples == 0 || (maxLatency.isZero() && baseline == null)) {
      return Optional.empty();
    }
    Duration limit = limit();
    if (median.compareTo(limit) <= 0) {
      return Optional.empty();
    }
    long seconds = Math.max(1, Math.round(worked.toMillis() / 1000.0));
    share = Math.max(MIN_SHARE, share / Math.pow(2, Math.min(seconds, 10)));
    String[] shown = apart(median.toNanos() / 1e6, limit.toNanos() / 1e6, 2);
    return Optional.of(
        step(
            Move.SLOWER,
            share,
            "probe "
                + shown[0]
                + "ms > "
                + shown[1]
                + "ms"
                + budgetNamed()
                + " while the run read and compared for "
                + ThrottlePolicy.seconds(worked)
                + ": writing "
                + percent(share)
                + ", resting first so that this work takes that share too",
            overRule(),
            true,
            now));
  }

  /**
   * The sync rested {@code rest} after its work: the share grows by {@value #STEP} per second of
   * it, as it would by decisions within budget. The probe is not judged meanwhile: the sync does
   * nothing, and on a busy machine the application's own seconds, over a baseline lowered by its
   * best ones, would halve the share for what the sync did not do.
   */
  void rested(Duration rest) {
    share = Math.min(1, share + STEP * rest.toNanos() / 1e9);
  }

  /** The probe's budget: a multiple of the baseline (which must be known), or the absolute one. */
  private Duration limit() {
    return maxLatency.isZero()
        ? Duration.ofNanos(Math.round(baseline.toNanos() * maxIncrease))
        : maxLatency;
  }

  /** How a reason names the budget, after its figure. */
  private String budgetNamed() {
    return maxLatency.isZero()
        ? " (" + number(maxIncrease) + " x baseline " + millis(baseline) + ")"
        : " (max_probe_latency)";
  }

  /** The rule over-budget waits are summed up under. */
  private String overRule() {
    return maxLatency.isZero()
        ? "probe latency > " + number(maxIncrease) + "x baseline"
        : "probe latency > " + millis(maxLatency);
  }

  /**
   * @param news whether the step is news whatever the state: the server turned busy, the baseline
   *     changed
   */
  private Step step(
      Move move, double share, String reason, String rule, boolean news, Instant now) {
    String next =
        switch (move) {
          case FULL -> "idle";
          case LEARNED -> "learned " + reason;
          case LEARN -> state; // the decision that follows the learning tells
          case HOLD -> "no reading";
          case FASTER, SLOWER -> "paced";
        };
    boolean changed =
        news
            || !next.equals(state)
            || (next.equals("paced")
                && share != toldShare
                && Duration.between(toldAt, now).compareTo(TELL_EVERY) >= 0);
    state = next;
    if (changed) {
      toldAt = now;
      toldShare = share;
    }
    return new Step(move, share, reason, rule, changed);
  }

  /** The baseline, the probe's median while the sync did not write. */
  void learned(Duration median, Instant now) {
    if (!median.isZero()) {
      baseline = median;
      learnedAt = now;
    }
  }

  double share() {
    return share;
  }

  /** How long to wait after a batch that took {@code took}, so that writing takes the share. */
  Duration pauseAfter(Duration took) {
    return share >= 1
        ? Duration.ZERO
        : Duration.ofNanos(Math.round(took.toNanos() * (1 - share) / share));
  }

  /**
   * The transaction time batches aim at: {@code configured} scaled by the share, at least {@link
   * #MIN_BATCH_TIME}, so that a sync held back writes in short bursts the application can pass
   * between.
   */
  Duration batchTime(Duration configured) {
    if (configured.isZero() || share >= 1) {
      return configured;
    }
    Duration scaled = Duration.ofNanos(Math.round(configured.toNanos() * share));
    Duration floor = configured.compareTo(MIN_BATCH_TIME) < 0 ? configured : MIN_BATCH_TIME;
    return scaled.compareTo(floor) < 0 ? floor : scaled;
  }

  static String millis(Duration duration) {
    return String.format(Locale.ROOT, "%.2fms", duration.toNanos() / 1e6);
  }

  /**
   * Two figures compared in a reason, with at least {@code decimals} decimals and as many more (up
   * to six) as it takes to tell them apart, so that a reason never reads {@code 10 < 10}.
   */
  static String[] apart(double value, double limit, int decimals) {
    int shown = decimals;
    while (shown < 6 && format(value, shown).equals(format(limit, shown)) && value != limit) {
      shown++;
    }
    return new String[] {format(value, shown), format(limit, shown)};
  }

  private static String format(double value, int decimals) {
    return String.format(Locale.ROOT, "%,." + decimals + "f", value);
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.0f%% of the time", share * 100);
  }

  private static String number(double value) {
    return value == Math.rint(value)
        ? String.valueOf((long) value)
        : String.format(Locale.ROOT, "%s", value);
  }
}
