package io.qsync.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DuckDB's text of a double, mended: every double reads back from it as itself. */
class DuckDbDoublesTest {
  @Test
  void everyPowerOfTwoAndItsNeighboursReadBackFromTheTextAsThemselves() throws Exception {
    List<Double> values = new ArrayList<>();
    for (int exponent = -1074; exponent <= 1023; exponent++) {
      double power = Math.scalb(1.0, exponent);
      values.addAll(List.of(power, Math.nextUp(power), Math.nextDown(power), -power));
    }
    values.addAll(List.of(0.0, -0.0, 0.1, 1e16, 1e23, Double.MAX_VALUE, Double.MIN_VALUE));
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      statement.execute("CREATE TABLE t (i INTEGER, d DOUBLE)");
      try (PreparedStatement insert = duckDb.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
        for (int i = 0; i < values.size(); i++) {
          insert.setInt(1, i);
          insert.setDouble(2, values.get(i));
          insert.addBatch();
        }
        insert.executeBatch();
      }
      List<String> wrong = new ArrayList<>();
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT i, " + DuckDbDoubles.text("d") + ", CAST(d AS VARCHAR) FROM t ORDER BY i")) {
        while (rows.next()) {
          double value = values.get(rows.getInt(1));
          String text = rows.getString(2);
          if (Double.doubleToLongBits(Double.parseDouble(text)) != Double.doubleToLongBits(value)
              && value != 0) {
            wrong.add(value + " -> " + text);
          }
          if (value == Math.scalb(1.0, 807)) {
            assertThat(rows.getString(3))
                .as("DuckDB's own text of 2^807, which this mends")
                .isEqualTo("A.070116948172427e+242");
            assertThat(text).isEqualTo("8.535058474086213e+242");
          }
        }
      }
      assertThat(wrong).isEmpty();
    }
  }
}
