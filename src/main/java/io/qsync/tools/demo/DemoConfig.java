package io.qsync.tools.demo;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The quickstart's config file, {@code qsync.yaml} in the demo folder. The repository carries a
 * copy in {@code demo/qsync.yaml} (a test keeps the two equal); in any other folder {@code qsync
 * demo} writes it. A file that is already there is never overwritten: it may hold the user's own
 * changes. Stateless; thread-safe.
 */
public final class DemoConfig {
  public static final String FILE_NAME = "qsync.yaml";

  /** The sync the demo runs. */
  public static final String SYNC = "experiment_targets";

  /** The environment variable that points the demo at a MySQL or MariaDB database. */
  public static final String URL_VARIABLE = "QSYNC_DEMO_URL";

  private static final String TEMPLATE =
      String.format(
          Locale.ROOT,
          """
      # The qsync quickstart: keeps the MySQL table experiment_targets equal to a targeting
      # query over the DuckDB warehouse that `qsync demo` builds next to this file.
      #
      #   ./qsync demo                                         build, sync, change, sync again
      #   ./qsync plan experiment_targets -c demo/qsync.yaml   what a run would change now
      #   ./qsync run experiment_targets -c demo/qsync.yaml    make the table equal to the query
      #
      # The table lives in the MySQL or MariaDB database at QSYNC_DEMO_URL. `qsync demo` creates
      # that database when it is absent, and starts an embedded MariaDB when no server answers.

      connections:
        warehouse:
          type: duckdb
          path: warehouse.duckdb   # relative to this file; `qsync demo` rebuilds it
        app:
          type: mysql
          url: ${QSYNC_DEMO_URL:-jdbc:mariadb://127.0.0.1:3306/qsync_demo}
          user: ${QSYNC_DEMO_USER:-root}
          password: ${QSYNC_DEMO_PASSWORD:-}

      syncs:
        experiment_targets:
          # Who may enter the next experiment: users not assigned to the previous one, or in
          # its control group, who never viewed the paywall screen while it ran.
          source: warehouse
          query: |
      %s    target: app
          table: experiment_targets
          key: [user_id]
          mode: mirror          # rows that leave the query result are deleted
          diff: snapshot        # the warehouse finds what changed since the last run: only
          state_dataset: qsync_state   # changed rows leave it (state kept in this schema)
          create_table: true
          batch_size: 1000
      """,
          DemoWarehouse.TARGETING_QUERY.indent(6));

  private DemoConfig() {}

  /** The config the demo writes into a folder that has none. */
  public static String defaultText() {
    return TEMPLATE;
  }

  /**
   * The folder's config file, written from {@link #defaultText()} when absent.
   *
   * @return whether the file was written now
   */
  public static boolean writeIfAbsent(Path file) {
    if (Files.exists(file)) {
      return false;
    }
    try {
      Path folder = file.toAbsolutePath().getParent();
      Files.createDirectories(folder);
      Files.writeString(file, TEMPLATE, StandardCharsets.UTF_8);
      return true;
    } catch (IOException e) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "cannot write the demo config "
              + file
              + ": "
              + e
              + "\nPass a folder you may write to with --dir.",
          e);
    }
  }
}
