package io.qsync.tools.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.cli.Main;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(MariaDbExtension.class)
class SoakIT {
  @TempDir Path dir;

  @Test
  void measuresTheApplicationAloneAndWithQsyncThenDropsItsDatabase(TestDatabase database)
      throws Exception {
    String scratch = database.name() + "_soak";
    Path json = dir.resolve("soak.json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            new String[] {
              "soak",
              "--host",
              database.host(),
              "--port",
              Integer.toString(database.port()),
              "--database",
              scratch,
              "--rows",
              "500",
              "--clients",
              "2",
              "--seconds",
              "1",
              "--dir",
              dir.toString(),
              "--json",
              json.toString(),
              "--throttle",
              "max_rows_per_second=500",
              "--load-change"
            },
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false,
            Clock.systemUTC());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("application alone")
        .contains("qsync, unthrottled")
        .contains("qsync, default")
        .contains("qsync, fixed rate")
        .contains("p99 as a multiple")
        .contains("signals against the application's p99")
        .contains("trace of 'qsync, default, load', a line a second:");
    JsonNode figures = new ObjectMapper().readTree(json.toFile());
    assertThat(figures.get("phases")).hasSize(5);
    assertThat(figures.at("/phases/4/trace").size())
        .as("a line a second of the 3-second load-change phase")
        .isGreaterThanOrEqualTo(2);
    assertThat(figures.at("/phases/0/reads").asLong()).isPositive();
    assertThat(figures.at("/phases/0/sync_runs").asInt()).isZero();
    assertThat(figures.at("/phases/1/sync_runs").asInt()).isPositive();
    assertThat(figures.at("/phases/1/rows_written").asLong()).isPositive();
    assertThat(database.rows("SHOW DATABASES LIKE '" + scratch + "'")).isEmpty();
  }

  @Test
  void refusesADatabaseThatExistsAndLeavesItAsItWas(TestDatabase database) {
    database.execute("CREATE TABLE kept (id INT PRIMARY KEY)", "INSERT INTO kept VALUES (1)");
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            new String[] {
              "soak",
              "--url",
              "jdbc:mariadb://" + database.host() + ":" + database.port() + "/",
              "--database",
              database.name(),
              "--rows",
              "100",
              "--seconds",
              "1",
              "--dir",
              dir.toString()
            },
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            false,
            Clock.systemUTC());

    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString())
        .contains("soak: database " + database.name() + " exists")
        .contains("Name another with --database");
    assertThat(database.rows("SELECT id FROM kept")).containsExactly(java.util.List.of("1"));
  }

  @Test
  void refusesADatabaseNameItCouldNotSafelyDrop(TestDatabase database) {
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            new String[] {"soak", "--database", "app`; DROP DATABASE mysql; --"},
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            false,
            Clock.systemUTC());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--database must be a plain name");
  }
}
