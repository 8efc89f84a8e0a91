package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.Change;
import io.qsync.diff.ChangeKind;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Why MySQL refused a row, as the person reads it: the row's key, the column and value the error
 * names, and the remedy for the mode. The errors that need the server (triggers, foreign keys
 * against real tables) are in ServerRefusalsIT.
 */
class MySqlRejectionTest {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", SqlType.of(SqlType.Kind.BIGINT)),
          new Column("name", SqlType.of(SqlType.Kind.VARCHAR)));
  private static final String SIDE = "connection 'app' (127.0.0.1:3306/app)";

  private static MySqlRejection rejection(boolean upsert) {
    return new MySqlRejection(null, "t", COLUMNS, List.of("id"), new int[] {0}, upsert, SIDE);
  }

  private static final Change ROW =
      new Change(7, ChangeKind.INSERT, new Object[] {42L, "Zoë Ångström"});

  @Test
  void aValueTooLongNamesTheRowTheColumnAndTheValue() {
    QsyncException explained =
        rejection(true)
            .explain(
                ROW, new SQLException("Data too long for column 'name' at row 1", "22001", 1406));

    assertThat(explained.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(explained.getMessage())
        .startsWith(
            "table t on "
                + SIDE
                + ": the target rejected the row with key (id=42) in column"
                + " name (value 'Zoë Ångström', source type VARCHAR): Data too long")
        .contains("\nNothing of this batch was written. Widen the column");
  }

  @Test
  void aDuplicateKeyInAppendSaysTheTableHeldTheKeyBefore() {
    QsyncException explained =
        rejection(false)
            .explain(
                ROW, new SQLException("Duplicate entry '42' for key 'PRIMARY'", "23000", 1062));

    assertThat(explained.getMessage())
        .startsWith(
            "table t on " + SIDE + " already holds the key (id=42), which the query returns")
        .contains("Append only inserts");
  }

  @Test
  void aFailureThatRefusesNoRowIsReportedAsItself() {
    QsyncException explained =
        rejection(true).explain(ROW, new SQLException("Lock wait timeout exceeded", "HY000", 1205));

    assertThat(explained.getMessage())
        .doesNotContain("rejected")
        .contains("Lock wait timeout exceeded");
  }

  @Test
  void aRowTooLargeForOnePacketNamesItsLargestColumnAndTheLimit() {
    Change wide = new Change(3, ChangeKind.INSERT, new Object[] {9L, "x".repeat(2000)});

    QsyncException explained = rejection(true).tooLarge(wide, 2100, 1024);

    assertThat(explained.kind()).isEqualTo(ErrorKind.NEEDS_ACTION);
    assertThat(explained.getMessage())
        .startsWith(
            "table t on "
                + SIDE
                + ": the row with key (id=9) needs 2,100 bytes in one"
                + " statement, more than the server's max_allowed_packet (1,024 bytes) allows; its"
                + " column name holds 2,000 bytes (source type VARCHAR).")
        .contains("SET GLOBAL max_allowed_packet = 4096");
  }
}
