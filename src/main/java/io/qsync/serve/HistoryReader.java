package io.qsync.serve;

import java.util.List;

/** Reads a sync's run history from its target, for the status page. Thread-safe. */
public interface HistoryReader {
  /**
   * The sync's newest {@code limit} runs, newest first.
   *
   * @throws io.qsync.QsyncException when the target cannot be read (the page shows why)
   */
  List<RunView> history(String sync, int limit);
}
