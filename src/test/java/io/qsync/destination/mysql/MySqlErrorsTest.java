package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.TransientException;
import io.qsync.destination.mysql.MySqlErrors.Cause;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every class of MySQL and MariaDB error, with codes and messages as the servers' error references
 * give them: what the run does (exit 5 and a remedy, or retried and exit 1), and that nothing a
 * person must fix says "Run again".
 */
class MySqlErrorsTest {
  private static final String SIDE = "connection 'app' (jdbc:mariadb://db.example:3306/app)";

  private static QsyncException failed(int code, String state, String message) {
    return MySqlErrors.failed(
        SIDE, "apply the batch ending at change 300", new SQLException(message, state, code));
  }

  @ParameterizedTest(name = "{0} {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "1213 | 40001 | Deadlock found when trying to get lock; try restarting transaction | LOCK_CONFLICT",
        "1205 | HY000 | Lock wait timeout exceeded; try restarting transaction | LOCK_CONFLICT",
        "1412 | HY000 | Table definition has changed, please retry transaction | LOCK_CONFLICT",
        "3101 | 40000 | Plugin instructed the server to rollback the current transaction | LOCK_CONFLICT",
        "1180 | HY000 | Got error 149 during COMMIT | LOCK_CONFLICT",
        "1040 | 08004 | Too many connections | SERVER_BUSY",
        "1203 | 42000 | User qsync already has more than 'max_user_connections' active connections | SERVER_BUSY",
        "1041 | HY000 | Out of memory. | SERVER_BUSY",
        "1290 | HY000 | The MariaDB server is running with the --read-only option so it cannot execute this statement | READ_ONLY",
        "1290 | HY000 | The MySQL server is running with the --super-read-only option so it cannot execute this statement | READ_ONLY",
        "1836 | HY000 | Running in read-only mode | READ_ONLY",
        "1792 | 25006 | Cannot execute statement in a READ ONLY transaction | READ_ONLY",
        "2006 | 08S01 | MySQL server has gone away | CONNECTION",
        "2013 | HY000 | Lost connection to MySQL server during query | CONNECTION",
        "1927 | 70100 | Connection was killed | CONNECTION",
        "1053 | 08S01 | Server shutdown in progress | CONNECTION",
        "1047 | 08S01 | WSREP has not yet prepared node for application use | CONNECTION",
        "4031 | HY000 | The client was disconnected by the server because of inactivity | CONNECTION",
        "0 | 08000 | Socket error | CONNECTION",
        "1969 | 70100 | Query execution was interrupted (max_statement_time exceeded) | TIMEOUT",
        "3024 | HY000 | Query execution was interrupted, maximum statement execution time exceeded | TIMEOUT",
        "1317 | 70100 | Query execution was interrupted | TIMEOUT",
      })
  void passingErrorsAreRetriedThenExitOne(int code, String state, String message, Cause cause) {
    QsyncException error = failed(code, state, message);

    assertThat(MySqlErrors.classify(new SQLException(message, state, code))).isEqualTo(cause);
    assertThat(error).isInstanceOf(TransientException.class);
    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage())
        .startsWith(SIDE + ": could not apply the batch ending at change 300: " + message);
  }

  @Test
  void aServerThatStaysReadOnlyNeedsAPersonOnceTheRetriesAreSpent() {
    TransientException error =
        (TransientException)
            failed(
                1290,
                "HY000",
                "The MariaDB server is running with the --read-only option so it cannot execute this statement");

    assertThat(error.ifItLasts()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains("a failover makes the old primary so for a moment")
        .endsWith(
            "point the connection at the primary, or make the server writable (SET GLOBAL read_only = OFF).")
        .doesNotContain("Run again");
  }

  @Test
  void otherPassingErrorsMayStillPassWhenTheRetriesAreSpent() {
    TransientException error = (TransientException) failed(2013, "HY000", "Lost connection");

    assertThat(error.ifItLasts()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage())
        .endsWith("Run again: the run resumes after its last committed batch.");
  }

  @ParameterizedTest(name = "{0} {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "1406 | 22001 | Data too long for column 'name' at row 1 | ROW_REJECTED | fix it in the query",
        "1062 | 23000 | Duplicate entry '1' for key 'PRIMARY' | ROW_REJECTED | fix it in the query",
        "1366 | 22007 | Incorrect integer value: 'x' for column `db`.`t`.`n` at row 1 | ROW_REJECTED | change the column",
        "3140 | 22032 | Invalid JSON text: \"Invalid value.\" at position 0 in value for column 't.doc'. | ROW_REJECTED | fix it",
        "1452 | 23000 | Cannot add or update a child row: a foreign key constraint fails (`app`.`t`, CONSTRAINT `t_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`)) | FOREIGN_KEY | Insert the missing rows into `owners` first",
        "1451 | 23000 | Cannot delete or update a parent row: a foreign key constraint fails (`app`.`orders`, CONSTRAINT `orders_t` FOREIGN KEY (`t_id`) REFERENCES `t` (`id`)) | FOREIGN_KEY | Delete or re-point those rows of `orders` first",
        "3730 | HY000 | Cannot drop table 't_old' referenced by a foreign key constraint 'orders_t' on table 'orders'. | FOREIGN_KEY | Delete or re-point those rows",
        "4025 | 23000 | CONSTRAINT `name_not_c` failed for `app`.`t` | CHECK_CONSTRAINT | CHECK constraint name_not_c refuses a row",
        "3819 | HY000 | Check constraint 'level_positive' is violated. | CHECK_CONSTRAINT | CHECK constraint level_positive refuses a row",
        "1644 | 45000 | name b is reserved | TRIGGER | change the trigger",
        "1153 | 08S01 | Got a packet bigger than 'max_allowed_packet' bytes | PACKET_TOO_LARGE | SET GLOBAL max_allowed_packet",
        "1142 | 42000 | INSERT command denied to user 'qsync'@'10.0.0.7' for table `app`.`t` | PRIVILEGE | Grant it: GRANT INSERT ON `app`.`t` TO 'qsync'",
        "1227 | 42000 | Access denied; you need (at least one of) the SUPER privilege(s) for this operation | PRIVILEGE | \"Grants\" section",
        "1130 | HY000 | Host '10.0.0.7' is not allowed to connect to this MariaDB server | ACCOUNT | may connect from this host",
        "4151 | HY000 | Access denied, this account is locked | ACCOUNT | not locked or expired",
        "1146 | 42S02 | Table 'app.t' doesn't exist | DEFINITION | qsync validate",
        "1054 | 42S22 | Unknown column 'name' in 'field list' | DEFINITION | qsync validate",
        "1442 | HY000 | Can't update table 't' in stored function/trigger because it is already used by statement which invoked this stored function/trigger | DEFINITION | qsync validate",
        "1064 | 42000 | You have an error in your SQL syntax | UNSUPPORTED | report this as a bug",
        "1197 | HY000 | Multi-statement transaction required more than 'max_binlog_cache_size' bytes of storage | SERVER_SETTING | lower the sync's batch_size",
        "1206 | HY000 | The total number of locks exceeds the lock table size | SERVER_SETTING | innodb_buffer_pool_size",
        "1129 | HY000 | Host '10.0.0.7' is blocked because of many connection errors | SERVER_SETTING | FLUSH HOSTS",
        "3159 | HY000 | Connections using insecure transport are prohibited while --require_secure_transport=ON. | SERVER_SETTING | set tls: required",
        "1290 | HY000 | The MySQL server is running with the --skip-grant-tables option so it cannot execute this statement | SERVER_SETTING | change it on the server",
        "1021 | HY000 | Disk full (/var/lib/mysql/ibdata1); waiting for someone to free some space... | DISK_FULL | free space on the server",
        "1114 | HY000 | The table 't' is full | DISK_FULL | free space on the server",
      })
  void errorsAPersonMustFixExitFiveWithTheirRemedy(
      int code, String state, String message, Cause cause, String remedy) {
    QsyncException error = failed(code, state, message);

    assertThat(MySqlErrors.classify(new SQLException(message, state, code))).isEqualTo(cause);
    assertThat(error).isNotInstanceOf(TransientException.class);
    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .startsWith(SIDE + ": could not apply the batch ending at change 300: " + message)
        .contains(remedy)
        .doesNotContain("Run again")
        .doesNotContain("run again");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "9999 | 08S01 | CONNECTION | true",
        "9999 | 40001 | LOCK_CONFLICT | true",
        "9999 | 23000 | ROW_REJECTED | false",
        "9999 | 22003 | ROW_REJECTED | false",
        "9999 | 42S02 | DEFINITION | false",
        "9999 | 28000 | ACCOUNT | false",
        "9999 | 0A000 | UNSUPPORTED | false",
        "9999 | 70100 | TIMEOUT | true",
      })
  void anUnlistedCodeIsClassedByItsSqlState(int code, String state, Cause cause, boolean retried) {
    assertThat(MySqlErrors.classify(new SQLException("?", state, code))).isEqualTo(cause);
    assertThat(MySqlErrors.isTransient(new SQLException("?", state, code))).isEqualTo(retried);
  }

  @Test
  void anUnknownErrorExitsOneWithoutRetriesAndSaysSo() {
    QsyncException error = failed(4242, "HY000", "Something new went wrong");

    assertThat(MySqlErrors.classify(new SQLException("?", "HY000", 4242))).isEqualTo(Cause.UNKNOWN);
    assertThat(error).isNotInstanceOf(TransientException.class);
    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage())
        .contains("qsync does not know error 4242 (SQLSTATE HY000). It may pass")
        .contains("if it fails the same way, look the code up in the server's error reference");
  }

  @ParameterizedTest
  @EnumSource(Cause.class)
  void everyClassButUnknownHasItsCodesAndARemedyThatNamesNoOtherSide(Cause cause) {
    String remedy = MySqlErrors.remedy("side", cause, new SQLException("m", "HY000", 1));
    assertThat(remedy).isNotBlank().doesNotContain("BigQuery").doesNotContain("DuckDB");
    if (cause != Cause.UNKNOWN) {
      assertThat(MySqlErrors.codes(cause)).as("codes of %s", cause).isNotEmpty();
    }
    assertThat(cause.kind() == ErrorKind.NEEDS_ACTION)
        .as("exit 5 exactly for what is not retried and not unknown")
        .isEqualTo(!cause.retried() && cause != Cause.UNKNOWN);
  }

  @Test
  void aLockConflictNamesTheWorkThatNeededTheLocks() {
    SQLException deadlock = new SQLException("Deadlock", "40001", 1213);
    assertThat(MySqlErrors.remedy("side", Caller.PLAN, Cause.LOCK_CONFLICT, deadlock))
        .startsWith("Another transaction held locks qsync plan needed. ");
    assertThat(MySqlErrors.remedy("side", Caller.DUE_VERIFY, Cause.LOCK_CONFLICT, deadlock))
        .startsWith("Another transaction held locks the verify needed. " + Caller.NEXT_RUN_VERIFIES)
        .doesNotContain("qsync run");
  }

  @Test
  void readsTheForeignKeyFromTheMessage() {
    assertThat(
            MySqlErrors.foreignKey(
                "(conn=9) Cannot add or update a child row: a foreign key constraint fails (`app`.`odd ``t`,"
                    + " CONSTRAINT `t_owner` FOREIGN KEY (`owner_id`, `region`) REFERENCES `owners` (`id`, `region`))"))
        .hasValue(
            new MySqlErrors.ForeignKey(
                "odd `t",
                "t_owner",
                List.of("owner_id", "region"),
                "owners",
                List.of("id", "region")));
    assertThat(MySqlErrors.foreignKey("Duplicate entry")).isEmpty();
  }

  @Test
  void readsTheCheckConstraintFromEitherServersMessage() {
    assertThat(MySqlErrors.checkConstraint("CONSTRAINT `name_not_c` failed for `app`.`t`"))
        .hasValue("name_not_c");
    assertThat(MySqlErrors.checkConstraint("Check constraint 'level_positive' is violated."))
        .hasValue("level_positive");
  }

  @Test
  void anAccessDeniedConnectIsNotTransient() {
    assertThat(MySqlErrors.isTransient(new SQLException("Access denied", "28000", 1045))).isFalse();
  }

  @Test
  void namesTheGrantThatLiftsAMariaDbRefusal() {
    assertThat(
            MySqlErrors.grantFor(
                "connection 'unknown'",
                "(conn=7) INSERT command denied to user 'qsync'@'127.0.0.1' for table `app`.`odd ``t```"))
        .hasValue("GRANT INSERT ON `app`.`odd ``t``` TO 'qsync'");
  }

  @Test
  void namesTheGrantThatLiftsAMySqlRefusal() {
    assertThat(
            MySqlErrors.grantFor(
                "connection 'unknown'",
                "DELETE command denied to user 'qsync'@'localhost' for table 't'"))
        .hasValue("GRANT DELETE ON `t` TO 'qsync'");
  }

  @Test
  void grantsToTheAccountTheConnectionLoggedInAsNotTheClientsHost() {
    MySqlAccounts.remember("connection 'local'", "qsync@localhost");
    assertThat(
            MySqlErrors.grantFor(
                "connection 'local'",
                "INSERT command denied to user 'qsync'@'127.0.0.1' for table `app`.`t`"))
        .hasValue("GRANT INSERT ON `app`.`t` TO 'qsync'@'localhost'");
  }

  @Test
  void quotesTheAccountForAGrant() {
    assertThat(MySqlAccounts.quote("qsync@%")).isEqualTo("'qsync'@'%'");
    assertThat(MySqlAccounts.quote("o'brien@mail@10.0.%")).isEqualTo("'o''brien@mail'@'10.0.%'");
  }

  @Test
  void saysNothingOfOtherErrors() {
    assertThat(
            MySqlErrors.grantFor(
                "connection 'unknown'", "Access denied for user 'qsync'@'%' to database 'app'"))
        .isEmpty();
    assertThat(MySqlErrors.grantFor("connection 'unknown'", null)).isEmpty();
  }
}
