package io.qsync.diff;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyCollationTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // collation,              ignoreCase, ignoreAccents, ignoreTrailingSpace
    "utf8mb4_general_ci,       true,  true,  true",
    "utf8mb4_unicode_ci,       true,  true,  true",
    "utf8mb4_bin,              false, false, true",
    "utf8mb4_0900_ai_ci,       true,  true,  false",
    "utf8mb4_0900_as_ci,       true,  false, false",
    "utf8mb4_0900_as_cs,       false, false, false",
    "utf8mb4_0900_bin,         false, false, false",
    "latin1_swedish_ci,        true,  true,  true",
    "latin1_bin,               false, false, true",
    "utf8mb4_general_nopad_ci, true,  true,  false",
    "utf8mb4_nopad_bin,        false, false, false",
    "utf8mb4_unicode_nopad_ci, true,  true,  false",
    "UTF8MB4_GENERAL_CI,       true,  true,  true",
    "ascii_bin,                false, false, true",
  })
  void readsTheComparisonFromTheCollationName(
      String collation, boolean ignoreCase, boolean ignoreAccents, boolean ignoreTrailingSpace) {
    assertThat(KeyCollation.of(collation))
        .isEqualTo(new KeyCollation(ignoreCase, ignoreAccents, ignoreTrailingSpace));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  ", "binary", "BINARY"})
  void noCollationComparesExactly(String collation) {
    KeyCollation exact = KeyCollation.of(collation);
    assertThat(exact).isEqualTo(KeyCollation.EXACT);
    assertThat(exact.isExact()).isTrue();
    assertThat(exact.normalise("\"k\"")).isEqualTo("\"k\"");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "utf8mb4_general_ci | strip_accents(lower(rtrim(\"k\", ' ')))",
        "utf8mb4_bin | rtrim(\"k\", ' ')",
        "utf8mb4_0900_ai_ci | strip_accents(lower(\"k\"))",
        "utf8mb4_0900_as_ci | lower(\"k\")",
        "utf8mb4_0900_as_cs | \"k\"",
        "latin1_swedish_ci | strip_accents(lower(rtrim(\"k\", ' ')))",
        "utf8mb4_nopad_bin | \"k\"",
        "utf8mb4_general_nopad_ci | strip_accents(lower(\"k\"))",
      })
  void writesTheDuckDbExpressionOfTheComparisonForm(String collation, String expression) {
    assertThat(KeyCollation.of(collation).normalise("\"k\"")).isEqualTo(expression);
  }

  @ParameterizedTest
  @ValueSource(strings = {"utf8mb4_general_ci", "utf8mb4_bin", "utf8mb4_0900_ai_ci"})
  void anyLooseCollationIsNotExact(String collation) {
    assertThat(KeyCollation.of(collation).isExact()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"utf8mb4_0900_as_cs", "utf8mb4_nopad_bin", "utf8mb4_0900_bin"})
  void caseAndAccentSensitiveNoPadCollationsAreExact(String collation) {
    assertThat(KeyCollation.of(collation).isExact()).isTrue();
  }
}
