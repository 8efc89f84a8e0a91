package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top command: only a home for the subcommands. */
@Command(
    name = "qsync",
    mixinStandardHelpOptions = true,
    versionProvider = QsyncCommand.Version.class,
    modelTransformer = CommonOptions.TextOnlyHelp.class,
    description = "Keeps a MySQL table an exact, fresh copy of a warehouse query.",
    subcommands = {
      RunCommand.class,
      PlanCommand.class,
      StatusCommand.class,
      HistoryCommand.class,
      ValidateCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      SoakCommand.class,
      PruneCommand.class,
      ServeCommand.class,
      VerifyCommand.class,
      picocli.CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 ok, 1 failed (may pass by itself; a run resumes), 2 usage,",
      "3 config invalid, 4 lock held by another run, 5 needs action (data or schema),",
      "6 the table differs (verify), 70 internal error, 130 interrupted (143 by SIGTERM)."
    })
final class QsyncCommand implements Callable<Integer> {
  /** The version the build wrote into {@code io/qsync/version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in =
          QsyncCommand.class.getResourceAsStream("/io/qsync/version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"qsync " + properties.getProperty("version", "(version unknown)")};
    }
  }

  @Spec CommandSpec spec;
  @Mixin CommonOptions options;

  /** No command given: a usage error, the usage on stderr (stdout is for results). */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new QsyncException(
        ErrorKind.USAGE,
        "name a command, like qsync run SYNC\nqsync --help lists them, qsync COMMAND --help explains one.");
  }
}
