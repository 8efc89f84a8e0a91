package io.qsync.testing;

import io.qsync.verify.LongText;
import org.junit.jupiter.api.Assumptions;

/**
 * A DuckDB table of texts around {@link LongText#BYTES} (64 KiB), past which verify and {@code
 * compare: hashes} render a text as its length and MD5 instead of its bytes: columns {@code id},
 * {@code t} and {@code u} (VARCHAR). A side that counted characters instead of bytes, or hashed
 * other bytes than the UTF-8 ones, would render rows 3 to 6 differently from the other side.
 *
 * <ul>
 *   <li>1: {@code Zoë}, 4 bytes
 *   <li>2: 64 KiB − 1 bytes of {@code a}
 *   <li>3: exactly 64 KiB, as 32 Ki two-byte {@code é}
 *   <li>4: 64 KiB + 1 bytes, a three-byte {@code €} straddling the threshold (64 KiB − 1
 *       characters)
 *   <li>5: 64 KiB + 1 bytes, a two-byte {@code é} straddling it (exactly 64 Ki characters)
 *   <li>6: 200 KiB of {@code ü€}, and {@code u} 80,000 bytes of {@code x|}
 * </ul>
 */
public final class LongTexts {
  private LongTexts() {}

  /** The key of the row whose text is 64 KiB + 1 bytes, its last character a three-byte one. */
  public static final int STRADDLING = 4;

  /** Creates table {@code name} (which may be qualified: {@code ds.src}). */
  public static String table(String name) {
    int bytes = LongText.BYTES;
    return "CREATE TABLE "
        + name
        + " AS SELECT * FROM (VALUES"
        + " (1, 'Zo\u00eb', NULL),"
        + (" (2, repeat('a', " + (bytes - 1) + "), NULL),")
        + (" (3, repeat('\u00e9', " + bytes / 2 + "), NULL),")
        + (" (4, repeat('a', " + (bytes - 2) + ") || '\u20ac', NULL),")
        + (" (5, repeat('a', " + (bytes - 1) + ") || '\u00e9', NULL),")
        + " (6, repeat('\u00fc\u20ac', 40960), repeat('x|', 40000))"
        + ") AS v(id, t, u)";
  }

  /**
   * How many bytes each of two texts of one row holds so that the two together exceed the server's
   * {@code max_allowed_packet} (past which MariaDB's CONCAT returns NULL) while each stays below
   * it: 3/5 of it. A session cannot lower the value, so a test uses the server's, and is skipped on
   * a server whose value is too large to exceed here (over 64 MB).
   */
  public static long eachOfTwoBeyondThePacket(TestDatabase database) {
    long packet = Long.parseLong(database.rows("SELECT @@max_allowed_packet").get(0).get(0));
    Assumptions.assumeTrue(
        packet <= 64 << 20, "max_allowed_packet is " + packet + ", too large to exceed here");
    return packet * 3 / 5;
  }

  /**
   * MySQL that changes one byte of row {@link #STRADDLING}'s {@code t} in table {@code table}, its
   * length kept: its first {@code a} becomes {@code b}.
   */
  public static String changeOneByte(String table) {
    return "UPDATE " + table + " SET t = CONCAT('b', SUBSTRING(t, 2)) WHERE id = " + STRADDLING;
  }
}
