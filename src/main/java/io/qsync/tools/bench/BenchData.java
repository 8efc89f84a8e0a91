package io.qsync.tools.bench;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.duckdb.DuckDbLibrary;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * The benchmark's warehouse: a DuckDB file holding {@code bench_rows}, a realistic result of a
 * BIGINT key, VARCHARs with non-ASCII text, a DOUBLE, a BOOLEAN, a TIMESTAMP (DATETIME(6) in
 * MySQL), a DECIMAL and a nullable JSON. Every value is a function of the row's id, so a run is
 * repeatable. Each method opens and closes the file: the measured qsync process opens it read-only,
 * which DuckDB refuses while another process holds it for writing. Stateless.
 */
final class BenchData {
  static final String TABLE = "bench_rows";
  static final String QUERY = "SELECT * FROM " + TABLE;

  /**
   * The same rows as text, in the order of {@link #QUERY}'s columns, for LOAD DATA and for the
   * original script (which sends literals). Dates as MySQL writes them, booleans as 0/1.
   */
  static final String TEXT_QUERY =
      "SELECT id::VARCHAR, name, city, email, score::VARCHAR, active::INTEGER::VARCHAR,"
          + " strftime(updated_at, '%Y-%m-%d %H:%M:%S.%f'), balance::VARCHAR, attrs::VARCHAR"
          + " FROM "
          + TABLE
          + " ORDER BY id";

  static final int COLUMNS = 9;

  private BenchData() {}

  /** The generated rows with ids {@code from} to {@code to}, inclusive. */
  private static String rows(long from, long to) {
    return "SELECT i::BIGINT AS id,"
        + " 'user ' || i::VARCHAR || ' ' || ['김민준', '佐藤 花子', 'Zoë Ærøskøbing', 'José Núñez',"
        + " 'Дмитрий', '🚀 Ünïcödé'][1 + i % 6] AS name,"
        + " ['서울', '東京', 'Zürich', 'São Paulo', 'Kraków', 'Reykjavík'][1 + (i // 7) % 6] AS city,"
        + " 'u' || i::VARCHAR || '@example.com' AS email,"
        + " (hash(i) % 100000000)::DOUBLE / 7.0 AS score,"
        + " i % 3 = 0 AS active,"
        + " TIMESTAMP '2020-01-01 00:00:00'"
        + " + to_microseconds((hash(i * 31) % 157680000000000)::BIGINT) AS updated_at,"
        + " ((hash(i * 17) % 1000000000)::DECIMAL(18, 0) / 100)::DECIMAL(12, 2) AS balance,"
        + " CASE WHEN i % 4 = 0 THEN NULL"
        + " ELSE json_object('tier', i % 5, 'tags', ['a', 'b' || (i % 3)::VARCHAR]) END AS attrs"
        + " FROM range("
        + from
        + ", "
        + (to + 1)
        + ") AS t(i)";
  }

  /** Writes a new warehouse file of {@code rows} rows. */
  static void generate(Path file, long rows) {
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".wal"));
    } catch (IOException e) {
      throw failed("replace " + file, e);
    }
    execute(file, "CREATE TABLE " + TABLE + " AS " + rows(1, rows));
  }

  /**
   * Changes {@code fraction} of the rows, the way a warehouse result drifts: half of it updated, a
   * quarter deleted, a quarter new rows. {@code seed} picks which rows, so repetitions differ.
   */
  static void change(Path file, double fraction, int seed) {
    long perHundredThousand = Math.round(fraction * 100_000);
    long rows = count(file);
    long inserts = Math.max(1, Math.round(rows * fraction / 4));
    long maxId;
    try (Connection connection = open(file);
        Statement statement = connection.createStatement();
        ResultSet max = statement.executeQuery("SELECT max(id) FROM " + TABLE)) {
      max.next();
      maxId = max.getLong(1);
    } catch (SQLException e) {
      throw failed("read " + file, e);
    }
    execute(
        file,
        String.format(
            Locale.ROOT,
            "UPDATE %s SET score = score + 0.5, name = name || ' ·' WHERE hash(id + %d) %% 100000 < %d",
            TABLE,
            seed * 1_000_003L,
            perHundredThousand / 2),
        String.format(
            Locale.ROOT,
            "DELETE FROM %s WHERE hash(id * 7 + %d) %% 100000 < %d",
            TABLE,
            seed,
            perHundredThousand / 4),
        "INSERT INTO " + TABLE + " " + rows(maxId + 1, maxId + inserts));
  }

  static long count(Path file) {
    try (Connection connection = open(file);
        Statement statement = connection.createStatement();
        ResultSet count = statement.executeQuery("SELECT count(*) FROM " + TABLE)) {
      count.next();
      return count.getLong(1);
    } catch (SQLException e) {
      throw failed("count the rows of " + file, e);
    }
  }

  /**
   * Writes the rows as a LOAD DATA file with MySQL's default field and line terminators (tab,
   * newline), escapes and {@code \N} for NULL.
   */
  static void exportText(Path warehouse, Path text) {
    try (Connection connection = open(warehouse);
        Statement statement = connection.createStatement();
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(text), 1 << 16)) {
      statement.setFetchSize(4096);
      try (ResultSet rows = statement.executeQuery(TEXT_QUERY)) {
        while (rows.next()) {
          for (int i = 1; i <= COLUMNS; i++) {
            if (i > 1) {
              out.write('\t');
            }
            String value = rows.getString(i);
            out.write(value == null ? NULL_FIELD : escape(value).getBytes(StandardCharsets.UTF_8));
          }
          out.write('\n');
        }
      }
    } catch (SQLException | IOException e) {
      throw failed("export " + warehouse + " to " + text, e);
    }
  }

  private static final byte[] NULL_FIELD = {'\\', 'N'};

  private static String escape(String value) {
    StringBuilder escaped = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> escaped.append("\\\\");
        case '\t' -> escaped.append("\\t");
        case '\n' -> escaped.append("\\n");
        case '\r' -> escaped.append("\\r");
        case '\0' -> escaped.append("\\0");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }

  static Connection open(Path file) throws SQLException {
    DuckDbLibrary.load();
    return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
  }

  private static void execute(Path file, String... statements) {
    try (Connection connection = open(file);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
      statement.execute("CHECKPOINT");
    } catch (SQLException e) {
      throw failed("write " + file, e);
    }
  }

  private static QsyncException failed(String what, Exception e) {
    return new QsyncException(ErrorKind.FAILED, "bench: cannot " + what + ": " + e.getMessage(), e);
  }
}
