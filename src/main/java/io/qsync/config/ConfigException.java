package io.qsync.config;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The config file cannot be used: every problem found in it, reported together. Nothing was
 * connected to. Immutable.
 */
public final class ConfigException extends QsyncException {
  private static final long serialVersionUID = 1L;

  private final List<ConfigProblem> problems;

  /** Reports the given problems of {@code file}; there must be at least one. */
  public ConfigException(Path file, List<ConfigProblem> problems) {
    this(render(file, problems), problems, null);
  }

  private ConfigException(String message, List<ConfigProblem> problems, Throwable cause) {
    super(ErrorKind.CONFIG_INVALID, message, cause);
    this.problems = List.copyOf(problems);
  }

  /** The file could not be read at all (absent, a folder, not permitted, not UTF-8). */
  public static ConfigException unreadable(Path file, IOException cause) {
    String reason =
        cause instanceof NoSuchFileException
            ? "no such file"
            : cause instanceof AccessDeniedException
                ? "permission denied"
                : cause instanceof CharacterCodingException
                    ? "it is not UTF-8 text"
                    : String.valueOf(cause.getMessage());
    String shown = file.isAbsolute() ? file.toString() : file + " (" + file.toAbsolutePath() + ")";
    ConfigProblem problem =
        new ConfigProblem(
            file,
            0,
            0,
            "",
            "cannot read the config file: " + reason + "; pass its path with --config");
    return new ConfigException(
        "cannot read config file "
            + shown
            + ": "
            + reason
            + "\n"
            + "Create it, or point qsync at the right file with --config PATH.",
        List.of(problem),
        cause);
  }

  /** Every problem, in the order of the file. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String render(Path file, List<ConfigProblem> problems) {
    requireNonNull(file, "file is null");
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    StringBuilder message = new StringBuilder();
    message.append(problems.size()).append(problems.size() == 1 ? " problem" : " problems");
    message.append(" in ").append(file).append(':');
    problems.forEach(problem -> message.append("\n  ").append(problem));
    return message.append("\nFix the config and run `qsync validate`.").toString();
  }
}
