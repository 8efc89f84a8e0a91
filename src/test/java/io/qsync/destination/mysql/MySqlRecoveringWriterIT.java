package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.TransientException;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.Secret;
import io.qsync.destination.Destination;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.state.RunRecord;
import io.qsync.state.SyncLock;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The case a retry must get right: a batch whose COMMIT reached the server, but whose connection
 * was lost before the client heard so. Trying it again must not write it twice; the checkpoint,
 * committed with the rows, tells that it is done.
 */
@ExtendWith(MariaDbExtension.class)
class MySqlRecoveringWriterIT {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", SqlType.of(SqlType.Kind.BIGINT)),
          new Column("v", SqlType.of(SqlType.Kind.VARCHAR)));

  @Test
  void aBatchCommittedBeforeItsConnectionWasLostIsNotWrittenAgain(TestDatabase database) {
    database.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR(10))");
    try (MySqlDestination target =
            new MySqlDestination(
                new MySqlConnectionConfig("app", database.url(), "root", new Secret(""), Map.of()),
                Clock.systemUTC());
        SyncLock lock = target.lock("s", Duration.ofSeconds(1))) {
      target.runs().prepare();
      target
          .runs()
          .insert(RunRecord.started("r1", "s", "t", "mirror", Instant.now(), "host", 1, 0));
      boolean[] loseAfterCommit = {true};
      Destination.ChangeWriter writer =
          new MySqlRecoveringWriter(
              target.connections(),
              session -> {
                Destination.ChangeWriter real =
                    new MySqlChangeWriter(
                        session,
                        MySqlDialect.MARIADB,
                        "t",
                        COLUMNS,
                        List.of("id"),
                        Destination.Writes.DIFFED,
                        "r1",
                        lock,
                        Clock.systemUTC(),
                        "connection 'app'",
                        new MySqlMovedValues.Pending());
                return new Destination.ChangeWriter() {
                  @Override
                  public void apply(List<Change> batch, long afterSeq) {
                    real.apply(batch, afterSeq);
                    if (loseAfterCommit[0]) {
                      loseAfterCommit[0] = false;
                      close(session); // as the driver does when the socket dies
                      throw new TransientException("connection lost after COMMIT", null);
                    }
                  }

                  @Override
                  public java.util.Optional<String> finish() {
                    return real.finish();
                  }
                };
              },
              "r1",
              lock);
      List<Change> first = List.of(insert(1, "a"), insert(2, "b"));

      assertThat(catchThrowableOfType(TransientException.class, () -> writer.apply(first, 0)))
          .hasMessage("connection lost after COMMIT");
      writer.apply(first, 0); // the retry
      writer.apply(List.of(insert(3, "c")), 2);

      assertThat(database.rows("SELECT id, v FROM t ORDER BY id"))
          .containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("3", "c"));
      assertThat(database.rows("SELECT applied_through, batches_applied FROM _qsync_runs"))
          .containsExactly(List.of("3", "2"));
    }
  }

  private static Change insert(long seq, String value) {
    return new Change(seq, ChangeKind.INSERT, new Object[] {seq, value});
  }

  private static void close(Connection session) {
    try {
      session.close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
