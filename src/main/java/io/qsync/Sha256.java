package io.qsync;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 as lowercase hex: the stable hashes in qsync's names and fingerprints (stage files,
 * shadow tables, lock names, result tables, snapshot states). Stateless; thread-safe.
 */
public final class Sha256 {
  private Sha256() {}

  /** The SHA-256 of the text's UTF-8 bytes, as 64 lowercase hex digits. */
  public static String hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
