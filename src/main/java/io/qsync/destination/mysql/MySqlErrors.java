package io.qsync.destination.mysql;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.TransientException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Sorts MySQL and MariaDB errors into classes of what must happen next, and words each class's
 * remedy. Every code qsync can meet is listed on purpose, from the MariaDB error reference ({@code
 * mariadb.com/kb/en/mariadb-error-codes}) and the MySQL 8.0 Error Message Reference (server errors,
 * and the client errors 2000-2099 a MySQL client library reports). Codes 1000-1899 mean the same on
 * both servers; MariaDB's own codes start at 1900 and MySQL's newer ones at 3000, and where the two
 * reuse a number (4031) the meaning listed is the one qsync's statements can meet. A code not
 * listed is classed by its SQLSTATE's class (the SQL standard's), and failing that by {@link
 * Cause#UNKNOWN}. Thread-safe; pure but for the accounts the connections logged in as ({@link
 * MySqlAccounts}), which a GRANT names.
 */
final class MySqlErrors {
  /** What an error means for the run: who must act, and whether trying again may help. */
  enum Cause {
    /**
     * The table refuses a value or a row: too long, out of range, not a valid date or string, NULL
     * in a NOT NULL column, a duplicate key. The writer names the key and column.
     */
    ROW_REJECTED(ErrorKind.NEEDS_ACTION, false),
    /** A foreign key refuses the row: its parent row is missing, or child rows refer to it. */
    FOREIGN_KEY(ErrorKind.NEEDS_ACTION, false),
    /** A CHECK constraint of the table refuses the row. */
    CHECK_CONSTRAINT(ErrorKind.NEEDS_ACTION, false),
    /** A trigger (or a stored routine it calls) refused the row with SIGNAL, in its own words. */
    TRIGGER(ErrorKind.NEEDS_ACTION, false),
    /** A statement or a value over the server's {@code max_allowed_packet}. */
    PACKET_TOO_LARGE(ErrorKind.NEEDS_ACTION, false),
    /** The user lacks a privilege: a GRANT lifts it. */
    PRIVILEGE(ErrorKind.NEEDS_ACTION, false),
    /** The account cannot log in: wrong password, not allowed from this host, locked, expired. */
    ACCOUNT(ErrorKind.NEEDS_ACTION, false),
    /** The table, or a definition it depends on, does not fit what qsync writes. */
    DEFINITION(ErrorKind.NEEDS_ACTION, false),
    /** The server does not accept SQL that qsync sends: a server version qsync does not support. */
    UNSUPPORTED(ErrorKind.NEEDS_ACTION, false),
    /** A setting of the server or the account forbids this, or is too small for a batch. */
    SERVER_SETTING(ErrorKind.NEEDS_ACTION, false),
    /** The server's disk, or the table's size limit, is full. */
    DISK_FULL(ErrorKind.NEEDS_ACTION, false),
    /**
     * The server is read-only: for a moment during a failover (retried), or for good when the
     * connection points at a replica (then, when it outlasts the retries, a person must act).
     */
    READ_ONLY(ErrorKind.FAILED, true),
    /** Another transaction's locks: a deadlock, a lock wait timeout, a conflict at commit. */
    LOCK_CONFLICT(ErrorKind.FAILED, true),
    /**
     * The connection broke: the server restarted, went away, killed the session or the network
     * failed.
     */
    CONNECTION(ErrorKind.FAILED, true),
    /** The server is out of connections, threads or memory for now. */
    SERVER_BUSY(ErrorKind.FAILED, true),
    /** A statement ran over its time limit or was interrupted. */
    TIMEOUT(ErrorKind.FAILED, true),
    /**
     * A code qsync does not know. Exit 1, not retried: whether it passes is unknown, so the run
     * does not spend its retry time on it, but nothing says it cannot pass either, and a run is
     * always safe to repeat (it resumes after its last committed batch). Exit 5 would stop a
     * scheduler for good over what may be a passing server error.
     */
    UNKNOWN(ErrorKind.FAILED, false);

    private final ErrorKind kind;
    private final boolean retried;

    Cause(ErrorKind kind, boolean retried) {
      this.kind = kind;
      this.retried = retried;
    }

    /** The exit the run takes when this cause stops it. */
    ErrorKind kind() {
      return kind;
    }

    /** Whether work that is safe to repeat (a batch) is tried again. */
    boolean retried() {
      return retried;
    }

    /** Whether the error is about one row of a batch, which the writer can name. */
    boolean refusesARow() {
      return this == ROW_REJECTED
          || this == FOREIGN_KEY
          || this == CHECK_CONSTRAINT
          || this == TRIGGER;
    }
  }

  private static final Map<Integer, Cause> CAUSES = new HashMap<>();

  private static void classify(Cause cause, int... codes) {
    for (int code : codes) {
      Cause previous = CAUSES.put(code, cause);
      if (previous != null) {
        throw new IllegalStateException(
            "error " + code + " classified twice: " + previous + ", " + cause);
      }
    }
  }

  static {
    // A value the column cannot take (1264 out of range, 1265/1406 too long, 1292/1411/1367/1918
    // not a valid date, time or number, 1366/1300 not a valid string, 1416 not a geometry, 1690
    // out of range in an expression, 1916 overflow, 1365 division by zero), NULL in a NOT NULL
    // column (1048, 1263), a duplicate key (1062, 1586, 1859, 1169), JSON MySQL rejects (3140).
    classify(
        Cause.ROW_REJECTED,
        1048,
        1062,
        1169,
        1263,
        1264,
        1265,
        1292,
        1300,
        1365,
        1366,
        1367,
        1406,
        1411,
        1416,
        1586,
        1690,
        1859,
        1916,
        1918,
        3140);
    // 1451/1452, and the older 1216/1217; 1761/1762: an ON UPDATE CASCADE would duplicate a child
    // key; MySQL's 3730: DROP TABLE of a table other tables refer to.
    classify(Cause.FOREIGN_KEY, 1216, 1217, 1451, 1452, 1761, 1762, 3730);
    // MariaDB's CONSTRAINT ... failed (also its JSON columns' JSON_VALID), MySQL's check violated.
    classify(Cause.CHECK_CONSTRAINT, 4025, 3819);
    classify(Cause.TRIGGER, 1644);
    // 1153 a packet over max_allowed_packet (the server closes the connection: a retry cannot
    // pass), 1162 and 1301 a result over it.
    classify(Cause.PACKET_TOO_LARGE, 1153, 1162, 1301);
    // Denied on a database, table, column or routine, or a privilege like SUPER or REPLICATION
    // CLIENT missing (1227).
    classify(Cause.PRIVILEGE, 1044, 1142, 1143, 1227, 1370);
    // Wrong password (1045, 1698), host not allowed (1130), locked (MariaDB 4151, MySQL 3118),
    // password expired (1820, 1862), an authentication plugin the driver cannot speak (1251).
    classify(Cause.ACCOUNT, 1045, 1130, 1251, 1698, 1820, 1862, 3118, 4151);
    // The table or a column is missing or was changed during the run (1146, 1054, 1051, 1050,
    // 1060, 1061), a column without a default the query does not fill (1364), a definition the
    // server cannot create (1005, 1025, 1059, 1071, 1074, 1075, 1101, 1102, 1103, 1118, 1166,
    // 1170, 1171, 1215), a view that cannot be written (1288, 1347, 1356, 1471), a trigger
    // that writes its own table (1442) or whose definer is gone (1449), an engine that cannot do
    // it (1031, 1178, 1286), a crashed table (1034, 1194, 1195), Group Replication's demand
    // for a primary key (3098).
    classify(
        Cause.DEFINITION,
        1005,
        1025,
        1031,
        1034,
        1050,
        1051,
        1054,
        1059,
        1060,
        1061,
        1071,
        1074,
        1075,
        1101,
        1102,
        1103,
        1118,
        1146,
        1166,
        1170,
        1171,
        1178,
        1194,
        1195,
        1215,
        1286,
        1288,
        1347,
        1356,
        1364,
        1442,
        1449,
        1471,
        3098);
    // A syntax error (1064, 1149), a variable (1193) or feature (1235) the server lacks.
    classify(Cause.UNSUPPORTED, 1064, 1149, 1193, 1235);
    // Host blocked after connection errors (1129), an account resource limit (1226), a batch
    // over max_binlog_cache_size (1197) or InnoDB's lock table (1206), a read-only table or
    // InnoDB (1036, 1874), TLS required (MySQL 3159), a statement the server's options forbid
    // (1290, unless it is about read-only: see READ_ONLY).
    classify(Cause.SERVER_SETTING, 1036, 1129, 1197, 1206, 1226, 1290, 1874, 3159);
    // Disk full (1021), table full (1114), a file the server cannot write (1026).
    classify(Cause.DISK_FULL, 1021, 1026, 1114);
    // Running read-only (1836), a read-only transaction (1792); 1290 is read-only too when its
    // message says so (read_only or super_read_only: a failover demotes the old primary).
    classify(Cause.READ_ONLY, 1792, 1836);
    // Lock wait timeout (1205), deadlock (1213; also Galera's certification failure), a table
    // changed under the transaction (1412), an XA branch rolled back (1614), too many concurrent
    // transactions (1637), a lock wait aborted for a pending DDL (1689), MySQL's user-lock
    // deadlock (3058), Group Replication refusing a conflicting commit (3100, 3101), an error at
    // COMMIT or ROLLBACK (1180, 1181): the transaction rolled back, the batch may be tried again.
    classify(Cause.LOCK_CONFLICT, 1180, 1181, 1205, 1213, 1412, 1614, 1637, 1689, 3058, 3100, 3101);
    // Server shutting down (1053), network errors (1158-1161), a bad handshake (1043), an
    // aborted connection (1152, 1184), a killed connection (MariaDB 1927, MySQL 3169), Galera
    // not ready (1047, "WSREP has not yet prepared node"), MySQL's inactivity timeout (4031), and
    // the MySQL client library's lost-connection codes (2002, 2003, 2006, 2013, 2055).
    classify(
        Cause.CONNECTION,
        1043,
        1047,
        1053,
        1152,
        1158,
        1159,
        1160,
        1161,
        1184,
        1927,
        2002,
        2003,
        2006,
        2013,
        2055,
        3169,
        4031);
    // Too many connections, for the server (1040) or the user (1203); out of memory (1037,
    // 1038, 1041) or threads (1135).
    classify(Cause.SERVER_BUSY, 1037, 1038, 1040, 1041, 1135, 1203);
    // Interrupted (1317: KILL QUERY, or a shutdown), MariaDB's max_statement_time (1969), MySQL's
    // max_execution_time (3024).
    classify(Cause.TIMEOUT, 1317, 1969, 3024);
  }

  /** The codes of one class, for tests and the README. */
  static Set<Integer> codes(Cause cause) {
    return CAUSES.entrySet().stream()
        .filter(entry -> entry.getValue() == cause)
        .map(Map.Entry::getKey)
        .collect(Collectors.toUnmodifiableSet());
  }

  static Cause classify(SQLException e) {
    Cause cause = CAUSES.get(e.getErrorCode());
    if (cause == Cause.SERVER_SETTING
        && e.getErrorCode() == 1290
        && mentionsReadOnly(e.getMessage())) {
      return Cause.READ_ONLY;
    }
    if (cause != null) {
      return cause;
    }
    return bySqlState(e.getSQLState());
  }

  /**
   * The SQL standard's classes of SQLSTATE, for a code not listed (a newer server's, or the
   * driver's own, which have no code): 08 connection exception, 40 transaction rollback, 22 data
   * exception, 23 integrity constraint violation, 44 WITH CHECK OPTION violation, 28 invalid
   * authorization, 42 syntax error or access rule violation, 0A feature not supported, 70100
   * interrupted (MySQL's).
   */
  private static Cause bySqlState(String sqlState) {
    String state = sqlState == null ? "" : sqlState.toUpperCase(Locale.ROOT);
    if (state.equals("70100")) {
      return Cause.TIMEOUT;
    }
    return switch (state.length() < 2 ? "" : state.substring(0, 2)) {
      case "08" -> Cause.CONNECTION;
      case "40" -> Cause.LOCK_CONFLICT;
      case "22", "23", "44" -> Cause.ROW_REJECTED;
      case "28" -> Cause.ACCOUNT;
      case "42" -> Cause.DEFINITION;
      case "0A" -> Cause.UNSUPPORTED;
      default -> Cause.UNKNOWN;
    };
  }

  private static boolean mentionsReadOnly(String message) {
    String text = String.valueOf(message).toLowerCase(Locale.ROOT);
    return text.contains("read-only") || text.contains("read_only") || text.contains("read only");
  }

  /** Whether work that is safe to repeat may be tried again after this error. */
  static boolean isTransient(SQLException e) {
    return classify(e).retried();
  }

  /** MariaDB's and MySQL's "INSERT command denied to user 'u'@'h' for table `db`.`t`". */
  private static final Pattern DENIED =
      Pattern.compile(
          "(\\w+) command denied to user ('[^']*')@'[^']*' for table ((?:`(?:[^`]|``)*`\\.)?`(?:[^`]|``)*`|'[^']*')");

  /**
   * A foreign key as MariaDB and MySQL name it in 1451 and 1452: "(`db`.`child`, CONSTRAINT `name`
   * FOREIGN KEY (`a`, `b`) REFERENCES `parent` (`x`, `y`))".
   */
  private static final Pattern FOREIGN_KEY =
      Pattern.compile(
          "\\((?:`(?:[^`]|``)*`\\.)?`((?:[^`]|``)*)`, CONSTRAINT `((?:[^`]|``)*)` FOREIGN KEY \\(([^)]*)\\)"
              + " REFERENCES `((?:[^`]|``)*)` \\(([^)]*)\\)");

  /**
   * MariaDB's "CONSTRAINT `name` failed for ..." and MySQL's "Check constraint 'name' is violated".
   */
  private static final Pattern CHECK =
      Pattern.compile(
          "(?:CONSTRAINT `((?:[^`]|``)*)` failed|[Cc]heck constraint '([^']*)' is violated)");

  private MySqlErrors() {}

  /** A foreign key named in a 1451 or 1452 message. */
  record ForeignKey(
      String child, String name, List<String> columns, String parent, List<String> parentColumns) {
    /** "`orders`.t_id -> `t`.id" */
    String describe() {
      return MySqlDialect.quote(child)
          + " ("
          + String.join(", ", columns)
          + ") -> "
          + MySqlDialect.quote(parent)
          + " ("
          + String.join(", ", parentColumns)
          + ")";
    }
  }

  static Optional<ForeignKey> foreignKey(String serverMessage) {
    Matcher matcher = FOREIGN_KEY.matcher(String.valueOf(serverMessage));
    if (!matcher.find()) {
      return Optional.empty();
    }
    return Optional.of(
        new ForeignKey(
            unquote(matcher.group(1)),
            unquote(matcher.group(2)),
            names(matcher.group(3)),
            unquote(matcher.group(4)),
            names(matcher.group(5))));
  }

  /** The name of the CHECK constraint a 4025 or 3819 message names. */
  static Optional<String> checkConstraint(String serverMessage) {
    Matcher matcher = CHECK.matcher(String.valueOf(serverMessage));
    if (!matcher.find()) {
      return Optional.empty();
    }
    return Optional.of(matcher.group(1) != null ? unquote(matcher.group(1)) : matcher.group(2));
  }

  private static List<String> names(String quotedList) {
    return Arrays.stream(quotedList.split(",\\s*"))
        .map(name -> unquote(name.strip().replaceAll("^`|`$", "")))
        .toList();
  }

  private static String unquote(String name) {
    return name.replace("``", "`");
  }

  /**
   * The GRANT statement that lifts a table privilege refusal, when the message names one, to the
   * account qsync logged in as. The server's message names the client's host, not the account's
   * host pattern ({@code 'qsync'@'10.0.0.7'} for the account {@code 'qsync'@'%'}), so the account
   * is the one {@code SELECT CURRENT_USER()} named on {@code side}'s connection ({@link
   * MySqlAccounts}); when no session of it said so, the user alone.
   */
  static Optional<String> grantFor(String side, String serverMessage) {
    Matcher matcher = DENIED.matcher(String.valueOf(serverMessage));
    if (!matcher.find()) {
      return Optional.empty();
    }
    String table =
        matcher.group(3).startsWith("'")
            ? MySqlDialect.quote(matcher.group(3).substring(1, matcher.group(3).length() - 1))
            : matcher.group(3);
    String account = MySqlAccounts.of(side).orElse(matcher.group(2));
    return Optional.of(grant(matcher.group(1), table, account));
  }

  /** {@code GRANT privileges ON object TO account}: the one form every GRANT remedy takes. */
  static String grant(String privileges, String object, String account) {
    return "GRANT " + privileges + " ON " + object + " TO " + account;
  }

  /**
   * The error a failed statement becomes: the side that failed ({@code side}: the connection's name
   * and where it points), what qsync was doing, the server's message, and the remedy of its class.
   * Passing causes become a {@link TransientException}.
   */
  static QsyncException failed(String side, String what, SQLException e) {
    return failed(side, Caller.RUN, what, e);
  }

  /**
   * As {@link #failed(String, String, SQLException)}, for work done by {@code caller}: a passing
   * failure's remedy tells a run that it resumes, and any other command that it is tried again
   * later (it keeps nothing to resume): {@link #again}.
   */
  static QsyncException failed(String side, Caller caller, String what, SQLException e) {
    Cause cause = classify(e);
    String message =
        side
            + ": could not "
            + what
            + ": "
            + e.getMessage()
            + "\n"
            + remedy(side, caller, cause, e);
    if (cause.retried()) {
      return new TransientException(
          message, e, cause == Cause.READ_ONLY ? ErrorKind.NEEDS_ACTION : ErrorKind.FAILED);
    }
    return new QsyncException(cause.kind(), message, e);
  }

  /** The remedy of an error's class for a run, in the server's terms; a message's last line. */
  static String remedy(String side, Cause cause, SQLException e) {
    return remedy(side, Caller.RUN, cause, e);
  }

  /**
   * The remedy of an error's class for work done by {@code caller}, in the server's terms; the last
   * line of a message.
   */
  static String remedy(String side, Caller caller, Cause cause, SQLException e) {
    String serverMessage = e.getMessage();
    String again = again(caller);
    return switch (cause) {
      case ROW_REJECTED ->
          "The table refuses a value: fix it in the query, or change the column to hold it.";
      case FOREIGN_KEY -> foreignKeyRemedy(e.getErrorCode(), foreignKey(serverMessage), "the row");
      case CHECK_CONSTRAINT ->
          "The table's CHECK constraint"
              + checkConstraint(serverMessage).map(name -> " " + name).orElse("")
              + " refuses a row: fix the value in the query, or change the constraint.";
      case TRIGGER ->
          "A trigger of the table refused the row, in its own words above: fix the row"
              + " in the query, or change the trigger.";
      case PACKET_TOO_LARGE ->
          "A statement or value is larger than the server's"
              + " max_allowed_packet: raise it on the server (SET GLOBAL max_allowed_packet = ...,"
              + " and in its config file), or shorten the values in the query.";
      case PRIVILEGE ->
          grantFor(side, serverMessage).map(grant -> "Grant it: " + grant + "; ").orElse("")
              + "Grant the user the privileges the README's \"Grants\" section lists.";
      case ACCOUNT ->
          "The account cannot log in: check the user and password, that it may"
              + " connect from this host, and that it is not locked or expired (ALTER USER ...).";
      case DEFINITION ->
          "The table (or what it depends on) does not fit what qsync writes, or"
              + " changed during the run: `qsync validate` shows what to change.";
      case UNSUPPORTED ->
          "The server does not accept SQL qsync sends: qsync supports MySQL 8.0"
              + " and MariaDB 10.6 and later. On one of those, report this as a bug with the message.";
      case SERVER_SETTING -> settingRemedy(e.getErrorCode());
      case DISK_FULL ->
          "The server's disk (or the table's size limit) is full: free space on the server"
              + (caller == Caller.RUN
                  ? "; the next run resumes after the last committed batch."
                  : ". " + again(caller) + ".");
      case READ_ONLY ->
          "The server is read-only: a failover makes the old primary so for a"
              + " moment, and qsync retries for retries.max_time. If it stays read-only, point the"
              + " connection at the primary, or make the server writable (SET GLOBAL read_only = OFF).";
      case LOCK_CONFLICT ->
          caller == Caller.RUN
              ? "Another transaction held locks the batch needed. "
                  + again
                  + "; if it keeps happening, lower batch_size or run the sync when the"
                  + " application writes less."
              : "Another transaction held locks "
                  + caller.work()
                  + " needed. "
                  + again
                  + (caller == Caller.SERVE
                      ? "."
                      : "; if it keeps happening, run it when the application writes less.");
      case CONNECTION -> again + ".";
      case SERVER_BUSY ->
          "The server is out of connections or memory for now. "
              + again
              + "; if it lasts, raise max_connections (or the user's max_user_connections) on the"
              + " server.";
      case TIMEOUT ->
          "A statement ran over its time limit or was interrupted. "
              + again
              + "; if it keeps happening, raise the connection's statement_timeout"
              + (caller == Caller.RUN ? " or lower batch_size." : ".");
      case UNKNOWN ->
          "qsync does not know error "
              + e.getErrorCode()
              + " (SQLSTATE "
              + e.getSQLState()
              + "). It may pass. "
              + again
              + "; if it fails the same way, look the code up in the server's error reference and"
              + " fix what it names.";
    };
  }

  /**
   * What to do once a passing failure outlasted its retries: a run resumes after its last committed
   * batch; a plan, verify, prune, validate, status or history keeps nothing, so it is simply tried
   * again later; serve reads its history again by itself.
   */
  static String again(Caller caller) {
    return switch (caller) {
      case RUN -> "Run again: the run resumes after its last committed batch";
      case SERVE ->
          "qsync serve reads the run history again on its next refresh (it keeps nothing to"
              + " resume)";
      case DUE_VERIFY -> Caller.NEXT_RUN_VERIFIES;
      case PLAN, VERIFY, HEAL, PRUNE, VALIDATE, STATUS, HISTORY ->
          "Try qsync " + caller.command() + " again later (it keeps nothing to resume)";
    };
  }

  /**
   * What to do about a foreign key that refuses {@code row}: 1452 and 1216 (the parent row is
   * missing) or 1451, 1217 and 3730 (other rows refer to it).
   */
  static String foreignKeyRemedy(int code, Optional<ForeignKey> key, String row) {
    String name = key.map(ForeignKey::name).orElse("of another table");
    String described = key.map(found -> " (" + found.describe() + ")").orElse("");
    if (code == 1452 || code == 1216) {
      String parent =
          key.map(found -> MySqlDialect.quote(found.parent())).orElse("the parent table");
      return "The foreign key "
          + name
          + described
          + " needs a row in "
          + parent
          + " for "
          + row
          + ". Insert the missing rows into "
          + parent
          + " first (sync it before this"
          + " table), or make the query return only values "
          + parent
          + " holds.";
    }
    if (code == 1761 || code == 1762) {
      return "The foreign key "
          + name
          + described
          + " would copy a changed key into a child"
          + " table, where it is a duplicate: fix the child rows, or the key in the query.";
    }
    String child = key.map(found -> MySqlDialect.quote(found.child())).orElse("another table");
    return "Rows of "
        + child
        + " refer to "
        + row
        + " through the foreign key "
        + name
        + described
        + ", so it cannot be deleted or its key changed. Delete or re-point those rows of "
        + child
        + " first, give the key ON DELETE CASCADE or SET NULL, or use mode: upsert, which never"
        + " deletes.";
  }

  private static String settingRemedy(int code) {
    return switch (code) {
      case 1129 ->
          "The server blocks this host after many failed connections: unblock it"
              + " (FLUSH HOSTS, or mariadb-admin flush-hosts), or raise max_connect_errors.";
      case 1226 ->
          "The account reached a resource limit (named above): lift it, e.g. ALTER USER"
              + " ... WITH MAX_QUERIES_PER_HOUR 0.";
      case 1197 ->
          "A batch needs more binary log cache than max_binlog_cache_size: lower the"
              + " sync's batch_size (and throttle.max_batch_size), or raise max_binlog_cache_size.";
      case 1206 ->
          "A batch takes more row locks than InnoDB's lock table holds: lower the"
              + " sync's batch_size (and throttle.max_batch_size), or raise innodb_buffer_pool_size.";
      case 1036, 1874 ->
          "The table, or InnoDB, is read-only on this server (innodb_read_only, or"
              + " a read-only engine): point the connection at a writable server.";
      case 3159 ->
          "The server requires TLS (require_secure_transport): set tls: required (or"
              + " verify-ca, verify-full) on the connection.";
      default ->
          "A setting of the server (named above) forbids this: change it on the server, or"
              + " point the connection at a server that allows it.";
    };
  }
}
