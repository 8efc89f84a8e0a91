package io.qsync.destination.mysql;

import io.qsync.destination.DestinationColumn;
import io.qsync.destination.ValueRule;
import io.qsync.destination.ValueRule.Check;
import io.qsync.destination.ValueRule.Repertoire;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import io.qsync.source.QueryDialect;
import java.math.BigInteger;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What each MySQL or MariaDB column would not store as qsync sends it: the values the column
 * refuses (strict mode makes each an error at its batch), and those it would store as something
 * else (so the next run would see a change and write it again, forever). The stage looks for them
 * in the change set before anything is written. The README's type table, for values. Pure;
 * thread-safe.
 */
final class MySqlValueRules {
  /** MySQL documents DATE and DATETIME for years 1000 to 9999. */
  static final LocalDateTime FIRST_DATE = LocalDateTime.of(1000, 1, 1, 0, 0);

  static final LocalDateTime LAST_DATE = LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000);

  /** A TIMESTAMP column holds seconds since 1970 in 32 bits: from 1970-01-01 00:00:01 UTC. */
  static final LocalDateTime FIRST_TIMESTAMP = LocalDateTime.of(1970, 1, 1, 0, 0, 1);

  /** ... to 2038-01-19 03:14:07 UTC (signed 32 bits; MySQL, and MariaDB before 11.5). */
  static final LocalDateTime LAST_TIMESTAMP_32 =
      LocalDateTime.of(2038, 1, 19, 3, 14, 7, 999_999_000);

  /** ... or to 2106-02-07 06:28:15 UTC (unsigned 32 bits: MariaDB 11.5 and later, 64-bit). */
  static final LocalDateTime LAST_TIMESTAMP_UNSIGNED =
      LocalDateTime.of(2106, 2, 7, 6, 28, 15, 999_999_000);

  private static final DateTimeFormatter MICROSECONDS =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

  /** The largest byte length of each text and blob type. */
  private static final Map<String, Long> MAX_BYTES =
      Map.of(
          "tinytext",
          255L,
          "text",
          65_535L,
          "mediumtext",
          16_777_215L,
          "tinyblob",
          255L,
          "blob",
          65_535L,
          "mediumblob",
          16_777_215L);

  /** Character sets that hold every character (the others hold a part, or are refused). */
  private static final Set<String> UNICODE = Set.of("utf8mb4", "utf16", "utf16le", "utf32");

  private static final Map<String, Repertoire> PARTIAL =
      Map.of(
          "utf8mb3",
          Repertoire.BMP,
          "utf8",
          Repertoire.BMP,
          "ucs2",
          Repertoire.BMP,
          "latin1",
          Repertoire.LATIN1,
          "ascii",
          Repertoire.ASCII);

  private MySqlValueRules() {}

  /** The character sets whose text columns qsync writes; the schema check refuses others. */
  static boolean knownCharacterSet(String characterSet) {
    String name = characterSet.toLowerCase(Locale.ROOT);
    return UNICODE.contains(name) || PARTIAL.containsKey(name);
  }

  /**
   * The rules for each result column, against its column in the table.
   *
   * @param quotedTable the table, quoted, for ALTER TABLE remedies
   * @param exists whether the table exists (else qsync creates it: no ALTER TABLE to suggest)
   * @param lastTimestamp the latest time a TIMESTAMP column of this server holds
   */
  static List<ValueRule> rules(
      String quotedTable,
      boolean exists,
      Column column,
      DestinationColumn target,
      boolean keyColumn,
      QueryDialect dialect,
      LocalDateTime lastTimestamp) {
    return new Builder(quotedTable, exists, column, target, keyColumn, dialect)
        .build(lastTimestamp);
  }

  /** Collects the rules of one column. */
  private static final class Builder {
    private final String quotedTable;
    private final boolean exists;
    private final Column column;
    private final SqlType type;
    private final DestinationColumn target;
    private final String dataType;
    private final boolean keyColumn;
    private final QueryDialect dialect;
    private final String name;
    private final List<ValueRule> rules = new ArrayList<>();

    Builder(
        String quotedTable,
        boolean exists,
        Column column,
        DestinationColumn target,
        boolean keyColumn,
        QueryDialect dialect) {
      this.quotedTable = quotedTable;
      this.exists = exists;
      this.column = column;
      this.type = column.type();
      this.target = target;
      this.dataType = target.dataType().toLowerCase(Locale.ROOT);
      this.keyColumn = keyColumn;
      this.dialect = dialect;
      this.name = column.name();
    }

    List<ValueRule> build(LocalDateTime lastTimestamp) {
      if (!target.nullable() && !keyColumn) {
        add(
            new ValueRule.IsNull(),
            "NULL, which the NOT NULL column refuses",
            alter(target.columnType() + " NULL")
                + ", or return a value in the query (COALESCE("
                + name
                + ", ...))");
      }
      switch (type.kind()) {
        case FLOAT, DOUBLE -> floats();
        case BOOLEAN,
            TINYINT,
            SMALLINT,
            INTEGER,
            BIGINT,
            UTINYINT,
            USMALLINT,
            UINTEGER,
            UBIGINT,
            HUGEINT,
            DECIMAL ->
            numbers();
        case VARCHAR, JSON, UUID -> text();
        case BLOB -> bytes();
        case DATE, TIMESTAMP, TIMESTAMP_UTC -> times(lastTimestamp);
        case TIME ->
            add(
                new ValueRule.EndOfDay(),
                "24:00:00, which "
                    + dialect.warehouse()
                    + " allows and qsync carries only as a"
                    + " time of day (to 23:59:59.999999)",
                "map it in the query: NULLIF("
                    + name
                    + ", "
                    + dialect.literal(Kind.TIME, "24:00:00")
                    + ")");
      }
      return rules;
    }

    private void floats() {
      add(
          new ValueRule.NotFinite(),
          "NaN or an infinity, which MySQL cannot store",
          "map them in the query: " + dialect.finiteOrNull(name));
      negatives();
    }

    /** MySQL and MariaDB still take UNSIGNED on DECIMAL, FLOAT and DOUBLE (MySQL deprecates it). */
    private void negatives() {
      if (target.unsigned() && !dataType.endsWith("int") && !dataType.equals("bit")) {
        add(
            new ValueRule.Negative(),
            "below zero, which the unsigned column refuses",
            alter(target.columnType().replace(" unsigned", "").replace(" zerofill", "")));
      }
    }

    private void numbers() {
      BigInteger[] source = range(type);
      if (dataType.endsWith("int") || dataType.equals("bit")) {
        BigInteger[] held = integerRange();
        if (source[0].compareTo(held[0]) < 0 || source[1].compareTo(held[1]) > 0) {
          add(
              new ValueRule.OutsideRange(held[0], held[1]),
              "outside " + held[0] + " to " + held[1] + ", the range of " + target.columnType(),
              widen());
        }
      } else if (dataType.equals("decimal")) {
        int digits = Math.max(0, target.numericPrecision() - Math.max(0, target.numericScale()));
        int sourceDigits = source[1].toString().length();
        if (sourceDigits > digits) {
          int scale = Math.max(0, target.numericScale());
          add(
              new ValueRule.TooManyDigits(digits),
              "more than "
                  + digits
                  + " digit"
                  + (digits == 1 ? "" : "s")
                  + " before the point,"
                  + " which "
                  + target.columnType()
                  + " cannot hold",
              alter("DECIMAL(" + Math.min(65, scale + sourceDigits) + "," + scale + ")"));
        }
        if (source[0].signum() < 0) {
          negatives();
        }
      }
    }

    /** The whole numbers an integer or BIT column holds. */
    private BigInteger[] integerRange() {
      if (dataType.equals("bit")) {
        return unsigned(Math.max(1, target.numericPrecision()));
      }
      int bits =
          switch (dataType) {
            case "tinyint" -> 8;
            case "smallint" -> 16;
            case "mediumint" -> 24;
            case "int", "integer" -> 32;
            default -> 64;
          };
      return target.unsigned() ? unsigned(bits) : signed(bits);
    }

    private void text() {
      boolean lengthed = dataType.equals("char") || dataType.equals("varchar");
      if (type.kind() == Kind.UUID && lengthed) {
        // 36 characters of 0-9, a-f and '-', always: only the length can be wrong.
        if (target.characterLength() < 36) {
          longerThanCharacters(target.characterLength());
        }
        return;
      }
      switch (dataType) {
        case "enum" -> {
          List<String> members = members(target.columnType());
          add(
              new ValueRule.NotOneOf(members),
              "not exactly one of its members "
                  + quoted(members)
                  + ": "
                  + target.columnType()
                  + " stores the member a value matches (by the column's collation, ignoring"
                  + " trailing spaces), or refuses it",
              "return exactly the members' spelling in the query, or "
                  + alter(MySqlTypes.columnType(column, keyColumn)));
          return;
        }
        case "set" -> {
          List<String> members = members(target.columnType());
          add(
              new ValueRule.NotSetOf(members),
              "not a set of its members as "
                  + target.columnType()
                  + " stores one (each member"
                  + " once, in the declared order, separated by commas, no spaces)",
              "return the members in that form in the query, or "
                  + alter(MySqlTypes.columnType(column, keyColumn)));
          return;
        }
        case "char" -> {
          add(
              new ValueRule.TrailingSpace(),
              "ending in spaces, which " + target.columnType() + " drops",
              alter("VARCHAR(" + target.characterLength() + ")" + characterSet() + collation())
                  + ", or drop the spaces in the query: RTRIM("
                  + name
                  + ", ' ')");
          longerThanCharacters(target.characterLength());
        }
        case "varchar" -> longerThanCharacters(target.characterLength());
        case "tinytext", "text", "mediumtext" -> {
          long max = MAX_BYTES.get(dataType);
          Repertoire repertoire = target.characterSet().map(PARTIAL::get).orElse(null);
          if (repertoire == Repertoire.LATIN1 || repertoire == Repertoire.ASCII) {
            longerThanCharacters(max); // one byte a character
          } else {
            add(
                new ValueRule.LongerThanBytes(max),
                "longer than " + max + " bytes, which " + target.columnType() + " cannot hold",
                alter("LONGTEXT" + characterSet()));
          }
        }
        default -> {
          // longtext (4 GiB), json, uuid: nothing a value could exceed
        }
      }
      target
          .characterSet()
          .map(PARTIAL::get)
          .ifPresent(
              repertoire ->
                  add(
                      new ValueRule.OutsideRepertoire(repertoire),
                      "characters that " + target.characterSet().get() + " does not have",
                      alter(target.columnType() + " CHARACTER SET utf8mb4")));
    }

    private void longerThanCharacters(long max) {
      add(
          new ValueRule.LongerThanCharacters(max),
          "longer than " + max + " characters, which " + target.columnType() + " cannot hold",
          keyColumn
              ? "shorten the keys in the query, or give the key column room: "
                  + alter("VARCHAR(" + Math.max(max * 2, 255) + ")" + characterSet() + collation())
              : alter("LONGTEXT" + characterSet())
                  + ", or shorten them in the query: LEFT("
                  + name
                  + ", "
                  + max
                  + ")");
    }

    private void bytes() {
      switch (dataType) {
        case "binary" ->
            add(
                new ValueRule.NotOfLength(target.characterLength()),
                "not "
                    + target.characterLength()
                    + " bytes long: "
                    + target.columnType()
                    + " pads shorter values with zero bytes and refuses longer ones",
                alter("VARBINARY(" + target.characterLength() + ")")
                    + ", or return values of exactly "
                    + target.characterLength()
                    + " bytes");
        case "varbinary" ->
            add(
                new ValueRule.LongerThanBytes(target.characterLength()),
                "longer than "
                    + target.characterLength()
                    + " bytes, which "
                    + target.columnType()
                    + " cannot hold",
                keyColumn
                    ? "shorten the keys in the query, or give the key column room: "
                        + alter("VARBINARY(" + Math.max(target.characterLength() * 2, 255) + ")")
                    : alter("LONGBLOB"));
        case "tinyblob", "blob", "mediumblob" -> {
          long max = MAX_BYTES.get(dataType);
          add(
              new ValueRule.LongerThanBytes(max),
              "longer than " + max + " bytes, which " + target.columnType() + " cannot hold",
              alter("LONGBLOB"));
        }
        default -> {
          // longblob: 4 GiB
        }
      }
    }

    private void times(LocalDateTime lastTimestamp) {
      Kind kind = type.kind();
      boolean timestamp = dataType.equals("timestamp");
      LocalDateTime first = timestamp ? FIRST_TIMESTAMP : FIRST_DATE;
      LocalDateTime last = timestamp ? lastTimestamp : LAST_DATE;
      String min = literalText(kind, first, true);
      String max = literalText(kind, last, false);
      String map = "map them in the query: " + dialect.nullOutside(name, kind, min, max);
      add(
          new ValueRule.OutsideTimes(first, last),
          timestamp
              ? "outside " + min + " to " + max + " (UTC), the range of a TIMESTAMP column"
              : "outside the years 1000 to 9999, MySQL's range for " + target.columnType(),
          timestamp ? alter("DATETIME(6)") + ", or " + map : map);
    }

    /**
     * A bound as a literal of the source's kind: for DATE, the first and the last day the column
     * holds whole (a TIMESTAMP column holds no midnight of 1970-01-01).
     */
    private static String literalText(Kind kind, LocalDateTime bound, boolean first) {
      if (kind == Kind.DATE) {
        boolean wholeDay = bound.toLocalTime().equals(LocalTime.MIDNIGHT);
        boolean nextDay = first && !wholeDay;
        return (nextDay ? bound.toLocalDate().plusDays(1) : bound.toLocalDate()).toString();
      }
      return bound.toLocalDate() + " " + MICROSECONDS.format(bound.toLocalTime());
    }

    private String characterSet() {
      return target.characterSet().map(name -> " CHARACTER SET " + name).orElse("");
    }

    private String collation() {
      return target.collation().map(name -> " COLLATE " + name).orElse("");
    }

    /** The type that holds every value of the source's type, as qsync would create it. */
    private String widen() {
      return alter(MySqlTypes.columnType(column, keyColumn));
    }

    private String alter(String columnType) {
      if (!exists) {
        return "create the table before the first run with "
            + MySqlDialect.quote(name)
            + " "
            + columnType;
      }
      return "ALTER TABLE "
          + quotedTable
          + " MODIFY "
          + MySqlDialect.quote(name)
          + " "
          + columnType;
    }

    private void add(Check check, String problem, String remedy) {
      rules.add(new ValueRule(name, target.columnType(), check, problem, remedy));
    }
  }

  /** The smallest and largest value of an integer kind, or of a DECIMAL's whole part. */
  static BigInteger[] range(SqlType type) {
    return switch (type.kind()) {
      case BOOLEAN -> new BigInteger[] {BigInteger.ZERO, BigInteger.ONE};
      case TINYINT -> signed(8);
      case SMALLINT -> signed(16);
      case INTEGER -> signed(32);
      case BIGINT -> signed(64);
      case HUGEINT -> signed(128);
      case UTINYINT -> unsigned(8);
      case USMALLINT -> unsigned(16);
      case UINTEGER -> unsigned(32);
      case UBIGINT -> unsigned(64);
      case DECIMAL -> {
        int digits = Math.max(0, type.precision() - type.scale());
        BigInteger max = BigInteger.TEN.pow(digits).subtract(BigInteger.ONE);
        yield new BigInteger[] {max.negate(), max};
      }
      default -> throw new IllegalArgumentException("not a number kind: " + type);
    };
  }

  private static BigInteger[] signed(int bits) {
    BigInteger half = BigInteger.ONE.shiftLeft(bits - 1);
    return new BigInteger[] {half.negate(), half.subtract(BigInteger.ONE)};
  }

  private static BigInteger[] unsigned(int bits) {
    return new BigInteger[] {
      BigInteger.ZERO, BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
    };
  }

  /**
   * The members of an {@code enum('x','y')} or {@code set('a','b')} type, as the catalogue writes
   * it: each quoted with {@code '}, a quote inside doubled, a backslash escaped.
   */
  static List<String> members(String columnType) {
    List<String> members = new ArrayList<>();
    int open = columnType.indexOf('(');
    StringBuilder member = null;
    for (int i = open + 1; i < columnType.length(); i++) {
      char c = columnType.charAt(i);
      if (member == null) {
        if (c == '\'') {
          member = new StringBuilder();
        }
      } else if (c == '\\' && i + 1 < columnType.length()) {
        member.append(columnType.charAt(++i));
      } else if (c == '\'' && i + 1 < columnType.length() && columnType.charAt(i + 1) == '\'') {
        member.append('\'');
        i++;
      } else if (c == '\'') {
        members.add(member.toString());
        member = null;
      } else {
        member.append(c);
      }
    }
    return members;
  }

  private static String quoted(List<String> members) {
    List<String> quoted = new ArrayList<>();
    members.forEach(member -> quoted.add("'" + member.replace("'", "''") + "'"));
    return "(" + String.join(", ", quoted) + ")";
  }
}
