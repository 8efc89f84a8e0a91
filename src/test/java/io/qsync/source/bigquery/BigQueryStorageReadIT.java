package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.cli.CliRun;
import io.qsync.config.BigQueryConnectionConfig;
import io.qsync.config.BigQueryReadApi;
import io.qsync.config.Diff;
import io.qsync.config.Mode;
import io.qsync.diff.ChangeKind;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Qsync;
import io.qsync.engine.RunReport;
import io.qsync.source.SourceResult;
import io.qsync.stage.Stage;
import io.qsync.testing.FirstReleaseHistory;
import io.qsync.testing.MariaDbExtension;
import io.qsync.testing.TestDatabase;
import io.qsync.testing.bigquery.BigQueryEmulator;
import io.qsync.testing.bigquery.BigQuerySyncs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results read with the BigQuery Storage Read API (the emulator's gRPC service, Google's client):
 * every type arrives as {@code tabledata.list} brings it, a stream broken mid-read resumes from its
 * offset, an expired session is created anew, and a denied one falls back to {@code tabledata.list}
 * (read_api: auto) or stops the run (read_api: storage), each said in the run report; {@code qsync
 * history} says which API read each run's result, over how many streams, and why; a broken stream's
 * retry is printed and counted as a {@code tabledata.list} page's is.
 */
@ExtendWith(MariaDbExtension.class)
class BigQueryStorageReadIT {
  private static final int ROWS = 10_000;

  /** Every column of BigQueryTypesIT's query, and then BIGNUMERIC and nested values. */
  private static final String ALL_COLUMNS =
      "SELECT id, i64, CAST(f64 AS CHAR), num, b, s, HEX(bytes), d, dt, tm, ts, j, geo, iv, rng,"
          + " arr, st, CAST(big AS CHAR), nested FROM ";

  private static final String QUERY =
      "SELECT t.*, CASE id WHEN 1 THEN '"
          + "9".repeat(35)
          + "."
          + "9".repeat(30)
          + "' WHEN 2 THEN '-0.000000000000000000000000000001' END AS big,"
          + " CASE WHEN id < 3 THEN {'n': [0.0000001, 12345678901234567890.123456789]::DECIMAL(38,9)[],"
          + " 'b': b'\\xff\\x00', 'd': DATE '2024-01-31', 'dt': TIMESTAMP '2024-01-31 10:00:00.5',"
          + " 'ts': TIMESTAMPTZ '2024-01-31 10:00:00+00', 'i': [9007199254740993, -1]::BIGINT[]}"
          + " END AS nested FROM ("
          + BigQueryTypesIT.QUERY
          + ") AS t";

  /** BigQueryTypesIT's query without its ARRAY and STRUCT: every column DuckDB takes as Arrow. */
  private static final String SCALARS =
      "SELECT id, i64, f64, num, b, s, bytes, d, dt, tm, ts, j, geo, iv, rng FROM ("
          + BigQueryTypesIT.QUERY
          + ") AS t";

  private static final String SCALAR_COLUMNS =
      "SELECT id, i64, CAST(f64 AS CHAR), num, b, s, HEX(bytes), d, dt, tm, ts, j, geo, iv, rng"
          + " FROM ";

  /**
   * Every type DuckDB takes as Arrow at its edges, beyond what MySQL holds: -0, NaN and the
   * infinities, years 1 and 9999, the widest NUMERIC, 4-byte UTF-8, RANGE of each element type, and
   * NULL in every column.
   */
  private static final String EDGES =
      """
      SELECT * FROM (VALUES
        (1, '-9223372036854775808'::BIGINT, '-0.0'::DOUBLE,
         -99999999999999999999999999999.999999999::DECIMAL(38,9), false, '', ''::BLOB,
         DATE '0001-01-01', TIMESTAMP '0001-01-01 00:00:00', TIME '00:00:00',
         TIMESTAMPTZ '0001-01-01 00:00:00+00', '{}'::JSON, 'POINT(-122.35 47.62)',
         -(INTERVAL '1 year 2 months 3 days 4 hours 5 minutes 6.789 seconds'),
         '[UNBOUNDED, 0001-01-01)', '[0001-01-01T00:00:00, 0001-01-01T00:00:00.000001)',
         '[UNBOUNDED, 0001-01-01 00:00:00 UTC)'),
        (2, 9223372036854775807::BIGINT, 'NaN'::DOUBLE,
         99999999999999999999999999999.999999999::DECIMAL(38,9), true,
         'four bytes: 🚀 𝄞 😀, and é', b'\\x00\\xFF\\x5C\\x27', DATE '9999-12-31',
         TIMESTAMP '9999-12-31 23:59:59.999999', TIME '23:59:59.999999',
         TIMESTAMPTZ '9999-12-31 23:59:59.999999+00', '{"a": [1, 2.5, {"b": null}], "c": "ü🚀"}'::JSON,
         'LINESTRING(0 0, 1 1)', INTERVAL '1 year 2 months 3 days 4 hours 5 minutes 6.789 seconds',
         '[9999-12-30, 9999-12-31)', '[9999-12-31T23:59:59.999999, UNBOUNDED)',
         '[1970-01-01 00:00:00.500000 UTC, 9999-12-31 23:59:59.999999 UTC)'),
        (3, 0::BIGINT, 'Infinity'::DOUBLE, 0.000000001::DECIMAL(38,9), false, ' ', b'\\x00',
         DATE '1970-01-01', TIMESTAMP '1970-01-01 00:00:00.000001', TIME '12:00:00.5',
         TIMESTAMPTZ '1969-12-31 23:59:59.999999+00', 'null'::JSON, 'POINT EMPTY',
         INTERVAL '0 seconds', '[2024-01-01, UNBOUNDED)', '[UNBOUNDED, UNBOUNDED)',
         '[2024-01-31 12:00:00 UTC, UNBOUNDED)'),
        (4, -1::BIGINT, '-Infinity'::DOUBLE, -0.000000001::DECIMAL(38,9), true, 'x', b'\\xFF',
         DATE '2024-02-29', TIMESTAMP '2024-02-29 12:34:56.789', TIME '00:00:00.000001',
         TIMESTAMPTZ '2024-02-29 12:34:56.789+00', '[1, "two"]'::JSON, 'POINT(0 0)',
         INTERVAL '-7 days 1 microsecond', '[UNBOUNDED, UNBOUNDED)', '[2024-02-29T12:34:56.789000, UNBOUNDED)',
         '[UNBOUNDED, 1970-01-01 00:00:00 UTC)'),
        (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL)
      ) AS t(id, i64, f64, num, b, s, bytes, d, dt, tm, ts, j, geo, iv, rng, rdt, rts)
      """;

  @TempDir Path dir;
  private BigQueryEmulator emulator;

  @BeforeEach
  void start() {
    emulator = BigQueryEmulator.start("qsync-test");
    emulator.declareType("geo", "GEOGRAPHY");
    emulator.declareType("rng", "RANGE<DATE>");
    emulator.declareType("big", "BIGNUMERIC");
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private BigQueryConnectionConfig connection(BigQueryReadApi.Mode mode, long minRows) {
    return BigQuerySyncs.connection(emulator, 1000, Optional.empty()).toBuilder()
        .readApi(new BigQueryReadApi(mode, minRows, 3, Optional.of(emulator.storageHost())))
        .build();
  }

  private Qsync qsync(
      TestDatabase database, BigQueryConnectionConfig connection, String query, String table) {
    return BigQuerySyncs.qsync(
        dir.resolve(table),
        database,
        connection,
        BigQuerySyncs.sync(query, table, List.of("id"), Mode.MIRROR),
        FaultPoint.NONE);
  }

  @Test
  void everyTypeReadsTheSameWithTheStorageReadApiAsWithTabledataList(TestDatabase database) {
    emulator.storageBatchRows(1); // a batch per row, rows spread over three streams
    RunReport rest =
        qsync(database, connection(BigQueryReadApi.Mode.REST, 0), QUERY, "by_rest")
            .run(BigQuerySyncs.SYNC);
    long tabledataList = emulator.requests("tabledata.list");
    RunReport storage =
        qsync(database, connection(BigQueryReadApi.Mode.STORAGE, 0), QUERY, "by_storage")
            .run(BigQuerySyncs.SYNC);

    assertThat(rest.counts().inserts()).isEqualTo(3);
    assertThat(storage.counts().inserts()).isEqualTo(3);
    assertThat(emulator.requests("tabledata.list")).isEqualTo(tabledataList);
    assertThat(emulator.requests("storage.readRows")).isEqualTo(3);
    assertThat(rest.notes()).contains("read 3 rows with tabledata.list (read_api: rest)");
    assertThat(storage.notes())
        .contains(
            "read 3 rows with the Storage Read API over 3 streams (read_api: storage; Arrow into"
                + " DuckDB, rendered in Java: arr (ARRAY, as qsync's JSON text), st (STRUCT, as"
                + " qsync's JSON text), big (BIGNUMERIC, a decimal256 DuckDB's Arrow import cannot"
                + " read), nested (STRUCT, as qsync's JSON text); billed by bytes read)");
    List<List<String>> byRest = database.rows(ALL_COLUMNS + "by_rest ORDER BY id");
    assertThat(byRest.get(0)).contains("-1-2 -3 -4:5:6.789", "[UNBOUNDED, 2024-01-01)");
    assertThat(byRest.get(1).get(18)).contains("\"ts\":\"2024-01-31T10:00:00.000000Z\"");
    assertThat(database.rows(ALL_COLUMNS + "by_storage ORDER BY id")).isEqualTo(byRest);
    assertThat(
            database.rows("SHOW CREATE TABLE by_storage").get(0).get(1).replace("by_storage", ""))
        .isEqualTo(database.rows("SHOW CREATE TABLE by_rest").get(0).get(1).replace("by_rest", ""));
    assertThat(database.rows("CHECKSUM TABLE by_storage").get(0).get(1))
        .isEqualTo(database.rows("CHECKSUM TABLE by_rest").get(0).get(1));
  }

  @Test
  void everyTypeDuckDbTakesAsArrowReadsIntoTheStageWithoutJavaAndEndsTheSameAsWithTabledataList(
      TestDatabase database) {
    emulator.storageBatchRows(1); // a batch per row, rows spread over three streams
    RunReport rest =
        qsync(database, connection(BigQueryReadApi.Mode.REST, 0), SCALARS, "by_rest")
            .run(BigQuerySyncs.SYNC);
    RunReport storage =
        qsync(database, connection(BigQueryReadApi.Mode.STORAGE, 0), SCALARS, "by_storage")
            .run(BigQuerySyncs.SYNC);

    assertThat(rest.counts().inserts()).isEqualTo(3);
    assertThat(storage.counts().inserts()).isEqualTo(3);
    assertThat(storage.notes())
        .contains(
            "read 3 rows with the Storage Read API over 3 streams (read_api: storage; Arrow into"
                + " DuckDB; billed by bytes read)");
    List<List<String>> byRest = database.rows(SCALAR_COLUMNS + "by_rest ORDER BY id");
    assertThat(byRest.get(0)).contains("-1-2 -3 -4:5:6.789", "[UNBOUNDED, 2024-01-01)", "5e-324");
    assertThat(byRest.get(1)).contains("émoji 🚀 \"quoted\" back\\slash tab\tnewline\nend");
    assertThat(database.rows(SCALAR_COLUMNS + "by_storage ORDER BY id")).isEqualTo(byRest);
    assertThat(
            database.rows("SHOW CREATE TABLE by_storage").get(0).get(1).replace("by_storage", ""))
        .isEqualTo(database.rows("SHOW CREATE TABLE by_rest").get(0).get(1).replace("by_rest", ""));
  }

  @Test
  void theStageHoldsTheSameValuesAtEveryTypesEdgesWhetherArrowOrTabledataListBroughtThem() {
    emulator.declareType("rdt", "RANGE<DATETIME>");
    emulator.declareType("rts", "RANGE<TIMESTAMP>");
    emulator.storageBatchRows(2);
    List<String> restNotes = new ArrayList<>();
    List<String> arrowNotes = new ArrayList<>();

    List<String> byRest = staged(BigQueryReadApi.Mode.REST, restNotes);
    List<String> byArrow = staged(BigQueryReadApi.Mode.STORAGE, arrowNotes);

    assertThat(arrowNotes).anyMatch(note -> note.contains("; Arrow into DuckDB;"));
    assertThat(restNotes).anyMatch(note -> note.contains("with tabledata.list"));
    assertThat(byRest).hasSize(5);
    assertThat(byRest.get(0))
        .contains(
            "Double:8000000000000000", // -0.0, its sign kept
            "BigDecimal:-99999999999999999999999999999.999999999",
            "LocalDate:0001-01-01",
            "LocalDateTime:0001-01-01T00:00",
            "String:-1-2 -3 -4:5:6.789",
            "String:[0001-01-01T00:00:00, 0001-01-01T00:00:00.000001)",
            "String:[UNBOUNDED, 0001-01-01 00:00:00 UTC)");
    assertThat(byRest.get(1))
        .contains(
            "Double:7ff8000000000000", // NaN
            "String:four bytes: 🚀 𝄞 😀, and é",
            "byte[]:00ff5c27",
            "LocalDateTime:9999-12-31T23:59:59.999999",
            "String:[1970-01-01 00:00:00.500000 UTC, 9999-12-31 23:59:59.999999 UTC)");
    assertThat(byRest.get(2)).contains("Double:7ff0000000000000", "String:0-0 0 0:0:0");
    assertThat(byRest.get(3)).contains("Double:fff0000000000000", "String:0-0 -7 0:0:0.000001");
    assertThat(byRest.get(4)).isEqualTo("Long:5" + " | null".repeat(16));
    assertThat(byArrow).isEqualTo(byRest);
  }

  @Test
  void theStageHoldsTheSameValuesWhenJavaRendersOnlyTheArrayStructAndBigNumericColumns() {
    emulator.storageBatchRows(2);
    List<String> restNotes = new ArrayList<>();
    List<String> arrowNotes = new ArrayList<>();

    List<String> byRest = staged(QUERY, BigQueryReadApi.Mode.REST, restNotes);
    List<String> byArrow = staged(QUERY, BigQueryReadApi.Mode.STORAGE, arrowNotes);

    assertThat(arrowNotes)
        .anyMatch(
            note ->
                note.contains(
                    "; Arrow into DuckDB, rendered in Java: arr (ARRAY, as qsync's JSON text), st"
                        + " (STRUCT, as qsync's JSON text), big (BIGNUMERIC, a decimal256 DuckDB's"
                        + " Arrow import cannot read), nested (STRUCT, as qsync's JSON text);"));
    assertThat(byRest).hasSize(3);
    assertThat(byRest.get(0))
        .contains(
            "BigDecimal:" + "9".repeat(35) + "." + "9".repeat(30), "String:-1-2 -3 -4:5:6.789");
    assertThat(byRest.get(1))
        .contains("BigDecimal:-1E-30" /* scale 30 */)
        .contains("\"i\":[9007199254740993,-1]");
    assertThat(byArrow).isEqualTo(byRest);
  }

  @Test
  void aBigNumericBeyondMySqlsWidestDecimalStopsAnArrowReadNamingKeyAndColumn(
      TestDatabase database) {
    emulator.storageBatchRows(1);
    String tooWide = "1" + "0".repeat(35);
    Qsync qsync =
        qsync(
            database,
            connection(BigQueryReadApi.Mode.STORAGE, 0),
            "SELECT * FROM (VALUES (6, 'six', '1.5'), (7, 'seven', '"
                + tooWide
                + "'))"
                + " AS t(id, name, big)",
            "too_wide");

    QsyncException error =
        catchThrowableOfType(QsyncException.class, () -> qsync.run(BigQuerySyncs.SYNC));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains("column 'big' holds " + tooWide)
        .contains("DECIMAL(65,30) cannot hold")
        .contains("row with id=7, name=seven")
        .contains("Nothing was written");
    assertThat(database.hasTable("too_wide")).isFalse();
  }

  /** EDGES read into a stage of their own with {@code mode}, as the query below is. */
  private List<String> staged(BigQueryReadApi.Mode mode, List<String> notes) {
    return staged(EDGES, mode, notes);
  }

  /**
   * {@code query} read into a stage of its own with {@code mode}: the staged rows, each value as
   * {@link #exact} writes it, in key order; the read's notes go to {@code notes}.
   */
  private List<String> staged(String query, BigQueryReadApi.Mode mode, List<String> notes) {
    BigQuerySource source = new BigQuerySource(connection(mode, 0));
    try (SourceResult result = source.query(query, "edges-" + mode);
        Stage stage = Stage.open(dir.resolve("edges-" + mode + ".duckdb"))) {
      stage.begin("edges", "edges", result.columns());
      try (Stage.StageWriter writer = stage.sourceWriter(result.columns())) {
        result.read(0, writer);
      }
      stage.insertAll(List.of("id"), 0);
      notes.addAll(result.notes());
      return stage.sample(ChangeKind.INSERT, 100).stream()
          .map(change -> exact(change.row()))
          .toList();
    } finally {
      source.close();
    }
  }

  /**
   * A row's values as text that tells apart whatever the stage does: each value's type, a double's
   * bits, a decimal's scale, bytes in hex.
   */
  private static String exact(Object[] row) {
    List<String> values = new ArrayList<>();
    for (Object value : row) {
      if (value == null) {
        values.add("null");
      } else if (value instanceof Double number) {
        values.add("Double:" + Long.toHexString(Double.doubleToRawLongBits(number)));
      } else if (value instanceof byte[] bytes) {
        values.add("byte[]:" + HexFormat.of().formatHex(bytes));
      } else {
        values.add(value.getClass().getSimpleName() + ":" + value);
      }
    }
    return String.join(" | ", values);
  }

  @Test
  void aStreamBrokenMidReadResumesFromItsOffsetAndTheTableEndsExact(TestDatabase database) {
    bigTable();
    emulator.breakReadStreams(1000, 2);
    Qsync qsync =
        qsync(
            database,
            connection(BigQueryReadApi.Mode.AUTO, 5000),
            "SELECT id, name, half FROM big.rows",
            "big_rows");

    RunReport report = qsync.run(BigQuerySyncs.SYNC);

    assertThat(report.counts().inserts()).isEqualTo(ROWS);
    assertThat(
            database.rows("SELECT COUNT(*), COUNT(DISTINCT id), SUM(id), SUM(half) FROM big_rows"))
        .containsExactly(List.of("10000", "10000", "49995000", "24997500.000000000"));
    assertThat(database.rows("SELECT name FROM big_rows WHERE id = 4321"))
        .containsExactly(List.of("row 4321"));
    assertThat(report.notes())
        .contains(
            "read 10,000 rows with the Storage Read API over 3 streams (read_api: auto, the result"
                + " holds 10000 rows, read_api_min_rows 5000; Arrow into DuckDB; billed by bytes"
                + " read)",
            "retried 2 transient BigQuery errors (2 x Storage Read API UNAVAILABLE)");
    assertThat(emulator.requests("storage.readRows")).isEqualTo(3 + 2);
    assertThat(emulator.requests("tabledata.list")).isZero();
  }

  @Test
  void aSessionThatExpiresMidReadIntoDuckDbIsCreatedAnewAndNoRowIsStagedTwice(
      TestDatabase database) {
    bigTable();
    emulator.expireReadSessionAfterRows(1000);
    Qsync qsync =
        qsync(
            database,
            connection(BigQueryReadApi.Mode.STORAGE, 0),
            "SELECT id, name, half FROM big.rows",
            "big_rows");

    RunReport report = qsync.run(BigQuerySyncs.SYNC);

    assertThat(report.counts().inserts()).isEqualTo(ROWS);
    assertThat(database.rows("SELECT COUNT(*), COUNT(DISTINCT id), SUM(id) FROM big_rows"))
        .containsExactly(List.of("10000", "10000", "49995000"));
    assertThat(report.notes())
        .contains("created the Storage Read API's session anew 1 time (it had expired)")
        .anyMatch(note -> note.contains("; Arrow into DuckDB;"));
    assertThat(emulator.readSessionsCreated()).isEqualTo(2);
    assertThat(emulator.queriesRun()).as("queries billed").isEqualTo(1);
  }

  @Test
  void aSessionThatExpiresMidReadWithAColumnJavaRendersIsCreatedAnewAndNoRowIsStagedTwice(
      TestDatabase database) {
    bigTable();
    emulator.expireReadSessionAfterRows(1000);
    Qsync qsync =
        qsync(
            database,
            connection(BigQueryReadApi.Mode.STORAGE, 0),
            // Java renders the ARRAY in each batch; the rest goes to DuckDB as it came.
            "SELECT id, name, half, [id] AS ids FROM big.rows",
            "big_rows");

    RunReport report = qsync.run(BigQuerySyncs.SYNC);

    assertThat(report.counts().inserts()).isEqualTo(ROWS);
    assertThat(
            database.rows(
                "SELECT COUNT(*), COUNT(DISTINCT id), SUM(id), SUM(JSON_VALUE(ids, '$[0]') = id)"
                    + " FROM big_rows"))
        .containsExactly(List.of("10000", "10000", "49995000", "10000"));
    assertThat(report.notes())
        .contains("created the Storage Read API's session anew 1 time (it had expired)")
        .anyMatch(
            note ->
                note.contains(
                    "; Arrow into DuckDB, rendered in Java: ids (ARRAY, as qsync's JSON text);"));
    assertThat(emulator.queriesRun()).as("queries billed").isEqualTo(1);
    assertThat(emulator.readSessionsCreated()).isEqualTo(2);
  }

  @Test
  void aDiffSnapshotsChangeSetComesIntoTheStageAsArrowToo(TestDatabase database) {
    bigTable();
    emulator.createDataset("qsync_state");
    Qsync qsync =
        BigQuerySyncs.qsync(
            dir.resolve("snapshot"),
            database,
            connection(BigQueryReadApi.Mode.STORAGE, 0),
            BigQuerySyncs.sync(
                    "SELECT id, name, half FROM big.rows", "big_rows", List.of("id"), Mode.MIRROR)
                .toBuilder()
                .diff(Diff.snapshot("qsync_state"))
                .build(),
            FaultPoint.NONE);
    qsync.run(BigQuerySyncs.SYNC);
    emulator.execute(
        "UPDATE big.rows SET name = 'changed ' || id WHERE id < 3",
        "DELETE FROM big.rows WHERE id = 9999",
        "INSERT INTO big.rows VALUES (10000, 'new', 5000.0)");

    RunReport second = qsync.run(BigQuerySyncs.SYNC);

    assertThat(second.counts().inserts()).isEqualTo(1);
    assertThat(second.counts().updates()).isEqualTo(3);
    assertThat(second.counts().deletes()).isEqualTo(1);
    assertThat(second.notes())
        .anyMatch(
            note ->
                note.contains("with the Storage Read API")
                    && note.contains("; Arrow into DuckDB;"));
    assertThat(
            database.rows(
                "SELECT id, name, half FROM big_rows WHERE id < 3 OR id >= 9999 ORDER BY id"))
        .containsExactly(
            List.of("0", "changed 0", "0.000000000"),
            List.of("1", "changed 1", "0.500000000"),
            List.of("2", "changed 2", "1.000000000"),
            List.of("10000", "new", "5000.000000000"));
    assertThat(database.rows("SELECT COUNT(*), SUM(id) FROM big_rows"))
        .containsExactly(List.of("10000", String.valueOf(49995000 - 9999 + 10000)));
  }

  private void bigTable() {
    emulator.execute(
        "CREATE SCHEMA big",
        "CREATE TABLE big.rows AS SELECT range AS id, 'row ' || range AS name, range * 0.5 AS half"
            + " FROM range("
            + ROWS
            + ")");
    emulator.storageBatchRows(500);
  }

  @Test
  void anExpiredSessionIsCreatedAnew(TestDatabase database) {
    emulator.expireNewReadSessions(1);
    Qsync qsync = qsync(database, connection(BigQueryReadApi.Mode.STORAGE, 0), QUERY, "types");

    RunReport report = qsync.run(BigQuerySyncs.SYNC);

    assertThat(report.counts().inserts()).isEqualTo(3);
    assertThat(emulator.readSessionsCreated()).isEqualTo(2);
    assertThat(report.notes())
        .contains("created the Storage Read API's session anew 1 time (it had expired)");
  }

  @Test
  void aDeniedSessionFallsBackToTabledataListAndSaysWhy(TestDatabase database) {
    emulator.denyReadSessions(1);
    Qsync qsync = qsync(database, connection(BigQueryReadApi.Mode.AUTO, 1), QUERY, "types");

    RunReport report = qsync.run(BigQuerySyncs.SYNC);

    assertThat(report.counts().inserts()).isEqualTo(3);
    assertThat(database.count("types")).isEqualTo(3);
    assertThat(emulator.requests("tabledata.list")).isPositive();
    assertThat(report.notes())
        .anySatisfy(
            note ->
                assertThat(note)
                    .startsWith(
                        "read 3 rows with tabledata.list (the Storage Read API refused a read"
                            + " session (PERMISSION_DENIED: ")
                    .contains("bigquery.readsessions.create")
                    .endsWith("grant roles/bigquery.readSessionUser, or set read_api: rest)"));
  }

  @Test
  void aDeniedSessionStopsARunThatAsksForTheStorageReadApi(TestDatabase database) {
    emulator.denyReadSessions(1);
    Qsync qsync = qsync(database, connection(BigQueryReadApi.Mode.STORAGE, 0), QUERY, "types");

    QsyncException error =
        catchThrowableOfType(QsyncException.class, () -> qsync.run(BigQuerySyncs.SYNC));

    assertThat(error.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(error.getMessage())
        .contains("the Storage Read API refused a read session over qsync-test.")
        .contains("PERMISSION_DENIED")
        .contains("roles/bigquery.readSessionUser")
        .contains("read_api: auto or rest");
    assertThat(database.hasTable("types")).isFalse();
  }

  @Test
  void autoReadsASmallResultWithTabledataList(TestDatabase database) {
    Qsync qsync = qsync(database, connection(BigQueryReadApi.Mode.AUTO, 100_000), QUERY, "types");

    RunReport report = qsync.run(BigQuerySyncs.SYNC);

    assertThat(report.notes())
        .contains(
            "read 3 rows with tabledata.list (read_api: auto, the result holds 3 rows, fewer"
                + " than read_api_min_rows 100000)");
    assertThat(emulator.readSessionsCreated()).isZero();
  }

  @Test
  void theHistorySaysWhichApiReadEachRunOverHowManyStreamsAndWhy(TestDatabase database)
      throws Exception {
    bigTable();
    FirstReleaseHistory.create(database, BigQuerySyncs.SYNC, "big_rows");
    Path config = config(database, "auto");

    CliRun before = CliRun.of("-c", config.toString(), "history", BigQuerySyncs.SYNC);
    assertThat(before.exitCode()).as(before.err()).isZero();
    assertThat(before.out()).contains("old").doesNotContain("read query");

    CliRun byStorage = CliRun.of("-c", config.toString(), "run", BigQuerySyncs.SYNC);
    emulator.execute("UPDATE big.rows SET name = 'changed' WHERE id = 7");
    emulator.denyReadSessions(1);
    CliRun byRest = CliRun.of("-c", config.toString(), "run", BigQuerySyncs.SYNC);
    CliRun history = CliRun.of("-c", config.toString(), "history", BigQuerySyncs.SYNC);
    CliRun json = CliRun.of("-c", config.toString(), "-o", "json", "history", BigQuerySyncs.SYNC);

    assertThat(byStorage.exitCode()).as(byStorage.err()).isZero();
    assertThat(byRest.exitCode()).as(byRest.err()).isZero();
    assertThat(database.rows("SELECT name FROM big_rows WHERE id = 7"))
        .containsExactly(List.of("changed"));
    assertThat(history.exitCode()).as(history.err()).isZero();
    List<String> lines = history.out().lines().map(String::strip).toList();
    assertThat(lines)
        .contains(
            "read query: 10,000 rows with the Storage Read API over 3 streams (read_api: auto, the"
                + " result holds 10000 rows, read_api_min_rows 5000; Arrow into DuckDB; billed by"
                + " bytes read)")
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith(
                        "read query: 10,000 rows with tabledata.list (the Storage Read API refused"
                            + " a read session (PERMISSION_DENIED: ")
                    .contains("bigquery.readsessions.create"));
    assertThat(
            lines.indexOf(
                lines.stream().filter(l -> l.contains("tabledata.list")).findFirst().orElseThrow()))
        .as("the newest run, by tabledata.list, comes first")
        .isLessThan(
            lines.indexOf(
                lines.stream()
                    .filter(l -> l.contains("over 3 streams"))
                    .findFirst()
                    .orElseThrow()));
    JsonNode runs = new ObjectMapper().readTree(json.out()).get("runs");
    assertThat(runs).hasSize(3);
    assertThat(runs.get(0).get("reads").get(0).get("api").asText()).isEqualTo("tabledata_list");
    assertThat(runs.get(0).get("reads").get(0).get("reason").asText())
        .startsWith("the Storage Read API refused a read session (PERMISSION_DENIED: ");
    JsonNode storage = runs.get(1).get("reads").get(0);
    assertThat(storage.get("result").asText()).isEqualTo("query");
    assertThat(storage.get("api").asText()).isEqualTo("storage_read");
    assertThat(storage.get("streams").asInt()).isEqualTo(3);
    assertThat(storage.get("rows").asLong()).isEqualTo(ROWS);
    assertThat(storage.get("reason").asText())
        .isEqualTo(
            "read_api: auto, the result holds 10000 rows, read_api_min_rows 5000; Arrow into"
                + " DuckDB");
    assertThat(runs.get(2).get("run_id").asText()).isEqualTo("old");
    assertThat(runs.get(2).get("reads")).isEmpty();
  }

  /** {@code qsync run -o json} says how the run read its results as {@code qsync history} does. */
  @Test
  void theRunsJsonHasTheReadsOfTheHistorysJson(TestDatabase database) throws Exception {
    bigTable();
    Path config = config(database, "auto");

    CliRun run = CliRun.of("-c", config.toString(), "-o", "json", "run", BigQuerySyncs.SYNC);
    CliRun history =
        CliRun.of("-c", config.toString(), "-o", "json", "history", BigQuerySyncs.SYNC);

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode reads = new ObjectMapper().readTree(run.out()).get("runs").get(0).get("reads");
    assertThat(reads).as("the run's reads; output:%n%s", run.out()).isNotNull().hasSize(1);
    assertThat(reads.get(0).get("api").asText()).isEqualTo("storage_read");
    assertThat(reads.get(0).get("streams").asInt()).isEqualTo(3);
    assertThat(reads.get(0).get("rows").asLong()).isEqualTo(ROWS);
    assertThat(reads)
        .isEqualTo(new ObjectMapper().readTree(history.out()).get("runs").get(0).get("reads"));
  }

  @Test
  void aBrokenStreamsRetryIsPrintedAndCountedAsATabledataListPagesIs(TestDatabase database)
      throws Exception {
    bigTable();
    emulator.breakReadStreams(1000, 1);
    Path config = config(database, "storage");

    CliRun run = CliRun.of("-c", config.toString(), "run", BigQuerySyncs.SYNC);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err().lines())
        .filteredOn(line -> line.startsWith("retrying "))
        .singleElement()
        .asString()
        .matches(
            "retrying read stream [123] of 3 of qsync-test\\.\\S+ from its row 1,000 in 10ms \\(try 1"
                + " failed: Storage Read API UNAVAILABLE: .*the emulator broke the stream after"
                + " 1000 rows; retries for at most 60s\\)");
    assertThat(run.out())
        .contains("retried 1 transient BigQuery error (1 x Storage Read API UNAVAILABLE)");
    assertThat(database.rows("SELECT COUNT(*), COUNT(DISTINCT id), SUM(id) FROM big_rows"))
        .containsExactly(List.of("10000", "10000", "49995000"));
  }

  /** A config of big.rows into big_rows: read_api as given, from 5,000 rows, over 3 streams. */
  private Path config(TestDatabase database, String readApi) throws Exception {
    Path config = dir.resolve("qsync.yaml");
    Files.writeString(
        config,
        """
        connections:
          bq: {type: bigquery, project: qsync-test, host: "%s", credentials_file: none,
               page_size: 1000, retry_delay: 10ms, retry_timeout: 60s, read_api: %s,
               read_api_min_rows: 5000, read_streams: 3, storage_host: "%s"}
          app: {type: mysql, url: "%s", user: root}
        stage_dir: "%s"
        syncs:
          %s:
            source: bq
            query: "SELECT id, name, half FROM big.rows"
            target: app
            table: big_rows
            key: [id]
            create_table: true
        """
            .formatted(
                emulator.host(),
                readApi,
                emulator.storageHost(),
                database.url(),
                dir.resolve("stage"),
                BigQuerySyncs.SYNC));
    return config;
  }
}
