package io.qsync;

import static java.util.Objects.requireNonNull;

/**
 * A failure that may pass by itself: a deadlock, a lock wait timeout, a lost connection, a server
 * that is read-only during a failover or has too many connections. Work that is safe to repeat (a
 * batch, which commits together with its checkpoint) may be tried again; otherwise it fails the run
 * like any {@link ErrorKind#FAILED} error, and the next run resumes.
 */
public class TransientException extends QsyncException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind ifItLasts;

  public TransientException(String message, Throwable cause) {
    this(message, cause, ErrorKind.FAILED);
  }

  /**
   * @param ifItLasts what the failure is once it has outlasted every retry: {@link
   *     ErrorKind#FAILED} when it may pass still, {@link ErrorKind#NEEDS_ACTION} for a state a
   *     routine event would have ended by then (a server left read-only)
   */
  public TransientException(String message, Throwable cause, ErrorKind ifItLasts) {
    super(ErrorKind.FAILED, message, cause);
    this.ifItLasts = requireNonNull(ifItLasts, "ifItLasts is null");
  }

  public ErrorKind ifItLasts() {
    return ifItLasts;
  }
}
