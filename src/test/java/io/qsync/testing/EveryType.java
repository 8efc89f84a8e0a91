package io.qsync.testing;

/**
 * A DuckDB table {@code src} of every type of the type mapping, one row per kind of value with the
 * edges of each type (and a row of NULLs); the key is {@code id}. For the tests that must hold for
 * every type: verify's renderings, {@code diff: target} by hashes.
 */
public final class EveryType {
  private EveryType() {}

  /** Creates {@code src}. */
  public static final String TABLE =
      "CREATE TABLE src AS SELECT * FROM (VALUES"
          + " (1, true, (-128)::TINYINT, (-32768)::SMALLINT, (-2147483648)::INTEGER,"
          + "  (-9223372036854775808)::BIGINT, 255::UTINYINT, 65535::USMALLINT, 4294967295::UINTEGER,"
          + "  18446744073709551615::UBIGINT, (-170141183460469231731687303715884105728)::HUGEINT,"
          + "  170141183460469231731687303715884105727::UHUGEINT, 0.1::FLOAT, 0.1::DOUBLE,"
          + "  -12345678901234.5678::DECIMAL(18,4), 12345678901234567890123456789012345678::DECIMAL(38,0),"
          + "  'control', 'b'::ENUM('a','b'), '\\x00\\xFF'::BLOB, '8c5f2b6e-0d7a-4b8e-9f3a-1c2d3e4f5a6b'::UUID,"
          + "  DATE '1000-01-01', TIME '00:00:00', TIMESTAMP '1000-01-01 00:00:00',"
          + "  TIMESTAMP_NS '2024-01-01 10:00:00.123456789', TIMESTAMPTZ '2024-03-31 02:30:00.5+02',"
          + "  '{\"a\": [1, 2.50, \"x\"]}'::JSON, [1, 2, NULL], {'k': 'v', 'n': 1.5}),"
          + " (2, false, 127::TINYINT, 32767::SMALLINT, 2147483647::INTEGER,"
          + "  9223372036854775807::BIGINT, 0::UTINYINT, 0::USMALLINT, 0::UINTEGER, 0::UBIGINT, 0::HUGEINT,"
          + "  0::UHUGEINT, -0.0::FLOAT, -0.0::DOUBLE, 0::DECIMAL(18,4), -1::DECIMAL(38,0),"
          + "  '', 'a'::ENUM('a','b'), ''::BLOB, '00000000-0000-0000-0000-000000000000'::UUID,"
          + "  DATE '9999-12-31', TIME '23:59:59.999999', TIMESTAMP '9999-12-31 23:59:59.999999',"
          + "  TIMESTAMP_NS '1969-12-31 23:59:59.9999999', TIMESTAMPTZ '1970-01-01 00:00:00+00',"
          + "  '[]'::JSON, [], {'k': '', 'n': -0.0}),"
          + " (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
          + "  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
          + " (4, true, 1::TINYINT, 1::SMALLINT, 1::INTEGER, 1::BIGINT, 1::UTINYINT, 1::USMALLINT,"
          + "  1::UINTEGER, 1::UBIGINT, 1::HUGEINT, 1::UHUGEINT, 3.4028235e38::FLOAT,"
          + "  1.7976931348623157e308::DOUBLE, 0.0001::DECIMAL(18,4), 1::DECIMAL(38,0),"
          + "  'Trailing space ', 'b'::ENUM('a','b'), 'bytes'::BLOB, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID,"
          + "  DATE '2024-02-29', TIME '12:34:56.000001', TIMESTAMP '2024-02-29 12:34:56.000001',"
          + "  TIMESTAMP_NS '2024-01-01 00:00:00', TIMESTAMPTZ '2024-10-27 01:30:00-07',"
          + "  '\"text\"'::JSON, [NULL], {'k': NULL, 'n': NULL}),"
          + " (5, false, -1::TINYINT, -1::SMALLINT, -1::INTEGER, -1::BIGINT, 128::UTINYINT,"
          + "  32768::USMALLINT, 2147483648::UINTEGER, 9223372036854775808::UBIGINT, -1::HUGEINT,"
          + "  18446744073709551616::UHUGEINT, 1.4e-45::FLOAT, 4.9e-324::DOUBLE, -0.0001::DECIMAL(18,4),"
          + "  0::DECIMAL(38,0), '실험 🧪 é', 'a'::ENUM('a','b'), '\\x80'::BLOB,"
          + "  '123e4567-e89b-12d3-a456-426614174000'::UUID, DATE '1970-01-01', TIME '00:00:00.5',"
          + "  TIMESTAMP '1970-01-01 00:00:00', TIMESTAMP_NS '2100-01-01 00:00:00.000000999',"
          + "  TIMESTAMPTZ '2038-01-19 03:14:08+00', 'null'::JSON, [3], {'k': 'x', 'n': 1e20})"
          + ") AS t(id, b, ti, si, i, bi, ut, us, ui, ub, h, uh, f, d, dec, dec0, s, e, bl, u, dt, tm,"
          + " ts, tsns, tsz, j, l, st)";

  /** 20 more rows like row 1 (ids 100 to 119), each to carry one difference of {@link #planted}. */
  public static final String MORE_ROWS =
      "INSERT INTO src SELECT 100 + n, b, ti, si, src.i, bi, ut, us, ui, ub, h, uh, f, d, dec,"
          + " dec0, s, e, bl, u, dt, tm, ts, tsns, tsz, j, l, st FROM src, range(20) r(n)"
          + " WHERE id = 1";

  /**
   * Hand edits of a synced copy of {@link #TABLE} and {@link #MORE_ROWS} in MySQL: row 2 deleted,
   * row 999 added, and in each of rows 100 to 119 one column changed by the least its type can tell
   * apart.
   */
  public static String[] planted(String table) {
    return java.util.stream.Stream.of(
            "DELETE FROM copy WHERE id = 2",
            "INSERT INTO copy (id) VALUES (999)",
            "UPDATE copy SET d = 0.10000000000000002 WHERE id = 100", // one ulp
            "UPDATE copy SET f = 0.10000000894069672 WHERE id = 101", // one ulp of a float
            "UPDATE copy SET s = 'control ' WHERE id = 102", // a trailing space
            "UPDATE copy SET s = 'Control' WHERE id = 103", // a case change
            "UPDATE copy SET s = NULL WHERE id = 104",
            "UPDATE copy SET ts = '1000-01-01 00:00:00.000001' WHERE id = 105", // a microsecond
            "UPDATE copy SET tm = '00:00:00.000001' WHERE id = 106",
            "UPDATE copy SET dt = '1000-01-02' WHERE id = 107",
            "UPDATE copy SET `dec` = -12345678901234.5677 WHERE id = 108",
            "UPDATE copy SET bl = x'00FE' WHERE id = 109",
            "UPDATE copy SET j = '{\"a\":[1,2.50,\"x\"]}' WHERE id = 110", // JSON spacing
            "UPDATE copy SET b = 0 WHERE id = 111",
            "UPDATE copy SET bi = bi + 1 WHERE id = 112",
            "UPDATE copy SET u = UPPER(u) WHERE id = 113",
            "UPDATE copy SET e = 'a' WHERE id = 114",
            "UPDATE copy SET uh = uh - 1 WHERE id = 115",
            "UPDATE copy SET tsz = '2024-03-31 00:30:00.500001' WHERE id = 116",
            "UPDATE copy SET ub = 18446744073709551614 WHERE id = 117",
            "UPDATE copy SET ti = 2 WHERE id = 118",
            // NULL vs '': row 2 holds '' in s; row 119 gets '' where the query has 'control'.
            "UPDATE copy SET s = '' WHERE id = 119")
        .map(statement -> statement.replace(" copy ", " " + table + " "))
        .toArray(String[]::new);
  }
}
