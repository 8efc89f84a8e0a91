package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qsync validate} as a user at a terminal meets a warehouse that does not answer: it says
 * what it checks and each retry, gives up within its own short limit, and says what to check.
 */
@ExtendWith(MariaDbExtension.class)
class ValidateCommandIT {
  private static final Pattern RETRIED_FOR = Pattern.compile("retried for ([0-9.]+)s");

  @TempDir Path dir;

  /** A port on this machine where nothing listens: connections to it are refused. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void aBigQueryHostWhereNothingListensIsReportedWithinThirtySecondsWithEachRetryShown(
      TestDatabase database) throws IOException {
    String host = "http://127.0.0.1:" + closedPort();
    Path config = dir.resolve("qsync.yaml");
    Files.writeString(
        config,
        "stage_dir: stage\n"
            + "connections:\n"
            + "  bq:\n"
            + "    type: bigquery\n"
            + "    project: acme\n"
            + "    host: "
            + host
            + "\n"
            + "    credentials_file: none\n"
            + "  app: { type: mysql, url: \""
            + database.url()
            + "\", user: root }\n"
            + "syncs:\n"
            + "  orders:\n"
            + "    source: bq\n"
            + "    query: SELECT 1 AS id\n"
            + "    target: app\n"
            + "    table: orders\n"
            + "    key: [id]\n"
            + "    create_table: true\n");

    CliRun result = CliRun.of("validate", "-c", config.toString());

    assertThat(result.exitCode()).as(result.all()).isEqualTo(5);
    assertThat(result.err().lines())
        .as("what it checked offline, then what it checks now, then each retry")
        .startsWith(
            "config "
                + config
                + ": valid (1 sync, 2 connections); now checking each sync's connections, query"
                + " and table",
            "checking sync orders: its query on connection 'bq', its table orders on connection"
                + " 'app'",
            "retrying dry-run the query in 1.0s (try 1 failed: no connection: Connection refused;"
                + " retries for at most 30s)");
    assertThat(result.err()).contains("(try 2 failed: no connection");
    assertThat(result.out())
        .contains("orders: NOT READY")
        .contains("dry-run the query still failed after")
        .contains("(validate's limit 30s; a run retries for retry_timeout 10m)")
        .contains(
            "Is BigQuery reachable at host "
                + host
                + "? Check the connection's host and the network to it, then validate again.")
        .doesNotContain("resumes from its job");
    Matcher retried = RETRIED_FOR.matcher(result.out());
    assertThat(retried.find()).as(result.out()).isTrue();
    assertThat(new BigDecimal(retried.group(1)))
        .as("retried for at most validate's 30s, not retry_timeout's 10 minutes")
        .isLessThanOrEqualTo(new BigDecimal(30));
  }
}
