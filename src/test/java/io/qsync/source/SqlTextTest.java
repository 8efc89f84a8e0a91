package io.qsync.source;

import static io.qsync.source.SqlText.DUCKDB;
import static io.qsync.source.SqlText.GOOGLE_SQL;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Where a query ends, by each warehouse's own lexical rules. */
class SqlTextTest {
  @ParameterizedTest
  @EnumSource(SqlText.class)
  void dropsTheSemicolonsThatEndAQuery(SqlText text) {
    assertThat(text.withoutTrailingSemicolons("select 1;")).isEqualTo("select 1");
    assertThat(text.withoutTrailingSemicolons("  select 1 ; ;\n")).isEqualTo("select 1");
  }

  @ParameterizedTest
  @EnumSource(SqlText.class)
  void dropsCommentsAroundTheClosingSemicolon(SqlText text) {
    assertThat(text.withoutTrailingSemicolons("select 1; -- the users")).isEqualTo("select 1");
    assertThat(text.withoutTrailingSemicolons("select 1 -- the users\n; /* done */\n"))
        .isEqualTo("select 1");
    assertThat(text.withoutTrailingSemicolons("select 1 -- note; not a terminator"))
        .isEqualTo("select 1");
  }

  @ParameterizedTest
  @EnumSource(SqlText.class)
  void keepsSemicolonsInsideQuotesAndComments(SqlText text) {
    assertThat(text.withoutTrailingSemicolons("select ';'")).isEqualTo("select ';'");
    assertThat(text.withoutTrailingSemicolons("select 'it''s;'")).isEqualTo("select 'it''s;'");
    assertThat(text.withoutTrailingSemicolons("select 1 /* ; */")).isEqualTo("select 1");
  }

  @ParameterizedTest
  @EnumSource(SqlText.class)
  void leavesAQueryWithoutSemicolonAlone(SqlText text) {
    assertThat(text.withoutTrailingSemicolons("select a\nfrom t\nwhere b = 1"))
        .isEqualTo("select a\nfrom t\nwhere b = 1");
  }

  @Test
  void googleSqlEndsAtAHashComment() {
    assertThat(GOOGLE_SQL.withoutTrailingSemicolons("SELECT id FROM ds.t; # nightly"))
        .isEqualTo("SELECT id FROM ds.t");
    assertThat(GOOGLE_SQL.withoutTrailingSemicolons("SELECT id FROM ds.t # nightly; really\n;"))
        .isEqualTo("SELECT id FROM ds.t");
  }

  @Test
  void googleSqlStringsEscapeWithABackslash() {
    // 'it\'s; # x' is one string: its quote and its # are text
    assertThat(GOOGLE_SQL.withoutTrailingSemicolons("SELECT 'it\\'s; # x' AS s;"))
        .isEqualTo("SELECT 'it\\'s; # x' AS s");
    assertThat(GOOGLE_SQL.withoutTrailingSemicolons("SELECT \"a\\\"; --\" AS s; -- done"))
        .isEqualTo("SELECT \"a\\\"; --\" AS s");
    assertThat(GOOGLE_SQL.withoutTrailingSemicolons("SELECT 'a\\\\' AS s;"))
        .as("an escaped backslash")
        .isEqualTo("SELECT 'a\\\\' AS s");
  }

  @Test
  void googleSqlKnowsTripleQuotedRawAndBytesLiteralsAndBackquotedNames() {
    assertThat(
            GOOGLE_SQL.withoutTrailingSemicolons("SELECT '''it's; 'quoted'\n# not a comment''';"))
        .isEqualTo("SELECT '''it's; 'quoted'\n# not a comment'''");
    assertThat(GOOGLE_SQL.withoutTrailingSemicolons("SELECT \"\"\"a\"b;\"\"\" AS s; # x"))
        .isEqualTo("SELECT \"\"\"a\"b;\"\"\" AS s");
    assertThat(GOOGLE_SQL.withoutTrailingSemicolons("SELECT r'\\'; #' AS s;"))
        .as("a raw string's backslash does not end it")
        .isEqualTo("SELECT r'\\'; #' AS s");
    assertThat(GOOGLE_SQL.withoutTrailingSemicolons("SELECT RB'x;' AS b, br\"#;\" AS c;"))
        .isEqualTo("SELECT RB'x;' AS b, br\"#;\" AS c");
    assertThat(GOOGLE_SQL.withoutTrailingSemicolons("SELECT 1 AS `a;#\\`b`;"))
        .isEqualTo("SELECT 1 AS `a;#\\`b`");
  }

  @Test
  void duckDbHasNoHashCommentsAndPlainStringsKeepTheirBackslash() {
    // In DuckDB 'a\' is a whole string (a backslash is a plain character), so the ; after it ends
    // the query; GoogleSQL would read on.
    assertThat(DUCKDB.withoutTrailingSemicolons("SELECT 'a\\' AS s;"))
        .isEqualTo("SELECT 'a\\' AS s");
    assertThat(DUCKDB.withoutTrailingSemicolons("SELECT 1 AS \"a;\";"))
        .isEqualTo("SELECT 1 AS \"a;\"");
    assertThat(DUCKDB.withoutTrailingSemicolons("SELECT 1 AS x # not a comment;"))
        .isEqualTo("SELECT 1 AS x # not a comment");
  }

  @Test
  void duckDbKnowsEscapeAndDollarQuotedStringsAndNestedComments() {
    assertThat(DUCKDB.withoutTrailingSemicolons("SELECT E'it\\'s;' AS s;"))
        .isEqualTo("SELECT E'it\\'s;' AS s");
    assertThat(DUCKDB.withoutTrailingSemicolons("SELECT $$a;'b$$ AS s;"))
        .isEqualTo("SELECT $$a;'b$$ AS s");
    assertThat(DUCKDB.withoutTrailingSemicolons("SELECT $tag$a;$$b$tag$ AS s;"))
        .isEqualTo("SELECT $tag$a;$$b$tag$ AS s");
    assertThat(DUCKDB.withoutTrailingSemicolons("SELECT 1 /* a /* nested; */ still; */;"))
        .isEqualTo("SELECT 1");
  }
}
