package io.qsync;

/**
 * A failure that may pass by itself: a deadlock, a lock wait timeout, a lost connection, a server
 * that is read-only during a failover or has too many connections. Work that is safe to repeat (a
 * batch, which commits together with its checkpoint) may be tried again; otherwise it fails the
 * run like any {@link ErrorKind#FAILED} error, and the next run resumes.
 */
public class TransientException extends QsyncException {
  private static final long serialVersionUID = 1L;

  public TransientException(String message, Throwable cause) {
    super(ErrorKind.FAILED, message, cause);
  }
}
