package io.qsync.testing;

/**
 * {@code _qsync_runs} as the first release of qsync created it, without the columns added since
 * (source_job, diff_state, throttled_by, bytes_billed, read_path), holding one succeeded run {@code
 * old}: what a newer qsync must read and add its columns to.
 */
public final class FirstReleaseHistory {
  private FirstReleaseHistory() {}

  /**
   * Creates the table in {@code database} with run {@code old} of {@code sync} into {@code table}.
   */
  public static void create(TestDatabase database, String sync, String table) {
    database.execute(
        "CREATE TABLE _qsync_runs ("
            + " run_id VARCHAR(64) NOT NULL PRIMARY KEY, sync_name VARCHAR(191) NOT NULL,"
            + " target_table VARCHAR(64) NOT NULL, mode VARCHAR(16) NOT NULL,"
            + " status VARCHAR(16) NOT NULL, phase VARCHAR(16) NOT NULL,"
            + " started_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NULL,"
            + " finished_at DATETIME(6) NULL, source_rows BIGINT NULL, inserted BIGINT NULL,"
            + " updated BIGINT NULL, deleted BIGINT NULL, unchanged BIGINT NULL,"
            + " changes_total BIGINT NOT NULL DEFAULT 0, applied_through BIGINT NOT NULL DEFAULT 0,"
            + " batches_applied INT NOT NULL DEFAULT 0, resumes INT NOT NULL DEFAULT 0,"
            + " host VARCHAR(255) NOT NULL, pid BIGINT NOT NULL, connection_id BIGINT NOT NULL,"
            + " error TEXT NULL, KEY by_sync (sync_name, started_at)"
            + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        "INSERT INTO _qsync_runs (run_id, sync_name, target_table, mode, status, phase, started_at,"
            + " finished_at, changes_total, host, pid, connection_id) VALUES ('old', '"
            + sync
            + "', '"
            + table
            + "', 'mirror', 'succeeded', 'done', '2026-01-01 00:00:00',"
            + " '2026-01-01 00:00:01', 0, 'host', 1, 1)");
  }
}
