package io.qsync.cli;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The server {@code qsync bench} and {@code qsync soak} measure on, given alike to both: host,
 * port, a user that may create databases, and the environment variable holding its password (a
 * password never goes on the command line, where {@code ps} shows it). Mixed into both commands.
 */
final class ServerOptions {
  @Option(
      names = "--host",
      paramLabel = "HOST",
      defaultValue = "127.0.0.1",
      description = "Server host (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "3306",
      description = "Server port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--user",
      paramLabel = "USER",
      defaultValue = "root",
      description = "User that may create databases (default: ${DEFAULT-VALUE}).")
  String user;

  @Option(
      names = "--password-env",
      paramLabel = "VAR",
      description = "Environment variable holding the user's password (default: no password).")
  String passwordEnv;

  /** {@code jdbc:mariadb://host:port/}: the server, without a database. */
  String url() {
    return "jdbc:mariadb://" + host + ":" + port + "/";
  }

  /**
   * The password in the variable {@code --password-env} names; without it, the one in {@code
   * fallbackVariable} (an older spelling's), if set, else none.
   */
  String password(Map<String, String> environment, Optional<String> fallbackVariable) {
    if (passwordEnv == null) {
      return fallbackVariable.map(name -> environment.getOrDefault(name, "")).orElse("");
    }
    return Optional.ofNullable(environment.get(passwordEnv))
        .orElseThrow(
            () ->
                new QsyncException(
                    ErrorKind.USAGE,
                    "--password-env " + passwordEnv + ": the variable is not set"));
  }
}
