package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.OptionSpec;

/** The {@code qsync} command line. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // First: DuckDB spills into java.io.tmpdir, and its driver, run from its own jar (not
    // qsync's, see DuckDbLibrary), unpacks its native library there.
    TempFolder.claim();
    // Connector/J would print its own copy of every SQL error to stderr; qsync reports each
    // error once, with its remedy.
    if (System.getProperty("mariadb.logging.disable") == null) {
      System.setProperty("mariadb.logging.disable", "true");
    }
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    Signals.record();
    Thread main = Thread.currentThread();
    CountDownLatch finished = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> stopGracefully(main, finished, err), "qsync-stop"));
    int code = execute(args, out, err, System.console() != null, Clock.systemUTC());
    finished.countDown();
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** How long a signal waits for a run to stop cleanly before the process exits anyway. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  /** Whether a command is writing now (a run), which a signal lets stop cleanly. */
  static final AtomicBoolean WRITING = new AtomicBoolean();

  /**
   * On SIGTERM or Ctrl-C while a run writes: interrupts it, so that it stops after the batch it is
   * writing commits, records itself as interrupted (the next run resumes it) and says so; the
   * process exits once it has, or after {@link #STOP_TIMEOUT}, with 143 or 130. Any other command
   * simply ends.
   */
  private static void stopGracefully(Thread main, CountDownLatch finished, PrintWriter err) {
    if (finished.getCount() == 0 || !WRITING.get()) {
      return;
    }
    main.interrupt();
    try {
      if (!finished.await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        err.println(
            "interrupted: the run did not stop within "
                + STOP_TIMEOUT.toSeconds()
                + " s; exiting without recording it (`qsync status` shows it as interrupted, and the"
                + " next run resumes it after its last committed batch)");
        err.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Runs one command line and returns its exit code (see {@link ErrorKind}); what it prints goes to
   * {@code out} (results) and {@code err} (progress, errors). With {@code -o json}, {@code out}
   * gets one JSON document whatever the outcome: a failure before any result (a usage error, an
   * invalid config, an unknown sync) is {@link Renderer#failure}.
   */
  public static int execute(
      String[] args, PrintWriter out, PrintWriter err, boolean terminal, Clock clock) {
    CommandLine commandLine =
        new CommandLine(
            QsyncCommand.class, new CliContext.Factory(new CliContext(terminal, clock)));
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(
        (exception, line, parseResult) -> {
          boolean verbose =
              parseResult.hasMatchedOption("--verbose")
                  || parseResult.subcommand() != null
                      && parseResult.subcommand().hasMatchedOption("--verbose");
          int code = report(exception, line.getErr(), verbose);
          if (jsonRequested(line)) {
            line.getOut()
                .println(Renderer.json(Renderer.failure(line.getCommandName(), known(exception))));
          }
          return code;
        });
    IParameterExceptionHandler usage = commandLine.getParameterExceptionHandler();
    commandLine.setParameterExceptionHandler(
        (exception, arguments) -> {
          int code = usage.handleParseException(exception, arguments); // message and usage on err
          CommandLine line = exception.getCommandLine();
          if (jsonRequested(line) || jsonWritten(arguments)) {
            line.getOut()
                .println(
                    Renderer.json(
                        Renderer.failure(
                            line.getCommandName(),
                            new QsyncException(
                                ErrorKind.USAGE, exception.getMessage(), exception))));
          }
          return code;
        });
    return commandLine.execute(args);
  }

  /**
   * Whether {@code -o json} was given, before or after the command's name: the option is inherited,
   * so every command of the line sees its value, even when parsing failed later.
   */
  private static boolean jsonRequested(CommandLine line) {
    OptionSpec output = line.getCommandSpec().findOption("--output");
    return output != null && output.getValue() == CommonOptions.Output.json;
  }

  /**
   * Whether the arguments ask for JSON where parsing stopped before reaching it ({@code history
   * --limit many -o json}): a usage error's document must not depend on the options' order.
   */
  private static boolean jsonWritten(String[] arguments) {
    for (int i = 0; i < arguments.length && !arguments[i].equals("--"); i++) {
      String argument = arguments[i];
      if (argument.equals("-ojson")
          || argument.equals("-o=json")
          || argument.equals("--output=json")
          || (argument.equals("-o") || argument.equals("--output"))
              && i + 1 < arguments.length
              && arguments[i + 1].equals("json")) {
        return true;
      }
    }
    return false;
  }

  /** An exception as the QsyncException it is, or as an internal error (a bug). */
  static QsyncException known(Exception exception) {
    return exception instanceof QsyncException known
        ? known
        : new QsyncException(ErrorKind.INTERNAL, "internal error: " + exception, exception);
  }

  /** Prints an error once, where it is handled; a stack trace only for bugs or with --verbose. */
  static int report(Exception exception, PrintWriter err, boolean verbose) {
    if (exception instanceof QsyncException known) {
      err.println(
          (known.kind() == ErrorKind.INTERRUPTED && known.getMessage().startsWith("interrupted")
                  ? ""
                  : "error: ")
              + known.getMessage());
      if (verbose) {
        known.printStackTrace(err);
      }
      return Signals.exitCode(known.kind());
    }
    err.println("internal error (a bug in qsync; please report it with this output): " + exception);
    exception.printStackTrace(err);
    return ErrorKind.INTERNAL.exitCode();
  }
}
