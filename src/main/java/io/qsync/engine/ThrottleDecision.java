package io.qsync.engine;

import static java.util.Objects.requireNonNull;

/**
 * Whether the next batch may be written now, with the reason a person reads in the log ({@code
 * "Threads_running=61 >= 50"}) and the rule it falls under, by which the run report sums up
 * throttled time ({@code "Threads_running >= 50"}). Immutable.
 */
public record ThrottleDecision(Action action, String reason, String rule) {
  public enum Action {
    GO,
    /** Wait and look again. */
    PAUSE,
    /** Stop the run before the next batch; the next run resumes it. */
    ABORT
  }

  public static final ThrottleDecision GO = new ThrottleDecision(Action.GO, "", "");

  public ThrottleDecision {
    requireNonNull(action, "action is null");
    requireNonNull(reason, "reason is null");
    requireNonNull(rule, "rule is null");
  }

  static ThrottleDecision pause(String reason, String rule) {
    return new ThrottleDecision(Action.PAUSE, reason, rule);
  }

  static ThrottleDecision abort(String reason, String rule) {
    return new ThrottleDecision(Action.ABORT, reason, rule);
  }
}
