package io.qsync.source;

import static io.qsync.source.SqlText.withoutTrailingSemicolons;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlTextTest {
  @Test
  void dropsTheSemicolonsThatEndAQuery() {
    assertThat(withoutTrailingSemicolons("select 1;")).isEqualTo("select 1");
    assertThat(withoutTrailingSemicolons("  select 1 ; ;\n")).isEqualTo("select 1");
  }

  @Test
  void dropsCommentsAroundTheClosingSemicolon() {
    assertThat(withoutTrailingSemicolons("select 1; -- the users")).isEqualTo("select 1");
    assertThat(withoutTrailingSemicolons("select 1 -- the users\n; /* done */\n")).isEqualTo("select 1");
    assertThat(withoutTrailingSemicolons("select 1 -- note; not a terminator")).isEqualTo("select 1");
  }

  @Test
  void keepsSemicolonsInsideQuotesAndComments() {
    assertThat(withoutTrailingSemicolons("select ';'")).isEqualTo("select ';'");
    assertThat(withoutTrailingSemicolons("select 'it''s;'")).isEqualTo("select 'it''s;'");
    assertThat(withoutTrailingSemicolons("select 1 as \"a;\";")).isEqualTo("select 1 as \"a;\"");
    assertThat(withoutTrailingSemicolons("select 1 /* ; */")).isEqualTo("select 1");
  }

  @Test
  void leavesAQueryWithoutSemicolonAlone() {
    assertThat(withoutTrailingSemicolons("select a\nfrom t\nwhere b = 1")).isEqualTo("select a\nfrom t\nwhere b = 1");
  }
}
