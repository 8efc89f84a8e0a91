package io.qsync.target.mysql;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.TransientException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  /**
   * Errors that may pass by themselves, after which a batch may be tried again: lock wait timeout
   * (1205), deadlock (1213), too many connections (1040), read-only during a failover (1290,
   * 1836), server gone away or connection lost (2006, 2013), connection killed (1927), server
   * shutting down (1053), statement interrupted or over its time limit (1317, 1969, 3024), network
   * errors (1158-1161). SQLSTATE class 08 (connection exception) counts too.
   */
  static final Set<Integer> TRANSIENT_ERRORS =
      Set.of(1040, 1053, 1158, 1159, 1160, 1161, 1205, 1213, 1290, 1317, 1836, 1927, 1969, 2006,
          2013, 3024);

  static boolean isTransient(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    return TRANSIENT_ERRORS.contains(e.getErrorCode()) || state.startsWith("08");
  }

  /** MariaDB's and MySQL's "INSERT command denied to user 'u'@'h' for table `db`.`t`". */
  private static final Pattern DENIED =
      Pattern.compile("(\\w+) command denied to user ('[^']*')@'[^']*' for table ((?:`(?:[^`]|``)*`\\.)?`(?:[^`]|``)*`|'[^']*')");

  private MySqlErrors() {}

  /**
   * The GRANT statement that lifts a table privilege refusal, when the message names one. The
   * server names the host it saw, not the account's host pattern, so the GRANT names the user
   * alone (which means {@code 'user'@'%'}).
   */
  static Optional<String> grantFor(String serverMessage) {
    Matcher matcher = DENIED.matcher(String.valueOf(serverMessage));
    if (!matcher.find()) {
      return Optional.empty();
    }
    String table = matcher.group(3).startsWith("'")
        ? MySqlDialect.quote(matcher.group(3).substring(1, matcher.group(3).length() - 1))
        : matcher.group(3);
    return Optional.of("GRANT " + matcher.group(1) + " ON " + table + " TO " + matcher.group(2));
  }

  static boolean isDataError(SQLException e) {
    return DATA_ERRORS.contains(e.getErrorCode());
  }

  static QsyncException failed(String connection, String what, SQLException e) {
    String message = "connection '" + connection + "': could not " + what + ": " + e.getMessage();
    if (PRIVILEGE_ERRORS.contains(e.getErrorCode())) {
      return new QsyncException(
          ErrorKind.NEEDS_ACTION,
          message + "\n" + grantFor(e.getMessage()).map(grant -> "Grant it: " + grant + "; ").orElse("")
              + "Grant the user the privileges the README's \"Grants\" section lists.", e);
    }
    if (isDataError(e)) {
      return new QsyncException(
          ErrorKind.NEEDS_ACTION, message + "\nFix the value in the query or widen the column.", e);
    }
    if (isTransient(e)) {
      return new TransientException(
          message + "\nRun again: the run resumes after its last committed batch.", e);
    }
    return new QsyncException(
        ErrorKind.FAILED, message + "\nRun again: the run resumes after its last committed batch.", e);
  }
}
