package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.destination.DestinationColumn;
import io.qsync.destination.DestinationTable;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchemaCheckTest {
  private static final List<String> KEY = List.of("id");

  // ---- target columns, as information_schema describes them ----

  private static DestinationColumn bigint(String name, boolean nullable) {
    return new DestinationColumn(
        name, "bigint", "bigint(20)", nullable, nullable, Optional.empty(), 0, 19, 0, 0);
  }

  private static DestinationColumn varchar(String name, int length) {
    return new DestinationColumn(
        name,
        "varchar",
        "varchar(" + length + ")",
        true,
        true,
        Optional.of("utf8mb4_general_ci"),
        length,
        0,
        -1,
        0);
  }

  private static DestinationColumn decimal(String name, int precision, int scale) {
    return new DestinationColumn(
        name,
        "decimal",
        "decimal(" + precision + "," + scale + ")",
        true,
        true,
        Optional.empty(),
        0,
        precision,
        scale,
        0);
  }

  private static DestinationColumn datetime(String name, String type, int fraction) {
    return new DestinationColumn(
        name,
        type,
        type + (fraction == 0 ? "" : "(" + fraction + ")"),
        true,
        true,
        Optional.empty(),
        0,
        0,
        -1,
        fraction);
  }

  private static DestinationColumn of(String name, String dataType, String columnType) {
    return new DestinationColumn(
        name, dataType, columnType, true, true, Optional.empty(), 0, 0, -1, 0);
  }

  private static DestinationTable table(
      List<List<String>> uniqueKeys, DestinationColumn... columns) {
    return new DestinationTable("t", List.of(columns), uniqueKeys);
  }

  private static Column source(String name, Kind kind) {
    return new Column(name, SqlType.of(kind));
  }

  @Test
  void aMatchingTableHasNoProblems() {
    DestinationTable table =
        table(
            List.of(List.of("id")),
            bigint("id", false),
            varchar("name", 255),
            decimal("score", 10, 3),
            datetime("seen_at", "datetime", 6));
    List<Column> columns =
        List.of(
            source("id", Kind.BIGINT),
            source("name", Kind.VARCHAR),
            new Column("score", SqlType.decimal(10, 3)),
            source("seen_at", Kind.TIMESTAMP));
    assertThat(SchemaCheck.problems(table, columns, KEY, true)).isEmpty();
  }

  @Test
  void columnNamesAndKeyNamesIgnoreCase() {
    DestinationTable table =
        table(List.of(List.of("ID")), bigint("ID", false), varchar("Name", 10));
    List<Column> columns = List.of(source("id", Kind.BIGINT), source("NAME", Kind.VARCHAR));
    assertThat(SchemaCheck.problems(table, columns, List.of("Id"), true)).isEmpty();
  }

  @Test
  void reportsAMissingColumnWithTheAlterStatement() {
    DestinationTable table = table(List.of(List.of("id")), bigint("id", false));
    List<String> problems =
        SchemaCheck.problems(
            table, List.of(source("id", Kind.BIGINT), source("variant", Kind.VARCHAR)), KEY, true);
    assertThat(problems)
        .singleElement()
        .asString()
        .contains("column variant (VARCHAR) is missing")
        .contains("ALTER TABLE `t` ADD COLUMN `variant` LONGTEXT CHARACTER SET utf8mb4");
  }

  @Test
  void reportsAnIncompatibleType() {
    DestinationTable table =
        table(List.of(List.of("id")), bigint("id", false), of("payload", "blob", "blob"));
    List<String> problems =
        SchemaCheck.problems(
            table, List.of(source("id", Kind.BIGINT), source("payload", Kind.VARCHAR)), KEY, true);
    assertThat(problems)
        .singleElement()
        .asString()
        .contains("column payload is blob but the query returns VARCHAR")
        .contains("ALTER TABLE `t` MODIFY `payload` LONGTEXT")
        .contains("or CAST the column in the query");
  }

  @Test
  void reportsADecimalWithFewerDigitsAfterThePoint() {
    DestinationTable table =
        table(List.of(List.of("id")), bigint("id", false), decimal("score", 10, 2));
    List<String> problems =
        SchemaCheck.problems(
            table,
            List.of(source("id", Kind.BIGINT), new Column("score", SqlType.decimal(10, 3))),
            KEY,
            true);
    assertThat(problems)
        .singleElement()
        .asString()
        .contains("column score is decimal(10,2) but the query returns DECIMAL(10,3)")
        .contains("round values silently")
        .contains("MODIFY `score` DECIMAL(10,3)");
  }

  @Test
  void acceptsAWiderDecimalScaleAndAnIntegerForAWholeDecimal() {
    DestinationTable table =
        table(List.of(List.of("id")), bigint("id", false), decimal("a", 20, 6), bigint("b", true));
    List<Column> columns =
        List.of(
            source("id", Kind.BIGINT),
            new Column("a", SqlType.decimal(10, 3)),
            new Column("b", SqlType.decimal(18, 0)));
    assertThat(SchemaCheck.problems(table, columns, KEY, true)).isEmpty();
  }

  @Test
  void reportsDatetimeWithoutMicrosecondsForATimestamp() {
    DestinationTable table =
        table(List.of(List.of("id")), bigint("id", false), datetime("seen_at", "datetime", 0));
    List<String> problems =
        SchemaCheck.problems(
            table,
            List.of(source("id", Kind.BIGINT), source("seen_at", Kind.TIMESTAMP)),
            KEY,
            true);
    assertThat(problems)
        .singleElement()
        .asString()
        .contains("column seen_at is datetime but the query returns TIMESTAMP")
        .contains("microseconds")
        .contains("MODIFY `seen_at` DATETIME(6)");
  }

  @ParameterizedTest(name = "{0} into {1}({2}): ok={3}")
  @CsvSource({
    "TIMESTAMP,     datetime,  6, true",
    "TIMESTAMP_UTC, datetime,  6, true",
    "TIMESTAMP_UTC, datetime,  3, false",
    "TIMESTAMP,     timestamp, 6, true",
    "TIME,          time,      6, true",
    "TIME,          time,      0, false",
    "DATE,          date,      0, true",
    "DATE,          datetime,  0, true",
  })
  void checksFractionalDigitsOfTimes(Kind kind, String dataType, int fraction, boolean ok) {
    DestinationTable table =
        table(List.of(List.of("id")), bigint("id", false), datetime("at", dataType, fraction));
    assertThat(
            SchemaCheck.problems(
                table, List.of(source("id", Kind.BIGINT), source("at", kind)), KEY, true))
        .hasSize(ok ? 0 : 1);
  }

  @ParameterizedTest(name = "{0} into {1}: ok={3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "BOOLEAN | tinyint | tinyint(1) | true",
        "INTEGER | int | int(11) | true",
        "UBIGINT | bigint | bigint unsigned | true",
        "HUGEINT | decimal | decimal(39,0) | true",
        "FLOAT | float | float | true",
        "FLOAT | double | double | true",
        "DOUBLE | float | float | false",
        "DOUBLE | double | double | true",
        "VARCHAR | text | text | true",
        "VARCHAR | int | int(11) | false",
        "UUID | char | char(36) | true",
        "JSON | json | json | true",
        "JSON | longtext | longtext | true",
        "BLOB | varbinary | varbinary(16) | true",
        "BLOB | text | text | false",
        "DATE | varchar | varchar(10) | false",
        "BIGINT | geometry | geometry | false",
        "UUID | uuid | uuid | true",
        "VARCHAR | uuid | uuid | false",
        "BOOLEAN | bit | bit(1) | true",
        "BIGINT | bit | bit(64) | true",
        "VARCHAR | enum | enum('x','y') | true",
        "VARCHAR | set | set('a','b') | true",
        "BLOB | binary | binary(4) | true",
        "DATE | timestamp | timestamp | true",
        "VARCHAR | json | json | false",
        "VARCHAR | year | year(4) | false",
        "BIGINT | year | year(4) | false",
        "VARCHAR | inet6 | inet6 | false",
        "DOUBLE | decimal | decimal(10,2) | false",
        "BIGINT | double | double | false",
      })
  void checksTypeCategories(Kind kind, String dataType, String columnType, boolean ok) {
    DestinationColumn target =
        new DestinationColumn(
            "v",
            dataType,
            columnType,
            true,
            true,
            Optional.empty(),
            0,
            0,
            dataType.equals("decimal") ? 0 : -1,
            0);
    DestinationTable table = table(List.of(List.of("id")), bigint("id", false), target);
    assertThat(
            SchemaCheck.problems(
                table, List.of(source("id", Kind.BIGINT), source("v", kind)), KEY, true))
        .hasSize(ok ? 0 : 1);
  }

  @Test
  void reportsANotNullColumnWithoutDefaultThatTheQueryOmits() {
    DestinationColumn required =
        new DestinationColumn(
            "created_by", "varchar", "varchar(20)", false, false, Optional.empty(), 20, 0, -1, 0);
    DestinationColumn defaulted =
        new DestinationColumn(
            "created_at", "datetime", "datetime", false, true, Optional.empty(), 0, 0, -1, 0);
    DestinationTable table =
        table(List.of(List.of("id")), bigint("id", false), required, defaulted, varchar("free", 5));
    List<String> problems =
        SchemaCheck.problems(table, List.of(source("id", Kind.BIGINT)), KEY, true);
    assertThat(problems)
        .singleElement()
        .asString()
        .contains(
            "column created_by is NOT NULL without a default, and the query does not return it")
        .contains("MODIFY `created_by` varchar(20) NULL");
  }

  @Test
  void reportsASyncKeyThatIsNotAUniqueKeyOfTheTable() {
    DestinationTable table =
        table(List.of(List.of("id", "tenant")), bigint("id", false), bigint("tenant", false));
    List<Column> columns = List.of(source("id", Kind.BIGINT), source("tenant", Kind.BIGINT));
    assertThat(SchemaCheck.problems(table, columns, KEY, true))
        .singleElement()
        .asString()
        .contains(
            "the sync's key (id) is not a unique key of the table (unique keys [[id, tenant]])")
        .contains("ALTER TABLE `t` ADD UNIQUE KEY (`id`)");
    // a key in another order is the same key
    assertThat(SchemaCheck.problems(table, columns, List.of("tenant", "id"), true)).isEmpty();
  }

  @Test
  void reportsATableWithoutAnyUniqueKey() {
    DestinationTable table = table(List.of(), bigint("id", false));
    assertThat(SchemaCheck.problems(table, List.of(source("id", Kind.BIGINT)), KEY, true))
        .singleElement()
        .asString()
        .contains("(no unique key)");
  }

  @Test
  void refusesAKeyColumnThatAllowsNull() {
    DestinationTable table = table(List.of(List.of("id")), bigint("id", true));
    assertThat(SchemaCheck.problems(table, List.of(source("id", Kind.BIGINT)), KEY, true))
        .singleElement()
        .asString()
        .contains("key column id allows NULL")
        .contains("ALTER TABLE `t` MODIFY `id` bigint(20) NOT NULL");
  }

  @Test
  void acceptsCharForAString() {
    DestinationTable table =
        table(List.of(List.of("id")), bigint("id", false), of("code", "char", "char(2)"));
    assertThat(
            SchemaCheck.problems(
                table, List.of(source("id", Kind.BIGINT), source("code", Kind.VARCHAR)), KEY, true))
        .isEmpty();
  }

  @Test
  void appendWithoutAKeyNeedsNoUniqueKey() {
    DestinationTable table = table(List.of(), bigint("id", true));
    assertThat(SchemaCheck.problems(table, List.of(source("id", Kind.BIGINT)), List.of(), false))
        .isEmpty();
  }

  @Test
  void listsEveryProblemTogether() {
    DestinationColumn required =
        new DestinationColumn(
            "owner", "varchar", "varchar(20)", false, false, Optional.empty(), 20, 0, -1, 0);
    DestinationTable table =
        table(
            List.of(),
            bigint("id", false),
            decimal("score", 10, 1),
            datetime("seen_at", "datetime", 0),
            required);
    List<Column> columns =
        List.of(
            source("id", Kind.BIGINT),
            new Column("score", SqlType.decimal(10, 4)),
            source("seen_at", Kind.TIMESTAMP),
            source("variant", Kind.VARCHAR));
    List<String> problems = new ArrayList<>(SchemaCheck.problems(table, columns, KEY, true));
    assertThat(problems).hasSize(5);
    assertThat(String.join("\n", problems))
        .contains("column score is decimal(10,1)")
        .contains("column seen_at is datetime")
        .contains("column variant (VARCHAR) is missing")
        .contains("column owner is NOT NULL")
        .contains("is not a unique key");
  }

  @Test
  void quotesAnOddTableNameInRemedies() {
    DestinationTable table =
        new DestinationTable("odd `name` 표", List.of(bigint("id", false)), List.of(List.of("id")));
    assertThat(
            SchemaCheck.problems(
                table, List.of(source("id", Kind.BIGINT), source("x", Kind.DATE)), KEY, true))
        .singleElement()
        .asString()
        .contains("ALTER TABLE `odd ``name`` 표` ADD COLUMN `x` DATE");
  }

  // ---- pairs refused up front (issue 11) ----

  @Test
  void refusesAGeneratedColumnTheQueryReturns() {
    DestinationColumn generated =
        new DestinationColumn(
            "g",
            "int",
            "int(11)",
            true,
            true,
            Optional.empty(),
            0,
            10,
            0,
            0,
            Optional.empty(),
            Optional.of("STORED GENERATED ALWAYS AS (`a` * 2)"));
    DestinationTable table = table(List.of(List.of("id")), bigint("id", false), generated);

    assertThat(
            SchemaCheck.problems(
                table, List.of(source("id", Kind.BIGINT), source("g", Kind.BIGINT)), KEY, true))
        .singleElement()
        .asString()
        .contains("column g is generated (STORED GENERATED ALWAYS AS (`a` * 2))")
        .contains(
            "leave g out of the query, or make it a plain column: ALTER TABLE `t` MODIFY `g` int(11)");
    assertThat(SchemaCheck.problems(table, List.of(source("id", Kind.BIGINT)), KEY, true))
        .as("a generated column the query leaves out is the table's business")
        .isEmpty();
  }

  @Test
  void refusesAViewWithThatAloneAndNoAdviceAViewCannotTake() {
    DestinationTable view =
        new DestinationTable("mv", List.of(bigint("id", true), varchar("a", 5)), List.of(), "VIEW");

    assertThat(SchemaCheck.problems(view, List.of(source("id", Kind.BIGINT)), KEY, true))
        .singleElement()
        .asString()
        .contains("table mv is a view, not a table")
        .contains("DROP VIEW `mv`")
        .doesNotContain("UNIQUE KEY");
    assertThat(SchemaCheck.problems(view, List.of(source("id", Kind.BIGINT)), List.of(), false))
        .hasSize(1);
  }

  @Test
  void acceptsASystemVersionedTable() {
    DestinationTable table =
        new DestinationTable(
            "t", List.of(bigint("id", false)), List.of(List.of("id")), "SYSTEM VERSIONED");
    assertThat(SchemaCheck.problems(table, List.of(source("id", Kind.BIGINT)), KEY, true))
        .isEmpty();
  }

  @ParameterizedTest(name = "{0} into {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "FLOAT  | float        | float(7,4)  | 4",
        "FLOAT  | double       | double(10,2) | 2",
        "DOUBLE | double       | double(10,2) | 2",
      })
  void refusesAFloatingColumnThatRoundsToDigitsAfterThePoint(
      Kind kind, String dataType, String columnType, int scale) {
    DestinationColumn target =
        new DestinationColumn(
            "v", dataType, columnType, true, true, Optional.empty(), 0, 10, scale, 0);
    DestinationTable table = table(List.of(List.of("id")), bigint("id", false), target);
    assertThat(
            SchemaCheck.problems(
                table, List.of(source("id", Kind.BIGINT), source("v", kind)), KEY, true))
        .singleElement()
        .asString()
        .contains(
            "column v is " + columnType + ", which rounds every value to " + scale + " digits")
        .contains("MODIFY `v` " + dataType.toUpperCase(java.util.Locale.ROOT));
  }

  @ParameterizedTest(name = "{0}: ok={1}")
  @CsvSource({
    "utf8mb4, true",
    "utf8mb3, true",
    "utf8, true",
    "latin1, true",
    "ascii, true",
    "utf16, true",
    "utf32, true",
    "ucs2, true",
    "sjis, false",
    "cp1251, false",
    "big5, false"
  })
  void refusesATextColumnInACharacterSetTheValueCheckDoesNotKnow(String characterSet, boolean ok) {
    DestinationColumn target =
        new DestinationColumn(
            "v",
            "varchar",
            "varchar(10)",
            true,
            true,
            Optional.of(characterSet + "_bin"),
            10,
            0,
            -1,
            0,
            Optional.of(characterSet),
            Optional.empty());
    DestinationTable table = table(List.of(List.of("id")), bigint("id", false), target);
    List<String> problems =
        SchemaCheck.problems(
            table, List.of(source("id", Kind.BIGINT), source("v", Kind.VARCHAR)), KEY, true);
    if (ok) {
      assertThat(problems).isEmpty();
    } else {
      assertThat(problems)
          .singleElement()
          .asString()
          .contains("in character set " + characterSet)
          .contains("MODIFY `v` varchar(10) CHARACTER SET utf8mb4");
    }
  }
}
