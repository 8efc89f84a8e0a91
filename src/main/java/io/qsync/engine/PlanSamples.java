package io.qsync.engine;

import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import io.qsync.row.Column;
import io.qsync.stage.Stage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The samples of a plan: a few changes of each kind from the stage, with what the table holds now
 * for updates (their old values) and deletes (the row a snapshot's delete names only by key).
 * Stateless.
 */
final class PlanSamples {
  private PlanSamples() {}

  /**
   * @param current the table's row with the given key values (in key order), in the order of {@code
   *     columns}; empty when the table holds none
   */
  static Map<String, List<PlanReport.Sample>> of(
      Stage stage,
      List<Column> columns,
      List<String> key,
      int limit,
      Function<List<Object>, Optional<Object[]>> current) {
    int[] keyIndexes = keyIndexes(columns, key);
    Map<String, List<PlanReport.Sample>> samples = new LinkedHashMap<>();
    for (ChangeKind kind : ChangeKind.values()) {
      List<PlanReport.Sample> sampled = new ArrayList<>();
      for (Change change : stage.sample(kind, limit)) {
        sampled.add(sample(kind, change.row(), columns, keyIndexes, current));
      }
      samples.put(kind.name().toLowerCase(Locale.ROOT), sampled);
    }
    return samples;
  }

  private static PlanReport.Sample sample(
      ChangeKind kind,
      Object[] values,
      List<Column> columns,
      int[] keyIndexes,
      Function<List<Object>, Optional<Object[]>> current) {
    Map<String, Object> key = new LinkedHashMap<>();
    List<Object> keyValues = new ArrayList<>();
    for (int index : keyIndexes) {
      key.put(columns.get(index).name(), values[index]);
      keyValues.add(values[index]);
    }
    if (kind == ChangeKind.INSERT || keyIndexes.length == 0) {
      return PlanReport.Sample.insert(key, row(columns, values));
    }
    Optional<Object[]> now = current.apply(keyValues);
    if (kind == ChangeKind.DELETE) {
      return new PlanReport.Sample(
          key, now.map(row -> row(columns, row)).orElse(key), Map.of(), now.isPresent());
    }
    Map<String, Object> old = new LinkedHashMap<>();
    now.ifPresent(
        row -> {
          for (int i = 0; i < columns.size(); i++) {
            if (!same(row[i], values[i])) {
              old.put(columns.get(i).name(), row[i]);
            }
          }
        });
    return new PlanReport.Sample(key, row(columns, values), old, now.isPresent());
  }

  private static Map<String, Object> row(List<Column> columns, Object[] values) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      row.put(columns.get(i).name(), values[i]);
    }
    return row;
  }

  private static int[] keyIndexes(List<Column> columns, List<String> key) {
    int[] indexes = new int[key.size()];
    for (int k = 0; k < key.size(); k++) {
      indexes[k] = -1;
      for (int i = 0; i < columns.size(); i++) {
        if (columns.get(i).name().equalsIgnoreCase(key.get(k))) {
          indexes[k] = i;
        }
      }
      if (indexes[k] < 0) {
        return new int[0]; // the key checks of the run report this; a plan shows rows whole
      }
    }
    return indexes;
  }

  /** Whether two values read as the same: numbers by value (1.5 = 1.50), bytes by content. */
  static boolean same(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      try {
        return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
      } catch (NumberFormatException notFinite) {
        return x.toString().equals(y.toString());
      }
    }
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.equals(x, y);
    }
    return Objects.equals(a, b);
  }
}
