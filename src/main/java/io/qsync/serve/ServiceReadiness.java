package io.qsync.serve;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What keeps {@code qsync serve} from being ready: a config reload that failed (the old config
 * keeps running) and each sync whose target could not be read when its history was last asked.
 * Thread-safe.
 */
public final class ServiceReadiness implements Readiness {
  private final SyncBoard board;
  private final AtomicReference<Optional<String>> reloadProblem =
      new AtomicReference<>(Optional.empty());

  public ServiceReadiness(SyncBoard board) {
    this.board = requireNonNull(board, "board is null");
  }

  /** A reload failed for {@code problems} (the config's problems, as {@code qsync} prints them). */
  public void reloadFailed(String problems) {
    reloadProblem.set(Optional.of("config reload failed: " + problems.strip()));
  }

  /** The config loaded: an earlier failed reload no longer matters. */
  public void reloaded() {
    reloadProblem.set(Optional.empty());
  }

  @Override
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    reloadProblem.get().ifPresent(problems::add);
    for (SyncBoard.Entry entry : board.entries()) {
      entry
          .targetError()
          .ifPresent(
              error ->
                  problems.add(
                      "sync "
                          + entry.sync()
                          + ": target "
                          + entry.target()
                          + " cannot be reached: "
                          + io.qsync.Messages.firstLine(error)));
    }
    return problems;
  }
}
