package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.BigQueryConnectionConfig;
import io.qsync.config.Mode;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Qsync;
import io.qsync.engine.VerifyReport;
import io.qsync.engine.VerifyReport.KeyDifference;
import io.qsync.engine.VerifyReport.Kind;
import io.qsync.testing.FarKeys;
import io.qsync.testing.LongTexts;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import io.qsync.verify.BucketValue;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qsync verify} of a BigQuery sync: the emulator computes the query's side in GoogleSQL (one
 * job per pass), MariaDB the table's, and a table {@code qsync run} just wrote is equal for every
 * type of the mapping; planted differences are found exactly, and healed.
 */
@ExtendWith(MariaDbExtension.class)
class BigQueryVerifyIT {
  /** Every BigQuery type a run carries, at its edges; id 3 is NULL everywhere else. */
  private static final String EVERY_TYPE =
      """
      CREATE TABLE ds.src AS SELECT * FROM (VALUES
        (1, '-9223372036854775808'::BIGINT, 4.9E-324::DOUBLE,
         -99999999999999999999999999999.999999999::DECIMAL(38,9), false, '',
         ''::BLOB, DATE '1000-01-01', TIMESTAMP '1000-01-01 00:00:00', TIME '00:00:00',
         TIMESTAMPTZ '1969-12-31 23:59:59.999999+00', '{}'::JSON, 'POINT(-122.35 47.62)',
         '[UNBOUNDED, 2024-01-01)', 'control',
         -(INTERVAL '1 year 2 months 3 days 4 hours 5 minutes 6.789 seconds')),
        (2, 9223372036854775807::BIGINT, 1.7976931348623157E308::DOUBLE,
         99999999999999999999999999999.999999999::DECIMAL(38,9), true,
         'émoji 🚀 "quoted" back\\\\slash tab	newline\\nend',
         b'\\x00\\xFF\\x5C\\x27', DATE '9999-12-31', TIMESTAMP '9999-12-31 23:59:59.999999',
         TIME '23:59:59.999999', TIMESTAMPTZ '9999-12-31 23:59:59.999999+00',
         '{"a": [1, 2.5, {"b": null}], "c": "ü"}'::JSON, 'LINESTRING(0 0, 1 1)',
         '[2024-01-01, UNBOUNDED)', 'Treatment ',
         INTERVAL '1 year 2 months 3 days 4 hours 5 minutes 6.789 seconds'),
        (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL),
        (4, 0, -0.0::DOUBLE, 1.5::DECIMAL(38,9), true, 'a', b'a', DATE '2024-02-29',
         TIMESTAMP '2024-02-29 12:34:56.5', TIME '12:00:00.000001',
         TIMESTAMPTZ '2024-02-29 12:34:56.000001+00', '[1,"x"]'::JSON, 'POINT(1 2)',
         '[2024-01-01, 2024-02-01)', 'x', INTERVAL '0 seconds'),
        (5, 42, 0.1::DOUBLE, -0.5::DECIMAL(38,9), false, 'b', b'b', DATE '1970-01-01',
         TIMESTAMP '1970-01-01 00:00:00', TIME '23:59:59', TIMESTAMPTZ '1970-01-01 00:00:00+00',
         '"text"'::JSON, 'POINT(0 0)', '[UNBOUNDED, UNBOUNDED)', 'y', INTERVAL '0.000001 seconds')
      ) AS t(id, i64, f64, num, b, s, bytes, d, dt, tm, ts, j, geo, rng, label, iv)
      """;

  @TempDir Path dir;
  private BigQueryEmulator emulator;

  @BeforeEach
  void start() {
    emulator = BigQueryEmulator.start("qsync-test");
    emulator.declareType("geo", "GEOGRAPHY");
    emulator.declareType("rng", "RANGE<DATE>");
    emulator.execute("CREATE SCHEMA ds");
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private Qsync qsync(TestDatabase database, String query, List<String> key) {
    return qsync(database, query, key, BigQuerySyncs.connection(emulator, 500, Optional.empty()));
  }

  private Qsync qsync(
      TestDatabase database, String query, List<String> key, BigQueryConnectionConfig bigQuery) {
    return BigQuerySyncs.qsync(
        dir,
        database,
        bigQuery,
        BigQuerySyncs.sync(query, "copy", key, Mode.MIRROR),
        FaultPoint.NONE);
  }

  /** Runs the sync of {@code query}, then verifies it: equal, nothing to show. */
  private Qsync syncedAndVerifiedEqual(TestDatabase database, String query, List<String> key) {
    Qsync qsync = qsync(database, query, key);
    qsync.run(BigQuerySyncs.SYNC);
    VerifyReport report = qsync.verify(BigQuerySyncs.SYNC, 10, false);
    assertThat(report.samples()).isEmpty();
    assertThat(report.equal()).isTrue();
    return qsync;
  }

  @Test
  void aTableQsyncJustSyncedVerifiesEqualForEveryType(TestDatabase database) {
    emulator.execute(EVERY_TYPE);
    Qsync qsync = qsync(database, "SELECT * FROM ds.src", List.of("id"));
    qsync.run(BigQuerySyncs.SYNC);
    long jobsBefore = emulator.queriesRun();

    VerifyReport report = qsync.verify(BigQuerySyncs.SYNC, 10, false);

    assertThat(report.samples()).isEmpty();
    assertThat(report.equal()).isTrue();
    assertThat(report.warehouseRows()).isEqualTo(5);
    assertThat(report.tableRows()).isEqualTo(5);
    assertThat(report.bucketValue()).isEqualTo(BucketValue.FIRST_KEY_COLUMN);
    assertThat(report.passes()).isEqualTo(1);
    // The key's span, then one job for the pass: each billed the emulator's 10 MB.
    assertThat(emulator.queriesRun() - jobsBefore).isEqualTo(2);
    assertThat(report.bytesBilled()).isEqualTo(OptionalLong.of(2 * 10L * 1024 * 1024));
  }

  @Test
  void aTextKeyVerifiesEqualByHashBuckets(TestDatabase database) {
    emulator.execute(EVERY_TYPE);
    Qsync qsync =
        syncedAndVerifiedEqual(
            database, "SELECT * FROM ds.src WHERE label IS NOT NULL", List.of("label"));

    VerifyReport report = qsync.verify(BigQuerySyncs.SYNC, 10, false);

    assertThat(report.bucketValue()).isEqualTo(BucketValue.KEY_HASH);
    assertThat(report.warehouseRows()).isEqualTo(4);
  }

  @Test
  void randomDoublesRenderAsMariaDbDoes(TestDatabase database) {
    // Doubles of every magnitude, every power of two (where the gap below is half the gap above),
    // subnormals, the boundaries where MariaDB's text switches form, and both signs.
    emulator.execute(
        "SELECT setseed(0.42)",
        "CREATE TABLE ds.doubles AS SELECT i AS id,"
            + " (random() * 2 - 1) * pow(10, CAST(random() * 600 - 300 AS INTEGER)) AS d"
            + " FROM range(3000) r(i)",
        "INSERT INTO ds.doubles SELECT 10000 + e + 1074, CASE WHEN e % 2 = 0 THEN 1 ELSE -1 END"
            + " * pow(2.0, e) FROM range(-1074, 1024) r(e)",
        "INSERT INTO ds.doubles SELECT 20000 + i, pow(2.0, -1074) * (i * 7919 + 3)"
            + " FROM range(200) r(i)",
        "INSERT INTO ds.doubles SELECT 30000 + row_number() OVER (), CAST(v AS DOUBLE)"
            + " FROM (VALUES ('1e-15'), ('1.5e-15'), ('1e-16'), ('1.2345678901234567e-15'),"
            + " ('1e15'), ('1.5e15'), ('1234567890123456.8'), ('1e16'), ('123456789012345.67'),"
            + " ('999999999999999.9'), ('0.1'), ('0.3'), ('5e-324'), ('1.7976931348623157e308'),"
            + " ('2.2250738585072014e-308'), ('2.225073858507201e-308'), ('1e-5'), ('100'),"
            + " ('-0.0'), ('0'), ('9007199254740993'), ('0.30000000000000004')) AS t(v)");
    Qsync qsync = syncedAndVerifiedEqual(database, "SELECT * FROM ds.doubles", List.of("id"));
    assertThat(database.rows("SELECT COUNT(*) FROM copy")).containsExactly(List.of("5320"));

    // One ulp of difference is a difference.
    database.execute(
        "UPDATE copy SET d = 0.30000000000000004 WHERE id = 30012",
        "UPDATE copy SET d = d * (1 + 2.3e-16) WHERE id = 7 AND d <> 0");
    VerifyReport ulp = qsync.verify(BigQuerySyncs.SYNC, 10, false);
    assertThat(ulp.different()).isEqualTo(2);
    assertThat(ulp.samples())
        .containsExactlyInAnyOrder(different("7", "d"), different("30012", "d"));
  }

  @Test
  void findsEachPlantedDifferenceByKeyAndColumnWithIntegerBuckets(TestDatabase database) {
    findsEachPlantedDifference(database, List.of("id"), BucketValue.FIRST_KEY_COLUMN);
  }

  @Test
  void findsEachPlantedDifferenceByKeyAndColumnWithHashBuckets(TestDatabase database) {
    findsEachPlantedDifference(database, List.of("k"), BucketValue.KEY_HASH);
  }

  private void findsEachPlantedDifference(
      TestDatabase database, List<String> key, BucketValue buckets) {
    emulator.execute(
        EVERY_TYPE,
        // 2,000 more rows like row 2, so that buckets are split before rows are compared.
        "INSERT INTO ds.src SELECT 100 + n, i64, f64, num, b, s, bytes, d, dt, tm, ts, j, geo,"
            + " rng, label, iv FROM ds.src, range(2000) r(n) WHERE id = 2");
    String query = "SELECT CONCAT('k', CAST(id AS STRING)) AS k, * FROM ds.src";
    Qsync qsync = qsync(database, query, key);
    qsync.run(BigQuerySyncs.SYNC);
    database.execute(
        "DELETE FROM copy WHERE id = 101",
        "INSERT INTO copy (k, id) VALUES ('k999999', 999999)",
        "UPDATE copy SET i64 = i64 - 1 WHERE id = 102",
        "UPDATE copy SET f64 = 1.7976931348623155e308 WHERE id = 103",
        "UPDATE copy SET num = num - 0.000000001 WHERE id = 104",
        "UPDATE copy SET b = 0 WHERE id = 105",
        "UPDATE copy SET s = REPLACE(s, 'émoji', 'Émoji') WHERE id = 106",
        "UPDATE copy SET bytes = X'00FF5C28' WHERE id = 107",
        "UPDATE copy SET d = '9999-12-30' WHERE id = 108",
        "UPDATE copy SET dt = '9999-12-31 23:59:59.999998' WHERE id = 109",
        "UPDATE copy SET tm = '23:59:59.999998' WHERE id = 110",
        "UPDATE copy SET ts = '9999-12-31 23:59:59.999998' WHERE id = 111",
        "UPDATE copy SET j = '{\"a\":[1,2.5,{\"b\":null}],\"c\":\"u\"}' WHERE id = 112",
        "UPDATE copy SET geo = 'LINESTRING(0 0, 1 2)' WHERE id = 113",
        "UPDATE copy SET rng = '[2024-01-02, UNBOUNDED)' WHERE id = 114",
        "UPDATE copy SET label = 'treatment ' WHERE id = 115",
        "UPDATE copy SET label = 'Treatment' WHERE id = 116",
        "UPDATE copy SET label = NULL WHERE id = 117",
        "UPDATE copy SET label = '' WHERE id = 3",
        "UPDATE copy SET iv = '1-2 3 4:5:6.788' WHERE id = 118");

    VerifyReport report = qsync.verify(BigQuerySyncs.SYNC, 100, false);

    assertThat(report.bucketValue()).isEqualTo(buckets);
    assertThat(report.warehouseRows()).isEqualTo(2005);
    assertThat(report.missing()).isEqualTo(1);
    assertThat(report.extra()).isEqualTo(1);
    assertThat(report.different()).isEqualTo(18);
    boolean byId = key.equals(List.of("id"));
    assertThat(report.samples())
        .containsExactlyInAnyOrder(
            new KeyDifference(Kind.MISSING, List.of(byId ? "101" : "k101"), List.of()),
            new KeyDifference(Kind.EXTRA, List.of(byId ? "999999" : "k999999"), List.of()),
            different(byId ? "102" : "k102", "i64"),
            different(byId ? "103" : "k103", "f64"),
            different(byId ? "104" : "k104", "num"),
            different(byId ? "105" : "k105", "b"),
            different(byId ? "106" : "k106", "s"),
            different(byId ? "107" : "k107", "bytes"),
            different(byId ? "108" : "k108", "d"),
            different(byId ? "109" : "k109", "dt"),
            different(byId ? "110" : "k110", "tm"),
            different(byId ? "111" : "k111", "ts"),
            different(byId ? "112" : "k112", "j"),
            different(byId ? "113" : "k113", "geo"),
            different(byId ? "114" : "k114", "rng"),
            different(byId ? "115" : "k115", "label"),
            different(byId ? "116" : "k116", "label"),
            different(byId ? "117" : "k117", "label"),
            different(byId ? "3" : "k3", "label"),
            different(byId ? "118" : "k118", "iv"));
  }

  @Test
  void fewKeysFarFromTheRestCostNoExtraPass(TestDatabase database) {
    emulator.execute(
        "CREATE TABLE ds.src AS SELECT i AS id, md5(CAST(i AS VARCHAR)) AS v FROM"
            + " range(1, 20001) t(i)");
    Qsync qsync = qsync(database, "SELECT * FROM ds.src", List.of("id"));
    qsync.run(BigQuerySyncs.SYNC);
    // Changed, missing, and extra keys 10^12 above the others, which make the first pass's
    // buckets 2^31 keys wide: all 20,000 dense rows in bucket 0.
    FarKeys.plant(database);

    VerifyReport report = qsync.verify(BigQuerySyncs.SYNC, 100, false);

    FarKeys.assertFoundExactly(report, 20_000);
    // Bucket 0 is split over the span its rows occupy, 1 to 20,000, into buckets of 16 keys,
    // whose differing ones are fetched next; split by its nominal width, into buckets of 2^20
    // keys, it took a third pass.
    assertThat(report.passes()).isEqualTo(2);
  }

  @Test
  void healWritesExactlyTheDifferingKeysAndAFollowingVerifyIsEqual(TestDatabase database) {
    emulator.execute(EVERY_TYPE);
    Qsync qsync = qsync(database, "SELECT * FROM ds.src", List.of("id"));
    qsync.run(BigQuerySyncs.SYNC);
    database.execute(
        "DELETE FROM copy WHERE id = 1",
        "UPDATE copy SET f64 = 0.30000000000000004, s = 'B' WHERE id = 5",
        "INSERT INTO copy (id) VALUES (77)");

    VerifyReport healed = qsync.verify(BigQuerySyncs.SYNC, 10, true);

    assertThat(healed.healed()).isEqualTo(3);
    assertThat(healed.bytesBilled().getAsLong()).isPositive();
    VerifyReport after = qsync.verify(BigQuerySyncs.SYNC, 10, false);
    assertThat(after.equal()).isTrue();
    assertThat(after.samples()).isEmpty();
    assertThat(database.rows("SELECT id, CAST(f64 AS CHAR), s FROM copy WHERE id IN (1, 5, 77)"))
        .containsExactlyInAnyOrder(List.of("1", "5e-324", ""), List.of("5", "0.1", "b"));
  }

  @Test
  void aServerErrorMidVerifyIsRetried(TestDatabase database) {
    emulator.execute(EVERY_TYPE);
    Qsync qsync = qsync(database, "SELECT * FROM ds.src", List.of("id"));
    qsync.run(BigQuerySyncs.SYNC);
    database.execute("UPDATE copy SET s = 'z' WHERE id = 5");
    // The pass's job, and a page of its result: each answered 503 once, then well.
    emulator.failRequest("jobs.insert", 2, 503, "backendError");
    emulator.failRequest("tabledata.list", 3, 503, "backendError");

    VerifyReport report = qsync.verify(BigQuerySyncs.SYNC, 10, false);

    assertThat(report.samples()).containsExactly(different("5", "s"));
  }

  @Test
  void aMaximumBytesBilledTooSmallStopsTheVerifyNamingTheSetting(TestDatabase database) {
    emulator.execute(EVERY_TYPE);
    qsync(database, "SELECT * FROM ds.src", List.of("id")).run(BigQuerySyncs.SYNC);
    BigQueryConnectionConfig base = BigQuerySyncs.connection(emulator, 500, Optional.empty());
    BigQueryConnectionConfig capped =
        base.toBuilder().maximumBytesBilled(OptionalLong.of(1_000_000)).build();

    QsyncException error =
        catchThrowableOfType(
            QsyncException.class,
            () ->
                qsync(database, "SELECT * FROM ds.src", List.of("id"), capped)
                    .verify(BigQuerySyncs.SYNC, 10, false));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains("BigQuery connection 'bq'")
        .contains("verify job 1")
        .contains("bytesBilledLimitExceeded")
        .contains("Raise the connection's maximum_bytes_billed");
  }

  @Test
  void arraysAndStructsVerifyAsTheJsonTextTheRunWrote(TestDatabase database) {
    emulator.execute(
        "CREATE TABLE ds.nested AS SELECT * FROM (VALUES"
            + " (1, [1, -2, 9223372036854775807]::BIGINT[], {'a': -1, 'b': '', 'c': []::VARCHAR[],"
            + " 'n': 1.5::DECIMAL(38,9), 'ok': true, 'bin': 'a\\x00b'::BLOB,"
            + " 'd': DATE '2024-02-29', 'ts': TIMESTAMPTZ '2024-02-29 12:34:56.5+00'}),"
            + " (2, []::BIGINT[], {'a': 9223372036854775807, 'b': 'x\"y\\z\ttab\nline\u0001 ü 🚀',"
            + " 'c': ['p', 'q'], 'n': 0::DECIMAL(38,9), 'ok': false, 'bin': ''::BLOB,"
            + " 'd': NULL, 'ts': NULL}),"
            + " (3, NULL, NULL)) AS t(id, tags, attrs)");
    Qsync qsync = syncedAndVerifiedEqual(database, "SELECT * FROM ds.nested", List.of("id"));

    database.execute(
        "UPDATE copy SET tags = '[1,-2]' WHERE id = 1",
        "UPDATE copy SET attrs = REPLACE(attrs, '\"a\":9223372036854775807',"
            + " '\"a\":9223372036854775806') WHERE id = 2");
    VerifyReport differs = qsync.verify(BigQuerySyncs.SYNC, 10, false);
    assertThat(differs.samples())
        .containsExactlyInAnyOrder(different("1", "tags"), different("2", "attrs"));
  }

  @Test
  void textsAroundTheLongTextThresholdVerifyEqualAndOneChangedByteIsFound(TestDatabase database) {
    // The texts of LongTexts, and as an ARRAY's and a JSON's text, which get longer still.
    emulator.execute(
        LongTexts.table("ds.texts"),
        "CREATE TABLE ds.src AS SELECT *, CASE WHEN id > 1 THEN [t, 'x'] END AS tags,"
            + " ('{\"t\": ' || to_json(t)::VARCHAR || '}')::JSON AS j FROM ds.texts");
    Qsync qsync = syncedAndVerifiedEqual(database, "SELECT * FROM ds.src", List.of("id"));

    database.execute(
        LongTexts.changeOneByte("copy"),
        // The ARRAY's text starts ["ü€: its ü (C3 BC) becomes ý (C3 BD).
        "UPDATE copy SET tags = CONCAT('[\"\u00fd', SUBSTRING(tags, 4)) WHERE id = 6");
    VerifyReport report = qsync.verify(BigQuerySyncs.SYNC, 10, false);

    assertThat(report.samples())
        .containsExactlyInAnyOrder(
            different(Integer.toString(LongTexts.STRADDLING), "t"), different("6", "tags"));
    assertThat(report.different()).isEqualTo(2);
  }

  @Test
  void aDoubleInAStructIsRefusedNamingItBeforeAnyJob(TestDatabase database) {
    emulator.execute("CREATE TABLE ds.nested AS SELECT 1 AS id, {'c': [0.5]::DOUBLE[]} AS attrs");
    Qsync qsync = qsync(database, "SELECT * FROM ds.nested", List.of("id"));
    qsync.run(BigQuerySyncs.SYNC);
    long jobsBefore = emulator.queriesRun();

    QsyncException error =
        catchThrowableOfType(
            QsyncException.class, () -> qsync.verify(BigQuerySyncs.SYNC, 10, false));

    assertThat(error.kind()).isEqualTo(ErrorKind.USAGE);
    assertThat(error.getMessage())
        .contains("verify cannot compare attrs.c[] (a BigQuery FLOAT64 in an ARRAY or STRUCT)");
    assertThat(emulator.queriesRun()).isEqualTo(jobsBefore);
  }

  private static KeyDifference different(String key, String column) {
    return new KeyDifference(Kind.DIFFERENT, List.of(key), List.of(column));
  }
}
