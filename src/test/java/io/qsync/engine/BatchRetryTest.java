package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.TransientException;
import io.qsync.config.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchRetryTest {
  private final List<Duration> waits = new ArrayList<>();

  @Test
  void triesAPassingErrorAgainWithGrowingCappedWaits() {
    BatchRetry retry = new BatchRetry(new RetryConfig(6, Duration.ofSeconds(1)), waits::add, () -> 0.999_999, Progress.silent());
    int[] calls = {0};

    retry.run("batch ending at change 100", () -> {
      if (++calls[0] < 6) {
        throw new TransientException("Deadlock found when trying to get lock", null);
      }
    });

    assertThat(calls[0]).isEqualTo(6);
    assertThat(retry.retries()).isEqualTo(5);
    assertThat(waits).containsExactly(
        Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800),
        Duration.ofMillis(1000), Duration.ofMillis(1000));
  }

  @Test
  void jitterTakesARandomHalfOfTheWait() {
    BatchRetry retry = new BatchRetry(RetryConfig.DEFAULT, waits::add, () -> 0.0, Progress.silent());

    assertThat(retry.backoff(3)).isEqualTo(Duration.ofMillis(400));
  }

  @Test
  void givesUpAfterMaxAttemptsSayingHowOftenItTried() {
    BatchRetry retry = new BatchRetry(new RetryConfig(3, Duration.ofSeconds(1)), waits::add, () -> 0.5, Progress.silent());

    TransientException error = catchThrowableOfType(TransientException.class, () -> retry.run("b", () -> {
      throw new TransientException("connection 'app': could not apply: lock wait timeout\nRun again.", null);
    }));

    assertThat(error.getMessage()).isEqualTo("connection 'app': could not apply: lock wait timeout (tried 3 times)\nRun again.");
    assertThat(retry.retries()).isEqualTo(2);
  }

  @Test
  void otherErrorsPassThroughAtOnce() {
    BatchRetry retry = new BatchRetry(RetryConfig.DEFAULT, waits::add, () -> 0.5, Progress.silent());
    int[] calls = {0};

    QsyncException error = catchThrowableOfType(QsyncException.class, () -> retry.run("b", () -> {
      calls[0]++;
      throw new QsyncException(ErrorKind.NEEDS_ACTION, "value too long for column name");
    }));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(calls[0]).isEqualTo(1);
    assertThat(waits).isEmpty();
  }
}
