package io.qsync.destination.mysql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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
    String hash = hash(table).substring(0, 8);
    return table.substring(0, MAX_NAME - suffix.length() - 9) + "_" + hash + suffix;
  }

  static String hash(String text) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
