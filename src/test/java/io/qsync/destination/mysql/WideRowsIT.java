package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.SyncConfig;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.Qsync;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch whose rows together pass max_allowed_packet (16 MB here) is split into several statements
 * instead of failing with "packet too big".
 */
@ExtendWith(MariaDbExtension.class)
class WideRowsIT {
  @TempDir Path dir;

  @Test
  void aBatchLargerThanMaxAllowedPacketIsWrittenInSeveralStatements(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    // 50 rows of 500,000 characters: 25 MB of inserts, fewer than LOAD DATA's minimum.
    warehouse.execute(
        "CREATE TABLE t AS SELECT i AS id, repeat('a', 500000) AS body FROM range(1, 51) r(i)");
    SyncConfig sync = TestSyncs.sync("s", "SELECT * FROM t", "wide").key(List.of("id")).build();
    Qsync qsync = TestSyncs.qsync(dir, database, warehouse, sync);

    assertThat(qsync.run("s").counts()).isEqualTo(new ChangeCounts(50, 50, 0, 0, 0));

    warehouse.execute("UPDATE t SET body = repeat('b', 500000)");
    assertThat(qsync.run("s").counts()).isEqualTo(new ChangeCounts(50, 0, 50, 0, 0));
    assertThat(database.rows("SELECT COUNT(*), SUM(LENGTH(body)) FROM wide WHERE body LIKE 'b%'"))
        .containsExactly(List.of("50", "25000000"));
  }
}
