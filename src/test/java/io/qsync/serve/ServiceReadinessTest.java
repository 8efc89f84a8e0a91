package io.qsync.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceReadinessTest {
  private final SyncBoard board = new SyncBoard();
  private final ServiceReadiness readiness = new ServiceReadiness(board);

  @Test
  void isReadyWithTheConfigLoadedAndEveryTargetRead() {
    board.reset(List.of(entry("orders")));

    assertThat(readiness.problems()).isEmpty();
  }

  @Test
  void saysAFailedReloadUntilTheNextOneLoads() {
    readiness.reloadFailed(
        "1 problem in qsync.yaml:\n  qsync.yaml:12:12: syncs.orders.every: expected ...\n");
    assertThat(readiness.problems())
        .containsExactly(
            "config reload failed: 1 problem in qsync.yaml:\n"
                + "  qsync.yaml:12:12: syncs.orders.every: expected ...");

    readiness.reloaded();
    assertThat(readiness.problems()).isEmpty();
  }

  @Test
  void namesEachSyncWhoseTargetCannotBeReached() {
    board.reset(List.of(entry("orders"), entry("users")));
    board.update(
        "users",
        entry ->
            entry.withHistory(
                Optional.empty(),
                Optional.empty(),
                Optional.of(
                    "cannot connect to app (127.0.0.1:3306): Connection refused\n"
                        + "Check that the server runs.")));

    assertThat(readiness.problems())
        .containsExactly(
            "sync users: target app cannot be reached: cannot connect to app (127.0.0.1:3306):"
                + " Connection refused");
  }

  private static SyncBoard.Entry entry(String sync) {
    return SyncBoard.Entry.of(
        sync, sync, "app", Optional.of("every 1m"), Optional.of(Duration.ofHours(1)));
  }
}
