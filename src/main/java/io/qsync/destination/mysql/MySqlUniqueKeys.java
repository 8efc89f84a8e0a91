package io.qsync.destination.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A table's unique keys by name, and which of them is the sync's key: what a duplicate-key error
 * (1062) is about. Immutable.
 *
 * @param columns each unique key's columns in index order, by index name
 * @param syncKeys the names of the unique keys whose columns are the sync's key
 */
record MySqlUniqueKeys(Map<String, List<String>> columns, Set<String> syncKeys) {
  /**
   * MariaDB's {@code Duplicate entry 'b' for key 'uq'}, MySQL 8's {@code ... for key 't.uq'}: the
   * value and the key's name.
   */
  private static final Pattern DUPLICATE =
      Pattern.compile("Duplicate entry '(.*)' for key '(.*)'", Pattern.DOTALL);

  MySqlUniqueKeys {
    columns = Map.copyOf(columns);
    syncKeys = Set.copyOf(syncKeys);
  }

  /** Reads the unique keys of {@code table} in the session's database. */
  static MySqlUniqueKeys read(Connection connection, String table, List<String> key)
      throws SQLException {
    Map<String, List<String>> columns = new LinkedHashMap<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS"
                + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0"
                + " ORDER BY INDEX_NAME, SEQ_IN_INDEX")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          columns
              .computeIfAbsent(rows.getString(1), name -> new ArrayList<>())
              .add(rows.getString(2));
        }
      }
    }
    Set<String> wanted = lowerCase(key);
    Set<String> syncKeys = new HashSet<>();
    columns.forEach(
        (name, indexColumns) -> {
          if (lowerCase(indexColumns).equals(wanted)) {
            syncKeys.add(name);
          }
        });
    return new MySqlUniqueKeys(columns, syncKeys);
  }

  private static Set<String> lowerCase(List<String> names) {
    Set<String> lower = new HashSet<>();
    names.forEach(name -> lower.add(name.toLowerCase(Locale.ROOT)));
    return lower;
  }

  /**
   * Whether a duplicate-key error is about the sync's own key; an error that names no key the table
   * has (or no key at all) counts as the sync's, which the caller treats as final.
   */
  boolean isSyncKey(SQLException duplicate) {
    return keyName(duplicate)
        .map(name -> syncKeys.contains(name) || !columns.containsKey(name))
        .orElse(true);
  }

  /** The unique key a duplicate-key error names, as the table names it. */
  Optional<String> keyName(SQLException duplicate) {
    Matcher matcher = DUPLICATE.matcher(String.valueOf(duplicate.getMessage()));
    if (!matcher.find()) {
      return Optional.empty();
    }
    String name = matcher.group(2);
    if (columns.containsKey(name)) {
      return Optional.of(name);
    }
    int dot = name.lastIndexOf('.');
    return Optional.of(dot < 0 ? name : name.substring(dot + 1));
  }

  /** The duplicated value as the error shows it. */
  static Optional<String> value(SQLException duplicate) {
    Matcher matcher = DUPLICATE.matcher(String.valueOf(duplicate.getMessage()));
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }
}
