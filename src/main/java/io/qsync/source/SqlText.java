package io.qsync.source;

/**
 * Lexical helpers for the query text a sync names. Sources wrap the query in a subquery, where a
 * closing {@code ;} — or a {@code ;} followed by a comment — would be a syntax error.
 */
public final class SqlText {
  private SqlText() {}

  /**
   * The query without the semicolons that end it, and without the comments and blanks around
   * them. Semicolons inside quotes, quoted names and comments are text, not terminators.
   */
  public static String withoutTrailingSemicolons(String query) {
    String sql = query;
    int end = endOfCode(sql);
    while (end > 0 && sql.charAt(end - 1) == ';') {
      sql = sql.substring(0, end - 1);
      end = endOfCode(sql);
    }
    return sql.substring(0, end).strip();
  }

  /**
   * The index just past the last character that is neither blank nor inside a comment. Quoted
   * text ('...', "...", `...`, a doubled quote inside) counts as code.
   */
  static int endOfCode(String sql) {
    int end = 0;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int newline = sql.indexOf('\n', i);
        i = newline < 0 ? n : newline + 1;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int close = sql.indexOf("*/", i + 2);
        i = close < 0 ? n : close + 2;
      } else if (c == '\'' || c == '"' || c == '`') {
        i = endOfQuoted(sql, i, c);
        end = i;
      } else {
        i++;
        if (!Character.isWhitespace(c)) {
          end = i;
        }
      }
    }
    return end;
  }

  private static int endOfQuoted(String sql, int open, char quote) {
    int i = open + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return sql.length();
  }
}
