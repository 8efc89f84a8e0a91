package io.qsync.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qsync.QsyncException;
import io.qsync.config.ConfigLoader;
import io.qsync.config.DuckDbConnectionConfig;
import io.qsync.config.Mode;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.QsyncConfig;
import io.qsync.config.SyncConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoConfigTest {
  private static final Path COMMITTED = Path.of("demo", DemoConfig.FILE_NAME);

  @TempDir Path dir;

  @Test
  void committedConfigIsTheOneTheDemoWrites() throws IOException {
    assertThat(Files.readString(COMMITTED, StandardCharsets.UTF_8))
        .as("demo/qsync.yaml drifted from DemoConfig; copy DemoConfig.defaultText() into it")
        .isEqualTo(DemoConfig.defaultText());
  }

  @Test
  void defaultConfigTargetsLocalServerUnlessEnvironmentSaysOtherwise() {
    Path file = dir.resolve(DemoConfig.FILE_NAME);
    assertThat(DemoConfig.writeIfAbsent(file)).isTrue();

    QsyncConfig local = ConfigLoader.load(file, Map.of());
    SyncConfig sync = local.sync(DemoConfig.SYNC).orElseThrow();
    assertThat(sync.mode()).isEqualTo(Mode.MIRROR);
    assertThat(sync.key()).containsExactly("user_id");
    assertThat(sync.createTable()).isTrue();
    assertThat(sync.batchSize()).isEqualTo(1000);
    assertThat(sync.query()).isEqualTo(DemoWarehouse.TARGETING_QUERY);
    assertThat(local.connection(sync.source()))
        .isEqualTo(
            new DuckDbConnectionConfig(
                "warehouse", Optional.of(dir.resolve("warehouse.duckdb")), List.of()));
    MySqlConnectionConfig target = (MySqlConnectionConfig) local.connection(sync.target());
    assertThat(target.url()).isEqualTo("jdbc:mariadb://127.0.0.1:3306/qsync_demo");
    assertThat(target.user()).isEqualTo("root");
    assertThat(target.password().isEmpty()).isTrue();

    QsyncConfig elsewhere =
        ConfigLoader.load(
            file,
            Map.of(
                "QSYNC_DEMO_URL",
                "jdbc:mysql://db.internal:3307/demo",
                "QSYNC_DEMO_USER",
                "qsync",
                "QSYNC_DEMO_PASSWORD",
                "secret"));
    MySqlConnectionConfig remote = (MySqlConnectionConfig) elsewhere.connection(sync.target());
    assertThat(remote.url()).isEqualTo("jdbc:mysql://db.internal:3307/demo");
    assertThat(remote.user()).isEqualTo("qsync");
    assertThat(remote.password().reveal()).isEqualTo("secret");
  }

  @Test
  void neverOverwritesAConfigThatIsThere() throws IOException {
    Path file = dir.resolve(DemoConfig.FILE_NAME);
    Files.writeString(file, "# mine\n");
    assertThat(DemoConfig.writeIfAbsent(file)).isFalse();
    assertThat(Files.readString(file)).isEqualTo("# mine\n");
  }

  @Test
  void urlSplitsIntoServerAndDatabase() {
    DemoTarget.JdbcUrl url =
        DemoTarget.JdbcUrl.parse("jdbc:mariadb://127.0.0.1:3306/qsync_demo?useSsl=false");
    assertThat(url.database()).isEqualTo("qsync_demo");
    assertThat(url.serverUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:3306/?useSsl=false");
    assertThat(url.databaseUrl())
        .isEqualTo("jdbc:mariadb://127.0.0.1:3306/qsync_demo?useSsl=false");
    assertThat(url.location()).isEqualTo("127.0.0.1:3306/qsync_demo");

    DemoTarget.JdbcUrl mySql = DemoTarget.JdbcUrl.parse("jdbc:mysql://db:3306/app");
    assertThat(mySql.serverUrl()).isEqualTo("jdbc:mysql://db:3306/?permitMysqlScheme");
    assertThat(mySql.databaseUrl()).isEqualTo("jdbc:mysql://db:3306/app?permitMysqlScheme");
  }

  @Test
  void urlWithoutDatabaseIsRefusedWithRemedy() {
    assertThatThrownBy(() -> DemoTarget.JdbcUrl.parse("jdbc:mariadb://127.0.0.1:3306/"))
        .isInstanceOf(QsyncException.class)
        .hasMessageContaining("names no database")
        .hasMessageContaining("jdbc:mariadb://127.0.0.1:3306/qsync_demo");
  }
}
