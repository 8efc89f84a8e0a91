package io.qsync.serve.web;

import static io.qsync.serve.web.Runs.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SvgChartTest {
  @Test
  void runsOverSeveralDaysAreTickedWithTheirDate() {
    SvgChart chart =
        new SvgChart(
            "duration",
            "Duration",
            SvgChart.Kind.LINE,
            "s",
            "duration",
            List.of(new SvgChart.Run("a", T0), new SvgChart.Run("b", T0.plus(Duration.ofDays(2)))),
            List.of(new SvgChart.Series("duration", "c0", List.of(12.0, 47.0))));

    String svg = chart.render();

    assertThat(svg)
        .contains(">03-01 10:00</text>", ">03-03 10:00</text>")
        .contains(">run start (UTC), one point per run</text>")
        .contains(">duration (s)</text>")
        .contains(">20</text>", ">40</text>", ">60</text>")
        .contains("data-value=\"47\"");
  }

  @Test
  void theYAxisGoesUpInStepsOfOneTwoOrFive() {
    assertThat(SvgChart.niceStep(0)).isEqualTo(0.25);
    assertThat(SvgChart.niceStep(0.3)).isEqualTo(0.5);
    assertThat(SvgChart.niceStep(12)).isEqualTo(20);
    assertThat(SvgChart.niceStep(260)).isEqualTo(500);
    assertThat(SvgChart.niceStep(1000)).isEqualTo(1000);
    assertThat(SvgChart.number(1500)).isEqualTo("1,500");
    assertThat(SvgChart.number(0.25)).isEqualTo("0.25");
    assertThat(SvgChart.number(0)).isEqualTo("0");
  }

  @Test
  void refusesRunsOutOfTimeOrderOrValuesThatDoNotMatchTheRuns() {
    List<SvgChart.Run> backwards =
        List.of(new SvgChart.Run("b", T0.plusSeconds(60)), new SvgChart.Run("a", T0));
    assertThatThrownBy(
            () ->
                new SvgChart(
                    "d",
                    "D",
                    SvgChart.Kind.LINE,
                    "s",
                    "duration",
                    backwards,
                    List.of(new SvgChart.Series("d", "c0", List.of(1.0, 2.0)))))
        .hasMessageContaining("oldest first");
    assertThatThrownBy(
            () ->
                new SvgChart(
                    "d",
                    "D",
                    SvgChart.Kind.LINE,
                    "s",
                    "duration",
                    List.of(new SvgChart.Run("a", T0)),
                    List.of(new SvgChart.Series("d", "c0", List.of(1.0, 2.0)))))
        .hasMessageContaining("2 values for 1");
  }
}
