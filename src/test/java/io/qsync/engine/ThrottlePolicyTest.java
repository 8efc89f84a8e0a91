package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.ThrottleConfig;
import io.qsync.engine.ThrottleDecision.Action;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ThrottlePolicyTest {
  private static final ThrottleConfig LIMITS =
      ThrottleConfig.builder()
          .batchTime(Duration.ZERO)
          .criticalThreadsRunning(200)
          .replicas(List.of("r1"))
          .criticalReplicaLag(Duration.ofSeconds(60))
          .probeInterval(Duration.ZERO)
          .withoutSelfThrottle()
          .build();
  private final ThrottlePolicy policy = new ThrottlePolicy(LIMITS);

  @Test
  void goesWhileEverythingIsBelowItsLimit() {
    assertThat(policy.decide(sample(49, lag(4_900)))).isEqualTo(ThrottleDecision.GO);
  }

  @Test
  void pausesAtMaxThreadsRunningWithTheObservedValueInTheReason() {
    ThrottleDecision decision = policy.decide(sample(61, lag(0)));

    assertThat(decision.action()).isEqualTo(Action.PAUSE);
    assertThat(decision.reason()).isEqualTo("Threads_running=61 >= 50");
    assertThat(decision.rule()).isEqualTo("Threads_running >= 50");
  }

  @Test
  void pausesWhileAReplicaLagsOrDoesNotReplicate() {
    assertThat(policy.decide(sample(1, lag(7_200))).reason())
        .isEqualTo("replica 'r1' lag 7.2s >= 5s");
    ThrottleDecision stopped =
        policy.decide(
            sample(1, new LoadSample.ReplicaLag("r1", Optional.empty(), "is not replicating")));
    assertThat(stopped.action()).isEqualTo(Action.PAUSE);
    assertThat(stopped.reason()).isEqualTo("replica 'r1' is not replicating");
  }

  @Test
  void abortsAtACriticalThresholdRatherThanPausing() {
    ThrottleDecision threads = policy.decide(sample(200, lag(0)));
    ThrottleDecision lag = policy.decide(sample(1, lag(60_000)));

    assertThat(threads.action()).isEqualTo(Action.ABORT);
    assertThat(threads.reason()).isEqualTo("Threads_running=200 >= 200 (critical_threads_running)");
    assertThat(lag.action()).isEqualTo(Action.ABORT);
    assertThat(lag.reason()).isEqualTo("replica 'r1' lag 60s >= 60s (critical_replica_lag)");
  }

  @Test
  void thePauseFileHoldsEvenAnIdleTarget() {
    Path file = Path.of("/run/qsync.pause");
    LoadSample idle = new LoadSample(0, Optional.empty(), List.of(lag(0)), Optional.of(file));

    assertThat(policy.decide(idle).reason()).isEqualTo("pause file /run/qsync.pause exists");
  }

  @Test
  void anUnreadableTargetPausesInsteadOfFailing() {
    LoadSample lost =
        new LoadSample(-1, Optional.of("connection lost"), List.of(lag(0)), Optional.empty());

    assertThat(policy.decide(lost).action()).isEqualTo(Action.PAUSE);
    assertThat(policy.decide(lost).reason())
        .isEqualTo("cannot read the target's load: connection lost");
  }

  @Test
  void limitsOfZeroAreOff() {
    ThrottlePolicy off =
        new ThrottlePolicy(
            ThrottleConfig.builder()
                .batchTime(Duration.ZERO)
                .maxThreadsRunning(0)
                .probeInterval(Duration.ZERO)
                .withoutSelfThrottle()
                .build());

    assertThat(off.decide(new LoadSample(10_000, Optional.empty(), List.of(), Optional.empty())))
        .isEqualTo(ThrottleDecision.GO);
  }

  private static LoadSample sample(long threads, LoadSample.ReplicaLag replica) {
    return new LoadSample(threads, Optional.empty(), List.of(replica), Optional.empty());
  }

  private static LoadSample.ReplicaLag lag(long millis) {
    return new LoadSample.ReplicaLag("r1", Optional.of(Duration.ofMillis(millis)), "");
  }
}
