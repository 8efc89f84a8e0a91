package io.qsync.source.duckdb;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.diff.KeyCollation;
import io.qsync.diff.KeyProblem;
import io.qsync.duckdb.DuckDbValues;
import io.qsync.row.Column;
import io.qsync.row.RowSink;
import io.qsync.row.SqlType;
import io.qsync.source.DuckDbFileTable;
import io.qsync.source.SnapshotNames;
import io.qsync.source.SnapshotSql;
import io.qsync.source.SourceResult;
import io.qsync.source.SqlText;
import io.qsync.source.WarehouseState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * The {@code diff: snapshot} state of a sync in a schema of the DuckDB warehouse. Each step is a
 * {@code CREATE OR REPLACE TABLE ... AS SELECT} in the warehouse; the change set is handed to the
 * stage as a file of its own, like a query result. Not thread-safe; lives as long as its source.
 */
final class DuckDbState implements WarehouseState {
  private final DuckDbSource source;
  private final String connectionName;
  private final String schema;
  private final SnapshotSql sql;

  DuckDbState(DuckDbSource source, String connectionName, String schema) {
    this.source = source;
    this.connectionName = connectionName;
    this.schema = schema;
    this.sql = new SnapshotSql(new Dialect(schema));
  }

  /** DuckDB's SQL for the snapshot statements. */
  record Dialect(String schema) implements SnapshotSql.Dialect {
    @Override
    public String quote(String identifier) {
      return DuckDbValues.quote(identifier);
    }

    @Override
    public String table(String name) {
      return quote(schema) + "." + quote(name);
    }

    @Override
    public SqlText text() {
      return SqlText.DUCKDB;
    }

    /** An MD5 of the row as JSON: stable across DuckDB versions, unlike {@code hash()}. */
    @Override
    public String fingerprint(String rowAlias) {
      return "md5(to_json(" + rowAlias + ")::VARCHAR)";
    }

    @Override
    public String normalise(KeyCollation collation, String expression) {
      return collation.normalise(expression);
    }

    @Override
    public String rowValue(List<String> expressions) {
      return expressions.size() == 1
          ? expressions.get(0)
          : "row(" + String.join(", ", expressions) + ")";
    }
  }

  @Override
  public String location() {
    return "DuckDB connection '" + connectionName + "', schema " + schema;
  }

  /** DuckDB groups, compares and orders values of every type; only qsync's own names are taken. */
  @Override
  public List<String> problems(String query, List<String> key) {
    return SnapshotSql.reservedNameProblems(source.describe(query));
  }

  @Override
  public SourceResult materialize(String query, SnapshotNames.Run run) {
    String text = SqlText.DUCKDB.withoutTrailingSemicolons(query);
    List<String> projections = new ArrayList<>();
    List<Column> columns = source.describe(text, projections);
    execute("CREATE SCHEMA IF NOT EXISTS " + DuckDbValues.quote(schema));
    execute(
        "CREATE OR REPLACE TABLE "
            + table(run.result())
            + " AS "
            + sql.result(DuckDbSource.projected(text, projections)));
    long rows = count("SELECT count(*) FROM " + table(run.result()));
    return new ResultTable(run, columns, rows);
  }

  @Override
  public List<KeyProblem> checkKeys(
      SnapshotNames.Run run, List<String> key, List<KeyCollation> collations, int samples) {
    List<KeyProblem> problems = new ArrayList<>();
    problem(KeyProblem.Kind.NULL_KEY, sql.nullKeys(run.result(), key, samples))
        .ifPresent(problems::add);
    problem(KeyProblem.Kind.DUPLICATE_KEY, sql.duplicateKeys(run.result(), key, samples))
        .ifPresent(problems::add);
    if (problems.isEmpty() && collations.stream().anyMatch(collation -> !collation.isExact())) {
      problem(
              KeyProblem.Kind.COLLATION_COLLISION,
              sql.collidingKeys(run.result(), key, collations, samples))
          .ifPresent(problems::add);
    }
    return problems;
  }

  private Optional<KeyProblem> problem(KeyProblem.Kind kind, String query) {
    List<String> samples = new ArrayList<>();
    long count = 0;
    try (Statement statement = source.open().createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      int width = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        count = rows.getLong(1);
        List<String> values = new ArrayList<>();
        for (int i = 2; i <= width; i++) {
          values.add(KeyProblem.render(rows.getObject(i)));
        }
        samples.add(
            kind == KeyProblem.Kind.COLLATION_COLLISION
                ? String.join(" and ", values)
                : "(" + String.join(", ", values) + ")");
      }
    } catch (SQLException e) {
      throw failed("check the keys", e);
    }
    return samples.isEmpty() ? Optional.empty() : Optional.of(new KeyProblem(kind, count, samples));
  }

  @Override
  public Optional<List<Column>> describe(String table) {
    if (!exists(table)) {
      return Optional.empty();
    }
    List<Column> columns = new ArrayList<>();
    try (Statement statement = source.open().createStatement();
        ResultSet described = statement.executeQuery("DESCRIBE " + table(table))) {
      while (described.next()) {
        String name = described.getString("column_name");
        columns.add(
            new Column(name, DuckDbTypes.map(name, described.getString("column_type")).type()));
      }
    } catch (SQLException e) {
      throw failed("describe " + table, e);
    }
    return Optional.of(columns);
  }

  private boolean exists(String table) {
    try (PreparedStatement statement =
        source
            .open()
            .prepareStatement(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
      statement.setString(1, schema);
      statement.setString(2, table);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1) > 0;
      }
    } catch (SQLException e) {
      throw failed("look for " + table, e);
    }
  }

  @Override
  public SourceResult changes(
      SnapshotNames.Run run, String stateTable, List<String> key, boolean deletes) {
    return changeSet(run, columns -> sql.changes(run.result(), stateTable, columns, key, deletes));
  }

  @Override
  public SourceResult fetch(SnapshotNames.Run run, List<String> key) {
    return changeSet(run, columns -> sql.fetch(run.keys(), run.result(), columns, key));
  }

  /**
   * Writes the run's changes table with {@code select} over the result's columns, and hands it to
   * the stage: the kind of each change, then the columns.
   */
  private SourceResult changeSet(SnapshotNames.Run run, Function<List<String>, String> select) {
    List<Column> columns = resultColumns(run);
    execute(
        "CREATE OR REPLACE TABLE "
            + table(run.changes())
            + " AS "
            + select.apply(columns.stream().map(Column::name).toList()));
    List<Column> withKind = new ArrayList<>();
    withKind.add(new Column(SnapshotSql.OP, SqlType.of(SqlType.Kind.VARCHAR)));
    withKind.addAll(columns);
    return source.handOff("SELECT * FROM " + table(run.changes()), withKind);
  }

  /** DuckDB bills nothing: the comparison reads less of the result whenever nothing changed. */
  @Override
  public Optional<String> whyOneQuery(SnapshotNames.Run run) {
    return Optional.empty();
  }

  @Override
  public OptionalLong compare(
      SnapshotNames.Run run, String stateTable, List<String> key, boolean deletes) {
    execute(
        "CREATE OR REPLACE TABLE "
            + table(run.keys())
            + " AS "
            + sql.changedKeys(run.result(), stateTable, key, deletes));
    return OptionalLong.of(count("SELECT count(*) FROM " + table(run.keys())));
  }

  /** The run's result columns, without the fingerprint. */
  private List<Column> resultColumns(SnapshotNames.Run run) {
    List<Column> columns =
        new ArrayList<>(describe(run.result()).orElseThrow(() -> resultGone(run.result())));
    columns.removeIf(column -> column.name().equals(SnapshotSql.FINGERPRINT));
    return columns;
  }

  @Override
  public OptionalLong diffBytes(
      SnapshotNames.Run run, String stateTable, List<String> key, boolean deletes, Step step) {
    return OptionalLong.empty();
  }

  @Override
  public void advance(SnapshotNames.Run run, List<String> key) {
    execute(
        "CREATE OR REPLACE TABLE " + table(run.state()) + " AS " + sql.state(run.result(), key));
  }

  @Override
  public List<String> tables(String prefix) {
    List<String> tables = new ArrayList<>();
    try (PreparedStatement statement =
        source
            .open()
            .prepareStatement(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?"
                    + " AND starts_with(table_name, ?) ORDER BY table_name")) {
      statement.setString(1, schema);
      statement.setString(2, prefix);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          tables.add(rows.getString(1));
        }
      }
    } catch (SQLException e) {
      throw failed("list the tables of schema " + schema, e);
    }
    return tables;
  }

  @Override
  public void drop(String table) {
    execute("DROP TABLE IF EXISTS " + table(table));
  }

  private String table(String name) {
    return DuckDbValues.quote(schema) + "." + DuckDbValues.quote(name);
  }

  private long count(String query) {
    try (Statement statement = source.open().createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw failed("count rows", e);
    }
  }

  private void execute(String statementSql) {
    Connection connection = source.open();
    try (Statement statement = connection.createStatement()) {
      statement.execute(statementSql);
    } catch (SQLException e) {
      throw source.queryFailed(e);
    }
  }

  private QsyncException failed(String what, SQLException e) {
    return new QsyncException(
        ErrorKind.FAILED,
        location() + " could not " + what + ": " + e.getMessage() + "\n" + source.caller().again(),
        e);
  }

  /**
   * The result table went missing (dropped by hand, or by a prune). A run that resumes from it
   * finds it gone again, so it starts a new run; a plan made it moments ago, so another plan makes
   * it anew.
   */
  private QsyncException resultGone(String result) {
    Caller caller = source.caller();
    return new QsyncException(
        ErrorKind.FAILED,
        "the result table "
            + result
            + " is gone from "
            + location()
            + "\n"
            + (caller == Caller.RUN
                ? "Run with --restart to start a new run."
                : caller.again("makes it anew.")));
  }

  /**
   * A run's result table: its row count is known at once; its rows are handed to the stage only
   * when a full comparison reads them.
   */
  private final class ResultTable implements SourceResult {
    private final SnapshotNames.Run run;
    private final List<Column> columns;
    private final long rows;
    private SourceResult handedOff;

    ResultTable(SnapshotNames.Run run, List<Column> columns, long rows) {
      this.run = run;
      this.columns = List.copyOf(columns);
      this.rows = rows;
    }

    private SourceResult handedOff() {
      if (handedOff == null) {
        StringJoiner names = new StringJoiner(", ");
        columns.forEach(column -> names.add(DuckDbValues.quote(column.name())));
        handedOff = source.handOff("SELECT " + names + " FROM " + table(run.result()), columns);
      }
      return handedOff;
    }

    @Override
    public List<Column> columns() {
      return columns;
    }

    @Override
    public OptionalLong totalRows() {
      return OptionalLong.of(rows);
    }

    @Override
    public Optional<DuckDbFileTable> duckDbFile() {
      return handedOff().duckDbFile();
    }

    @Override
    public void read(long fromRow, RowSink sink) {
      handedOff().read(fromRow, sink);
    }

    @Override
    public void close() {
      if (handedOff != null) {
        handedOff.close();
      }
    }
  }
}
