package io.qsync.target.mysql;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import java.sql.SQLException;
import java.util.Set;

/** Sorts MySQL errors into what a person must fix and what may pass. Pure; thread-safe. */
final class MySqlErrors {
  /**
   * Errors about a value the table cannot take: too long, out of range, not a valid date, NULL in
   * a NOT NULL column, a duplicate key, a failed CHECK (MariaDB's JSON_VALID), invalid JSON.
   */
  static final Set<Integer> DATA_ERRORS =
      Set.of(1048, 1062, 1264, 1265, 1292, 1366, 1406, 1411, 1690, 3140, 4025);

  /** Missing privileges: the user must be granted more. */
  static final Set<Integer> PRIVILEGE_ERRORS = Set.of(1044, 1142, 1143, 1227, 1370);

  private MySqlErrors() {}

  static boolean isDataError(SQLException e) {
    return DATA_ERRORS.contains(e.getErrorCode());
  }

  static QsyncException failed(String connection, String what, SQLException e) {
    String message = "connection '" + connection + "': could not " + what + ": " + e.getMessage();
    if (PRIVILEGE_ERRORS.contains(e.getErrorCode())) {
      return new QsyncException(
          ErrorKind.NEEDS_ACTION,
          message + "\nGrant the user the privileges the README's \"Grants\" section lists.", e);
    }
    if (isDataError(e)) {
      return new QsyncException(
          ErrorKind.NEEDS_ACTION, message + "\nFix the value in the query or widen the column.", e);
    }
    return new QsyncException(
        ErrorKind.FAILED, message + "\nRun again: the run resumes after its last committed batch.", e);
  }
}
