package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import picocli.CommandLine;

/** The {@code qsync} command line. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // Connector/J would print its own copy of every SQL error to stderr; qsync reports each
    // error once, with its remedy.
    if (System.getProperty("mariadb.logging.disable") == null) {
      System.setProperty("mariadb.logging.disable", "true");
    }
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int code = execute(args, out, err, System.console() != null, Clock.systemUTC());
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Runs one command line and returns its exit code (see {@link ErrorKind}); what it prints goes
   * to {@code out} (results) and {@code err} (progress, errors).
   */
  public static int execute(
      String[] args, PrintWriter out, PrintWriter err, boolean terminal, Clock clock) {
    CommandLine commandLine = new CommandLine(QsyncCommand.class, new CliContext.Factory(new CliContext(terminal, clock)));
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(
        (exception, line, parseResult) -> {
          boolean verbose =
              parseResult.hasMatchedOption("--verbose")
                  || parseResult.subcommand() != null
                      && parseResult.subcommand().hasMatchedOption("--verbose");
          return report(exception, line.getErr(), verbose);
        });
    return commandLine.execute(args);
  }

  /** Prints an error once, where it is handled; a stack trace only for bugs or with --verbose. */
  static int report(Exception exception, PrintWriter err, boolean verbose) {
    if (exception instanceof QsyncException known) {
      err.println("error: " + known.getMessage());
      if (verbose) {
        known.printStackTrace(err);
      }
      return known.kind().exitCode();
    }
    err.println("internal error (a bug in qsync; please report it with this output): " + exception);
    exception.printStackTrace(err);
    return ErrorKind.INTERNAL.exitCode();
  }
}
