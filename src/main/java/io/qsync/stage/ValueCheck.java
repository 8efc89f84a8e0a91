package io.qsync.stage;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.QsyncException;
import io.qsync.destination.ValueRule;
import io.qsync.destination.ValueRule.Check;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Looks in a complete change set for values the target's columns would not store as they are sent
 * (each column's {@link ValueRule}s), before anything is written: one scan of the inserts and
 * updates counts the values that break each rule, and a few rows of each are fetched to be named.
 * Works on every change set the stage holds (diffed against the table or the warehouse, or the
 * whole result), since every row that will be written is in it. Stateless.
 */
public final class ValueCheck {
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");

  /** MySQL's latin1 (Windows-1252 with its five unassigned bytes kept as C1 controls). */
  private static final String LATIN1 =
      "\\x{00}-\\x{7F}\\x{A0}-\\x{FF}\\x{81}\\x{8D}\\x{8F}\\x{90}\\x{9D}\\x{152}\\x{153}\\x{160}"
          + "\\x{161}\\x{178}\\x{17D}\\x{17E}\\x{192}\\x{2C6}\\x{2DC}\\x{2013}\\x{2014}\\x{2018}"
          + "\\x{2019}\\x{201A}\\x{201C}\\x{201D}\\x{201E}\\x{2020}\\x{2021}\\x{2022}\\x{2026}"
          + "\\x{2030}\\x{2039}\\x{203A}\\x{20AC}\\x{2122}";

  private ValueCheck() {}

  /**
   * Values of one column that break one rule.
   *
   * @param count how many inserts and updates hold such a value
   * @param samples a few of them, each with its row's key, rendered for a person
   */
  public record Problem(ValueRule rule, long count, List<String> samples) {
    public Problem {
      requireNonNull(rule, "rule is null");
      samples = List.copyOf(samples);
    }
  }

  /**
   * Every rule some insert or update of the stage's change set breaks, in the order of the rules,
   * each with up to {@code samples} of its rows; empty when every value can be written as it is.
   */
  public static List<Problem> problems(
      Stage stage, List<ValueRule> rules, List<String> key, int samples) {
    if (rules.isEmpty()) {
      return List.of();
    }
    List<Column> columns = stage.columns();
    StageFile file = stage.stageFile();
    List<String> conditions = new ArrayList<>();
    StringJoiner counts = new StringJoiner(", ");
    for (ValueRule rule : rules) {
      int index = StageSql.index(columns, rule.column());
      String condition =
          condition(rule.check(), StageSql.positional(index), columns.get(index).type());
      conditions.add(condition);
      counts.add("count_if(" + condition + ")");
    }
    List<Problem> problems = new ArrayList<>();
    try (Statement statement = file.connection().createStatement()) {
      long[] found = new long[rules.size()];
      try (ResultSet row =
          statement.executeQuery("SELECT " + counts + " FROM changes WHERE qsync_op <> 'D'")) {
        row.next();
        for (int i = 0; i < found.length; i++) {
          found[i] = row.getLong(i + 1);
        }
      }
      for (int i = 0; i < found.length; i++) {
        if (found[i] > 0) {
          problems.add(
              new Problem(
                  rules.get(i),
                  found[i],
                  samples(statement, columns, key, rules.get(i), conditions.get(i), samples)));
        }
      }
    } catch (SQLException e) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "the stage "
              + file.file()
              + " could not check the change set's values: "
              + e.getMessage()
              + "\n"
              + file.inDoubt()
              + " If it repeats, report it as a bug.",
          e);
    }
    return problems;
  }

  /**
   * Stops the run when a value of the change set cannot be written as it is: one message with every
   * problem, its rows and its remedy. Nothing has been written when it is called.
   *
   * @param subject what cannot store the values, for the message ({@code sync 's': table t})
   */
  public static void require(
      Stage stage, List<ValueRule> rules, List<String> key, int samples, String subject) {
    List<Problem> problems = problems(stage, rules, key, samples);
    if (problems.isEmpty()) {
      return;
    }
    long values = problems.stream().mapToLong(Problem::count).sum();
    StringBuilder message =
        new StringBuilder(subject)
            .append(" cannot store ")
            .append(values == 1 ? "a value" : values + " values")
            .append(" of the change set as the query returns ")
            .append(values == 1 ? "it" : "them")
            .append("; nothing was written:");
    for (Problem problem : problems) {
      ValueRule rule = problem.rule();
      message
          .append("\n - column ")
          .append(rule.column())
          .append(" (")
          .append(rule.columnType())
          .append("): ")
          .append(problem.count())
          .append(problem.count() == 1 ? " value: " : " values: ")
          .append(rule.problem())
          .append("\n   ")
          .append(String.join("; ", problem.samples()))
          .append(problem.count() > problem.samples().size() ? "; ..." : "")
          .append("\n   -> ")
          .append(rule.remedy());
    }
    throw new QsyncException(ErrorKind.NEEDS_ACTION, message.toString());
  }

  private static List<String> samples(
      Statement statement,
      List<Column> columns,
      List<String> key,
      ValueRule rule,
      String condition,
      int samples)
      throws SQLException {
    StringJoiner select = new StringJoiner(", ");
    select.add("qsync_seq");
    for (String keyColumn : key) {
      int index = StageSql.index(columns, keyColumn);
      select.add(rendered(StageSql.positional(index), columns.get(index).type()));
    }
    int index = StageSql.index(columns, rule.column());
    select.add(rendered(StageSql.positional(index), columns.get(index).type()));
    List<String> found = new ArrayList<>();
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT "
                + select
                + " FROM changes WHERE qsync_op <> 'D' AND "
                + condition
                + " ORDER BY qsync_seq LIMIT "
                + samples)) {
      while (rows.next()) {
        StringJoiner keyText = new StringJoiner(", ", "(", ")");
        for (int i = 0; i < key.size(); i++) {
          SqlType keyType = columns.get(StageSql.index(columns, key.get(i))).type();
          keyText.add(key.get(i) + "=" + shown(rows.getString(i + 2), keyType));
        }
        String row = key.isEmpty() ? "row #" + rows.getLong(1) : "key " + keyText;
        found.add(row + ": " + shown(rows.getString(key.size() + 2), columns.get(index).type()));
      }
    }
    return found;
  }

  /** A value as SQL text: byte strings in hex, NaN and the infinities as Java writes them. */
  private static String rendered(String column, SqlType type) {
    return switch (type.kind()) {
      case BLOB -> "'0x' || hex(" + column + ")";
      case FLOAT, DOUBLE ->
          "CASE WHEN isnan("
              + column
              + ") THEN 'NaN' WHEN "
              + column
              + " = 'inf' THEN 'Infinity'"
              + " WHEN "
              + column
              + " = '-inf' THEN '-Infinity' ELSE CAST("
              + column
              + " AS VARCHAR) END";
      default -> "CAST(" + column + " AS VARCHAR)";
    };
  }

  /** A rendered value as a message shows it: text quoted, long values cut, NULL spelled out. */
  private static String shown(String text, SqlType type) {
    if (text == null) {
      return "NULL";
    }
    String cut = text.length() > 60 ? text.substring(0, 57) + "..." : text;
    boolean quoted =
        type.kind() == Kind.VARCHAR || type.kind() == Kind.JSON || type.kind() == Kind.UUID;
    return quoted ? "'" + cut + "'" : cut;
  }

  /** The SQL condition, over a stage column of the given type, that a value breaks the check. */
  static String condition(Check check, String column, SqlType type) {
    String number = type.kind() == Kind.BOOLEAN ? "CAST(" + column + " AS INTEGER)" : column;
    if (check instanceof ValueRule.IsNull) {
      return column + " IS NULL";
    } else if (check instanceof ValueRule.NotFinite) {
      return "NOT isfinite(" + column + ")";
    } else if (check instanceof ValueRule.Negative) {
      // A DECIMAL wider than DuckDB's is staged as its text.
      return type.duckDbName().equals("VARCHAR")
          ? "TRY_CAST(" + column + " AS DOUBLE) < 0"
          : column + " < 0";
    } else if (check instanceof ValueRule.OutsideRange range) {
      return "("
          + number
          + " < "
          + hugeint(range.min())
          + " OR "
          + number
          + " > "
          + hugeint(range.max())
          + ")";
    } else if (check instanceof ValueRule.TooManyDigits digits) {
      return "length(regexp_extract(CAST("
          + number
          + " AS VARCHAR), '^-?0*([0-9]*)', 1)) > "
          + digits.digits();
    } else if (check instanceof ValueRule.LongerThanCharacters length) {
      return "length(" + column + ") > " + length.max();
    } else if (check instanceof ValueRule.LongerThanBytes length) {
      return (type.kind() == Kind.BLOB ? "octet_length(" : "strlen(")
          + column
          + ") > "
          + length.max();
    } else if (check instanceof ValueRule.NotOfLength length) {
      return "octet_length(" + column + ") <> " + length.length();
    } else if (check instanceof ValueRule.TrailingSpace) {
      return "suffix(" + column + ", ' ')";
    } else if (check instanceof ValueRule.NotOneOf members) {
      return column + " NOT IN (" + literals(members.members()) + ")";
    } else if (check instanceof ValueRule.NotSetOf members) {
      // The set as the column stores it: its members in their declared order, each once.
      // (array_to_string of an empty list is NULL, not the empty set's '')
      return column
          + " <> coalesce(array_to_string(list_filter(["
          + literals(members.members())
          + "]::VARCHAR[], member -> list_contains(string_split("
          + column
          + ", ','), member)),"
          + " ','), '')";
    } else if (check instanceof ValueRule.OutsideRepertoire repertoire) {
      String characters =
          switch (repertoire.repertoire()) {
            case BMP -> "[\\x{10000}-\\x{10FFFF}]";
            case LATIN1 -> "[^" + LATIN1 + "]";
            case ASCII -> "[^\\x{00}-\\x{7F}]";
          };
      return "regexp_matches(" + column + ", '" + characters + "')";
    } else if (check instanceof ValueRule.OutsideTimes times) {
      return "(NOT isfinite("
          + column
          + ") OR CAST("
          + column
          + " AS TIMESTAMP) NOT BETWEEN "
          + timestamp(times.min())
          + " AND "
          + timestamp(times.max())
          + ")";
    } else if (check instanceof ValueRule.EndOfDay) {
      return column + " = TIME '24:00:00'";
    }
    throw new IllegalArgumentException("unknown check " + check);
  }

  private static String hugeint(BigInteger value) {
    return "CAST('" + value + "' AS HUGEINT)";
  }

  private static String timestamp(LocalDateTime value) {
    return "TIMESTAMP '" + TIMESTAMP.format(value) + "'";
  }

  private static String literals(List<String> values) {
    StringJoiner list = new StringJoiner(", ");
    values.forEach(value -> list.add("'" + value.replace("'", "''") + "'"));
    return list.toString();
  }
}
