package io.qsync.row;

/**
 * Stands in a row for a value that has no exact form in its column's {@link SqlType}: a target row
 * edited by hand to 7.25 where the query returns whole numbers, or to 2 in a BOOLEAN column. The
 * stage stores NULL for it and counts the row as changed, so the run puts the source's value back
 * rather than mistaking a rounded copy for equal.
 */
public enum Unrepresentable {
  VALUE
}
