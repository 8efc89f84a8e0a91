package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MySqlValuesTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "2024-02-29 23:59:59.999999",
        "0001-01-01 00:00:00.000000",
        "0000-01-01 00:00:00.000001",
        "9999-12-31 23:59:59.999999",
        "1582-10-10 12:30:00.500000",
        "2021-03-28 02:30:00.000000"
      })
  void readsDateTimesAsLocalDateTimeParseDoes(String text) {
    assertThat(MySqlValues.dateTime(text)).isEqualTo(LocalDateTime.parse(text.replace(' ', 'T')));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0000-00-00 00:00:00.000000",
        "2023-02-29 00:00:00.000000",
        "2024-04-31 00:00:00.000000",
        "2024-01-01 24:00:00.000000",
        "2024-01-01 00:60:00.000000",
        "2024-13-01 00:00:00.000000",
        "2024-01-01 00:00:00.00000x"
      })
  void refusesDateTimesLocalDateTimeParseRefuses(String text) {
    assertThatThrownBy(() -> LocalDateTime.parse(text.replace(' ', 'T')))
        .isInstanceOf(DateTimeParseException.class);
    assertThatThrownBy(() -> MySqlValues.dateTime(text)).isInstanceOf(DateTimeParseException.class);
  }

  @Test
  void readsOtherShapesAsLocalDateTimeParseDoes() {
    assertThat(MySqlValues.dateTime("2024-05-06 07:08:09"))
        .isEqualTo(LocalDateTime.of(2024, 5, 6, 7, 8, 9));
  }
}
