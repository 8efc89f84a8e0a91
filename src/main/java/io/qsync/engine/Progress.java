package io.qsync.engine;

/**
 * Hears how far a run has got, to show it to a person. Called from the run's thread; an
 * implementation must be quick (it is called per page and per batch).
 */
public interface Progress extends io.qsync.RetryListener {
  /**
   * A step of the run begins.
   *
   * @param total how many units it has, or -1 when unknown
   */
  void begin(String step, long total);

  /**
   * A step begins that continues earlier work: {@code done} of its {@code total} units were done
   * before (a resumed run's committed batches), so its rate counts only what it does itself.
   */
  default void beginAt(String step, long total, long done) {
    begin(step, total);
    advance(done);
  }

  /** The step has done {@code done} units so far. */
  void advance(long done);

  /** The step ended. */
  void end();

  /** The run pauses before its next batch, or goes on pausing for another reason. */
  default void paused(String reason) {}

  /** The run goes on after pausing for {@code paused}. */
  default void resumed(java.time.Duration paused) {}

  /**
   * The self-throttle changed course: {@code probe 0.61ms > 1.3 x baseline 0.30ms: writing 25% of
   * the time}.
   */
  default void paced(String reason) {}

  /** A batch or a call failed for a passing reason; it is tried again after {@code wait}. */
  @Override
  default void retrying(String what, int failedTries, java.time.Duration wait, String error) {}

  /** Shows nothing: for tests and JSON output. */
  static Progress silent() {
    return new Progress() {
      @Override
      public void begin(String step, long total) {}

      @Override
      public void advance(long done) {}

      @Override
      public void end() {}
    };
  }
}
