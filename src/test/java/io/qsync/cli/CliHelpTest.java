package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Help and version: on stdout with exit 0 for every command; usage errors on stderr, exit 2. */
class CliHelpTest {
  /** Runs one command line, catching also what picocli itself writes to System.err (warnings). */
  private static CliRun qsync(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream systemErr = new ByteArrayOutputStream();
    PrintStream before = System.err;
    System.setErr(new PrintStream(systemErr, true, StandardCharsets.UTF_8));
    int code;
    try (PrintWriter outWriter = new PrintWriter(out);
        PrintWriter errWriter = new PrintWriter(err)) {
      code = Main.execute(args, outWriter, errWriter, false, Clock.systemUTC());
    } finally {
      System.setErr(before);
    }
    return new CliRun(code, out.toString(), err + systemErr.toString(StandardCharsets.UTF_8));
  }

  /** qsync's command line, as Main builds it. */
  private static CommandLine line() {
    return new CommandLine(
        QsyncCommand.class, new CliContext.Factory(new CliContext(false, Clock.systemUTC())));
  }

  /** Every subcommand qsync has, read from its command line so that a new one is tested too. */
  private static List<String> commands() {
    return List.copyOf(line().getSubcommands().keySet());
  }

  @Test
  void everyCommandPrintsItsUsageOnStdoutForHelpAndExitsZero() {
    assertThat(commands())
        .contains("run", "plan", "status", "history", "validate", "prune", "demo", "bench", "soak");
    for (String command : commands()) {
      for (String help : List.of("--help", "-h")) {
        CliRun result = qsync(command, help);
        assertThat(result.exitCode()).as(command + " " + help + ": " + result.err()).isZero();
        // picocli's own help command prints its header first
        assertThat(result.out()).as(command + " " + help).contains("Usage: qsync " + command);
        assertThat(result.out().startsWith("Usage: qsync " + command) || command.equals("help"))
            .as(command + " " + help)
            .isTrue();
        assertThat(result.err()).as(command + " " + help).isEmpty();
      }
    }
    CliRun withOthers = qsync("plan", "--help", "-c", "absent.yaml");
    assertThat(withOthers.exitCode()).isZero();
    assertThat(withOthers.out()).startsWith("Usage: qsync plan");
  }

  @Test
  void noDescriptionHasAHoleOrADoubleSpace() {
    CommandLine line = line();
    line.getSubcommands()
        .forEach(
            (name, command) -> {
              List<String> texts = new java.util.ArrayList<>();
              texts.addAll(List.of(command.getCommandSpec().usageMessage().description()));
              command
                  .getCommandSpec()
                  .options()
                  .forEach(option -> texts.addAll(List.of(option.description())));
              for (String text : texts) {
                assertThat(text)
                    .as("qsync %s --help: %s", name, text)
                    .doesNotContain("  ")
                    .doesNotContain("( ")
                    .doesNotContain(" )");
              }
            });
  }

  @Test
  void topLevelHelpListsEveryCommandWithAWholeSentence() {
    CliRun result = qsync("--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEmpty();
    String listed = result.out().replaceAll("\\s+", " ");
    CommandLine line = line();
    line.getSubcommands()
        .forEach(
            (name, command) -> {
              // the list shows the header, or else the description's first line
              String[] header = command.getCommandSpec().usageMessage().header();
              String summary =
                  header.length > 0
                      ? header[0]
                      : command.getCommandSpec().usageMessage().description()[0];
              assertThat(summary).as(name).endsWith(".");
              assertThat(listed)
                  .as(name)
                  .contains(" " + name + " " + summary.replaceAll("\\s+", " "));
            });
  }

  /**
   * picocli starts a new line at every element of a description and then wraps each one at the
   * terminal width, so a paragraph written as several elements comes out ragged (a line cut short
   * in the middle of a sentence). Each option is one paragraph; a command is its summary and one
   * paragraph.
   */
  @Test
  void helpWrapsWholeParagraphsNotTheLinesOfTheSource() {
    CommandLine line = line();
    line.getSubcommands()
        .forEach(
            (name, command) -> {
              var spec = command.getCommandSpec();
              assertThat(spec.usageMessage().description()).as(name).hasSizeLessThanOrEqualTo(2);
              spec.options()
                  .forEach(
                      option ->
                          assertThat(option.description())
                              .as(name + " " + option.longestName())
                              .hasSizeLessThanOrEqualTo(1));
              spec.positionalParameters()
                  .forEach(
                      parameter ->
                          assertThat(parameter.description())
                              .as(name + " " + parameter.paramLabel())
                              .hasSizeLessThanOrEqualTo(1));
            });
  }

  /**
   * A command that refuses {@code -o json} (it prints text only) does not offer it in its help;
   * every other command does.
   */
  @Test
  void onlyTheCommandsThatTakeOutputListIt() {
    List<String> refusing = new java.util.ArrayList<>();
    for (String command : commands()) {
      if (command.equals("help")) {
        continue;
      }
      CliRun json = qsync(command, "-o", "json", "-c", "/nonexistent/qsync.yaml");
      boolean refuses = json.err().contains("prints text only");
      if (refuses) {
        refusing.add(command);
        assertThat(json.exitCode()).as(command).isEqualTo(2);
      }
      String help = qsync(command, "--help").out();
      if (refuses) {
        assertThat(help).as(command + " --help").doesNotContain("--output").doesNotContain("-o,");
      } else {
        assertThat(help).as(command + " --help").contains("-o, --output=FORMAT");
      }
    }
    assertThat(refusing).contains("demo", "bench", "soak", "serve");
    assertThat(qsync("run", "--help").out()).contains("-o, --output=FORMAT");
  }

  /**
   * Every option says what it does, beyond its default; one with a default states it; one that
   * takes a value names it in capitals ({@code --rows=N}), never by the field ({@code
   * --heap=<heap>}).
   */
  @Test
  void everyOptionIsDescribedWithItsDefaultAndANamedValue() {
    CommandLine line = line();
    line.getSubcommands()
        .forEach(
            (name, command) ->
                command
                    .getCommandSpec()
                    .options()
                    .forEach(
                        option -> {
                          String what = "qsync " + name + " " + option.longestName();
                          String text = String.join(" ", option.description());
                          assertThat(text.replaceAll("(?i)\\(?default: [^)]*\\)?\\.?", "").strip())
                              .as(what + ": " + text)
                              .isNotEmpty();
                          if (option.defaultValue() != null) {
                            assertThat(text).as(what).containsIgnoringCase("default");
                          }
                          if (option.arity().max() > 0) {
                            assertThat(option.paramLabel()).as(what).matches("[A-Z][A-Z_=]*");
                          }
                        }));
    assertThat(qsync("bench", "--help").out())
        .contains("--batch-size=N")
        .contains("(default: " + io.qsync.config.SyncConfig.DEFAULT_BATCH_SIZE);
  }

  /** bench and soak name the server they measure on alike, and both read a password alike. */
  @Test
  void benchAndSoakTakeTheServerAlike() {
    for (String command : List.of("bench", "soak")) {
      assertThat(qsync(command, "--help").out())
          .as(command)
          .contains("--host=HOST", "--port=PORT", "--user=USER", "--password-env=VAR")
          .doesNotContain("--url", "QSYNC_SOAK_PASSWORD");
      CliRun unset = qsync(command, "--password-env", "QSYNC_TEST_UNSET_VARIABLE");
      assertThat(unset.exitCode()).as(command + ": " + unset.err()).isEqualTo(2);
      assertThat(unset.err())
          .as(command)
          .contains("--password-env QSYNC_TEST_UNSET_VARIABLE: the variable is not set");
    }
    CliRun both = qsync("soak", "--url", "jdbc:mariadb://127.0.0.1:3306/", "--port", "3307");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("give --host and --port only");
  }

  @Test
  void helpOfEveryCommandRendersWithoutPicocliWarnings() {
    for (String command : commands()) {
      CliRun result = qsync("help", command);
      assertThat(result.exitCode()).as(command).isZero();
      assertThat(result.err()).as(command).doesNotContain("WARN").isEmpty();
    }
  }

  @Test
  void versionIsPrintedAloneOnStdout() {
    CliRun result = qsync("--version");

    assertThat(result.exitCode()).isZero();
    // the pom's version, which the build writes into io/qsync/version.properties
    assertThat(result.out())
        .matches("qsync \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?" + System.lineSeparator());
    assertThat(result.err()).isEmpty();
  }

  @Test
  void noCommandIsAUsageErrorWithTheUsageOnStderr() {
    CliRun result = qsync();

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .contains("Usage: qsync")
        .contains("Commands:")
        .contains("name a command");
  }
}
