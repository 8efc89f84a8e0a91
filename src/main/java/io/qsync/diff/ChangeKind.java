package io.qsync.diff;

/** What one change does to the target. Stored in the stage as its code. */
public enum ChangeKind {
  INSERT('I'),
  UPDATE('U'),
  DELETE('D');

  private final char code;

  ChangeKind(char code) {
    this.code = code;
  }

  public char code() {
    return code;
  }

  /** The kind of a code given as its code point, as the stage reads it. */
  public static ChangeKind ofCode(int code) {
    for (ChangeKind kind : values()) {
      if (kind.code == code) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown change code: " + Character.toString(code));
  }
}
