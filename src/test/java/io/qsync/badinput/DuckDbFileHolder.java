package io.qsync.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.duckdb.DuckDbLibrary;
import io.qsync.testing.ChildProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * A child process that opens a DuckDB file for writing, and so holds DuckDB's lock on it, until it
 * is killed (or for the milliseconds its second argument gives): another process that opens the
 * file meanwhile is refused. It prints "held" once it holds the lock.
 */
public final class DuckDbFileHolder {
  private DuckDbFileHolder() {}

  /**
   * Starts a holder of {@code file} for {@code holdMillis} (-1: until it is closed), its output in
   * {@code folder}, and returns once it holds the file.
   */
  public static ChildProcess hold(Path folder, Path file, long holdMillis)
      throws InterruptedException {
    ChildProcess holder =
        ChildProcess.start(
            folder, "holder", DuckDbFileHolder.class, file.toString(), Long.toString(holdMillis));
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    // Polling is the only way to wait on another process.
    while (!holder.stdout().contains("held")) {
      assertThat(holder.isAlive()).as("the holder; output:\n%s", holder.output()).isTrue();
      assertThat(Instant.now()).as("the holder holds the file in time").isBefore(deadline);
      Thread.sleep(20);
    }
    return holder;
  }

  public static void main(String[] args) throws SQLException, InterruptedException {
    DuckDbLibrary.load();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + args[0])) {
      System.out.println("held");
      System.out.flush();
      long holdMillis = args.length > 1 ? Long.parseLong(args[1]) : -1;
      Thread.sleep(holdMillis < 0 ? Long.MAX_VALUE : holdMillis);
    }
  }
}
