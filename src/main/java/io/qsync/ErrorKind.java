package io.qsync;

/**
 * Why a command ended without success, and the process exit code each kind maps to. The codes are
 * documented in the README ("Exit codes"); schedulers may rely on them, so never renumber one.
 */
public enum ErrorKind {
  /** A run failed for a reason that may pass by itself (connection lost, server error). */
  FAILED(1),
  /** The command line itself was wrong. */
  USAGE(2),
  /** The config file is invalid; nothing was connected to. */
  CONFIG_INVALID(3),
  /** Another run of the same sync holds its lock. */
  LOCK_HELD(4),
  /**
   * The data or the target's schema must be fixed by a person before the sync can succeed: bad
   * keys, an incompatible table, a value the target rejects.
   */
  NEEDS_ACTION(5),
  /** {@code qsync verify} found the table different from the query's result. */
  DIFFERS(6),
  /** A bug in qsync: an error it did not expect. Please report it with the stack trace. */
  INTERNAL(70),
  /** The process was interrupted (Ctrl-C, SIGTERM); the run can be resumed. */
  INTERRUPTED(130);

  private final int exitCode;

  ErrorKind(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
