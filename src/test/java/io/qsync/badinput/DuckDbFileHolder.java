package io.qsync.badinput;

import io.qsync.duckdb.DuckDbLibrary;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A child process that opens a DuckDB file for writing, and so holds DuckDB's lock on it, until it
 * is killed (or for the milliseconds its second argument gives): another process that opens the
 * file meanwhile is refused. It prints "held" once it holds the lock.
 */
public final class DuckDbFileHolder {
  private DuckDbFileHolder() {}

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
