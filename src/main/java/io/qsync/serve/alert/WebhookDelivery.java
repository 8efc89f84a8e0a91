package io.qsync.serve.alert;

import static java.util.Objects.requireNonNull;

import io.qsync.Sleeper;
import io.qsync.config.Secret;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Posts one alert to one webhook, trying again after a timeout, a refused connection, a {@code 5xx}
 * or a {@code 429}, never after another {@code 4xx}. Each failed try is told on stderr with the
 * event, the sync and the status; the URL is a secret and never shown. Used by the delivery thread
 * of {@link WebhookAlerts} only; thread-safe.
 */
final class WebhookDelivery {
  /**
   * How hard to try.
   *
   * @param backoff the waits between tries: one more try than waits
   */
  record Policy(Duration connectTimeout, Duration requestTimeout, List<Duration> backoff) {
    /** 4 tries over about a minute: after 5 s, 15 s and 40 s; 5 s to connect, 10 s to answer. */
    static final Policy DEFAULT =
        new Policy(
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            List.of(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(40)));

    Policy {
      requireNonNull(connectTimeout, "connectTimeout is null");
      requireNonNull(requestTimeout, "requestTimeout is null");
      backoff = List.copyOf(backoff);
    }

    int tries() {
      return backoff.size() + 1;
    }
  }

  private final Policy policy;
  private final Sleeper sleeper;
  private final PrintStream errors;
  private final HttpClient client;

  WebhookDelivery(Policy policy, Sleeper sleeper, PrintStream errors) {
    this.policy = requireNonNull(policy, "policy is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.errors = requireNonNull(errors, "errors is null");
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(policy.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            // HTTP/1.1 for every endpoint: one small POST gains nothing from HTTP/2, and the h2c
            // upgrade headers sent to a plain http:// URL trip up some receivers and proxies
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /**
   * Posts {@code alert} to {@code url} until it is delivered or there is no point trying again.
   *
   * @return whether an answer {@code 2xx} came
   * @throws InterruptedException when the service stops while it waits to try again
   */
  boolean deliver(Alert alert, Secret url) throws InterruptedException {
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(URI.create(url.reveal()))
              .timeout(policy.requestTimeout())
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(alert.json(), StandardCharsets.UTF_8))
              .build();
    } catch (IllegalArgumentException e) {
      // the message would quote the URL
      tell(alert, "the webhook URL (" + url.origin() + ") is not an http(s) URL", 1, "fix it");
      return false;
    }
    for (int attempt = 1; ; attempt++) {
      String failure;
      boolean worthRetrying;
      try {
        int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status >= 200 && status < 300) {
          return true;
        }
        failure = "HTTP " + status;
        worthRetrying = status >= 500 || status == 429;
      } catch (HttpTimeoutException e) {
        failure = "no answer within " + policy.requestTimeout().toSeconds() + "s";
        worthRetrying = true;
      } catch (ConnectException e) {
        failure = "cannot connect";
        worthRetrying = true;
      } catch (IOException e) {
        failure = e.getClass().getSimpleName() + scrubbed(e.getMessage(), url);
        worthRetrying = true;
      }
      if (!worthRetrying) {
        tell(alert, failure, attempt, "not trying again: the endpoint refuses it (check the URL)");
        return false;
      }
      if (attempt == policy.tries()) {
        tell(alert, failure, attempt, "gave up");
        return false;
      }
      Duration wait = policy.backoff().get(attempt - 1);
      tell(alert, failure, attempt, "trying again in " + Alert.describe(wait));
      sleeper.sleep(wait);
    }
  }

  private void tell(Alert alert, String failure, int attempt, String next) {
    errors.println(
        "qsync serve: alert '"
            + alert.event().wire()
            + "' of sync '"
            + alert.sync()
            + "' not delivered: "
            + failure
            + " (try "
            + attempt
            + " of "
            + policy.tries()
            + "); "
            + next);
  }

  /** An I/O error's message without the URL or its path, which are secret. */
  private static String scrubbed(String message, Secret url) {
    if (message == null || message.isBlank()) {
      return "";
    }
    String clean = message.replace(url.reveal(), "<webhook>");
    String path = URI.create(url.reveal()).getRawPath();
    if (path != null && path.length() > 1) {
      clean = clean.replace(path, "<path>");
    }
    return " (" + Alert.oneLine(clean) + ")";
  }
}
