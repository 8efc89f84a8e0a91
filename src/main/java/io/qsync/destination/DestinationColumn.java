package io.qsync.destination;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One column of an existing target table, as the target's catalogue describes it.
 *
 * @param dataType the bare type name, lower case ({@code varchar}, {@code bigint})
 * @param columnType the full type ({@code varchar(255)}, {@code bigint(20) unsigned}, {@code
 *     enum('x','y')})
 * @param hasDefault whether an INSERT may omit it (a default, NULL allowed, or generated)
 * @param collation the column's collation, for character columns
 * @param characterLength the declared length of a string or byte string column, else 0
 * @param numericScale digits after the point; -1 where the type declares none ({@code float})
 * @param characterSet the column's character set, for character columns
 * @param generated how the target computes the column, when it does ({@code STORED GENERATED}): a
 *     value written to it is not what it holds
 */
public record DestinationColumn(
    String name,
    String dataType,
    String columnType,
    boolean nullable,
    boolean hasDefault,
    Optional<String> collation,
    long characterLength,
    int numericPrecision,
    int numericScale,
    int fractionalDigits,
    Optional<String> characterSet,
    Optional<String> generated) {
  public DestinationColumn {
    requireNonNull(name, "name is null");
    requireNonNull(dataType, "dataType is null");
    requireNonNull(columnType, "columnType is null");
    requireNonNull(collation, "collation is null");
    requireNonNull(characterSet, "characterSet is null");
    requireNonNull(generated, "generated is null");
  }

  /**
   * A column that is not generated, its character set the one its collation is named after ({@code
   * utf8mb4_bin}: {@code utf8mb4}).
   */
  public DestinationColumn(
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
    this(
        name,
        dataType,
        columnType,
        nullable,
        hasDefault,
        collation,
        characterLength,
        numericPrecision,
        numericScale,
        fractionalDigits,
        collation.map(DestinationColumn::characterSetOf),
        Optional.empty());
  }

  private static String characterSetOf(String collation) {
    int end = collation.indexOf('_');
    return end < 0 ? collation : collation.substring(0, end);
  }

  public boolean unsigned() {
    return columnType.contains("unsigned");
  }
}
