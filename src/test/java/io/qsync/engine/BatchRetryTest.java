package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.Sleeper;
import io.qsync.TransientException;
import io.qsync.config.RetryConfig;
import io.qsync.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BatchRetryTest {
  private final ManualClock clock = new ManualClock();
  private final List<Duration> waits = new ArrayList<>();

  private final Sleeper sleeper =
      wait -> {
        waits.add(wait);
        clock.advance(wait);
      };

  private BatchRetry retry(RetryConfig config, double random) {
    return new BatchRetry(config, sleeper, clock, () -> random, Progress.silent());
  }

  @Test
  void triesAPassingErrorAgainWithGrowingCappedWaits() {
    BatchRetry retry = retry(new RetryConfig(6, Duration.ofSeconds(1)), 0.999_999);
    int[] calls = {0};

    retry.run(
        "batch ending at change 100",
        () -> {
          if (++calls[0] < 6) {
            throw new TransientException("Deadlock found when trying to get lock", null);
          }
        });

    assertThat(calls[0]).isEqualTo(6);
    assertThat(retry.retries()).isEqualTo(5);
    assertThat(waits)
        .containsExactly(
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(800),
            Duration.ofMillis(1000),
            Duration.ofMillis(1000));
  }

  @Test
  void jitterTakesARandomHalfOfTheWait() {
    BatchRetry retry = retry(RetryConfig.DEFAULT, 0.0);

    assertThat(retry.backoff(3)).isEqualTo(Duration.ofMillis(400));
  }

  @Test
  void givesUpAfterMaxAttemptsSayingHowOftenAndHowLongItTried() {
    BatchRetry retry = retry(new RetryConfig(3, Duration.ofSeconds(1)), 0.5);

    TransientException error =
        catchThrowableOfType(
            TransientException.class,
            () ->
                retry.run(
                    "b",
                    () -> {
                      throw new TransientException(
                          "connection 'app': could not apply: lock wait timeout\nRun again.", null);
                    }));

    assertThat(error.getMessage())
        .isEqualTo(
            "connection 'app': could not apply: lock wait timeout (tried 3 times over 0.5s)\nRun again.");
    assertThat(retry.retries()).isEqualTo(2);
  }

  /**
   * Issue 12, case 11: five tries took about two seconds, so a three-second restart failed the run.
   * By default a step is retried for a minute, whatever the count.
   */
  @Test
  void byDefaultKeepsTryingForAMinuteThenGivesUpWithTheLastCause() {
    BatchRetry retry = retry(RetryConfig.DEFAULT, 0.999_999);
    int[] calls = {0};

    TransientException error =
        catchThrowableOfType(
            TransientException.class,
            () ->
                retry.run(
                    "b",
                    () -> {
                      calls[0]++;
                      clock.advance(Duration.ofMillis(10)); // each try takes a moment too
                      throw new TransientException(
                          "connection 'app' (jdbc:mariadb://db:3306/app): could not apply"
                              + " the batch ending at change 300: Socket error\nRun again: the run resumes.",
                          null);
                    }));

    Duration waited = waits.stream().reduce(Duration.ZERO, Duration::plus);
    assertThat(waited.plusMillis(10L * (calls[0] - 2)))
        .as("the last try starts at max_time, not later")
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(waits)
        .as("the waits grow to max_backoff; the last is cut to the time left")
        .startsWith(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800))
        .allSatisfy(wait -> assertThat(wait).isLessThanOrEqualTo(Duration.ofSeconds(30)));
    assertThat(calls[0]).isBetween(8, 12);
    assertThat(error.kind()).isEqualTo(ErrorKind.FAILED);
    assertThat(error.getMessage())
        .startsWith(
            "connection 'app' (jdbc:mariadb://db:3306/app): could not apply the batch ending"
                + " at change 300: Socket error (tried "
                + calls[0]
                + " times over 60.0s)")
        .endsWith("Run again: the run resumes.");
  }

  @Test
  void aRestartShorterThanMaxTimeIsRiddenOut() {
    BatchRetry retry = retry(RetryConfig.DEFAULT, 0.5);
    var restartedAt = clock.instant().plusSeconds(20);

    retry.run(
        "batch ending at change 300",
        () -> {
          if (clock.instant().isBefore(restartedAt)) {
            throw new TransientException("Connection refused", null);
          }
        });

    assertThat(clock.instant()).isAfterOrEqualTo(restartedAt);
  }

  @Test
  void aStillClockCannotRetryForever() {
    BatchRetry retry =
        new BatchRetry(
            RetryConfig.DEFAULT,
            waits::add,
            java.time.Clock.fixed(clock.instant(), java.time.ZoneOffset.UTC),
            () -> 0.5,
            Progress.silent());

    catchThrowableOfType(
        TransientException.class,
        () ->
            retry.run(
                "b",
                () -> {
                  throw new TransientException("Connection refused", null);
                }));

    assertThat(waits.stream().reduce(Duration.ZERO, Duration::plus))
        .isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void aServerStillReadOnlyAfterMaxTimeNeedsAPerson() {
    BatchRetry retry = retry(RetryConfig.DEFAULT, 0.5);

    QsyncException error =
        catchThrowableOfType(
            QsyncException.class,
            () ->
                retry.run(
                    "b",
                    () -> {
                      throw new TransientException(
                          "connection 'app': could not apply: running with --read-only\n"
                              + "If it stays read-only, point the connection at the primary.",
                          null,
                          ErrorKind.NEEDS_ACTION);
                    }));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains("(tried ")
        .endsWith("point the connection at the primary.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"one attempt", "no time"})
  void noRetriesAtAll(String limit) {
    RetryConfig none =
        limit.equals("one attempt")
            ? RetryConfig.NONE
            : new RetryConfig(100, Duration.ofSeconds(30), Duration.ZERO);
    BatchRetry retry = retry(none, 0.5);
    int[] calls = {0};

    catchThrowableOfType(
        TransientException.class,
        () ->
            retry.run(
                "b",
                () -> {
                  calls[0]++;
                  throw new TransientException("Connection refused", null);
                }));

    assertThat(calls[0]).isEqualTo(1);
    assertThat(waits).isEmpty();
  }

  @Test
  void returnsWhatTheStepReturns() {
    BatchRetry retry = retry(RetryConfig.DEFAULT, 0.5);
    int[] calls = {0};

    String lock =
        retry.call(
            "take the lock",
            () -> {
              if (++calls[0] == 1) {
                throw new TransientException("Connection refused", null);
              }
              return "lock";
            });

    assertThat(lock).isEqualTo("lock");
    assertThat(retry.retries()).isEqualTo(1);
  }

  @Test
  void otherErrorsPassThroughAtOnce() {
    BatchRetry retry = retry(RetryConfig.DEFAULT, 0.5);
    int[] calls = {0};

    QsyncException error =
        catchThrowableOfType(
            QsyncException.class,
            () ->
                retry.run(
                    "b",
                    () -> {
                      calls[0]++;
                      throw new QsyncException(
                          ErrorKind.NEEDS_ACTION, "value too long for column name");
                    }));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(calls[0]).isEqualTo(1);
    assertThat(waits).isEmpty();
  }
}
