package io.qsync.verify;

/**
 * Where the canonical rendering of text (docs/verify.md) stops carrying the text itself: a text of
 * at most {@link #BYTES} bytes renders as its length in bytes, {@code :} and its bytes, inside the
 * row's one MD5; a longer one as its length, {@code #} and the lower-case hex MD5 of its bytes. So
 * a long text adds some 50 bytes to its row's rendering (MySQL's {@code CONCAT} returns NULL past
 * {@code max_allowed_packet}, 16 MB on MariaDB, 4 MB on older MySQL, and may be set lower; a row of
 * hundreds of shorter texts can still pass it, which verify reports), and an MD5 of its own is paid
 * only for a long text. Every side (MySQL, DuckDB, GoogleSQL) renders with this same threshold.
 * Constants only.
 */
public final class LongText {
  /** 64 KiB: a text of more bytes than this renders as its length and MD5. */
  public static final int BYTES = 64 * 1024;

  private LongText() {}
}
