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
 * The table read back for the diff comes in chunks of 5,000 rows in the order of its primary key,
 * each sought from where the last ended: every row is read once, across chunk ends that fall inside
 * a run of equal first key columns, in the table's collation ('B' between 'a' and 'c').
 */
@ExtendWith(MariaDbExtension.class)
class ChunkedReadIT {
  @TempDir Path dir;

  @Test
  void readsEveryRowOnceAcrossChunksOfACompositeKey(TestDatabase database) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    // 3 x 4,115 rows: chunk ends (5,000 and 10,000) fall inside the groups 'B' and 'c'
    warehouse.execute(
        "CREATE TABLE t AS SELECT g AS grp, n, 'v' || n AS body"
            + " FROM (VALUES ('a'), ('B'), ('c')) AS groups(g), range(1, 4116) AS r(n)");
    SyncConfig sync =
        TestSyncs.sync("s", "SELECT * FROM t", "chunked").key(List.of("grp", "n")).build();
    Qsync qsync = TestSyncs.qsync(dir, database, warehouse, sync);
    qsync.run("s");

    warehouse.execute(
        "UPDATE t SET body = 'changed' WHERE grp = 'B' AND n = 4000",
        "DELETE FROM t WHERE grp = 'c' AND n = 1",
        "INSERT INTO t VALUES ('B', 5000, 'new')");

    assertThat(qsync.run("s").counts())
        .as("one insert, one update, one delete: no row read twice or missed")
        .isEqualTo(new ChangeCounts(12345, 1, 1, 1, 12343));
    assertThat(database.rows("SELECT COUNT(*), SUM(body = 'changed') FROM chunked"))
        .containsExactly(List.of("12345", "1"));
  }
}
