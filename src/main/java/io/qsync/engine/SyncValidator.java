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
    // Each side is checked whatever the other says, so one validate shows every problem.
    Optional<List<Column>> columns = Optional.empty();
    try {
      columns = Optional.of(source.describe(sync.query()));
      notes.add(
          "query returns "
              + Plural.of(columns.get().size(), "column")
              + ": "
              + String.join(
                  ", ",
                  columns.get().stream()
                      .map(column -> column.name() + " " + column.type())
                      .toList()));
    } catch (QsyncException e) {
      problems.add(e.getMessage());
    }
    try {
      Optional<DestinationTable> existing = target.describe(sync.table());
      if (columns.isPresent()) {
        checkTable(existing, columns.get(), notes, problems);
      } else if (existing.isEmpty() && !sync.createTable()) {
        problems.add(
            "table "
                + sync.table()
                + " does not exist in "
                + target.describeLocation()
                + "; set create_table: true or create it");
      }
      problems.addAll(
          target.privilegeProblems(sync.table(), tablePrivileges(existing), databasePrivileges()));
    } catch (QsyncException e) {
      problems.add(e.getMessage());
    }
    return new ValidationReport.SyncCheck(sync.name(), notes, problems);
  }

  private void checkTable(
      Optional<DestinationTable> existing,
      List<Column> columns,
      List<String> notes,
      List<String> problems) {
    try {
      List<String> key = KeyChecks.resolve(sync, columns);
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
  }

  /**
   * What a run does to the table: reads it and writes it as the mode does (upsert never deletes,
   * append only inserts, replace writes a new copy), and first creates it when absent (a creator is
   * granted nothing on what it creates).
   */
  private List<String> tablePrivileges(Optional<DestinationTable> existing) {
    if (existing.isEmpty()) {
      if (!sync.createTable()) {
        return List.of();
      }
      List<String> privileges = new ArrayList<>(writePrivileges());
      privileges.add("CREATE");
      return privileges;
    }
    return writePrivileges();
  }

  private List<String> writePrivileges() {
    return switch (sync.mode()) {
      case MIRROR -> List.of("SELECT", "INSERT", "UPDATE", "DELETE");
      case UPSERT -> List.of("SELECT", "INSERT", "UPDATE");
      case APPEND -> List.of("INSERT");
      case REPLACE -> List.of("SELECT");
    };
  }

  /** Replace mode creates, fills and renames a new copy of the table and drops the old one. */
  private List<String> databasePrivileges() {
    return sync.mode() == Mode.REPLACE ? List.of("CREATE", "INSERT", "ALTER", "DROP") : List.of();
  }
}
