package io.qsync.destination.mysql;

import io.qsync.Sha256;

/**
 * Names of the tables {@code replace} mode builds beside the target table. MySQL names are at most
 * 64 characters; a long table name is shortened and given a hash so names stay unique. Pure.
 */
public final class MySqlShadow {
  private static final int MAX_NAME = 64;

  private MySqlShadow() {}

  public static String shadowName(String table) {
    return derived(table, "__qsync_new");
  }

  static String oldName(String table) {
    return derived(table, "__qsync_old");
  }

  static String derived(String table, String suffix) {
    String name = table + suffix;
    if (name.length() <= MAX_NAME) {
      return name;
    }
    String hash = Sha256.hex(table).substring(0, 8);
    return table.substring(0, MAX_NAME - suffix.length() - 9) + "_" + hash + suffix;
  }
}
