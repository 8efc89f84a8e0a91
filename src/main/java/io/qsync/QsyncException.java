package io.qsync;

import static java.util.Objects.requireNonNull;

/**
 * The one root of every error qsync reports to a person. Its message names the subject, shows what
 * was observed against what was expected, and ends with a remedy; its kind decides the exit code.
 */
public class QsyncException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;

  public QsyncException(ErrorKind kind, String message) {
    super(message);
    this.kind = requireNonNull(kind, "kind is null");
  }

  public QsyncException(ErrorKind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = requireNonNull(kind, "kind is null");
  }

  public ErrorKind kind() {
    return kind;
  }
}
