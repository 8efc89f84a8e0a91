package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.QsyncException;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.Secret;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.testing.HostileMariaDbServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LOAD DATA LOCAL lets a server ask the client for a file. A hostile or hijacked server must not
 * get one of the machine's files out of qsync, whatever it asks for and whenever it asks.
 */
class LoadDataSecurityIT {
  private static final String SECRET = "TOP-SECRET-do-not-send";

  @TempDir Path dir;

  private Path secretFile() throws Exception {
    Path file = dir.resolve("secret.txt");
    Files.writeString(file, SECRET + "\n");
    return file;
  }

  @Test
  void aServerAnsweringAnyQueryWithAFileRequestGetsNoFile() throws Exception {
    try (HostileMariaDbServer server =
        new HostileMariaDbServer(
            secretFile().toString(), HostileMariaDbServer.Destination.EVERY_QUERY)) {
      MySqlConnectionConfig config =
          new MySqlConnectionConfig(
              "app",
              "jdbc:mariadb://127.0.0.1:" + server.port() + "/app",
              "root",
              new Secret(""),
              Map.of("allowLocalInfile", "true"));
      try (MySqlDestination target = new MySqlDestination(config, Clock.systemUTC())) {
        QsyncException error =
            catchThrowableOfType(QsyncException.class, () -> target.describe("t"));

        assertThat(error).as("the session cannot be used").isNotNull();
      }
      assertThat(server.requests()).as("the server asked for the file").isPositive();
      assertThat(new String(server.receivedFileContent(), StandardCharsets.UTF_8))
          .doesNotContain(SECRET)
          .isEmpty();
    }
  }

  @Test
  void loadDataSendsQsyncsOwnRowsWhateverFileTheServerAsksFor() throws Exception {
    try (HostileMariaDbServer server =
        new HostileMariaDbServer(
            secretFile().toString(), HostileMariaDbServer.Destination.LOAD_DATA_ONLY)) {
      Properties properties = new Properties();
      properties.setProperty("user", "root");
      properties.setProperty("allowLocalInfile", "true");
      List<Column> columns =
          List.of(
              new Column("id", new SqlType(SqlType.Kind.BIGINT, 0, 0)),
              new Column("name", new SqlType(SqlType.Kind.VARCHAR, 0, 0)));
      List<Change> rows = new ArrayList<>();
      for (int i = 1; i <= MySqlLoadData.MIN_ROWS; i++) {
        rows.add(
            new Change(i, ChangeKind.INSERT, new Object[] {(long) i, i == 1 ? "tab\there" : null}));
      }
      try (Connection connection =
          DriverManager.getConnection(
              "jdbc:mariadb://127.0.0.1:" + server.port() + "/app", properties)) {
        boolean loaded = new MySqlLoadData("t", columns).load(connection, rows);

        assertThat(loaded).isTrue();
      }
      String sent = new String(server.receivedFileContent(), StandardCharsets.UTF_8);
      assertThat(server.requests()).isEqualTo(1);
      assertThat(sent).doesNotContain(SECRET).startsWith("1\ttab\\there\n2\t\\N\n3\t\\N\n");
      assertThat(sent.lines()).hasSize(MySqlLoadData.MIN_ROWS);
    }
  }
}
