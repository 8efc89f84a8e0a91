package io.qsync.stage;

import io.qsync.diff.KeyCollation;
import io.qsync.diff.KeyProblem;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Looks in the staged result for keys the target could not hold: NULL key parts, duplicate keys,
 * and keys distinct in the result but one under the target's collation; also values of the table's
 * other unique keys that repeat. Each kind found comes with its count and a few samples. Not
 * thread-safe: one run uses one stage.
 */
final class KeyCheck {
  private final StageFile file;

  KeyCheck(StageFile file) {
    this.file = file;
  }

  /** Every kind of key problem found; empty when the keys are fit to write. */
  List<KeyProblem> keys(List<String> key, List<KeyCollation> collations, int samples) {
    List<KeyProblem> problems = new ArrayList<>();
    problems.addAll(problem(KeyProblem.Kind.NULL_KEY, file.sql().nullKeys(key, samples)));
    problems.addAll(repeated(key, collations, samples, StageSql.SOURCE));
    return problems;
  }

  /**
   * Values of another unique key (its columns all in the result) held on more than one row, rows
   * with a NULL in them left out; empty when the values are fit to write.
   */
  List<KeyProblem> repeatedValues(
      List<String> columns, List<KeyCollation> collations, int samples) {
    return repeated(columns, collations, samples, file.sql().withoutNulls(columns));
  }

  /** Duplicates, and values distinct in the source but one under the collation, in {@code rows}. */
  private List<KeyProblem> repeated(
      List<String> key, List<KeyCollation> collations, int samples, String rows) {
    List<KeyProblem> problems = new ArrayList<>();
    problems.addAll(
        problem(KeyProblem.Kind.DUPLICATE_KEY, file.sql().duplicates(key, rows, samples)));
    if (collations.stream().anyMatch(collation -> !collation.isExact())) {
      problems.addAll(
          problem(
              KeyProblem.Kind.COLLATION_COLLISION,
              file.sql().collisions(key, collations, rows, samples)));
    }
    return problems;
  }

  private List<KeyProblem> problem(KeyProblem.Kind kind, String query) {
    List<String> found = new ArrayList<>();
    long count = 0;
    try (Statement statement = file.connection().createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      while (rows.next()) {
        count = rows.getLong(1);
        if (rows.getMetaData().getColumnLabel(2).equals("rendered")) {
          found.add(rows.getString(2));
          continue;
        }
        StringJoiner sample = new StringJoiner(", ", "(", ")");
        for (int i = 2; i <= rows.getMetaData().getColumnCount(); i++) {
          sample.add(KeyProblem.render(rows.getObject(i)));
        }
        found.add(sample.toString());
      }
    } catch (SQLException e) {
      throw file.failed("check the keys", e);
    }
    return found.isEmpty() ? List.of() : List.of(new KeyProblem(kind, count, found));
  }
}
