package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every BigQuery type, at its edges, through the emulator's REST encoding, Google's client, the
 * stage and MariaDB: what is read back is what the query returned, and a second run changes
 * nothing.
 */
@ExtendWith(MariaDbExtension.class)
class BigQueryTypesIT {
  /**
   * One row of edge values per id; id 3 is NULL everywhere else (its ARRAY comes back empty, as
   * BigQuery returns a NULL ARRAY). GoogleSQL's lexical rules (a backslash escapes, {@code \n} is a
   * line break, bytes are {@code b'...'}), DuckDB's values.
   */
  static final String QUERY =
      """
      SELECT * FROM (VALUES
        (1, '-9223372036854775808'::BIGINT, 4.9E-324::DOUBLE,
         -99999999999999999999999999999.999999999::DECIMAL(38,9), false, '',
         ''::BLOB, DATE '1000-01-01', TIMESTAMP '1000-01-01 00:00:00', TIME '00:00:00',
         TIMESTAMPTZ '1969-12-31 23:59:59.999999+00', '{}'::JSON, 'POINT(-122.35 47.62)',
         -(INTERVAL '1 year 2 months 3 days 4 hours 5 minutes 6.789 seconds'),
         '[UNBOUNDED, 2024-01-01)', []::BIGINT[], {'a': -1, 'b': '', 'c': []::DOUBLE[]}),
        (2, 9223372036854775807::BIGINT, 1.7976931348623157E308::DOUBLE,
         99999999999999999999999999999.999999999::DECIMAL(38,9), true,
         'émoji 🚀 "quoted" back\\\\slash tab	newline\\nend',
         b'\\x00\\xFF\\x5C\\x27', DATE '9999-12-31', TIMESTAMP '9999-12-31 23:59:59.999999',
         TIME '23:59:59.999999', TIMESTAMPTZ '9999-12-31 23:59:59.999999+00',
         '{"a": [1, 2.5, {"b": null}], "c": "ü"}'::JSON, 'LINESTRING(0 0, 1 1)',
         INTERVAL '1 year 2 months 3 days 4 hours 5 minutes 6.789 seconds',
         '[2024-01-01, UNBOUNDED)', [1, -2, 9223372036854775807]::BIGINT[],
         {'a': 9223372036854775807, 'b': 'x"y', 'c': [0.1, -2.5]::DOUBLE[]}),
        (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL)
      ) AS t(id, i64, f64, num, b, s, bytes, d, dt, tm, ts, j, geo, iv, rng, arr, st)
      """;

  @TempDir Path dir;
  private BigQueryEmulator emulator;

  @BeforeEach
  void start() {
    emulator = BigQueryEmulator.start("qsync-test");
    emulator.declareType("geo", "GEOGRAPHY");
    emulator.declareType("rng", "RANGE<DATE>");
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private Qsync qsync(TestDatabase database, String query) {
    return BigQuerySyncs.qsync(
        dir,
        database,
        BigQuerySyncs.connection(emulator, 2, Optional.empty()),
        BigQuerySyncs.sync(query, "types", List.of("id"), Mode.MIRROR),
        FaultPoint.NONE);
  }

  @Test
  void everyTypeArrivesUnchangedAndARerunChangesNothing(TestDatabase database) {
    Qsync qsync = qsync(database, QUERY);

    RunReport first = qsync.run(BigQuerySyncs.SYNC);

    assertThat(first.counts()).isEqualTo(new ChangeCounts(3, 3, 0, 0, 0));
    List<List<String>> rows =
        database.rows(
            "SELECT id, i64, CAST(f64 AS CHAR), num, b, s, HEX(bytes), d, dt, tm, ts, j, geo, iv, rng,"
                + " arr, st FROM types ORDER BY id");
    assertThat(rows.get(0))
        .containsExactly(
            "1",
            "-9223372036854775808",
            "5e-324",
            "-99999999999999999999999999999.999999999",
            "0",
            "",
            "",
            "1000-01-01",
            "1000-01-01 00:00:00.000000",
            "00:00:00.000000",
            "1969-12-31 23:59:59.999999",
            "{}",
            "POINT(-122.35 47.62)",
            "-1-2 -3 -4:5:6.789",
            "[UNBOUNDED, 2024-01-01)",
            "[]",
            "{\"a\":-1,\"b\":\"\",\"c\":[]}");
    assertThat(rows.get(1))
        .containsExactly(
            "2",
            "9223372036854775807",
            "1.7976931348623157e308",
            "99999999999999999999999999999.999999999",
            "1",
            "émoji 🚀 \"quoted\" back\\slash tab\tnewline\nend",
            "00FF5C27",
            "9999-12-31",
            "9999-12-31 23:59:59.999999",
            "23:59:59.999999",
            "9999-12-31 23:59:59.999999",
            "{\"a\":[1,2.5,{\"b\":null}],\"c\":\"ü\"}",
            "LINESTRING(0 0, 1 1)",
            "1-2 3 4:5:6.789",
            "[2024-01-01, UNBOUNDED)",
            "[1,-2,9223372036854775807]",
            "{\"a\":9223372036854775807,\"b\":\"x\\\"y\",\"c\":[0.1,-2.5]}");
    assertThat(rows.get(2))
        .containsExactly(
            "3", null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            "[]", null);
    assertThat(database.rows("SHOW CREATE TABLE types").get(0).get(1))
        .contains(
            "`i64` bigint(20)",
            "`f64` double",
            "`num` decimal(38,9)",
            "`ts` datetime(6)",
            "`dt` datetime(6)",
            "`tm` time(6)",
            "`bytes` longblob");

    RunReport second = qsync.run(BigQuerySyncs.SYNC);
    assertThat(second.counts()).isEqualTo(new ChangeCounts(3, 0, 0, 0, 3));
  }

  @Test
  void aNotANumberStopsTheRunNamingKeyAndColumn(TestDatabase database) {
    Qsync qsync =
        qsync(
            database,
            "SELECT * FROM (VALUES (7, 'NaN'::DOUBLE), (8, '-Infinity'::DOUBLE)) AS t(id, ratio)");

    QsyncException error =
        catchThrowableOfType(QsyncException.class, () -> qsync.run(BigQuerySyncs.SYNC));

    assertThat(error.getMessage())
        .contains("column ratio (double): 2 values: NaN or an infinity")
        .contains("key (id=7): NaN; key (id=8): -Infinity")
        .contains("IF(IS_NAN(ratio) OR IS_INF(ratio), NULL, ratio)")
        .doesNotContain("isfinite");
    assertThat(database.hasTable("types")).isFalse();
  }

  @Test
  void bigNumericArrivesExactlyUpToMySqlsWidestDecimal(TestDatabase database) {
    emulator.declareType("big", "BIGNUMERIC");
    String max = "9".repeat(35) + "." + "9".repeat(30);
    Qsync qsync =
        qsync(
            database,
            "SELECT * FROM (VALUES (1, '"
                + max
                + "'), (2, '-"
                + max
                + "'),"
                + " (3, '0.000000000000000000000000000001'), (4, '0'), (5, NULL)) AS t(id, big)");

    RunReport first = qsync.run(BigQuerySyncs.SYNC);

    assertThat(first.counts()).isEqualTo(new ChangeCounts(5, 5, 0, 0, 0));
    assertThat(database.rows("SELECT CAST(big AS CHAR) FROM types ORDER BY id"))
        .extracting(row -> row.get(0))
        .containsExactly(
            max,
            "-" + max,
            "0.000000000000000000000000000001",
            "0.000000000000000000000000000000",
            null);
    assertThat(database.rows("SHOW CREATE TABLE types").get(0).get(1))
        .contains("`big` decimal(65,30)");
    assertThat(qsync.run(BigQuerySyncs.SYNC).counts()).isEqualTo(new ChangeCounts(5, 0, 0, 0, 5));
  }

  @Test
  void aBigNumericBeyondMySqlsWidestDecimalStopsTheRunNamingKeyAndColumn(TestDatabase database) {
    emulator.declareType("big", "BIGNUMERIC");
    for (String tooWide : List.of("1" + "0".repeat(35), "0." + "0".repeat(30) + "1")) {
      Qsync qsync =
          qsync(
              database, "SELECT * FROM (VALUES (6, '1.5'), (7, '" + tooWide + "')) AS t(id, big)");

      QsyncException error =
          catchThrowableOfType(QsyncException.class, () -> qsync.run(BigQuerySyncs.SYNC));

      assertThat(error.getMessage())
          .contains("column 'big' holds " + tooWide)
          .contains("DECIMAL(65,30) cannot hold")
          .contains("row with id=7")
          .contains("Nothing was written");
      assertThat(database.rows("SHOW TABLES LIKE 'types'")).isEmpty();
    }
  }

  /**
   * What an ARRAY or a STRUCT becomes in its JSON column, as the README's type table says: numbers
   * exact and never in exponent form (where TO_JSON_STRING would write an INT64 beyond 2^53 and a
   * NUMERIC with a fraction as strings), BYTES in base64, TIMESTAMP in UTC with microseconds, DATE
   * and DATETIME as BigQuery returns them.
   */
  @Test
  void arraysAndStructsBecomeJsonWithExactNumbers(TestDatabase database) {
    Qsync qsync =
        qsync(
            database,
            "SELECT 1 AS id,"
                + " [9007199254740993, -1]::BIGINT[] AS big_ints,"
                + " [0.0000001, 1.5, 12345678901234567890.123456789]::DECIMAL(38,9)[] AS numerics,"
                + " {'half': 0.5::DOUBLE, 'b': b'\\xff\\x00', 'd': DATE '2024-01-31',"
                + " 'dt': TIMESTAMP '2024-01-31 10:00:00.5', 'ts': TIMESTAMPTZ '2024-01-31 10:00:00+00'} AS st");

    qsync.run(BigQuerySyncs.SYNC);

    assertThat(database.rows("SELECT big_ints, numerics, st FROM types"))
        .containsExactly(
            List.of(
                "[9007199254740993,-1]",
                "[0.0000001,1.5,12345678901234567890.123456789]",
                "{\"half\":0.5,\"b\":\"/wA=\",\"d\":\"2024-01-31\","
                    + "\"dt\":\"2024-01-31T10:00:00.500000\",\"ts\":\"2024-01-31T10:00:00.000000Z\"}"));
  }
}
