package io.qsync.stage;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Facts kept beside a stage's change set, as text by name ({@code qsync_facts}): a saved plan's
 * (what the change set was computed against). The stage reads and writes them without knowing what
 * they mean. Not thread-safe: one run uses one stage.
 */
final class StageFacts {
  private static final String TABLE = "qsync_facts";

  private final StageFile file;

  StageFacts(StageFile file) {
    this.file = file;
  }

  /** Replaces the facts, then checkpoints, so the file alone (no write-ahead log) holds it all. */
  void keep(Map<String, String> facts) {
    try (Statement statement = file.connection().createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + TABLE);
      statement.execute("CREATE TABLE " + TABLE + " (name VARCHAR PRIMARY KEY, value VARCHAR)");
      try (PreparedStatement insert =
          file.connection().prepareStatement("INSERT INTO " + TABLE + " VALUES (?, ?)")) {
        for (Map.Entry<String, String> fact : facts.entrySet()) {
          insert.setString(1, fact.getKey());
          insert.setString(2, fact.getValue());
          insert.executeUpdate();
        }
      }
      statement.execute("CHECKPOINT");
    } catch (SQLException e) {
      throw file.failed("keep the change set's facts", e);
    }
  }

  /** The facts kept, in name order; empty when the file keeps none. */
  Map<String, String> read() {
    Map<String, String> facts = new LinkedHashMap<>();
    try (Statement statement = file.connection().createStatement()) {
      try (ResultSet exists =
          statement.executeQuery(
              "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '"
                  + TABLE
                  + "'")) {
        exists.next();
        if (exists.getLong(1) == 0) {
          return facts;
        }
      }
      try (ResultSet rows =
          statement.executeQuery("SELECT name, value FROM " + TABLE + " ORDER BY name")) {
        while (rows.next()) {
          facts.put(rows.getString(1), rows.getString(2));
        }
      }
      return facts;
    } catch (SQLException e) {
      throw file.failed("read the change set's facts", e);
    }
  }
}
