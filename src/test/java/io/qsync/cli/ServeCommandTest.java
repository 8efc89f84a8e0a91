package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code qsync serve} refuses before it starts anything. */
class ServeCommandTest {
  @TempDir Path dir;

  private record Result(int exitCode, String out, String err) {}

  private static Result qsync(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            args, new PrintWriter(out, true), new PrintWriter(err, true), false, Clock.systemUTC());
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void anInvalidConfigEndsServeWithExitThreeAndEveryProblem() throws Exception {
    Path config = dir.resolve("qsync.yaml");
    Files.writeString(
        config,
        """
        serve: {listen: "127.0.0.1:0", token: abc12}
        connections:
          warehouse: {type: duckdb}
          app: {type: mysql, url: "jdbc:mariadb://127.0.0.1:1/app", user: root}
        syncs:
          s: {source: warehouse, query: SELECT 1 AS id, target: app, table: t, key: id, every: 1s,
              schedule: "@daily"}
        """);

    Result result = qsync("serve", "-c", config.toString());

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err())
        .contains("serve.token: expected a token of at least 16 characters")
        .contains("syncs.s.every: give schedule (cron) or every (an interval), not both")
        .doesNotContain("abc12");
  }

  @Test
  void jsonOutputIsAUsageError() {
    Result result = qsync("serve", "-o", "json", "-c", dir.resolve("absent.yaml").toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("qsync serve prints text only");
    assertThat(result.out()).contains("\"error_kind\"");
  }
}
