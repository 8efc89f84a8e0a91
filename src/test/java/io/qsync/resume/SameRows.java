package io.qsync.resume;

import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.Objects;

/**
 * Compares two row lists in order and, when they differ, says where: the counts and the first few
 * differing rows, instead of printing two lists of 200,000 rows.
 */
public final class SameRows {
  private static final int SHOWN = 5;

  private SameRows() {}

  public static void assertSame(
      List<List<String>> expected,
      List<List<String>> actual,
      String expectedName,
      String actualName) {
    StringBuilder differences = new StringBuilder();
    int shown = 0;
    int differing = 0;
    int common = Math.min(expected.size(), actual.size());
    for (int i = 0; i < common; i++) {
      if (!Objects.equals(expected.get(i), actual.get(i))) {
        differing++;
        if (shown++ < SHOWN) {
          differences
              .append("\n  row ")
              .append(i)
              .append(": ")
              .append(expectedName)
              .append(' ')
              .append(expected.get(i))
              .append(" but ")
              .append(actualName)
              .append(' ')
              .append(actual.get(i));
        }
      }
    }
    if (differing > 0 || expected.size() != actual.size()) {
      fail(
          actualName
              + " differs from "
              + expectedName
              + ": "
              + actual.size()
              + " rows against "
              + expected.size()
              + ", "
              + differing
              + " of the first "
              + common
              + " differ"
              + differences
              + (expected.size() > common ? "\n  first missing: " + expected.get(common) : "")
              + (actual.size() > common ? "\n  first extra: " + actual.get(common) : ""));
    }
  }
}
