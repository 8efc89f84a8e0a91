package io.qsync.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.Sleeper;
import io.qsync.config.DuckDbConnectionConfig;
import io.qsync.config.Mode;
import io.qsync.config.MySqlConnectionConfig;
import io.qsync.config.Secret;
import io.qsync.config.SyncConfig;
import io.qsync.config.ThrottleConfig;
import io.qsync.destination.mysql.MySqlDestination;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Qsync;
import io.qsync.engine.VerifyReport;
import io.qsync.engine.VerifyReport.KeyDifference;
import io.qsync.engine.VerifyReport.Kind;
import io.qsync.source.duckdb.DuckDbSource;
import io.qsync.testing.EveryType;
import io.qsync.testing.FarKeys;
import io.qsync.testing.LongTexts;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.RecordingProgress;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.TestSyncs;
import io.qsync.testing.Warehouse;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qsync verify} against the real DuckDB and MariaDB: a table qsync just synced verifies
 * equal for every type of the type mapping, and each difference planted in the table by hand is
 * found exactly, by key and column.
 */
@ExtendWith(MariaDbExtension.class)
class VerifyIT {
  @TempDir Path dir;

  /** One row per kind of value, with the edges of each type; the key is {@code id}. */
  private static final String EVERY_TYPE = EveryType.TABLE;

  private Qsync qsync(
      TestDatabase database, Warehouse warehouse, Mode mode, String query, String... key) {
    SyncConfig sync = TestSyncs.sync("copy", query, "copy").key(List.of(key)).mode(mode).build();
    return TestSyncs.qsync(dir, database, warehouse, sync);
  }

  private Warehouse warehouse(String... statements) {
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse.duckdb"));
    warehouse.execute(statements);
    return warehouse;
  }

  @Test
  void aTableQsyncJustSyncedVerifiesEqualForEveryType(TestDatabase database) {
    Warehouse warehouse = warehouse(EVERY_TYPE);
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");

    VerifyReport report = qsync.verify("copy", 10, false);

    assertThat(report.equal()).isTrue();
    assertThat(report.samples()).isEmpty();
    assertThat(report.warehouseRows()).isEqualTo(5);
    assertThat(report.tableRows()).isEqualTo(5);
    assertThat(report.bucketValue()).isEqualTo(BucketValue.FIRST_KEY_COLUMN);
  }

  @Test
  void randomDoublesAndFloatsRenderAlikeOnBothSides(TestDatabase database) {
    // Doubles of every magnitude (subnormal to near the maximum), floats, and their ulps: if any
    // rendering differed between DuckDB and MariaDB, its row would differ.
    Warehouse warehouse =
        warehouse(
            "SELECT setseed(0.42)",
            "CREATE TABLE src AS SELECT i AS id,"
                + " (random() * 2 - 1) * pow(10, CAST(random() * 600 - 300 AS INTEGER)) AS d,"
                + " CAST((random() * 2 - 1) * pow(10, CAST(random() * 70 - 35 AS INTEGER)) AS FLOAT)"
                + " AS f, CAST(i AS DOUBLE) * 1e15 AS whole, 1 / CAST(i + 1 AS DOUBLE) AS fraction"
                + " FROM range(3000) r(i)",
            // Where MariaDB's text switches between positional and exponent form, both ways.
            "INSERT INTO src SELECT 10000 + row_number() OVER (), CAST(v AS DOUBLE),"
                + " CAST(CASE WHEN CAST(v AS DOUBLE) < 3.4e38 THEN v END AS FLOAT), -CAST(v AS DOUBLE),"
                + " NULL FROM (VALUES ('1e-15'), ('1.5e-15'),"
                + " ('1e-16'), ('1.2345678901234567e-15'), ('1e15'), ('1.5e15'),"
                + " ('1234567890123456.8'), ('1e16'), ('123456789012345.67'), ('999999999999999.9'),"
                + " ('0.1'), ('5e-324'), ('1.7976931348623157e308'), ('2.2250738585072014e-308'),"
                + " ('1e-5'), ('100'), ('3.4028235e38'), ('1.4e-45')) AS t(v)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");

    VerifyReport report = qsync.verify("copy", 10, false);

    assertThat(report.samples()).isEmpty();
    assertThat(report.equal()).isTrue();
    assertThat(report.warehouseRows()).isEqualTo(3018);
  }

  @Test
  void doublesAsDigitsAndExponentAgreeToo(TestDatabase database) {
    // The form used against MySQL 8, whose text form verify does not rely on: both sides take
    // their own text apart. Checked here against MariaDB, on the same doubles.
    Warehouse warehouse =
        warehouse(
            "SELECT setseed(0.17)",
            "CREATE TABLE src AS SELECT i AS id,"
                + " (random() * 2 - 1) * pow(10, CAST(random() * 600 - 300 AS INTEGER)) AS d,"
                + " CAST(random() AS FLOAT) AS f FROM range(2000) r(i)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");
    try (DuckDbSource source =
            new DuckDbSource(
                new DuckDbConnectionConfig("warehouse", Optional.of(warehouse.file()), List.of()));
        MySqlDestination target =
            new MySqlDestination(
                new MySqlConnectionConfig("app", database.url(), "root", new Secret(""), Map.of()),
                Clock.systemUTC())) {
      RowShape shape =
          new RowShape(
              source.describe("SELECT * FROM src"),
              List.of("id"),
              BucketValue.KEY_HASH,
              DoubleText.PARTS);
      RowChecksums ours = source.checksums("SELECT * FROM src", shape).orElseThrow();
      RowChecksums theirs = target.checksums("copy", shape).orElseThrow();
      List<KeyRange> all = List.of(new KeyRange(BigInteger.ZERO, BucketSearch.HASH_SPACE));
      Grouping grouping =
          new Grouping(BucketValue.KEY_HASH, BigInteger.ZERO, BigInteger.ONE.shiftLeft(54));

      assertThat(theirs.sums(grouping, all)).isEqualTo(ours.sums(grouping, all));

      database.execute("UPDATE copy SET d = d * (1 + 2.3e-16) WHERE id = 7 AND d <> 0");
      assertThat(theirs.rows(all)).hasSize(2000).isNotEqualTo(ours.rows(all));
      assertThat(RowComparison.of(ours.rows(all), theirs.rows(all)).different()).hasSize(1);
    }
  }

  @Test
  void findsEachPlantedDifferenceByKeyAndColumn(TestDatabase database) {
    Warehouse warehouse = warehouse(EVERY_TYPE, EveryType.MORE_ROWS);
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");
    database.execute(EveryType.planted("copy"));

    VerifyReport report = qsync.verify("copy", 100, false);

    assertThat(report.samples())
        .containsExactlyInAnyOrder(
            new KeyDifference(Kind.MISSING, List.of("2"), List.of()),
            new KeyDifference(Kind.EXTRA, List.of("999"), List.of()),
            different(100, "d"),
            different(101, "f"),
            different(102, "s"),
            different(103, "s"),
            different(104, "s"),
            different(105, "ts"),
            different(106, "tm"),
            different(107, "dt"),
            different(108, "dec"),
            different(109, "bl"),
            different(110, "j"),
            different(111, "b"),
            different(112, "bi"),
            different(113, "u"),
            different(114, "e"),
            different(115, "uh"),
            different(116, "tsz"),
            different(117, "ub"),
            different(118, "ti"),
            different(119, "s"));
    assertThat(report.equal()).isFalse();
    assertThat(report.missing()).isEqualTo(1);
    assertThat(report.extra()).isEqualTo(1);
    assertThat(report.different()).isEqualTo(20);
  }

  @Test
  void nullAndTheEmptyStringDiffer(TestDatabase database) {
    Warehouse warehouse =
        warehouse(
            "CREATE TABLE src (k VARCHAR, a VARCHAR, b BLOB)",
            "INSERT INTO src VALUES ('x', '', ''::BLOB), ('y', NULL, NULL)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "k");
    qsync.run("copy");
    assertThat(qsync.verify("copy", 10, false).equal()).isTrue();

    database.execute(
        "UPDATE copy SET a = NULL, b = NULL WHERE k = 'x'",
        "UPDATE copy SET a = '', b = '' WHERE k = 'y'");
    VerifyReport report = qsync.verify("copy", 10, false);

    assertThat(report.bucketValue()).isEqualTo(BucketValue.KEY_HASH);
    assertThat(report.samples())
        .containsExactlyInAnyOrder(
            new KeyDifference(Kind.DIFFERENT, List.of("x"), List.of("a", "b")),
            new KeyDifference(Kind.DIFFERENT, List.of("y"), List.of("a", "b")));
  }

  @Test
  void textsAroundTheLongTextThresholdVerifyEqualAndOneChangedByteIsFound(TestDatabase database) {
    Warehouse warehouse = warehouse(LongTexts.table("src"));
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");

    VerifyReport equal = qsync.verify("copy", 10, false);
    assertThat(equal.samples()).isEmpty();
    assertThat(equal.equal()).isTrue();
    assertThat(equal.warehouseRows()).isEqualTo(6);

    database.execute(LongTexts.changeOneByte("copy"));
    VerifyReport report = qsync.verify("copy", 10, false);

    assertThat(report.samples()).containsExactly(different(LongTexts.STRADDLING, "t"));
    assertThat(report.different()).isEqualTo(1);
    assertThat(report.missing() + report.extra()).isZero();
  }

  /**
   * MariaDB's CONCAT returns NULL (and warns) past {@code max_allowed_packet}: the row holds two
   * texts whose bytes together exceed the server's value, so that only texts rendered by their
   * length and MD5 keep the row's hash (a NULL one failed the verify when it listed the rows).
   */
  @Test
  void aRowWhoseTextsTogetherExceedMaxAllowedPacketVerifies(TestDatabase database) {
    long each = LongTexts.eachOfTwoBeyondThePacket(database);
    Warehouse warehouse =
        warehouse(
            "CREATE TABLE src AS SELECT i AS id, 'a' || i AS a, 'b' || i AS b FROM range(3) t(i)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");
    warehouse.execute(
        "UPDATE src SET a = repeat('\u00e9', "
            + each / 2
            + "), b = repeat('x', "
            + each
            + ") WHERE id = 1");
    database.execute(
        "UPDATE copy SET a = REPEAT('\u00e9', "
            + each / 2
            + "), b = REPEAT('x', "
            + each
            + ") WHERE id = 1");

    VerifyReport equal = qsync.verify("copy", 10, false);
    assertThat(equal.samples()).isEmpty();
    assertThat(equal.equal()).isTrue();

    database.execute("UPDATE copy SET b = CONCAT('y', SUBSTRING(b, 2)) WHERE id = 1");
    VerifyReport report = qsync.verify("copy", 10, false);

    assertThat(report.samples()).containsExactly(different(1, "b"));
    assertThat(report.different()).isEqualTo(1);
  }

  /**
   * Texts of up to 64 KiB are rendered whole: enough of them in one row make its rendering longer
   * than max_allowed_packet, where MariaDB gives no hash. The verify stops saying so (it threw a
   * NullPointerException, exit 70).
   */
  @Test
  void aRowOfManyTextsLongerThanMaxAllowedPacketStopsNamingItsKeyAndTheSetting(
      TestDatabase database) {
    long packet = Long.parseLong(database.rows("SELECT @@max_allowed_packet").get(0).get(0));
    org.junit.jupiter.api.Assumptions.assumeTrue(
        packet <= 32 << 20, "max_allowed_packet is " + packet + ", too large to exceed here");
    int each = io.qsync.verify.LongText.BYTES - 100;
    int columns = (int) (packet / each) + 2;
    StringBuilder select = new StringBuilder("SELECT i AS id");
    StringBuilder longer = new StringBuilder();
    for (int c = 0; c < columns; c++) {
      select.append(", 't' || i AS c").append(c);
      longer
          .append(c == 0 ? "" : ", ")
          .append("c")
          .append(c)
          .append(" = REPEAT('x', ")
          .append(each)
          .append(")");
    }
    Warehouse warehouse = warehouse("CREATE TABLE src AS " + select + " FROM range(3) t(i)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");
    // as long on both sides, written by hand: no one statement qsync could send would hold it
    warehouse.execute("UPDATE src SET " + longer + " WHERE id = 1");
    database.execute("UPDATE copy SET " + longer + " WHERE id = 1");

    assertThatThrownBy(() -> qsync.verify("copy", 10, false))
        .isInstanceOfSatisfying(
            QsyncException.class,
            failure -> assertThat(failure.kind()).isEqualTo(ErrorKind.NEEDS_ACTION))
        .hasMessageContaining(
            "the row of table copy with key 1 renders longer than the server's max_allowed_packet")
        .hasMessageContaining("Raise max_allowed_packet");
  }

  @Test
  void compoundTextKeysAreComparedByTheirBytes(TestDatabase database) {
    Warehouse warehouse =
        warehouse(
            "CREATE TABLE src (region VARCHAR, day DATE, n INTEGER)",
            "INSERT INTO src SELECT 'r' || (i % 7), DATE '2024-01-01' + CAST(i // 7 AS INTEGER), i"
                + " FROM range(5000) t(i)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "region", "day");
    qsync.run("copy");
    assertThat(qsync.verify("copy", 10, false).equal()).isTrue();

    database.execute(
        "UPDATE copy SET n = n + 1 WHERE region = 'r3' AND day = '2024-02-01'",
        "DELETE FROM copy WHERE region = 'r0' AND day = '2024-01-01'",
        "INSERT INTO copy VALUES ('r0 ', '2024-01-01', 0)", // a trailing space in a key
        "INSERT INTO copy VALUES ('R1', '2024-01-01', 1)"); // a case change in a key
    VerifyReport report = qsync.verify("copy", 10, false);

    assertThat(report.missing()).isEqualTo(1);
    assertThat(report.extra()).isEqualTo(2);
    assertThat(report.different()).isEqualTo(1);
    assertThat(report.samples())
        .containsExactlyInAnyOrder(
            new KeyDifference(Kind.MISSING, List.of("r0", "2024-01-01"), List.of()),
            new KeyDifference(Kind.EXTRA, List.of("r0 ", "2024-01-01 00:00:00.000000"), List.of()),
            new KeyDifference(Kind.EXTRA, List.of("R1", "2024-01-01 00:00:00.000000"), List.of()),
            new KeyDifference(Kind.DIFFERENT, List.of("r3", "2024-02-01"), List.of("n")));
  }

  @Test
  void aBigTableIsBisectedDownToTheDifferingKeysOnly(TestDatabase database) {
    Warehouse warehouse =
        warehouse(
            "CREATE TABLE src AS SELECT i * 3 AS id, md5(CAST(i AS VARCHAR)) AS v, i / 7.0 AS x"
                + " FROM range(200000) t(i)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");
    VerifyReport equal = qsync.verify("copy", 10, false);
    assertThat(equal.equal()).isTrue();
    assertThat(equal.passes()).isEqualTo(1);
    assertThat(equal.rowsFetched()).isZero();

    database.execute(
        "UPDATE copy SET v = 'changed' WHERE id = 300000",
        "DELETE FROM copy WHERE id = 3",
        "INSERT INTO copy VALUES (599998, 'extra', 0)");
    VerifyReport report = qsync.verify("copy", 10, false);

    assertThat(report.samples())
        .containsExactlyInAnyOrder(
            new KeyDifference(Kind.MISSING, List.of("3"), List.of()),
            new KeyDifference(Kind.EXTRA, List.of("599998"), List.of()),
            new KeyDifference(Kind.DIFFERENT, List.of("300000"), List.of("v")));
    // The table's 200,000 rows set the first pass at 16,384 buckets of 1,024 key values (about
    // 341 rows): one aggregate pass, then only the rows of three buckets crossed the network.
    assertThat(report.passes()).isEqualTo(1);
    assertThat(report.rowsFetched()).isPositive().isLessThan(3 * 2 * 342);
  }

  @Test
  void manyScatteredDifferencesAndFarExtraKeysAreFoundExactly(TestDatabase database) {
    Warehouse warehouse =
        warehouse(
            "CREATE TABLE src AS SELECT i * 3 AS id, md5(CAST(i AS VARCHAR)) AS v FROM"
                + " range(100000) t(i)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");
    // 40 changed rows far apart: the rows of more than 16 ranges are fetched, which DuckDB keeps
    // by a list of buckets rather than a WHERE of ranges; 20 extra keys 10^12 above the others
    // make a span mostly empty, which takes more passes over many ranges.
    database.execute(
        "UPDATE copy SET v = 'changed' WHERE MOD(id, 7500) = 0",
        "INSERT INTO copy SELECT id + 1000000000000, v FROM copy WHERE MOD(id, 15000) = 3");
    VerifyReport report = qsync.verify("copy", 100, false);

    assertThat(report.different()).isEqualTo(40);
    assertThat(report.extra()).isEqualTo(20);
    assertThat(report.missing()).isZero();
    assertThat(report.samples())
        .filteredOn(sample -> sample.kind() == Kind.DIFFERENT)
        .allSatisfy(sample -> assertThat(sample.columns()).containsExactly("v"))
        .extracting(sample -> Long.parseLong(sample.key().get(0)) % 7500)
        .containsOnly(0L);
    assertThat(report.samples())
        .filteredOn(sample -> sample.kind() == Kind.EXTRA)
        .extracting(sample -> Long.parseLong(sample.key().get(0)))
        .allSatisfy(key -> assertThat(key).isGreaterThan(1_000_000_000_000L));
  }

  @Test
  void fewKeysFarFromTheRestCostNoExtraPass(TestDatabase database) {
    Warehouse warehouse =
        warehouse(
            "CREATE TABLE src AS SELECT i AS id, md5(CAST(i AS VARCHAR)) AS v FROM"
                + " range(1, 200001) t(i)");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");
    // As the bench plants them: changed, missing, and extra keys 10^12 above the others, which
    // make the first pass's buckets 2^28 keys wide: all 200,000 dense rows in bucket 0.
    FarKeys.plant(database);
    VerifyReport report = qsync.verify("copy", 100, false);

    FarKeys.assertFoundExactly(report, 200_000);
    // Bucket 0 is split over the span its rows occupy, 1 to 200,000: buckets of 16 keys, whose
    // differing ones are fetched next. Split by its nominal width, its buckets of 16,384 keys were
    // too large to fetch and took a third pass.
    assertThat(report.passes()).isEqualTo(2);
    assertThat(report.rowsFetched()).isLessThan(2 * 3 * 67 * 16 + 2 * 67);
  }

  @Test
  void anUpsertKeepsExtraRowsAndStillVerifiesEqual(TestDatabase database) {
    Warehouse warehouse =
        warehouse("CREATE TABLE src (id INTEGER, v VARCHAR)", "INSERT INTO src VALUES (1, 'a')");
    Qsync qsync = qsync(database, warehouse, Mode.UPSERT, "SELECT * FROM src", "id");
    qsync.run("copy");
    database.execute("INSERT INTO copy VALUES (2, 'kept')");

    VerifyReport report = qsync.verify("copy", 10, false);

    assertThat(report.extra()).isEqualTo(1);
    assertThat(report.equal()).isTrue();
  }

  @Test
  void refusesAMissingTableNamingTheRemedy(TestDatabase database) {
    Warehouse warehouse =
        warehouse("CREATE TABLE src (id INTEGER, v VARCHAR)", "INSERT INTO src VALUES (1, 'a')");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");

    assertThatThrownBy(() -> qsync.verify("copy", 10, false))
        .isInstanceOfSatisfying(
            QsyncException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NEEDS_ACTION))
        .hasMessageContaining("table copy does not exist")
        .hasMessageContaining("qsync run copy");
  }

  @Test
  void healWritesExactlyTheDifferingKeysAndAFollowingVerifyIsEqual(TestDatabase database) {
    Warehouse warehouse =
        warehouse(
            EVERY_TYPE,
            "INSERT INTO src SELECT 100 + n, b, ti, si, src.i, bi, ut, us, ui, ub, h, uh, f, d, dec,"
                + " dec0, s, e, bl, u, dt, tm, ts, tsns, tsz, j, l, st FROM src, range(20) r(n)"
                + " WHERE id = 1");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");
    database.execute(
        "DELETE FROM copy WHERE id = 2",
        "INSERT INTO copy (id, s) VALUES (999, 'extra')",
        "UPDATE copy SET d = 0.10000000000000002, s = 'Control' WHERE id = 100",
        "UPDATE copy SET tsz = '2024-03-31 00:30:00.500001', j = '{}' WHERE id = 101");
    List<List<String>> untouched = database.rows("SELECT * FROM copy WHERE id = 103");

    VerifyReport healed = qsync.verify("copy", 10, true);

    assertThat(healed.missing()).isEqualTo(1);
    assertThat(healed.extra()).isEqualTo(1);
    assertThat(healed.different()).isEqualTo(2);
    assertThat(healed.healed()).isEqualTo(4);
    assertThat(database.rows("SELECT id FROM copy WHERE id IN (2, 999) ORDER BY id"))
        .containsExactly(List.of("2"));
    assertThat(database.rows("SELECT * FROM copy WHERE id = 103")).isEqualTo(untouched);
    VerifyReport after = qsync.verify("copy", 10, false);
    assertThat(after.equal()).isTrue();
    assertThat(after.samples()).isEmpty();
    // The heal is a run in the history: the next run finds nothing to change.
    assertThat(qsync.run("copy").counts().unchanged()).isEqualTo(25);
    assertThat(qsync.historyWithVerifies("copy", 10))
        .extracting(run -> run.mode())
        .containsExactly("mirror", "verify", "mirror", "verify", "mirror");
    // What the status, the service and a resumed run read: the runs alone.
    assertThat(qsync.history("copy", 10))
        .extracting(run -> run.mode())
        .containsExactly("mirror", "mirror", "mirror");
  }

  @Test
  void healUnderUpsertKeepsExtraRows(TestDatabase database) {
    Warehouse warehouse =
        warehouse(
            "CREATE TABLE src (id INTEGER, v VARCHAR)",
            "INSERT INTO src VALUES (1, 'a'), (2, 'b')");
    Qsync qsync = qsync(database, warehouse, Mode.UPSERT, "SELECT * FROM src", "id");
    qsync.run("copy");
    database.execute("INSERT INTO copy VALUES (3, 'kept')", "UPDATE copy SET v = 'B' WHERE id = 2");

    VerifyReport healed = qsync.verify("copy", 10, true);

    assertThat(healed.healed()).isEqualTo(1);
    assertThat(database.rows("SELECT id, v FROM copy ORDER BY id"))
        .containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("3", "kept"));
  }

  @Test
  void healRespectsTheDeleteGuard(TestDatabase database) {
    Warehouse warehouse =
        warehouse("CREATE TABLE src (id INTEGER, v VARCHAR)", "INSERT INTO src VALUES (1, 'a')");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");
    database.execute("INSERT INTO copy VALUES (2, 'x'), (3, 'y'), (4, 'z')");

    assertThatThrownBy(() -> qsync.verify("copy", 10, true))
        .isInstanceOfSatisfying(
            QsyncException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NEEDS_ACTION))
        .hasMessageContaining("verify --heal wrote nothing");
    assertThat(database.count("copy")).isEqualTo(4);
  }

  @Test
  void waitsForTheThrottleBeforeReadingTheTable(TestDatabase database) throws Exception {
    Warehouse warehouse =
        warehouse("CREATE TABLE src (id INTEGER, v VARCHAR)", "INSERT INTO src VALUES (1, 'a')");
    Path pauseFile = dir.resolve("qsync.pause");
    ThrottleConfig paused =
        ThrottleConfig.builder().pauseFile(Optional.of(pauseFile)).withoutSelfThrottle().build();
    SyncConfig sync =
        TestSyncs.sync("copy", "SELECT * FROM src", "copy")
            .key(List.of("id"))
            .throttle(paused)
            .build();
    TestSyncs.qsync(dir, database, warehouse, sync).run("copy");
    Files.writeString(pauseFile, "");
    RecordingProgress progress = new RecordingProgress();
    List<Duration> pauses = new ArrayList<>();
    // The operator removes the pause file during the first pause.
    Sleeper sleeper =
        duration -> {
          pauses.add(duration);
          try {
            Files.deleteIfExists(pauseFile);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        };
    Qsync qsync =
        new Qsync(
            TestSyncs.config(dir, database, warehouse, sync),
            Clock.systemUTC(),
            progress,
            FaultPoint.NONE,
            sleeper);

    VerifyReport report = qsync.verify("copy", 10, false);

    assertThat(report.equal()).isTrue();
    assertThat(pauses).isNotEmpty();
    assertThat(progress.events).contains("paused: pause file " + pauseFile + " exists");
  }

  @Test
  void aVerifyAfterAFailedRunLeavesThatRunToBeResumed(TestDatabase database) {
    Warehouse warehouse =
        warehouse("CREATE TABLE src AS SELECT i AS id, 'v' || i AS v FROM range(10) t(i)");
    java.util.concurrent.atomic.AtomicBoolean armed =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    FaultPoint failAfterFirstBatch =
        (point, value) -> {
          if (point == FaultPoint.Point.AFTER_BATCH && armed.getAndSet(false)) {
            throw new IllegalStateException("simulated failure after the first batch");
          }
        };
    SyncConfig sync =
        TestSyncs.sync("copy", "SELECT * FROM src", "copy").key(List.of("id")).batchSize(4).build();
    Qsync qsync = TestSyncs.qsync(dir, database, warehouse, sync, failAfterFirstBatch);
    assertThatThrownBy(() -> qsync.run("copy")).hasMessageContaining("simulated failure");

    VerifyReport report = qsync.verify("copy", 10, false);
    assertThat(report.missing()).isEqualTo(6);

    // The verify's record is newer, but the next run still resumes the failed one.
    assertThat(qsync.run("copy").resumed()).isTrue();
    assertThat(qsync.verify("copy", 10, false).equal()).isTrue();
  }

  @Test
  void refusesWhileARunHoldsTheSyncsLock(TestDatabase database) throws Exception {
    Warehouse warehouse =
        warehouse("CREATE TABLE src (id INTEGER, v VARCHAR)", "INSERT INTO src VALUES (1, 'a')");
    Qsync qsync = qsync(database, warehouse, Mode.MIRROR, "SELECT * FROM src", "id");
    qsync.run("copy");
    String lock = "qsync/" + database.name() + "/copy";
    try (java.sql.Connection run = database.connect();
        java.sql.PreparedStatement take = run.prepareStatement("SELECT GET_LOCK(?, 0)")) {
      take.setString(1, lock);
      try (java.sql.ResultSet taken = take.executeQuery()) {
        taken.next();
        assertThat(taken.getInt(1)).isEqualTo(1);
      }

      assertThatThrownBy(() -> qsync.verify("copy", 10, false))
          .isInstanceOfSatisfying(
              QsyncException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.LOCK_HELD))
          .hasMessageContaining("a run holds the sync's lock");
    }
    assertThat(qsync.verify("copy", 10, false).equal()).isTrue();
  }

  private static KeyDifference different(int id, String column) {
    return new KeyDifference(Kind.DIFFERENT, List.of(Integer.toString(id)), List.of(column));
  }
}
