package io.qsync;

import java.time.Duration;

/**
 * Who waits for a connection's calls, which decides how long a passing failure is retried and what
 * its message tells the user to do: BigQuery's calls ({@code BigQueryCalls}) and the database's
 * statements ({@code MySqlErrors}) alike.
 */
public enum Caller {
  /**
   * A run: retried for the connection's own limit ({@code retry_timeout}); a run that still fails
   * resumes next time from its job, so its message says to run again later.
   */
  RUN("run"),
  /** {@code qsync plan}: retried like a run; it keeps nothing, so a later plan queries again. */
  PLAN("plan"),
  /** {@code qsync verify}: retried like a run; a later verify computes its checksums again. */
  VERIFY("verify"),
  /**
   * {@code qsync verify --heal}: retried like a run; a later one compares again and heals what
   * still differs (the batches it wrote stay).
   */
  HEAL("verify --heal"),
  /**
   * The verify (and its heal) that a run does when {@code verify_every} makes it due, by {@code
   * qsync run} or {@code qsync serve}: retried like a run; the run is done and the verify stays
   * due, so the next run of the sync verifies again, by itself.
   */
  DUE_VERIFY("run"),
  /** {@code qsync prune}: retried like a run; a later prune lists the tables again. */
  PRUNE("prune"),
  /** {@code qsync status}: retried like a run; a later status reads the run history again. */
  STATUS("status"),
  /** {@code qsync history}: retried like a run; a later history reads the run history again. */
  HISTORY("history"),
  /**
   * {@code qsync serve} reading the run history for its board and pages (its runs are {@link
   * #RUN}s): retried like a run; it reads the history again by itself, on its next refresh.
   */
  SERVE("serve"),
  /**
   * {@code qsync validate}: a person at a terminal waits for the answer, so retries stop after at
   * most {@link #VALIDATE_RETRY_LIMIT}, and the message says what to check before validating again.
   */
  VALIDATE("validate");

  /** The longest a validate retries one call, whatever the connection's retry limit. */
  public static final Duration VALIDATE_RETRY_LIMIT = Duration.ofSeconds(30);

  /** What happens after a {@link #DUE_VERIFY} failed: nothing to do, unless it keeps failing. */
  public static final String NEXT_RUN_VERIFIES =
      "The next run of the sync verifies again: the verify stays due";

  private final String command;

  Caller(String command) {
    this.command = command;
  }

  /** The command as the user types it after {@code qsync}. */
  public String command() {
    return command;
  }

  /**
   * The last line of a failure that trying again gets past: a run says to run again; a plan,
   * verify, prune or validate keeps nothing to resume, so it says to try that command again.
   */
  public String again() {
    return switch (this) {
      case RUN -> "Run again.";
      case DUE_VERIFY -> NEXT_RUN_VERIFIES + ".";
      default -> "Try qsync " + command + " again.";
    };
  }

  /** As {@link #again()}, saying what the next try does: {@code nextTime}, "starts a new job." */
  public String again(String nextTime) {
    return switch (this) {
      case RUN -> "Run again; the next run " + nextTime;
      case DUE_VERIFY -> NEXT_RUN_VERIFIES + "; it " + nextTime;
      default -> "Try qsync " + command + " again; it " + nextTime;
    };
  }

  /**
   * The last line of a verify's failure that trying again gets past: {@code byHand}, what a person
   * does after a verify they started; after a {@link #DUE_VERIFY}, {@link #again()}: the next run
   * verifies again by itself.
   */
  public String orNextRun(String byHand) {
    return this == DUE_VERIFY ? again() : byHand;
  }

  /**
   * This work as a sentence names it ("locks qsync plan needed"): the command, or "the verify" for
   * the {@link #DUE_VERIFY} a run does, which the user did not type.
   */
  public String work() {
    return this == DUE_VERIFY ? "the verify" : "qsync " + command;
  }

  /** How long this caller retries one call when the connection allows {@code configured}. */
  public Duration retryLimit(Duration configured) {
    return this == VALIDATE && configured.compareTo(VALIDATE_RETRY_LIMIT) > 0
        ? VALIDATE_RETRY_LIMIT
        : configured;
  }
}
