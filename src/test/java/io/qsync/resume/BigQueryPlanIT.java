package io.qsync.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.PlanReport;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunOptions;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A saved plan of a BigQuery sync: saved and applied exactly, and refused once the table changed,
 * whether or not the warehouse can fingerprint the query's result (when it cannot, the plan says so
 * and checks the table only).
 */
@ExtendWith(MariaDbExtension.class)
class BigQueryPlanIT {
  private static final String QUERY = "SELECT user_id, name FROM shop.users";

  @TempDir Path dir;
  private BigQueryEmulator emulator;

  @BeforeEach
  void start() {
    emulator = BigQueryEmulator.start("qsync-test");
    emulator.execute(
        "CREATE SCHEMA shop",
        "CREATE TABLE shop.users AS SELECT range AS user_id, 'user ' || range AS name"
            + " FROM range(20)");
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private Qsync qsync(TestDatabase database) {
    return BigQuerySyncs.qsync(
        dir,
        database,
        BigQuerySyncs.connection(emulator, 100, Optional.empty()),
        BigQuerySyncs.sync(QUERY, "users", List.of("user_id"), Mode.MIRROR),
        FaultPoint.NONE);
  }

  @Test
  void aBigQuerySyncsPlanIsAppliedExactlyAndRefusedOnceTheTableChanged(TestDatabase database) {
    Qsync qsync = qsync(database);
    qsync.run(BigQuerySyncs.SYNC);
    emulator.execute("DELETE FROM shop.users WHERE user_id >= 15");
    Path file = dir.resolve("plan.qsp");

    PlanReport saved = qsync.plan(BigQuerySyncs.SYNC, Optional.of(file));

    assertThat(saved.savedTo()).contains(file.toString());
    assertThat(saved.counts().deletes()).isEqualTo(5);
    qsync.run(BigQuerySyncs.SYNC, RunOptions.applying(file));
    assertThat(database.rows("SELECT COUNT(*), MAX(user_id) FROM users"))
        .containsExactly(List.of("15", "14"));

    emulator.execute("DELETE FROM shop.users WHERE user_id >= 10");
    Path next = dir.resolve("next.qsp");
    qsync.plan(BigQuerySyncs.SYNC, Optional.of(next));
    database.execute("UPDATE users SET name = 'by hand' WHERE user_id = 3");

    QsyncException refused =
        catchThrowableOfType(
            QsyncException.class, () -> qsync.run(BigQuerySyncs.SYNC, RunOptions.applying(next)));

    assertThat(refused.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(refused.getMessage())
        .contains(
            "table users in the database changed since the plan was made (15 rows then and now,"
                + " with different values); nothing was written");
    assertThat(database.rows("SELECT COUNT(*) FROM users")).containsExactly(List.of("15"));
  }
}
