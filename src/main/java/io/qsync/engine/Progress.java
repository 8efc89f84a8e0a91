package io.qsync.engine;

/**
 * Hears how far a run has got, to show it to a person. Called from the run's thread; an
 * implementation must be quick (it is called per page and per batch).
 */
public interface Progress {
  /**
   * A step of the run begins.
   *
   * @param total how many units it has, or -1 when unknown
   */
  void begin(String step, long total);

  /** The step has done {@code done} units so far. */
  void advance(long done);

  /** The step ended. */
  void end();

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
