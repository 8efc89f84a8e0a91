package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.Warehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password read from {@code password_file} reaches the server and nothing else: not stdout or
 * stderr (verbose), not {@code --output json}, not the run history in the target database, not a
 * failed run's recorded error.
 */
@ExtendWith(MariaDbExtension.class)
class CredentialsIT {
  private static final String SECRET = "f1le-Pa55word-never-printed";

  @TempDir Path dir;

  @Test
  void aPasswordFromAFileIsUsedAndNeverShownOrStored(TestDatabase database) throws IOException {
    String user = "qsync_" + database.name().substring(database.name().length() - 8);
    database.execute(
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + SECRET + "'",
        "GRANT ALL ON `" + database.name() + "`.* TO '" + user + "'@'%'");
    try {
      Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
      warehouse.execute("CREATE TABLE targets AS SELECT i AS user_id, 'v' || i AS variant FROM range(50) t(i)");
      Files.writeString(dir.resolve("app.password"), SECRET + "\n");
      Path config = config(database, user, "user_id");

      List<String> outputs = new java.util.ArrayList<>();
      for (List<String> args :
          List.of(
              List.of("run", "targets", "--verbose"),
              List.of("run", "targets", "-o", "json"),
              List.of("status", "-o", "json"),
              List.of("history", "targets", "-o", "json"),
              List.of("validate", "--verbose"))) {
        String[] line = new String[args.size() + 2];
        args.toArray(line);
        line[args.size()] = "-c";
        line[args.size() + 1] = config.toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try (PrintWriter outWriter = new PrintWriter(out);
            PrintWriter errWriter = new PrintWriter(err)) {
          code = Main.execute(line, outWriter, errWriter, false, Clock.systemUTC());
        }
        assertThat(code).as(String.join(" ", args) + ": " + err).isZero();
        outputs.add(out + "\n" + err);
      }
      // A failed run records its error in history, too.
      Path broken = config(database, user, "no_such_column");
      StringWriter err = new StringWriter();
      try (PrintWriter outWriter = new PrintWriter(new StringWriter());
          PrintWriter errWriter = new PrintWriter(err)) {
        assertThat(Main.execute(new String[] {"run", "targets", "-v", "-c", broken.toString()},
            outWriter, errWriter, false, Clock.systemUTC())).isEqualTo(5);
      }
      outputs.add(err.toString());

      assertThat(database.count("experiment_targets")).as("the password worked").isEqualTo(50);
      assertThat(outputs).allSatisfy(output -> assertThat(output).doesNotContain(SECRET).doesNotContain("Pa55word"));
      String history = database.rows("SELECT * FROM _qsync_runs").toString();
      assertThat(history).contains("succeeded").doesNotContain(SECRET).doesNotContain("Pa55word");
    } finally {
      database.execute("DROP USER '" + user + "'@'%'");
    }
  }

  private Path config(TestDatabase database, String user, String key) throws IOException {
    Path file = dir.resolve("qsync.yaml");
    Files.writeString(
        file,
        "stage_dir: stage\n"
            + "connections:\n"
            + "  warehouse: { type: duckdb, path: warehouse.duckdb }\n"
            + "  app:\n"
            + "    type: mysql\n"
            + "    url: \"" + database.url() + "\"\n"
            + "    user: " + user + "\n"
            + "    password_file: app.password\n"
            + "syncs:\n"
            + "  targets:\n"
            + "    source: warehouse\n"
            + "    query: SELECT * FROM targets\n"
            + "    target: app\n"
            + "    table: experiment_targets\n"
            + "    key: [" + key + "]\n"
            + "    create_table: true\n");
    return file;
  }
}
