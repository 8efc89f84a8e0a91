package io.qsync.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.destination.ValueRule;
import io.qsync.destination.ValueRule.Check;
import io.qsync.destination.ValueRule.Repertoire;
import io.qsync.diff.KeyCollation;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ValueCheckTest {
  @TempDir Path dir;

  private static final LocalDateTime FIRST_TIMESTAMP = LocalDateTime.of(1970, 1, 1, 0, 0, 1);
  private static final LocalDateTime LAST_TIMESTAMP =
      LocalDateTime.of(2038, 1, 19, 3, 14, 7, 999_999_000);

  /** A check, a stage type, a DuckDB literal of that type, and whether the value breaks it. */
  static Stream<Arguments> checks() {
    Check years =
        new ValueRule.OutsideTimes(
            LocalDateTime.of(1000, 1, 1, 0, 0),
            LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000));
    Check timestamps = new ValueRule.OutsideTimes(FIRST_TIMESTAMP, LAST_TIMESTAMP);
    Check tinyint = new ValueRule.OutsideRange(BigInteger.valueOf(-128), BigInteger.valueOf(127));
    return Stream.of(
        Arguments.of(new ValueRule.IsNull(), Kind.VARCHAR, "NULL", true),
        Arguments.of(new ValueRule.IsNull(), Kind.VARCHAR, "''", false),
        Arguments.of(new ValueRule.NotFinite(), Kind.DOUBLE, "'NaN'::DOUBLE", true),
        Arguments.of(new ValueRule.NotFinite(), Kind.FLOAT, "'-inf'::FLOAT", true),
        Arguments.of(
            new ValueRule.NotFinite(), Kind.DOUBLE, "1.7976931348623157e308::DOUBLE", false),
        Arguments.of(new ValueRule.NotFinite(), Kind.DOUBLE, "NULL::DOUBLE", false),
        Arguments.of(new ValueRule.Negative(), Kind.DOUBLE, "-1e-300::DOUBLE", true),
        Arguments.of(new ValueRule.Negative(), Kind.DOUBLE, "'-0.0'::DOUBLE", false),
        Arguments.of(tinyint, Kind.BIGINT, "128::BIGINT", true),
        Arguments.of(tinyint, Kind.BIGINT, "-128::BIGINT", false),
        Arguments.of(tinyint, Kind.HUGEINT, "(-129)::HUGEINT", true),
        Arguments.of(
            new ValueRule.OutsideRange(BigInteger.ZERO, BigInteger.ZERO),
            Kind.BOOLEAN,
            "true",
            true),
        Arguments.of(new ValueRule.TooManyDigits(2), Kind.BIGINT, "100::BIGINT", true),
        Arguments.of(new ValueRule.TooManyDigits(2), Kind.BIGINT, "-99::BIGINT", false),
        Arguments.of(new ValueRule.TooManyDigits(0), Kind.BOOLEAN, "true", true),
        Arguments.of(new ValueRule.TooManyDigits(0), Kind.BOOLEAN, "false", false),
        Arguments.of(
            new ValueRule.TooManyDigits(3), Kind.DECIMAL, "'-999.999999999'::DECIMAL(38,9)", false),
        Arguments.of(new ValueRule.TooManyDigits(3), Kind.DECIMAL, "'1000.5'::DECIMAL(38,9)", true),
        Arguments.of(new ValueRule.TooManyDigits(0), Kind.DECIMAL, "'0.5'::DECIMAL(38,9)", false),
        Arguments.of(new ValueRule.LongerThanCharacters(2), Kind.VARCHAR, "'é🧪'", false),
        Arguments.of(new ValueRule.LongerThanCharacters(2), Kind.VARCHAR, "'abc'", true),
        Arguments.of(new ValueRule.LongerThanBytes(5), Kind.VARCHAR, "'é🧪'", true),
        Arguments.of(new ValueRule.LongerThanBytes(2), Kind.BLOB, "'\\x00\\x01'::BLOB", false),
        Arguments.of(new ValueRule.NotOfLength(4), Kind.BLOB, "'\\x00ab'::BLOB", true),
        Arguments.of(new ValueRule.NotOfLength(4), Kind.BLOB, "'\\x00abc'::BLOB", false),
        Arguments.of(new ValueRule.TrailingSpace(), Kind.VARCHAR, "'ab '", true),
        Arguments.of(new ValueRule.TrailingSpace(), Kind.VARCHAR, "' ab'", false),
        Arguments.of(new ValueRule.NotOneOf(List.of("x", "it's")), Kind.VARCHAR, "'X'", true),
        Arguments.of(new ValueRule.NotOneOf(List.of("x", "it's")), Kind.VARCHAR, "'x '", true),
        Arguments.of(new ValueRule.NotOneOf(List.of("x", "it's")), Kind.VARCHAR, "'it''s'", false),
        Arguments.of(new ValueRule.NotSetOf(List.of("a", "b")), Kind.VARCHAR, "'a,b'", false),
        Arguments.of(new ValueRule.NotSetOf(List.of("a", "b")), Kind.VARCHAR, "''", false),
        Arguments.of(new ValueRule.NotSetOf(List.of("a", "b")), Kind.VARCHAR, "'b,a'", true),
        Arguments.of(new ValueRule.NotSetOf(List.of("a", "b")), Kind.VARCHAR, "'a,a'", true),
        Arguments.of(new ValueRule.NotSetOf(List.of("a", "b")), Kind.VARCHAR, "'a, b'", true),
        Arguments.of(new ValueRule.NotSetOf(List.of("a", "b")), Kind.VARCHAR, "'A'", true),
        Arguments.of(new ValueRule.OutsideRepertoire(Repertoire.BMP), Kind.VARCHAR, "'é한'", false),
        Arguments.of(new ValueRule.OutsideRepertoire(Repertoire.BMP), Kind.VARCHAR, "'a🧪'", true),
        Arguments.of(
            new ValueRule.OutsideRepertoire(Repertoire.LATIN1),
            Kind.VARCHAR,
            "'café €5 – “ok”'",
            false),
        Arguments.of(
            new ValueRule.OutsideRepertoire(Repertoire.LATIN1), Kind.VARCHAR, "'Łódź'", true),
        Arguments.of(
            new ValueRule.OutsideRepertoire(Repertoire.LATIN1), Kind.VARCHAR, "chr(128)", true),
        Arguments.of(
            new ValueRule.OutsideRepertoire(Repertoire.LATIN1), Kind.VARCHAR, "chr(129)", false),
        Arguments.of(
            new ValueRule.OutsideRepertoire(Repertoire.ASCII), Kind.VARCHAR, "'plain'", false),
        Arguments.of(new ValueRule.OutsideRepertoire(Repertoire.ASCII), Kind.VARCHAR, "'é'", true),
        Arguments.of(years, Kind.DATE, "DATE '0999-12-31'", true),
        Arguments.of(years, Kind.DATE, "DATE '1000-01-01'", false),
        Arguments.of(years, Kind.DATE, "'infinity'::DATE", true),
        Arguments.of(years, Kind.TIMESTAMP, "TIMESTAMP '9999-12-31 23:59:59.999999'", false),
        Arguments.of(years, Kind.TIMESTAMP, "'-infinity'::TIMESTAMP", true),
        Arguments.of(timestamps, Kind.TIMESTAMP, "TIMESTAMP '1970-01-01 00:00:00.999999'", true),
        Arguments.of(timestamps, Kind.TIMESTAMP, "TIMESTAMP '1970-01-01 00:00:01'", false),
        Arguments.of(timestamps, Kind.DATE, "DATE '1970-01-01'", true),
        Arguments.of(timestamps, Kind.DATE, "DATE '2038-01-19'", false),
        Arguments.of(timestamps, Kind.TIMESTAMP_UTC, "TIMESTAMP '2038-01-19 03:14:08'", true),
        Arguments.of(new ValueRule.EndOfDay(), Kind.TIME, "TIME '24:00:00'", true),
        Arguments.of(new ValueRule.EndOfDay(), Kind.TIME, "TIME '23:59:59.999999'", false));
  }

  @ParameterizedTest(name = "{0} on {1} {2}: {3}")
  @MethodSource("checks")
  void eachCheckFindsExactlyTheValuesThatBreakIt(
      Check check, Kind kind, String literal, boolean breaks) throws SQLException {
    SqlType type = kind == Kind.DECIMAL ? SqlType.decimal(38, 9) : SqlType.of(kind);
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT coalesce("
                    + ValueCheck.condition(check, "c0", type)
                    + ", false) FROM"
                    + " (SELECT CAST("
                    + literal
                    + " AS "
                    + type.duckDbName()
                    + ") AS c0)")) {
      row.next();
      assertThat(row.getBoolean(1)).isEqualTo(breaks);
    }
  }

  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", SqlType.of(Kind.INTEGER)),
          new Column("b", SqlType.of(Kind.BLOB)),
          new Column("ratio", SqlType.of(Kind.DOUBLE)));

  private Stage stage(Object[]... rows) {
    Stage stage = Stage.open(dir.resolve("s.duckdb"));
    stage.begin("run-1", "fingerprint", COLUMNS);
    try (Stage.StageWriter writer = stage.sourceWriter(COLUMNS)) {
      Arrays.stream(rows).forEach(writer::accept);
    }
    stage.checkKeys(List.of("id"), List.of(KeyCollation.of(null)), 5);
    stage.insertAll(List.of("id"), 0);
    return stage;
  }

  @Test
  void namesEveryColumnItsValuesAndTheirRemediesInOneMessage() {
    ValueRule binary =
        new ValueRule(
            "b", "binary(2)", new ValueRule.NotOfLength(2), "not 2 bytes long", "use VARBINARY(2)");
    ValueRule finite =
        new ValueRule(
            "ratio", "double", new ValueRule.NotFinite(), "NaN or an infinity", "map them");
    try (Stage stage =
        stage(
            new Object[] {1, new byte[] {0, 'a', 'b'}, Double.NaN},
            new Object[] {2, new byte[] {0, 'a'}, 0.5},
            new Object[] {3, new byte[] {'z'}, Double.NEGATIVE_INFINITY},
            new Object[] {4, new byte[] {}, 1.0},
            new Object[] {5, null, Double.POSITIVE_INFINITY})) {

      QsyncException error =
          catchThrowableOfType(
              QsyncException.class,
              () ->
                  ValueCheck.require(
                      stage, List.of(binary, finite), List.of("id"), 2, "sync 's': table t"));

      assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
      assertThat(error.getMessage())
          .isEqualTo(
              "sync 's': table t cannot store 6 values of the change set as the query returns them;"
                  + " nothing was written:\n"
                  + " - column b (binary(2)): 3 values: not 2 bytes long\n"
                  + "   key (id=1): 0x006162; key (id=3): 0x7A; ...\n"
                  + "   -> use VARBINARY(2)\n"
                  + " - column ratio (double): 3 values: NaN or an infinity\n"
                  + "   key (id=1): NaN; key (id=3): -Infinity; ...\n"
                  + "   -> map them");
    }
  }

  @Test
  void passesAChangeSetWhoseValuesAllFitAndIgnoresDeletes() {
    ValueRule finite =
        new ValueRule(
            "ratio", "double", new ValueRule.NotFinite(), "NaN or an infinity", "map them");
    try (Stage stage = stage(new Object[] {1, new byte[] {1}, 0.5}, new Object[] {2, null, null})) {
      assertThat(ValueCheck.problems(stage, List.of(finite), List.of("id"), 5)).isEmpty();
      ValueCheck.require(stage, List.of(), List.of("id"), 5, "sync 's': table t");
    }
  }
}
