package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.destination.DestinationTable;
import io.qsync.diff.strategy.ChangeSetStrategy;
import io.qsync.diff.strategy.WarehouseDiff;
import io.qsync.row.Column;
import io.qsync.source.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code qsync validate} for one sync: the source answers, the query describes, and the table can
 * hold the result. Reads only. Not thread-safe.
 */
final class SyncValidator {
  private final SyncConfig sync;
  private final Source source;
  private final Destination target;

  SyncValidator(SyncConfig sync, Source source, Destination target) {
    this.sync = requireNonNull(sync, "sync is null");
    this.source = requireNonNull(source, "source is null");
    this.target = requireNonNull(target, "target is null");
  }

  ValidationReport.SyncCheck validate() {
    List<String> notes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try {
      List<Column> columns = source.describe(sync.query());
      notes.add(
          "query returns "
              + Plural.of(columns.size(), "column")
              + ": "
              + String.join(
                  ", ",
                  columns.stream().map(column -> column.name() + " " + column.type()).toList()));
      List<String> key = KeyChecks.resolve(sync, columns);
      Optional<DestinationTable> existing = target.describe(sync.table());
      if (existing.isPresent()) {
        problems.addAll(
            target.schemaProblems(existing.get(), columns, key, sync.mode().needsKey()));
        if (sync.mode() == Mode.REPLACE) {
          problems.addAll(target.replaceProblems(sync.table()));
        }
        notes.add("table " + sync.table() + " exists in " + target.describeLocation());
      } else if (sync.createTable()) {
        notes.add("table " + sync.table() + " does not exist yet; the first run creates it");
      } else {
        problems.add(
            "table "
                + sync.table()
                + " does not exist in "
                + target.describeLocation()
                + "; set create_table: true or create it:\n"
                + target.createTableStatement(sync.table(), columns, key));
      }
      if (ChangeSetStrategy.of(sync, source, target) instanceof WarehouseDiff diff) {
        notes.add(
            "diff: snapshot keeps the state in "
                + diff.state().location()
                + "; the warehouse computes each run's change set there");
        problems.addAll(diff.problems());
      }
    } catch (QsyncException e) {
      problems.add(e.getMessage());
    }
    return new ValidationReport.SyncCheck(sync.name(), notes, problems);
  }
}
