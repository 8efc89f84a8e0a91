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

  public static ChangeKind ofCode(String code) {
    for (ChangeKind kind : values()) {
      if (code.length() == 1 && kind.code == code.charAt(0)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown change code: " + code);
  }
}
