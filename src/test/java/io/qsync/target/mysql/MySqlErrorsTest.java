package io.qsync.target.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.TransientException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MySqlErrorsTest {
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "1213, 40001, Deadlock found when trying to get lock",
    "1205, HY000, Lock wait timeout exceeded",
    "1040, 08004, Too many connections",
    "1290, HY000, The MariaDB server is running with the --read-only option",
    "1836, HY000, Running in read-only mode",
    "2006, 08S01, MySQL server has gone away",
    "2013, HY000, Lost connection to MySQL server during query",
    "1927, 70100, Connection was killed",
    "1969, 70100, Query execution was interrupted (max_statement_time exceeded)",
    "0, 08000, Socket error",
  })
  void passingErrorsMayBeTriedAgain(int code, String state, String message) {
    QsyncException error =
        MySqlErrors.failed("app", "apply a batch", new SQLException(message, state, code));

    assertThat(error).isInstanceOf(TransientException.class);
    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage()).endsWith("Run again: the run resumes after its last committed batch.");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "1406, 22001, Data too long for column, NEEDS_ACTION",
    "1142, 42000, INSERT command denied to user, NEEDS_ACTION",
    "1146, 42S02, Table doesn't exist, FAILED",
  })
  void otherErrorsAreNot(int code, String state, String message, ErrorKind kind) {
    QsyncException error =
        MySqlErrors.failed("app", "apply a batch", new SQLException(message, state, code));

    assertThat(error).isNotInstanceOf(TransientException.class);
    assertThat(error.kind()).isEqualTo(kind);
  }

  @Test
  void anAccessDeniedConnectIsNotTransient() {
    assertThat(MySqlErrors.isTransient(new SQLException("Access denied", "28000", 1045))).isFalse();
  }

  @Test
  void namesTheGrantThatLiftsAMariaDbRefusal() {
    assertThat(MySqlErrors.grantFor(
            "(conn=7) INSERT command denied to user 'qsync'@'127.0.0.1' for table `app`.`odd ``t```"))
        .hasValue("GRANT INSERT ON `app`.`odd ``t``` TO 'qsync'");
  }

  @Test
  void namesTheGrantThatLiftsAMySqlRefusal() {
    assertThat(MySqlErrors.grantFor("DELETE command denied to user 'qsync'@'localhost' for table 't'"))
        .hasValue("GRANT DELETE ON `t` TO 'qsync'");
  }

  @Test
  void saysNothingOfOtherErrors() {
    assertThat(MySqlErrors.grantFor("Access denied for user 'qsync'@'%' to database 'app'")).isEmpty();
    assertThat(MySqlErrors.grantFor(null)).isEmpty();
  }
}
