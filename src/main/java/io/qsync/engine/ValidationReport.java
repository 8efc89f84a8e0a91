package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code qsync validate} found: the config is valid (else it would have failed earlier), and
 * for each sync whether its source answers, its query describes, and its table can hold the result.
 */
public record ValidationReport(Path config, List<SyncCheck> syncs) {
  public ValidationReport {
    requireNonNull(config, "config is null");
    syncs = List.copyOf(syncs);
  }

  /** One sync's check: notes for information, problems that would stop a run. */
  public record SyncCheck(String sync, List<String> notes, List<String> problems) {
    public SyncCheck {
      requireNonNull(sync, "sync is null");
      notes = List.copyOf(notes);
      problems = List.copyOf(problems);
    }
  }

  public boolean ok() {
    return syncs.stream().allMatch(check -> check.problems().isEmpty());
  }
}
