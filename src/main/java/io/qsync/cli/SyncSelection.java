package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.QsyncConfig;
import io.qsync.engine.Qsync;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The syncs a command works on, for the commands that take several ({@code run}, {@code verify}):
 * the ones named, in order, or {@code --all}. A picocli mixin; not thread-safe.
 */
final class SyncSelection {
  @Parameters(
      paramLabel = "SYNC",
      arity = "0..*",
      description = "Syncs to ${COMMAND-NAME}, in order.")
  List<String> syncs = new ArrayList<>();

  @Option(names = "--all", description = "Every sync in the config, in file order.")
  boolean all;

  /** Refuses syncs named beside {@code --all}; before the config is read. */
  void checkNotBoth(String verb) {
    if (all && !syncs.isEmpty()) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "give the syncs to "
              + verb
              + " or --all, not both (got --all and "
              + String.join(", ", syncs)
              + ")");
    }
  }

  /**
   * The syncs to {@code verb}, each known to {@code config} (an unknown one is a usage error naming
   * the known ones, before anything is opened).
   */
  List<String> names(QsyncConfig config, Qsync qsync, String verb) {
    List<String> names = all ? List.copyOf(config.syncs().keySet()) : syncs;
    if (names.isEmpty()) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "name at least one sync to "
              + verb
              + ", or --all\nSyncs in "
              + config.file()
              + ": "
              + String.join(", ", config.syncs().keySet()));
    }
    names.forEach(qsync::sync);
    return names;
  }
}
