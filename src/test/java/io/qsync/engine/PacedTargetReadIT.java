package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.Diff;
import io.qsync.config.DuckDbConnectionConfig;
import io.qsync.config.Mode;
import io.qsync.config.QsyncConfig;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.diff.ChangeCounts;
import io.qsync.diff.strategy.ChangeSetStrategy;
import io.qsync.resume.SyncSetup;
import io.qsync.resume.TargetsData;
import io.qsync.source.Source;
import io.qsync.source.duckdb.DuckDbSource;
import io.qsync.stage.Stage;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.RecordingProgress;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a {@code compare: hashes} comparison lets the run rest, against the real MariaDB: after
 * each chunk of 5,000 rows' keys and hashes but the last, and after each read of 1,000 differing
 * rows by key but the last. Each rest is told by the step the progress line was in.
 */
@ExtendWith(MariaDbExtension.class)
class PacedTargetReadIT {
  @TempDir Path dir;

  @Test
  void restsBetweenChunksOfRowHashesAndBetweenReadsOfDifferingRows(TestDatabase database) {
    // 15,750 rows in the table: 4 chunks of hashes; 1,770 differ (1,750 deletes): 2 reads
    TargetsData data = new TargetsData(20000, 21000, 1000);
    Warehouse warehouse = data.prepareCounted(dir, database);
    QsyncConfig config = SyncSetup.targets(dir, database, warehouse, Mode.MIRROR).config();
    SyncConfig defined = config.syncs().get(TargetsData.SYNC);
    SyncConfig sync =
        defined.toBuilder().diff(defined.diff().withCompare(Diff.Compare.HASHES)).build();
    RecordingProgress progress = new RecordingProgress();
    List<String> restsIn = new ArrayList<>();
    ChangeSetBuilder.ChangeSet changes;

    try (Source source =
            new DuckDbSource((DuckDbConnectionConfig) config.connection(sync.source()));
        Destination target =
            new Qsync(config, Clock.systemUTC(), progress, FaultPoint.NONE)
                .openTarget(sync.target());
        Stage stage = Stage.open(dir.resolve("paced.duckdb"))) {
      changes =
          new ChangeSetBuilder(
                  sync,
                  source,
                  target,
                  progress,
                  FaultPoint.NONE,
                  () -> restsIn.add(progress.step()),
                  phase -> {})
              .build(
                  stage,
                  "paced-run",
                  ChangeSetStrategy.of(sync, source, target),
                  false,
                  false,
                  job -> {});
    }

    ChangeCounts expected = data.mirrorCounts();
    long differing = expected.updates() + expected.deletes();
    assertThat(changes.counts()).isEqualTo(expected);
    assertThat(changes.notes())
        .contains(
            "diff: target compared row hashes: read the key and hash of 15,750 rows, and "
                + String.format(java.util.Locale.ROOT, "%,d", differing)
                + " rows whole");
    List<String> expectedRests = new ArrayList<>(Collections.nCopies(3, "read target hashes"));
    expectedRests.addAll(
        Collections.nCopies((int) ((differing + 999) / 1000) - 1, "read differing rows"));
    assertThat(restsIn).as("where the run could rest").isEqualTo(expectedRests);
  }
}
