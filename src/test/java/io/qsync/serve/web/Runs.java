package io.qsync.serve.web;

import io.qsync.config.Diff;
import io.qsync.diff.ChangeCounts;
import io.qsync.serve.RunView;
import io.qsync.serve.SyncBoard;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Run records and board entries for the status page's tests. */
final class Runs {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private Runs() {}

  static RunRecord succeeded(
      String runId, String sync, Instant started, Duration took, long ins, long upd, long del) {
    return new RunRecord(
        runId,
        sync,
        "t_" + sync,
        "mirror",
        RunStatus.SUCCEEDED,
        RunPhase.DONE,
        started,
        Optional.of(started.plus(took)),
        Optional.of(new ChangeCounts(ins + upd + 10, ins, upd, del, 10)),
        ins + upd + del,
        ins + upd + del,
        1,
        0,
        "host",
        1,
        1,
        Optional.empty(),
        Optional.empty());
  }

  static RunRecord failed(String runId, String sync, Instant started, String error) {
    return new RunRecord(
        runId,
        sync,
        "t_" + sync,
        "mirror",
        RunStatus.FAILED,
        RunPhase.CHECK,
        started,
        Optional.of(started.plusSeconds(2)),
        Optional.empty(),
        0,
        0,
        0,
        0,
        "host",
        1,
        1,
        Optional.of(error),
        Optional.empty());
  }

  static RunView view(RunRecord run) {
    return new RunView(run, Map.of());
  }

  static SyncBoard.Entry entry(String sync, Optional<RunRecord> last, Diff.Strategy diff) {
    return SyncBoard.Entry.of(
            sync, "t_" + sync, "app", Optional.of("every 15m"), Optional.of(Duration.ofHours(2)))
        .withHistory(
            last,
            last.filter(run -> run.status() == RunStatus.SUCCEEDED).flatMap(RunRecord::finishedAt),
            Optional.empty())
        .withDiff(diff);
  }
}
