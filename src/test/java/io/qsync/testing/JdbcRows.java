package io.qsync.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads every row of a query as strings ({@code ResultSet.getString}), for comparing tables. */
public final class JdbcRows {
  private JdbcRows() {}

  public static List<List<String>> read(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<List<String>> result = new ArrayList<>();
      int width = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= width; i++) {
          row.add(rows.getString(i));
        }
        result.add(row);
      }
      return result;
    }
  }
}
