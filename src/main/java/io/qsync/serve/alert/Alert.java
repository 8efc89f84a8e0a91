package io.qsync.serve.alert;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * One alert as a webhook receives it: a JSON object with the sync, its run, the error, the age of
 * its last success, and a one-line {@code text} for a person (Slack shows it as it is). Immutable.
 *
 * @param runId the failed run's id, or the sync's newest run's for a stale sync
 * @param exitCode the exit code {@code qsync run} would have had (failures only)
 * @param error the error in full, as a person sees it (never a secret)
 * @param age the age of the sync's last success, when it ever succeeded
 * @param maxStaleness the sync's {@code max_staleness}
 * @param text one line for a person
 */
record Alert(
    Event event,
    String sync,
    Optional<String> runId,
    Optional<Integer> exitCode,
    Optional<String> error,
    Optional<Duration> age,
    Optional<Duration> maxStaleness,
    String text) {

  /** What happened. */
  enum Event {
    /** A run failed. */
    FAILURE,
    /** The sync's last success grew older than its {@code max_staleness}. */
    STALE;

    /** As the payload's {@code event} says it. */
    String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  Alert {
    requireNonNull(event, "event is null");
    requireNonNull(sync, "sync is null");
    requireNonNull(runId, "runId is null");
    requireNonNull(exitCode, "exitCode is null");
    requireNonNull(error, "error is null");
    requireNonNull(age, "age is null");
    requireNonNull(maxStaleness, "maxStaleness is null");
    requireNonNull(text, "text is null");
  }

  /** The payload posted. */
  String json() {
    ObjectNode body = JSON.createObjectNode();
    body.put("event", event.wire());
    body.put("sync", sync);
    runId.ifPresentOrElse(id -> body.put("run_id", id), () -> body.putNull("run_id"));
    exitCode.ifPresentOrElse(code -> body.put("exit_code", code), () -> body.putNull("exit_code"));
    error.ifPresentOrElse(message -> body.put("error", message), () -> body.putNull("error"));
    age.ifPresentOrElse(
        value -> body.put("age_seconds", value.toSeconds()), () -> body.putNull("age_seconds"));
    maxStaleness.ifPresentOrElse(
        value -> body.put("max_staleness_seconds", value.toSeconds()),
        () -> body.putNull("max_staleness_seconds"));
    body.put("text", slack(text));
    return body.toString();
  }

  /** A failed run's alert. */
  static Alert failure(
      String sync,
      Optional<String> runId,
      int exitCode,
      String error,
      Optional<Duration> age,
      Optional<Duration> maxStaleness) {
    String text =
        "qsync: sync '"
            + sync
            + "' failed (exit "
            + exitCode
            + runId.map(id -> ", run " + id).orElse("")
            + "): "
            + oneLine(error)
            + ". "
            + age.map(value -> "Last success " + describe(value) + " ago.")
                .orElse("No success known.");
    return new Alert(
        Event.FAILURE,
        sync,
        runId,
        Optional.of(exitCode),
        Optional.of(error),
        age,
        maxStaleness,
        text);
  }

  /**
   * A stale sync's alert.
   *
   * @param age the age of the last success; absent when it never succeeded
   * @param watched how long the service has watched a sync that never succeeded
   */
  static Alert stale(
      String sync,
      Optional<String> lastRunId,
      Optional<String> lastError,
      Optional<Duration> age,
      Duration watched,
      Duration maxStaleness) {
    String text =
        "qsync: sync '"
            + sync
            + "' is stale: "
            + age.map(value -> "last success " + describe(value) + " ago")
                .orElse("no success in the " + describe(watched) + " qsync serve has watched it")
            + ", max_staleness "
            + describe(maxStaleness)
            + "."
            + lastError.map(error -> " Last error: " + oneLine(error)).orElse("");
    return new Alert(
        Event.STALE,
        sync,
        lastRunId,
        Optional.empty(),
        lastError,
        age,
        Optional.of(maxStaleness),
        text);
  }

  /**
   * {@code text} as Slack reads it: its three control characters {@code &}, {@code <} and {@code >}
   * escaped ({@code <} starts a link or a mention), nothing else.
   */
  static String slack(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** The first line of a message, without control characters. */
  static String oneLine(String message) {
    int end = message.indexOf('\n');
    String first = end < 0 ? message : message.substring(0, end);
    return first.replaceAll("\\p{Cntrl}", " ").strip();
  }

  /** A duration as a person reads it: {@code 2h 5m}, {@code 3m 20s}, {@code 1d 2h}. */
  static String describe(Duration duration) {
    long seconds = Math.max(0, duration.toSeconds());
    long days = seconds / 86_400;
    long hours = seconds % 86_400 / 3600;
    long minutes = seconds % 3600 / 60;
    long rest = seconds % 60;
    if (days > 0) {
      return days + "d" + (hours > 0 ? " " + hours + "h" : "");
    }
    if (hours > 0) {
      return hours + "h" + (minutes > 0 ? " " + minutes + "m" : "");
    }
    if (minutes > 0) {
      return minutes + "m" + (rest > 0 ? " " + rest + "s" : "");
    }
    return rest + "s";
  }
}
