package io.qsync.serve;

import java.util.List;

/** What {@code /readyz} asks: can the service do its work now? Thread-safe. */
public interface Readiness {
  /**
   * Why the service is not ready, one line each (a target that does not answer, a config that
   * failed to load); empty when it is ready.
   */
  List<String> problems();
}
