package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.destination.DestinationColumn;
import io.qsync.destination.ValueRule;
import io.qsync.destination.ValueRule.Check;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import io.qsync.source.QueryDialect;
import java.math.BigInteger;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MySqlValueRulesTest {
  private static DestinationColumn column(
      String dataType, String columnType, long length, String characterSet) {
    return new DestinationColumn(
        "c",
        dataType,
        columnType,
        true,
        true,
        Optional.empty(),
        length,
        0,
        -1,
        0,
        Optional.ofNullable(characterSet),
        Optional.empty());
  }

  private static List<Check> checks(Kind kind, DestinationColumn target) {
    return rules(new Column("c", SqlType.of(kind)), target, QueryDialect.DUCKDB).stream()
        .map(ValueRule::check)
        .toList();
  }

  private static List<ValueRule> rules(
      Column column, DestinationColumn target, QueryDialect dialect) {
    return MySqlValueRules.rules(
        "`t`", true, column, target, false, dialect, MySqlValueRules.LAST_TIMESTAMP_32);
  }

  @Test
  void readsEnumAndSetMembersAsTheCatalogueQuotesThem() {
    assertThat(MySqlValueRules.members("enum('it''s','a\\\\b','x,y','')"))
        .containsExactly("it's", "a\\b", "x,y", "");
    assertThat(MySqlValueRules.members("set('a','b')")).containsExactly("a", "b");
  }

  @Test
  void aBinaryColumnTakesOnlyValuesOfItsLength() {
    List<ValueRule> rules =
        rules(
            new Column("c", SqlType.of(Kind.BLOB)),
            column("binary", "binary(4)", 4, null),
            QueryDialect.DUCKDB);
    assertThat(rules)
        .singleElement()
        .satisfies(
            rule -> {
              assertThat(rule.check()).isEqualTo(new ValueRule.NotOfLength(4));
              assertThat(rule.problem()).contains("binary(4) pads shorter values with zero bytes");
              assertThat(rule.remedy())
                  .isEqualTo(
                      "ALTER TABLE `t` MODIFY `c` VARBINARY(4), or return values of exactly 4 bytes");
            });
  }

  @Test
  void aCharColumnRefusesTrailingSpacesAndLongValuesAndCharactersItsCharacterSetLacks() {
    assertThat(checks(Kind.VARCHAR, column("char", "char(3)", 3, "utf8mb3")))
        .containsExactly(
            new ValueRule.TrailingSpace(),
            new ValueRule.LongerThanCharacters(3),
            new ValueRule.OutsideRepertoire(ValueRule.Repertoire.BMP));
    assertThat(checks(Kind.VARCHAR, column("text", "text", 0, "utf8mb4")))
        .containsExactly(new ValueRule.LongerThanBytes(65_535));
    assertThat(checks(Kind.VARCHAR, column("text", "text", 0, "latin1")))
        .containsExactly(
            new ValueRule.LongerThanCharacters(65_535),
            new ValueRule.OutsideRepertoire(ValueRule.Repertoire.LATIN1));
    assertThat(checks(Kind.VARCHAR, column("longtext", "longtext", 0, "utf8mb4"))).isEmpty();
  }

  @Test
  void enumAndSetColumnsTakeTheirMembersAsTheyStoreThem() {
    assertThat(checks(Kind.VARCHAR, column("enum", "enum('x','y')", 1, "utf8mb4")))
        .containsExactly(new ValueRule.NotOneOf(List.of("x", "y")));
    assertThat(checks(Kind.VARCHAR, column("set", "set('a','b')", 3, "utf8mb4")))
        .containsExactly(new ValueRule.NotSetOf(List.of("a", "b")));
  }

  @Test
  void numbersGetARangeCheckOnlyWhereTheSourceTypeCanExceedTheColumn() {
    DestinationColumn tinyint =
        new DestinationColumn(
            "c", "tinyint", "tinyint(4)", true, true, Optional.empty(), 0, 3, 0, 0);
    assertThat(checks(Kind.BIGINT, tinyint))
        .containsExactly(
            new ValueRule.OutsideRange(BigInteger.valueOf(-128), BigInteger.valueOf(127)));
    assertThat(checks(Kind.TINYINT, tinyint)).isEmpty();
    assertThat(checks(Kind.BOOLEAN, tinyint)).isEmpty();
    DestinationColumn unsigned =
        new DestinationColumn(
            "c", "tinyint", "tinyint(3) unsigned", true, true, Optional.empty(), 0, 3, 0, 0);
    assertThat(checks(Kind.UTINYINT, unsigned)).isEmpty();
    assertThat(checks(Kind.TINYINT, unsigned))
        .containsExactly(new ValueRule.OutsideRange(BigInteger.ZERO, BigInteger.valueOf(255)));
    DestinationColumn bit =
        new DestinationColumn("c", "bit", "bit(1)", true, true, Optional.empty(), 0, 1, -1, 0);
    assertThat(checks(Kind.BOOLEAN, bit)).isEmpty();
    assertThat(checks(Kind.INTEGER, bit))
        .containsExactly(new ValueRule.OutsideRange(BigInteger.ZERO, BigInteger.ONE));
    DestinationColumn decimal =
        new DestinationColumn(
            "c", "decimal", "decimal(5,2) unsigned", true, true, Optional.empty(), 0, 5, 2, 0);
    assertThat(checks(Kind.SMALLINT, decimal))
        .containsExactly(new ValueRule.TooManyDigits(3), new ValueRule.Negative());
    assertThat(checks(Kind.UTINYINT, decimal)).isEmpty();
  }

  @Test
  void timesGetTheRangeOfTheColumnTheyGoTo() {
    LocalDateTime first = LocalDateTime.of(1000, 1, 1, 0, 0);
    LocalDateTime last = LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000);
    assertThat(checks(Kind.DATE, column("date", "date", 0, null)))
        .containsExactly(new ValueRule.OutsideTimes(first, last));
    assertThat(checks(Kind.TIMESTAMP, column("timestamp", "timestamp(6)", 0, null)))
        .containsExactly(
            new ValueRule.OutsideTimes(
                MySqlValueRules.FIRST_TIMESTAMP, MySqlValueRules.LAST_TIMESTAMP_32));
    ValueRule dateInTimestamp =
        rules(
                new Column("d", SqlType.of(Kind.DATE)),
                column("timestamp", "timestamp", 0, null),
                QueryDialect.GOOGLE_SQL)
            .get(0);
    assertThat(dateInTimestamp.remedy())
        .contains("CASE WHEN d BETWEEN DATE '1970-01-02' AND DATE '2038-01-19' THEN d END");
    assertThat(checks(Kind.TIME, column("time", "time(6)", 0, null)))
        .containsExactly(new ValueRule.EndOfDay());
  }

  @Test
  void remediesForValuesSpeakTheSourcesDialect() {
    Column ratio = new Column("ratio", SqlType.of(Kind.DOUBLE));
    DestinationColumn doubleColumn = column("double", "double", 0, null);
    assertThat(rules(ratio, doubleColumn, QueryDialect.DUCKDB).get(0).remedy())
        .isEqualTo("map them in the query: CASE WHEN isfinite(ratio) THEN ratio END");
    assertThat(rules(ratio, doubleColumn, QueryDialect.GOOGLE_SQL).get(0).remedy())
        .isEqualTo("map them in the query: IF(IS_NAN(ratio) OR IS_INF(ratio), NULL, ratio)");
    Column day = new Column("day", SqlType.of(Kind.TIMESTAMP));
    assertThat(
            rules(day, column("datetime", "datetime(6)", 0, null), QueryDialect.GOOGLE_SQL)
                .get(0)
                .remedy())
        .contains("DATETIME '1000-01-01 00:00:00.000000'");
  }

  @Test
  void aNotNullColumnRefusesNull() {
    DestinationColumn required =
        new DestinationColumn("c", "int", "int(11)", false, false, Optional.empty(), 0, 10, 0, 0);
    assertThat(checks(Kind.INTEGER, required)).containsExactly(new ValueRule.IsNull());
  }

  /** A table qsync creates holds every value of its types but those MySQL has no room for. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void aCreatedColumnHasRulesOnlyForValuesMySqlCannotHold(Kind kind) {
    Column column =
        new Column("c", kind == Kind.DECIMAL ? SqlType.decimal(38, 9) : SqlType.of(kind));
    List<ValueRule> rules =
        MySqlValueRules.rules(
            "`t`",
            false,
            column,
            MySqlTypes.created(column, false),
            false,
            QueryDialect.DUCKDB,
            MySqlValueRules.LAST_TIMESTAMP_32);
    List<Class<?>> expected =
        switch (kind) {
          case FLOAT, DOUBLE -> List.of(ValueRule.NotFinite.class);
          case DATE, TIMESTAMP, TIMESTAMP_UTC -> List.of(ValueRule.OutsideTimes.class);
          case TIME -> List.of(ValueRule.EndOfDay.class);
          default -> List.of();
        };
    assertThat(rules).extracting(rule -> (Class<?>) rule.check().getClass()).isEqualTo(expected);
  }

  @Test
  void aCreatedStringKeyHoldsItsLengthAndNoMore() {
    Column key = new Column("c", SqlType.of(Kind.VARCHAR));
    List<ValueRule> rules =
        MySqlValueRules.rules(
            "`t`",
            false,
            key,
            MySqlTypes.created(key, true),
            true,
            QueryDialect.DUCKDB,
            MySqlValueRules.LAST_TIMESTAMP_32);
    assertThat(rules)
        .singleElement()
        .satisfies(
            rule -> {
              assertThat(rule.check())
                  .isEqualTo(new ValueRule.LongerThanCharacters(MySqlTypes.KEY_STRING_LENGTH));
              assertThat(rule.remedy())
                  .startsWith(
                      "shorten the keys in the query, or give the key column room:"
                          + " create the table before the first run with `c` VARCHAR(");
            });
  }
}
