package io.qsync.source;

/**
 * The lexical rules of a warehouse's SQL, as far as qsync needs them: where comments, quoted text
 * and quoted names begin and end. Sources wrap the sync's query in a subquery, where a closing
 * {@code ;} — or a {@code ;} followed by a comment — would be a syntax error, and only the
 * warehouse's own rules tell a closing {@code ;} from one inside a string or a comment. Stateless;
 * thread-safe.
 */
public enum SqlText {
  /**
   * DuckDB's SQL (duckdb.org/docs/stable/sql/dialect/keywords_and_identifiers, .../literal_types):
   * {@code --} and nested {@code /* *}{@code /} comments; {@code '...'} strings with {@code ''}
   * inside (a backslash is a plain character), {@code E'...'} strings with backslash escapes,
   * {@code $$...$$} and {@code $tag$...$tag$} strings; {@code "..."} names with {@code ""} inside.
   */
  DUCKDB {
    @Override
    int endOfComment(String sql, int i) {
      if (sql.startsWith("--", i)) {
        return endOfLine(sql, i);
      }
      if (sql.startsWith("/*", i)) {
        int depth = 0;
        int at = i;
        while (at < sql.length()) {
          if (sql.startsWith("/*", at)) {
            depth++;
            at += 2;
          } else if (sql.startsWith("*/", at)) {
            at += 2;
            if (--depth == 0) {
              return at;
            }
          } else {
            at++;
          }
        }
        return sql.length();
      }
      return -1;
    }

    @Override
    int endOfQuoted(String sql, int i) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"') {
        return endOfDoubled(sql, i, c);
      }
      if ((c == 'E' || c == 'e')
          && startsToken(sql, i)
          && i + 1 < sql.length()
          && sql.charAt(i + 1) == '\'') {
        return endOfEscaped(sql, i + 1, "'");
      }
      if (c == '$' && startsToken(sql, i)) {
        int close = sql.indexOf('$', i + 1);
        if (close < 0 || !sql.substring(i + 1, close).matches("([A-Za-z_][A-Za-z0-9_]*)?")) {
          return -1; // a parameter ($1) or plain text
        }
        String tag = sql.substring(i, close + 1);
        int end = sql.indexOf(tag, close + 1);
        return end < 0 ? sql.length() : end + tag.length();
      }
      return -1;
    }
  },

  /**
   * GoogleSQL, BigQuery's SQL (cloud.google.com/bigquery/docs/reference/standard-sql/lexical):
   * {@code #} and {@code --} comments to the end of the line, {@code /* *}{@code /} comments (not
   * nested); strings and bytes in {@code '...'}, {@code "..."}, {@code '''...'''} or {@code
   * """..."""}, optionally prefixed {@code r}, {@code b}, {@code rb} or {@code br} in any case,
   * where a backslash escapes the next character (in a raw string it stays, but still does not end
   * the string); names in backquotes, with the same escapes.
   */
  GOOGLE_SQL {
    @Override
    int endOfComment(String sql, int i) {
      if (sql.charAt(i) == '#' || sql.startsWith("--", i)) {
        return endOfLine(sql, i);
      }
      if (sql.startsWith("/*", i)) {
        int close = sql.indexOf("*/", i + 2);
        return close < 0 ? sql.length() : close + 2;
      }
      return -1;
    }

    @Override
    int endOfQuoted(String sql, int i) {
      if (sql.charAt(i) == '`') {
        return endOfEscaped(sql, i, "`");
      }
      int quote = i;
      if (startsToken(sql, i)) {
        while (quote < sql.length() && quote - i < 2 && "rRbB".indexOf(sql.charAt(quote)) >= 0) {
          quote++;
        }
      }
      if (quote >= sql.length() || (sql.charAt(quote) != '\'' && sql.charAt(quote) != '"')) {
        return -1;
      }
      String single = String.valueOf(sql.charAt(quote));
      String triple = single.repeat(3);
      return endOfEscaped(sql, quote, sql.startsWith(triple, quote) ? triple : single);
    }
  };

  /** The index just past the comment that starts at {@code i}, or -1 if none starts there. */
  abstract int endOfComment(String sql, int i);

  /**
   * The index just past the quoted string or name that starts at {@code i} (its prefix, if any,
   * included), or -1 if none starts there. An unclosed one ends with the text.
   */
  abstract int endOfQuoted(String sql, int i);

  /**
   * The query without the semicolons that end it, and without the comments and blanks around them.
   * Semicolons inside quotes, quoted names and comments are text, not terminators.
   */
  public String withoutTrailingSemicolons(String query) {
    String sql = query;
    int end = endOfCode(sql);
    while (end > 0 && sql.charAt(end - 1) == ';') {
      sql = sql.substring(0, end - 1);
      end = endOfCode(sql);
    }
    return sql.substring(0, end).strip();
  }

  /**
   * The index just past the last character that is neither blank nor inside a comment. Quoted text
   * counts as code.
   */
  int endOfCode(String sql) {
    int end = 0;
    int i = 0;
    while (i < sql.length()) {
      int comment = endOfComment(sql, i);
      int quoted = comment < 0 ? endOfQuoted(sql, i) : -1;
      if (comment >= 0) {
        i = comment;
      } else if (quoted >= 0) {
        i = quoted;
        end = i;
      } else {
        char c = sql.charAt(i++);
        if (!Character.isWhitespace(c)) {
          end = i;
        }
      }
    }
    return end;
  }

  private static int endOfLine(String sql, int i) {
    int newline = sql.indexOf('\n', i);
    return newline < 0 ? sql.length() : newline + 1;
  }

  /** Whether {@code i} starts a token: a prefix letter there is not the end of a longer name. */
  private static boolean startsToken(String sql, int i) {
    if (i == 0) {
      return true;
    }
    char before = sql.charAt(i - 1);
    return !Character.isLetterOrDigit(before) && before != '_' && before != '$';
  }

  /** The end of text opened at {@code open} by {@code quote}, doubled inside ('it''s'). */
  private static int endOfDoubled(String sql, int open, char quote) {
    int i = open + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
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

  /**
   * The end of text opened at {@code open} by {@code quote} (one character or three), where a
   * backslash escapes the next character; a doubled single quote ends one string and opens another,
   * which ends the same way.
   */
  private static int endOfEscaped(String sql, int open, String quote) {
    int i = open + quote.length();
    while (i < sql.length()) {
      if (sql.charAt(i) == '\\') {
        i += 2;
      } else if (sql.startsWith(quote, i)) {
        return i + quote.length();
      } else {
        i++;
      }
    }
    return sql.length();
  }
}
