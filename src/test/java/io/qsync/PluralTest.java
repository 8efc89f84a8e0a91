package io.qsync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PluralTest {
  @Test
  void oneIsSingularEveryOtherCountPlural() {
    assertThat(Plural.of(1, "batch")).isEqualTo("1 batch");
    assertThat(Plural.of(2, "batch")).isEqualTo("2 batches");
    assertThat(Plural.of(0, "row")).isEqualTo("0 rows");
    assertThat(Plural.of(12_000, "column")).isEqualTo("12,000 columns");
    assertThat(Plural.of(3, "retry")).isEqualTo("3 retries");
    assertThat(Plural.of(3, "key")).isEqualTo("3 keys");
    assertThat(Plural.of(2, "process")).isEqualTo("2 processes");
    assertThat(Plural.noun(1, "sync")).isEqualTo("sync");
  }
}
