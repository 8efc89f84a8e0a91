package io.qsync.testing.bigquery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * GoogleSQL's lexical structure rewritten in DuckDB's, for the emulator: comments, string literals,
 * backquoted names and named parameters, each as
 * cloud.google.com/bigquery/docs/reference/standard-sql/lexical defines it. Written apart from
 * qsync's own {@code SqlText} (which only finds where a query ends), so that a test of that class
 * against the emulator does not check it against itself. Pure; thread-safe.
 *
 * <ul>
 *   <li>Comments: {@code #} and {@code --} to the end of the line, {@code /* *}{@code /} (not
 *       nested): each becomes a blank (a newline for a line comment).
 *   <li>String and bytes literals: {@code '...'}, {@code "..."}, {@code '''...'''}, {@code
 *       """..."""}, prefixed {@code r}/{@code R} (raw: a backslash stays as it is) and/or {@code
 *       b}/{@code B} (bytes). Outside raw literals these escapes hold: {@code \a \b \f \n \r \t \v
 *       \\ \? \" \' \`}, {@code \ooo} (octal), {@code \xhh}, a backslash, u and 4 hex digits,
 *       {@code \Uhhhhhhhh}; a backslash before any other character is an error, and so is a line
 *       break in a literal that is not triple-quoted. A string becomes a DuckDB {@code '...'}
 *       string of the same text (a plain DuckDB string keeps backslashes); bytes become a DuckDB
 *       {@code '\xHH...'::BLOB} of the same bytes ({@code \xhh} and {@code \ooo} are single bytes
 *       there, other characters their UTF-8 bytes).
 *   <li>Quoted names: backquotes, with the same escapes; {@code `project.dataset.table`} becomes
 *       {@code "dataset"."table"} (the emulator knows one project).
 *   <li>Named parameters: {@code @name}, replaced by its value.
 * </ul>
 */
final class GoogleSqlText {
  private GoogleSqlText() {}

  /** A query GoogleSQL would reject for its lexical form. */
  static final class SyntaxError extends RuntimeException {
    SyntaxError(String message) {
      super(message);
    }
  }

  /**
   * The query in DuckDB's lexical terms.
   *
   * @param parameter a named parameter's DuckDB literal, or null when the query has no such one
   */
  static String toDuckDb(String sql, Function<String, String> parameter) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '#' || sql.startsWith("--", i)) {
        int newline = sql.indexOf('\n', i);
        i = newline < 0 ? n : newline + 1;
        out.append('\n');
      } else if (sql.startsWith("/*", i)) {
        int close = sql.indexOf("*/", i + 2);
        if (close < 0) {
          throw new SyntaxError("Syntax error: Unclosed comment at [1:" + (i + 1) + "]");
        }
        i = close + 2;
        out.append(' ');
      } else if (c == '`') {
        Literal name = literal(sql, i, false, false, "`");
        i = name.end();
        List<String> parts = new ArrayList<>(List.of(name.text().split("\\.")));
        if (parts.size() == 3) {
          parts.remove(0); // project.dataset.table: DuckDB knows one project
        }
        out.append(String.join(".", parts.stream().map(GoogleSqlText::quoteName).toList()));
      } else if (isQuoteStart(sql, i)) {
        int quote = i;
        boolean raw = false;
        boolean bytes = false;
        while (sql.charAt(quote) != '\'' && sql.charAt(quote) != '"') {
          raw |= Character.toLowerCase(sql.charAt(quote)) == 'r';
          bytes |= Character.toLowerCase(sql.charAt(quote)) == 'b';
          quote++;
        }
        String single = String.valueOf(sql.charAt(quote));
        String delimiter = sql.startsWith(single.repeat(3), quote) ? single.repeat(3) : single;
        Literal string = literal(sql, quote, raw, bytes, delimiter);
        i = string.end();
        if (bytes) {
          out.append('\'');
          string.text().chars().forEach(b -> out.append(String.format("\\x%02X", b)));
          out.append("'::BLOB");
        } else {
          out.append('\'').append(string.text().replace("'", "''")).append('\'');
        }
      } else if (c == '@' && i + 1 < n && isNameStart(sql.charAt(i + 1))) {
        int end = i + 1;
        while (end < n && isNamePart(sql.charAt(end))) {
          end++;
        }
        String name = sql.substring(i + 1, end);
        String value = parameter.apply(name);
        if (value == null) {
          throw new SyntaxError("Query parameter '" + name + "' not found at [1:" + (i + 1) + "]");
        }
        out.append(value);
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** Every parameter replaced by its value from {@code values}. */
  static String toDuckDb(String sql, Map<String, String> values) {
    return toDuckDb(sql, values::get);
  }

  private record Literal(String text, int end) {}

  /** A quote at {@code i}, or a prefix of at most two of r, b (any case) right before one. */
  private static boolean isQuoteStart(String sql, int i) {
    if (i > 0 && isNamePart(sql.charAt(i - 1))) {
      return sql.charAt(i) == '\'' || sql.charAt(i) == '"'; // not a prefix: part of a name
    }
    int at = i;
    while (at < sql.length() && at - i < 2 && "rRbB".indexOf(sql.charAt(at)) >= 0) {
      at++;
    }
    return at < sql.length() && (sql.charAt(at) == '\'' || sql.charAt(at) == '"');
  }

  /**
   * The text between {@code delimiter}s opening at {@code open}, escapes decoded unless raw. Of
   * bytes, each char of the text is one byte (0-255).
   */
  private static Literal literal(
      String sql, int open, boolean raw, boolean bytes, String delimiter) {
    StringBuilder text = new StringBuilder();
    int i = open + delimiter.length();
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (sql.startsWith(delimiter, i)) {
        return new Literal(text.toString(), i + delimiter.length());
      }
      if (c == '\n' && delimiter.length() == 1) {
        throw new SyntaxError("Syntax error: Unclosed string literal at [1:" + (open + 1) + "]");
      }
      if (c == '\\' && i + 1 < sql.length()) {
        if (raw) {
          appendText(text, sql.substring(i, i + 2), bytes); // kept, but it ends no literal
          i += 2;
        } else {
          i = escape(sql, i, text, bytes);
        }
      } else {
        int end = i + Character.charCount(sql.codePointAt(i));
        appendText(text, sql.substring(i, end), bytes);
        i = end;
      }
    }
    throw new SyntaxError(
        "Syntax error: Unclosed "
            + (delimiter.equals("`") ? "identifier" : "string literal")
            + " at [1:"
            + (open + 1)
            + "]");
  }

  private static void appendText(StringBuilder text, String part, boolean bytes) {
    if (!bytes) {
      text.append(part);
      return;
    }
    for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
      text.append((char) (b & 0xFF));
    }
  }

  /** Decodes the escape sequence at {@code i} (a backslash) into {@code text}; its end. */
  private static int escape(String sql, int i, StringBuilder text, boolean bytes) {
    char next = sql.charAt(i + 1);
    String simple =
        switch (next) {
          case 'a' -> "\u0007";
          case 'b' -> "\b";
          case 'f' -> "\f";
          case 'n' -> "\n";
          case 'r' -> "\r";
          case 't' -> "\t";
          case 'v' -> "\u000B";
          case '\\', '?', '"', '\'', '`' -> String.valueOf(next);
          default -> null;
        };
    if (simple != null) {
      text.append(simple);
      return i + 2;
    }
    if (bytes && (next == 'u' || next == 'U')) {
      throw new SyntaxError(
          "Syntax error: Illegal escape sequence: Unicode escapes are not"
              + " allowed in bytes literals");
    }
    int digits =
        next == 'x' || next == 'X'
            ? 2
            : next == 'u' ? 4 : next == 'U' ? 8 : next >= '0' && next <= '7' ? 3 : 0;
    int start = next >= '0' && next <= '7' ? i + 1 : i + 2;
    if (digits == 0 || start + digits > sql.length()) {
      throw new SyntaxError("Syntax error: Illegal escape sequence: \\" + next);
    }
    // Of bytes, one byte; of a string, that code point.
    text.appendCodePoint(
        Integer.parseInt(sql.substring(start, start + digits), digits == 3 ? 8 : 16));
    return start + digits;
  }

  private static boolean isNameStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isNamePart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  private static String quoteName(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
