package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.destination.DestinationColumn;
import io.qsync.destination.DestinationTable;
import io.qsync.diff.KeyCollation;
import io.qsync.diff.KeyProblem;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.stage.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sync's key against the result and the table: the key as the result spells it, how the table
 * compares it, and the messages that stop a run whose keys (or other unique keys) cannot be
 * written. Not thread-safe.
 */
final class KeyChecks {
  private final SyncConfig sync;
  private final Destination target;

  KeyChecks(SyncConfig sync, Destination target) {
    this.sync = requireNonNull(sync, "sync is null");
    this.target = requireNonNull(target, "target is null");
  }

  /** The key as the result spells it; every key column must be in the result. */
  static List<String> resolve(SyncConfig sync, List<Column> columns) {
    List<String> resolved = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String keyColumn : sync.key()) {
      columns.stream()
          .filter(column -> column.name().equalsIgnoreCase(keyColumn))
          .findFirst()
          .ifPresentOrElse(column -> resolved.add(column.name()), () -> missing.add(keyColumn));
    }
    if (!missing.isEmpty()) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "sync '"
              + sync.name()
              + "': key column"
              + (missing.size() == 1 ? " " : "s ")
              + String.join(", ", missing)
              + " not in the query result (it returns "
              + String.join(", ", columns.stream().map(Column::name).toList())
              + ")\n"
              + "Add the column to the query's SELECT, or fix the sync's key.");
    }
    return resolved;
  }

  /**
   * How the target compares each key column: by the existing column's collation, or, for a table
   * qsync creates, by the binary collation it gives string keys.
   */
  List<KeyCollation> collations(
      Optional<DestinationTable> existing, List<Column> columns, List<String> key) {
    List<KeyCollation> collations = new ArrayList<>();
    for (String keyColumn : key) {
      Optional<String> collation =
          existing.isPresent()
              ? existing.get().column(keyColumn).flatMap(DestinationColumn::collation)
              : columns.stream()
                  .filter(column -> column.name().equals(keyColumn))
                  .findFirst()
                  .filter(column -> column.type().kind() == SqlType.Kind.VARCHAR)
                  .map(column -> target.createdKeyCollation());
      collations.add(KeyCollation.of(collation.orElse(null)));
    }
    return collations;
  }

  /** Stops the run, naming each key problem with samples and its remedy, when there is one. */
  void require(List<KeyProblem> problems, List<String> key, Optional<DestinationTable> existing) {
    if (problems.isEmpty()) {
      return;
    }
    StringBuilder message =
        new StringBuilder("sync '" + sync.name() + "': the query's keys cannot be written");
    message.append(" (key: ").append(String.join(", ", key)).append("):");
    List<String> remedies = new ArrayList<>();
    for (KeyProblem problem : problems) {
      switch (problem.kind()) {
        case NULL_KEY -> {
          message
              .append("\n - ")
              .append(problem.count())
              .append(" row(s) with a NULL key part -> ");
          remedies.add("filter NULL keys out in the query (WHERE key IS NOT NULL)");
        }
        case DUPLICATE_KEY -> {
          message
              .append("\n - ")
              .append(problem.count())
              .append(" key(s) on more than one row -> ");
          remedies.add(
              "make the query return one row per key (GROUP BY or QUALIFY row_number() = 1)");
        }
        case COLLATION_COLLISION -> {
          message
              .append("\n - ")
              .append(problem.count())
              .append(
                  " key(s) distinct in the query but equal under the target column's collation -> ");
          List<String> statements = new ArrayList<>();
          existing.ifPresent(
              table ->
                  key.forEach(
                      column ->
                          table
                              .column(column)
                              .filter(
                                  described ->
                                      described.collation().isPresent()
                                          && !KeyCollation.of(described.collation().get())
                                              .isExact())
                              .ifPresent(
                                  described ->
                                      statements.add(target.exactKeyStatement(table, column)))));
          remedies.add(
              "make the key column compare exactly (case, accents and trailing spaces)"
                  + (statements.isEmpty() ? "" : ": " + String.join("; ", statements))
                  + ", or normalise the key in the query");
        }
      }
      message.append(String.join(", ", problem.samples()));
    }
    message
        .append("\nNothing was written. To fix: ")
        .append(String.join("; ", remedies))
        .append('.');
    throw new QsyncException(ErrorKind.NEEDS_ACTION, message.toString());
  }

  /**
   * A value the result holds twice in another unique key of the table (its columns all returned by
   * the query) could never be written: stop before writing, naming it. (Values that merely move
   * between rows are fine: the writer sets such rows aside and writes them last.)
   */
  void requireOtherUniqueKeys(
      Stage stage, DestinationTable table, List<Column> columns, List<String> key) {
    List<String> problems = new ArrayList<>();
    for (List<String> unique : table.uniqueKeys()) {
      boolean isSyncKey =
          unique.size() == key.size()
              && unique.stream()
                  .allMatch(column -> key.stream().anyMatch(column::equalsIgnoreCase));
      boolean returned =
          unique.stream()
              .allMatch(
                  column ->
                      columns.stream().anyMatch(result -> result.name().equalsIgnoreCase(column)));
      if (isSyncKey || !returned || unique.isEmpty()) {
        continue;
      }
      List<String> names =
          unique.stream()
              .map(
                  column ->
                      columns.stream()
                          .filter(result -> result.name().equalsIgnoreCase(column))
                          .findFirst()
                          .orElseThrow()
                          .name())
              .toList();
      List<KeyCollation> collations = collations(Optional.of(table), columns, names);
      for (KeyProblem problem :
          stage.repeatedValues(names, collations, ChangeSetBuilder.KEY_SAMPLES)) {
        problems.add(
            problem.count()
                + " value(s) of unique key ("
                + String.join(", ", names)
                + ") on more than one row of the result"
                + (problem.kind() == KeyProblem.Kind.COLLATION_COLLISION
                    ? " under the column's collation"
                    : "")
                + " -> "
                + String.join(", ", problem.samples()));
      }
    }
    if (!problems.isEmpty()) {
      throw new QsyncException(
          ErrorKind.NEEDS_ACTION,
          "sync '"
              + sync.name()
              + "': table "
              + sync.table()
              + " has a unique key the query's"
              + " result breaks:\n - "
              + String.join("\n - ", problems)
              + "\nNothing was written. Make those values unique in the query, or drop the"
              + " unique key from the table.");
    }
  }
}
