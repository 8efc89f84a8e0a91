package io.qsync.destination;

import io.qsync.state.RunStore;

/** Keeps the run history (and each run's checkpoint) beside the tables it describes. */
public interface RunHistory {
  RunStore runs();
}
