package io.qsync.target;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One column of an existing target table, as the target's catalogue describes it.
 *
 * @param dataType the bare type name, lower case ({@code varchar}, {@code bigint})
 * @param columnType the full type ({@code varchar(255)}, {@code bigint(20) unsigned})
 * @param collation the column's collation, for character columns
 * @param hasDefault whether an INSERT may omit it (a default, NULL allowed, or generated)
 */
public record TargetColumn(
    String name,
    String dataType,
    String columnType,
    boolean nullable,
    boolean hasDefault,
    Optional<String> collation,
    long characterLength,
    int numericPrecision,
    int numericScale,
    int fractionalDigits) {
  public TargetColumn {
    requireNonNull(name, "name is null");
    requireNonNull(dataType, "dataType is null");
    requireNonNull(columnType, "columnType is null");
    requireNonNull(collation, "collation is null");
  }

  public boolean unsigned() {
    return columnType.contains("unsigned");
  }
}
