package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code -o json}, stdout is one JSON document for every outcome a command line can have,
 * failures before any result included: a scheduler parses stdout, whatever happened. These outcomes
 * need no server: nothing is connected to.
 */
class CliJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private record Result(int exitCode, String out, String err) {}

  private static Result qsync(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter outWriter = new PrintWriter(out);
        PrintWriter errWriter = new PrintWriter(err)) {
      code =
          Main.execute(args.toArray(String[]::new), outWriter, errWriter, false, Clock.systemUTC());
    }
    return new Result(code, out.toString(), err.toString());
  }

  /** Stdout parsed as exactly one JSON document. */
  private static JsonNode document(Result result, String what) throws IOException {
    assertThat(result.out())
        .as(what + " printed nothing on stdout; stderr: " + result.err())
        .isNotBlank();
    var parser = JSON.getFactory().createParser(result.out());
    JsonNode node = JSON.readTree(parser);
    assertThat(parser.nextToken()).as(what + ": more than one document").isNull();
    return node;
  }

  private static void assertError(JsonNode json, String what, String kind, int exitCode) {
    assertThat(json.get("status").asText()).as(what).isEqualTo("error");
    assertThat(json.get("error_kind").asText()).as(what).isEqualTo(kind);
    assertThat(json.get("exit_code").asInt()).as(what).isEqualTo(exitCode);
    assertThat(json.get("message").asText()).as(what).isNotBlank();
  }

  private Path validConfig() throws IOException {
    Path file = dir.resolve("qsync.yaml");
    Files.writeString(
        file,
        """
        stage_dir: stage
        connections:
          warehouse: { type: duckdb }
          app: { type: mysql, url: "jdbc:mariadb://127.0.0.1:1/app", user: root }
        syncs:
          targets:
            source: warehouse
            query: SELECT 1 AS id
            target: app
            table: t
            key: [id]
        """);
    return file;
  }

  private Path invalidConfig() throws IOException {
    Path file = dir.resolve("invalid.yaml");
    Files.writeString(
        file,
        """
        connections:
          warehouse: { type: duckdb }
          app: { type: mysql, url: "jdbc:mariadb://127.0.0.1:1/app", user: root }
        syncs:
          targets:
            source: app
            query: SELECT 1 AS id
            target: app
            table: t
            key: [id]
            batch_size: lots
        """);
    return file;
  }

  @Test
  void aConfigErrorIsOneDocumentForEveryCommand() throws IOException {
    Path config = invalidConfig();
    for (List<String> command :
        List.of(
            List.of("run", "targets"),
            List.of("run", "--all"),
            List.of("plan", "targets"),
            List.of("status"),
            List.of("history", "targets"),
            List.of("validate"),
            List.of("validate", "--offline"),
            List.of("prune", "--dry-run"))) {
      for (List<String> json : List.of(List.of("-o", "json"), List.of("--output=json"))) {
        List<String> args = new ArrayList<>(command);
        args.addAll(json);
        args.addAll(List.of("-c", config.toString()));
        String what = String.join(" ", args);

        Result result = qsync(args);

        assertThat(result.exitCode()).as(what).isEqualTo(3);
        JsonNode document = document(result, what);
        assertError(document, what, "config_invalid", 3);
        assertThat(document.get("command").asText()).as(what).isEqualTo(command.get(0));
        assertThat(document.get("problems")).as(what).hasSize(2);
        JsonNode problem = document.get("problems").get(1);
        assertThat(problem.get("file").asText()).isEqualTo(config.toString());
        assertThat(problem.get("line").asInt()).isEqualTo(11);
        assertThat(problem.get("column").asInt()).isEqualTo(17);
        assertThat(problem.get("key").asText()).isEqualTo("syncs.targets.batch_size");
        assertThat(problem.get("message").asText()).contains("\"lots\"");
        if (command.get(0).equals("run")) {
          assertThat(document.get("runs")).as(what + ": run keeps its runs list").isEmpty();
        }
        assertThat(result.err())
            .as(what + ": people still read stderr")
            .contains("error: 2 problems");
      }
    }
  }

  @Test
  void aMissingConfigFileIsOneDocument() throws IOException {
    Result result =
        qsync(List.of("-o", "json", "status", "-c", dir.resolve("absent.yaml").toString()));

    assertThat(result.exitCode()).isEqualTo(3);
    JsonNode document = document(result, "status");
    assertError(document, "status", "config_invalid", 3);
    assertThat(document.get("message").asText()).contains("no such file");
  }

  @Test
  void anUnknownSyncIsOneDocument() throws IOException {
    Path config = validConfig();
    for (List<String> command :
        List.of(
            List.of("run", "nope"),
            List.of("run", "targets", "nope"),
            List.of("plan", "nope"),
            List.of("history", "nope"))) {
      List<String> args = new ArrayList<>(command);
      args.addAll(List.of("-c", config.toString(), "-o", "json"));
      String what = String.join(" ", args);

      Result result = qsync(args);

      assertThat(result.exitCode()).as(what).isEqualTo(2);
      JsonNode document = document(result, what);
      assertError(document, what, "usage", 2);
      assertThat(document.get("message").asText()).contains("no sync named 'nope'");
    }
  }

  @Test
  void usageErrorsAreOneDocumentOnceJsonWasAskedFor() throws IOException {
    Path config = validConfig();
    for (List<String> args :
        List.of(
            List.of("-o", "json"),
            List.of("-o", "json", "frobnicate"),
            List.of("run", "-c", config.toString(), "-o", "json"),
            List.of("plan", "-o", "json"),
            List.of("history", "--limit", "many", "-o", "json"),
            List.of("history", "targets", "--limit", "0", "-c", config.toString(), "-o", "json"),
            List.of("history", "targets", "-n", "-3", "-c", config.toString(), "-o", "json"),
            List.of("run", "--all", "targets", "-c", config.toString(), "-o", "json"),
            List.of("-o", "json", "status", "--frobnicate"),
            List.of("validate", "-o", "json", "extra"),
            List.of("demo", "-o", "json"),
            List.of("bench", "-o", "json"),
            List.of("soak", "-o", "json"))) {
      String what = String.join(" ", args);

      Result result = qsync(args);

      assertThat(result.exitCode()).as(what + ": " + result.err()).isEqualTo(2);
      assertError(document(result, what), what, "usage", 2);
      assertThat(result.err()).as(what).isNotBlank();
    }
  }

  @Test
  void contradictoryArgumentsSayWhatToGiveInstead() throws IOException {
    Path config = validConfig();

    Result both = qsync(List.of("run", "--all", "targets", "-c", config.toString()));
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err())
        .contains("give the syncs to run or --all, not both (got --all and targets)");

    Result none = qsync(List.of("history", "targets", "-n", "0", "-c", config.toString()));
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("-n/--limit is how many runs to show: at least 1, got 0");
  }

  @Test
  void textOutputKeepsStdoutEmptyOnFailure() throws IOException {
    Result result = qsync(List.of("status", "-c", invalidConfig().toString()));

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).contains("error: 2 problems");
  }
}
