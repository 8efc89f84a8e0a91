package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.QsyncException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code run --plan} and {@code --max-plan-age}: what goes together, before any config is read. */
class RunPlanOptionsTest {
  private static CliRun qsync(String... args) {
    return CliRun.of(args);
  }

  @Test
  void aPlanIsAppliedToOneNamedSyncWithoutFullOrAllowDeletes() {
    for (String[] args :
        new String[][] {
          {"run", "--all", "--plan", "p.qsp", "-c", "absent.yaml"},
          {"run", "a", "b", "--plan", "p.qsp", "-c", "absent.yaml"},
          {"run", "a", "--plan", "p.qsp", "--full", "-c", "absent.yaml"},
          {"run", "a", "--plan", "p.qsp", "--allow-deletes", "-c", "absent.yaml"},
          {"run", "a", "--max-plan-age", "1h", "-c", "absent.yaml"},
          {"run", "a", "--plan", "p.qsp", "--max-plan-age", "soon", "-c", "absent.yaml"}
        }) {
      CliRun result = qsync(args);
      assertThat(result.exitCode()).as(String.join(" ", args) + ": " + result.err()).isEqualTo(2);
      assertThat(result.err()).as(String.join(" ", args)).contains("plan");
    }
    assertThat(qsync("run", "a", "b", "--plan", "p.qsp", "-c", "absent.yaml").err())
        .contains("name that one sync");
    assertThat(qsync("run", "a", "--plan", "p.qsp", "--full", "-c", "absent.yaml").err())
        .contains("--full does not go with it");
  }

  @Test
  void aPlansAgeIsWrittenInSecondsMinutesHoursOrDays() {
    assertThat(RunCommand.age("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(RunCommand.age("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(RunCommand.age("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(RunCommand.age("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(catchThrowableOfType(QsyncException.class, () -> RunCommand.age("-1h")).getMessage())
        .contains("90s, 30m, 24h or 7d");
  }

  @Test
  void theHelpOfPlanAndRunSaysHowTheSavedPlanGoesFromOneToTheOther() {
    String plan = qsync("plan", "--help").out().replaceAll("\\s+", " ");
    assertThat(plan).contains("--out=FILE", "qsync run SYNC --plan FILE");
    String run = qsync("run", "--help").out().replaceAll("\\s+", " ");
    assertThat(run)
        .contains("--plan=FILE", "qsync plan SYNC --out FILE", "--max-plan-age=AGE", "24h")
        .contains("passes the delete guard");
  }
}
