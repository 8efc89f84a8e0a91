package io.qsync;

/** Pieces of messages shown to a person. Stateless; thread-safe. */
public final class Messages {
  private Messages() {}

  /** A message up to its first line break: the cause without its remedy. */
  public static String firstLine(String message) {
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }

  /** The first line of an error's message ({@code null} when it has none). */
  public static String firstLine(Throwable error) {
    return firstLine(String.valueOf(error.getMessage()));
  }
}
