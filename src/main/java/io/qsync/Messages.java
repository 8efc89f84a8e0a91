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

  /**
   * A duration for people: {@code 850ms}, {@code 12.3s}, {@code 4m05s}, {@code 2h03m}, {@code
   * 3d04h}.
   */
  public static String duration(java.time.Duration duration) {
    long millis = duration.toMillis();
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis < 59_950) {
      return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    long seconds = Math.round(millis / 1000.0);
    if (seconds < 3600) {
      return String.format(java.util.Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    if (seconds < 86400) {
      return String.format(java.util.Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }
    return String.format(
        java.util.Locale.ROOT, "%dd%02dh", seconds / 86400, seconds % 86400 / 3600);
  }
}
