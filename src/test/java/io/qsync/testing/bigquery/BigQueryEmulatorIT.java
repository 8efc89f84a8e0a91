package io.qsync.testing.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.DatasetId;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FieldValue;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.JobStatistics;
import com.google.cloud.bigquery.LegacySQLTypeName;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.QueryParameterValue;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.Table;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TableResult;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Google's own Java client against the emulator: what qsync's source relies on. */
class BigQueryEmulatorIT {
  private BigQueryEmulator emulator;
  private BigQuery bigQuery;

  @BeforeEach
  void start() {
    emulator = BigQueryEmulator.start("test-project");
    bigQuery =
        BigQueryOptions.newBuilder()
            .setProjectId("test-project")
            .setHost(emulator.host())
            .setCredentials(NoCredentials.getInstance())
            .setRetrySettings(RetrySettings.newBuilder().setMaxAttempts(1).build())
            .build()
            .getService();
    emulator.execute(
        "CREATE SCHEMA ds",
        "CREATE TABLE ds.numbers AS SELECT range AS id, 'n' || range AS name FROM range(25)");
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  @Test
  void queriesWithTheClientsDefaultPathAndPagesThroughTheResult() throws Exception {
    TableResult result =
        bigQuery.query(
            QueryJobConfiguration.newBuilder("SELECT id, name FROM ds.numbers ORDER BY id")
                .setMaxResults(10L)
                .build());
    List<Long> ids = new ArrayList<>();
    for (FieldValueList row : result.iterateAll()) {
      ids.add(row.get("id").getLongValue());
    }
    assertThat(ids).hasSize(25).startsWith(0L, 1L).endsWith(24L);
    assertThat(result.getTotalRows()).isEqualTo(25);
    assertThat(emulator.queriesRun()).isEqualTo(1);
  }

  @Test
  void aJobWithAChosenIdIsFoundAgainAndItsResultTableReReadByStartIndex() throws Exception {
    JobId id = JobId.newBuilder().setJob("qsync_run_1").setLocation("US").build();
    Job job =
        bigQuery.create(
            JobInfo.of(id, QueryJobConfiguration.of("SELECT id FROM `test-project.ds.numbers`")));
    assertThat(job.getStatus().getState().name()).isEqualTo("DONE");
    Job found = bigQuery.getJob(id);
    TableId destination = ((QueryJobConfiguration) found.getConfiguration()).getDestinationTable();
    Table table = bigQuery.getTable(destination);
    assertThat(table.getNumRows().longValue()).isEqualTo(25);
    Schema schema = table.getDefinition().getSchema();

    TableResult page =
        bigQuery.listTableData(
            destination,
            schema,
            BigQuery.TableDataListOption.startIndex(20),
            BigQuery.TableDataListOption.pageSize(3));
    List<Long> ids = new ArrayList<>();
    while (page != null) {
      page.getValues().forEach(row -> ids.add(row.get(0).getLongValue()));
      page = page.hasNextPage() ? page.getNextPage() : null;
    }
    assertThat(ids).containsExactly(20L, 21L, 22L, 23L, 24L);
    assertThat(emulator.queriesRun()).isEqualTo(1);
    assertThat(emulator.requests("tabledata.list")).isEqualTo(2);

    // A second insert of the id is a 409 duplicate; the client answers it with the existing job.
    Job again = bigQuery.create(JobInfo.of(id, QueryJobConfiguration.of("SELECT 1")));
    assertThat(again.getJobId().getJob()).isEqualTo("qsync_run_1");
    assertThat(emulator.queriesRun()).isEqualTo(1);
  }

  @Test
  void encodesEachTypeAsBigQueryDoes() throws Exception {
    emulator.declareType("geo", "GEOGRAPHY");
    emulator.declareType("big", "BIGNUMERIC");
    TableResult result =
        bigQuery.query(
            QueryJobConfiguration.of(
                "SELECT 9007199254740993::BIGINT AS i, 'NaN'::DOUBLE AS nan, '-Infinity'::DOUBLE AS ninf,"
                    + " 0.1::DOUBLE AS f, 12345678901234567890.123456789::DECIMAL(38,9) AS n,"
                    + " '123456789012345678901234567890123456789.5' AS big, true AS b, 'x\"y' AS s,"
                    + " b'\\x00\\xFF' AS bytes, DATE '0001-01-01' AS d,"
                    + " TIMESTAMP '9999-12-31 23:59:59.999999' AS dt, TIME '23:59:59.000001' AS t,"
                    + " TIMESTAMPTZ '2014-08-19 12:41:35.220000+00' AS ts, '{\"a\": [1]}'::JSON AS j,"
                    + " 'POINT(1 2)' AS geo, INTERVAL 14 MONTH + INTERVAL 3 DAY + INTERVAL '90061.5 seconds' AS iv,"
                    + " {'a': 1, 'b': ['x', 'y']} AS st, [1, NULL, 3] AS l, NULL::BIGINT AS nothing"));
    Schema schema = result.getSchema();
    assertThat(schema.getFields().get("st").getType()).isEqualTo(LegacySQLTypeName.RECORD);
    assertThat(schema.getFields().get("l").getMode()).isEqualTo(Field.Mode.REPEATED);
    assertThat(schema.getFields().get("geo").getType()).isEqualTo(LegacySQLTypeName.GEOGRAPHY);
    FieldValueList row = result.iterateAll().iterator().next();
    assertThat(row.get("i").getLongValue()).isEqualTo(9007199254740993L);
    assertThat(row.get("nan").getDoubleValue()).isNaN();
    assertThat(row.get("ninf").getDoubleValue()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(row.get("f").getDoubleValue()).isEqualTo(0.1);
    assertThat(row.get("n").getNumericValue())
        .isEqualByComparingTo(new BigDecimal("12345678901234567890.123456789"));
    assertThat(row.get("big").getStringValue())
        .isEqualTo("123456789012345678901234567890123456789.5");
    assertThat(row.get("b").getBooleanValue()).isTrue();
    assertThat(row.get("s").getStringValue()).isEqualTo("x\"y");
    assertThat(row.get("bytes").getBytesValue()).containsExactly(0, 0xFF);
    assertThat(row.get("d").getStringValue()).isEqualTo("0001-01-01");
    assertThat(row.get("dt").getStringValue()).isEqualTo("9999-12-31T23:59:59.999999");
    assertThat(row.get("t").getStringValue()).isEqualTo("23:59:59.000001");
    assertThat(row.get("ts").getTimestampValue()).isEqualTo(1408452095220000L);
    assertThat(row.get("j").getStringValue()).isEqualTo("{\"a\":[1]}");
    assertThat(row.get("geo").getStringValue()).isEqualTo("POINT(1 2)");
    assertThat(row.get("iv").getStringValue()).isEqualTo("1-2 3 25:1:1.5");
    FieldValueList struct = row.get("st").getRecordValue();
    assertThat(struct.get(0).getLongValue()).isEqualTo(1);
    assertThat(struct.get(1).getRepeatedValue())
        .extracting(FieldValue::getStringValue)
        .containsExactly("x", "y");
    assertThat(row.get("l").getRepeatedValue())
        .extracting(FieldValue::isNull)
        .containsExactly(false, true, false);
    assertThat(row.get("nothing").isNull()).isTrue();
  }

  @Test
  void namedParametersAreBound() throws Exception {
    TableResult result =
        bigQuery.query(
            QueryJobConfiguration.newBuilder(
                    "SELECT count(*) AS c FROM ds.numbers WHERE id < @limit")
                .addNamedParameter("limit", QueryParameterValue.int64(7))
                .build());
    assertThat(result.iterateAll().iterator().next().get("c").getLongValue()).isEqualTo(7);
  }

  @Test
  void errorsComeInGooglesShapeWithTheirStatus() {
    assertThatThrownBy(() -> bigQuery.query(QueryJobConfiguration.of("SELEC 1")))
        .isInstanceOfSatisfying(
            BigQueryException.class,
            e -> assertThat(e.getError().getReason()).isEqualTo("invalidQuery"));
    assertThatThrownBy(() -> bigQuery.query(QueryJobConfiguration.of("SELECT * FROM ds.missing")))
        .isInstanceOfSatisfying(
            BigQueryException.class,
            e -> assertThat(e.getError().getReason()).isEqualTo("notFound"));
    emulator.failRequest("tables.get", 1, 403, "rateLimitExceeded");
    assertThatThrownBy(() -> bigQuery.getTable(TableId.of("ds", "numbers")))
        .isInstanceOfSatisfying(
            BigQueryException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getError().getReason()).isEqualTo("rateLimitExceeded");
            });
    assertThat(bigQuery.getTable(TableId.of("ds", "numbers")).getNumRows().longValue())
        .isEqualTo(25);
  }

  @Test
  void anExpiredResultTableIsGone() throws Exception {
    JobId id = JobId.newBuilder().setJob("expiring").build();
    Job job =
        bigQuery.create(JobInfo.of(id, QueryJobConfiguration.of("SELECT id FROM ds.numbers")));
    TableId destination = ((QueryJobConfiguration) job.getConfiguration()).getDestinationTable();
    emulator.expireResultTable("expiring");
    assertThat(bigQuery.getTable(destination)).isNull();
    assertThat(bigQuery.getJob(id)).isNotNull();
  }

  @Test
  void runsTheGoogleSqlFunctionsOfTheSnapshotDiff() throws Exception {
    FieldValueList row =
        bigQuery
            .query(
                QueryJobConfiguration.of(
                    "SELECT REGEXP_REPLACE('banana', 'a', 'o') AS replaced,"
                        + " REGEXP_REPLACE(NORMALIZE(LOWER('Crème Brûlée'), NFD), r'\\pM', '') AS plain,"
                        + " TO_JSON_STRING(STRUCT(`id`, name)) AS pair, TO_JSON_STRING(n) AS whole,"
                        + " FARM_FINGERPRINT(TO_JSON_STRING(n)) AS fp, FARM_FINGERPRINT('x') <> FARM_FINGERPRINT('y') AS differs"
                        + " FROM (SELECT * FROM `test-project.ds.numbers` WHERE id = 3) AS n"))
            .iterateAll()
            .iterator()
            .next();

    assertThat(row.get("replaced").getStringValue()).isEqualTo("bonono");
    assertThat(row.get("plain").getStringValue()).isEqualTo("creme brulee");
    assertThat(row.get("pair").getStringValue()).isEqualTo("{\"id\":3,\"name\":\"n3\"}");
    assertThat(row.get("whole").getStringValue()).isEqualTo("{\"id\":3,\"name\":\"n3\"}");
    assertThat(row.get("differs").getBooleanValue()).isTrue();
    FieldValueList again =
        bigQuery
            .query(
                QueryJobConfiguration.of(
                    "SELECT FARM_FINGERPRINT(TO_JSON_STRING(n)) AS fp FROM (SELECT * FROM ds.numbers WHERE id = 3) AS n"))
            .iterateAll()
            .iterator()
            .next();
    assertThat(again.get("fp").getLongValue())
        .as("the same row, the same fingerprint")
        .isEqualTo(row.get("fp").getLongValue());
  }

  @Test
  void listsTablesInPages() {
    for (int i = 0; i < 4; i++) {
      emulator.execute("CREATE TABLE ds.t" + i + " AS SELECT 1 AS x");
    }
    List<String> names = new ArrayList<>();
    bigQuery
        .listTables(DatasetId.of("test-project", "ds"), BigQuery.TableListOption.pageSize(2))
        .iterateAll()
        .forEach(table -> names.add(table.getTableId().getTable()));

    assertThat(names).containsExactly("numbers", "t0", "t1", "t2", "t3");
    assertThat(emulator.requests("tables.list")).isEqualTo(3);
    assertThat(bigQuery.delete(TableId.of("ds", "t0"))).isTrue();
    assertThat(bigQuery.delete(TableId.of("ds", "t0"))).as("already gone").isFalse();
  }

  @Test
  void aDryRunSaysTheBytesOfTheColumnsItReadsAndRunsNothing() {
    Job dryRun =
        bigQuery.create(
            JobInfo.of(
                QueryJobConfiguration.newBuilder(
                        "SELECT n.id FROM ds.numbers AS n FULL OUTER JOIN `test-project.ds.numbers` AS m ON n.id = m.id")
                    .setDryRun(true)
                    .build()));

    // 25 ids x 8 bytes, counted once however often the query names the table; name is not read
    assertThat(dryRun.<JobStatistics.QueryStatistics>getStatistics().getTotalBytesProcessed())
        .isEqualTo(25 * 8);
    assertThat(emulator.queriesRun()).isZero();
  }

  @Test
  void aColumnOnlyFilteredOnIsReadWhateverTheWhereOrLimitKeeps() {
    // 'n' || id: 10 names of 2 characters, 15 of 3, each 2 bytes more; no row matches
    assertThat(dryRunBytes("SELECT id FROM ds.numbers WHERE name = 'none' LIMIT 1"))
        .isEqualTo(25 * 8 + 25 * 2 + 10 * 2 + 15 * 3);
    assertThat(dryRunBytes("SELECT COUNT(*) FROM ds.numbers")).as("no column read").isZero();
  }

  @Test
  void bytesFollowBigQuerysDataSizesPerType() {
    emulator.execute(
        "CREATE TABLE ds.types AS SELECT 'é' AS s, true AS b, 1.5::DECIMAL(10, 2) AS n,"
            + " DATE '2024-01-01' AS d, NULL::VARCHAR AS nothing, 2.5::DOUBLE AS f");
    // STRING 2 + UTF-8 bytes (é is 2), BOOL 1, NUMERIC 16, DATE 8, NULL 0, FLOAT64 8
    assertThat(dryRunBytes("SELECT * FROM ds.types")).isEqualTo(4 + 1 + 16 + 8 + 0 + 8);
  }

  @Test
  void aJobBillsAtLeastTenMbPerTableItReadsAndRoundsUpToAMb() throws Exception {
    emulator.execute("CREATE TABLE ds.wide AS SELECT range AS id FROM range(200000)");
    JobStatistics.QueryStatistics small =
        ranJob("SELECT n.id, w.id FROM ds.numbers AS n JOIN ds.wide AS w ON n.id = w.id");
    JobStatistics.QueryStatistics large = ranJob("SELECT id, id + 1 FROM ds.wide");
    JobStatistics.QueryStatistics none = ranJob("SELECT COUNT(*) FROM ds.wide");

    assertThat(small.getTotalBytesProcessed()).isEqualTo(25 * 8 + 200_000 * 8);
    assertThat(small.getTotalBytesBilled()).as("10 MB per table").isEqualTo(2 * 10L * 1024 * 1024);
    // 1,600,000 bytes: 2 MB rounded up, but the table's 10 MB minimum
    assertThat(large.getTotalBytesBilled()).isEqualTo(10L * 1024 * 1024);
    assertThat(none.getTotalBytesBilled()).isZero();
    emulator.execute("CREATE TABLE ds.wider AS SELECT range AS id FROM range(1500000)");
    // 12,000,000 bytes: 11.44 MB, rounded up to 12 MB
    assertThat(ranJob("SELECT id FROM ds.wider").getTotalBytesBilled())
        .isEqualTo(12L * 1024 * 1024);
  }

  private long dryRunBytes(String sql) {
    Job dryRun =
        bigQuery.create(JobInfo.of(QueryJobConfiguration.newBuilder(sql).setDryRun(true).build()));
    return dryRun.<JobStatistics.QueryStatistics>getStatistics().getTotalBytesProcessed();
  }

  private JobStatistics.QueryStatistics ranJob(String sql) throws InterruptedException {
    Job job = bigQuery.create(JobInfo.of(QueryJobConfiguration.of(sql))).waitFor();
    return job.getStatistics();
  }
}
