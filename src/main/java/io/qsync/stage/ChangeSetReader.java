package io.qsync.stage;

import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the stage's complete change set: from a checkpoint on for apply, a sample of one kind for
 * {@code plan}, its length, and where it came from. Not thread-safe: one run uses one stage.
 */
final class ChangeSetReader {
  private final StageFile file;

  ChangeSetReader(StageFile file) {
    this.file = file;
  }

  /**
   * A cursor over the changes after {@code afterSeq}, in order, reading one batch ahead; with
   * {@code insertsAsText}, new rows come as LOAD DATA text ({@link Change#text}) without values.
   */
  ChangeCursor after(long afterSeq, boolean insertsAsText) {
    // Stored in order (StageFile#executeInOrder), the change set is read as it lies, without a sort
    // of the whole set (1.2-1.9 s of CPU per million changes); the cursor checks every number.
    StageSql.Layout layout =
        file.changesAreAView()
            ? StageSql.Layout.BY_PLACE
            : file.count(StageSql.CHANGES_OUT_OF_PLACE) == 0
                ? StageSql.Layout.IN_PLACE
                : StageSql.Layout.SORTED;
    // A first load's change set holds new rows only: read as text alone, without a NULL per value.
    ChangeRead read =
        !insertsAsText
            ? ChangeRead.VALUES
            : file.count(StageSql.notInsertsAfter(afterSeq, layout)) == 0
                ? ChangeRead.TEXT_ONLY
                : ChangeRead.INSERTS_AS_TEXT;
    // The scan's order is fixed when the statement is planned; the setting goes back when the
    // cursor closes (another statement would end the streaming result).
    file.keepInsertionOrder(true);
    try {
      PreparedStatement statement =
          file.connection().prepareStatement(file.sql().changesAfter(read, layout));
      statement.setFetchSize(2048);
      statement.setLong(1, afterSeq);
      return new ChangeCursor(
          statement,
          statement.executeQuery(),
          file.columns(),
          true,
          read,
          afterSeq,
          () -> file.keepInsertionOrder(false));
    } catch (SQLException e) {
      throw file.failed("read the change set", e);
    }
  }

  List<Change> sample(ChangeKind kind, int limit) {
    try (PreparedStatement statement =
            file.connection().prepareStatement(file.sql().sample(kind, limit));
        ChangeCursor cursor =
            new ChangeCursor(
                statement,
                statement.executeQuery(),
                file.columns(),
                false,
                ChangeRead.VALUES,
                -1,
                () -> {})) {
      return cursor.next(limit);
    } catch (SQLException e) {
      throw file.failed("read the change set", e);
    }
  }

  long length() {
    return file.count(StageSql.CHANGE_SET_LENGTH);
  }

  /**
   * What is wrong with the change set, which should hold {@code expected} changes; empty when it
   * holds them all.
   */
  Optional<String> damage(long expected) {
    if (file.count(StageSql.CHANGE_SET_EXISTS) == 0) {
      return Optional.of("holds no change set (its table changes is gone)");
    }
    long held = length();
    return held == expected
        ? Optional.empty()
        : Optional.of(
            String.format(Locale.ROOT, "holds %,d of the run's %,d changes", held, expected));
  }

  boolean fromWarehouse() {
    return file.count(StageSql.FROM_WAREHOUSE) > 0;
  }
}
