package io.qsync.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class CpuTimeTest {
  @Test
  void readsUserPlusSystemTicksAfterACommandNameThatHoldsSpacesAndParentheses() {
    String stat =
        "4242 (java (qsync) x) S 1 4242 4242 0 -1 4194560 9000 0 12 0 1610 120 0 0 20 0 31 0"
            + " 123456 5000000000 60000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0";

    assertThat(CpuTime.parseStat(stat)).hasValue(17.30);
  }

  @Test
  void aLineThatIsNotAStatLineIsUnknown() {
    assertThat(CpuTime.parseStat("no parentheses here")).isEmpty();
    assertThat(CpuTime.parseStat("1 (short) S 1 2")).isEmpty();
  }

  @Test
  void thisProcessReadFromProcAgreesWithTheJvmsOwnFigure() {
    OptionalDouble fromJvm = CpuTime.ofThisProcess();
    OptionalDouble fromProc = CpuTime.ofProcess(ProcessHandle.current().pid());

    assertThat(fromJvm).isPresent();
    assertThat(fromProc).isPresent();
    // Both count every thread; they differ by the ticks' rounding and the time between the reads.
    assertThat(fromProc.getAsDouble()).isCloseTo(fromJvm.getAsDouble(), within(0.5));
  }

  @Test
  void aProcessThatIsGoneIsUnknown() {
    assertThat(CpuTime.ofProcess(Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void aPidFileThatNamesNoServerProcessGivesNoServer() {
    assertThat(CpuTime.serverPid("/nonexistent/mysqld.pid", "/var/lib/mysql/")).isEmpty();
  }
}
