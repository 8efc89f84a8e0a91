package io.qsync.destination;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.time.LocalDateTime;
import java.util.List;

/**
 * Values a target column would not store as they are sent (it would refuse them, or store something
 * else, which the next run would see as a change), and what to do about them. The stage looks for
 * such values in the change set before anything is written. Immutable.
 *
 * @param column the result column the rule is about
 * @param columnType the target column's type, as the target spells it ({@code binary(4)})
 * @param check which values break the rule
 * @param problem what the target would do with such a value, for a person ("shorter than 4 bytes,
 *     which binary(4) pads with zero bytes")
 * @param remedy one exact action that fixes it
 */
public record ValueRule(
    String column, String columnType, Check check, String problem, String remedy) {
  public ValueRule {
    requireNonNull(column, "column is null");
    requireNonNull(columnType, "columnType is null");
    requireNonNull(check, "check is null");
    requireNonNull(problem, "problem is null");
    requireNonNull(remedy, "remedy is null");
  }

  /** Which values break a rule; each applies to values of the kinds named beside it. */
  public sealed interface Check {}

  /** NULL (any kind). */
  public record IsNull() implements Check {}

  /** NaN, +Infinity or -Infinity (FLOAT, DOUBLE). */
  public record NotFinite() implements Check {}

  /** Below zero (numbers). */
  public record Negative() implements Check {}

  /** A whole number outside {@code [min, max]} (BOOLEAN, integers, DECIMAL without scale). */
  public record OutsideRange(BigInteger min, BigInteger max) implements Check {
    public OutsideRange {
      requireNonNull(min, "min is null");
      requireNonNull(max, "max is null");
    }
  }

  /** A number with more than {@code digits} digits before the point (integers, DECIMAL). */
  public record TooManyDigits(int digits) implements Check {}

  /** Text of more than {@code max} characters (code points). */
  public record LongerThanCharacters(long max) implements Check {}

  /** Text of more than {@code max} bytes in UTF-8, or a byte string of more than {@code max}. */
  public record LongerThanBytes(long max) implements Check {}

  /** A byte string of any other length than {@code length}. */
  public record NotOfLength(long length) implements Check {}

  /** Text that ends in a space. */
  public record TrailingSpace() implements Check {}

  /** Text that is not exactly one of {@code members}. */
  public record NotOneOf(List<String> members) implements Check {
    public NotOneOf {
      members = List.copyOf(members);
    }
  }

  /**
   * Text that is not a set of {@code members} as the column stores one: distinct members, in their
   * declared order, separated by commas (the empty set is the empty string).
   */
  public record NotSetOf(List<String> members) implements Check {
    public NotSetOf {
      members = List.copyOf(members);
    }
  }

  /** Text with a character outside a character set's repertoire. */
  public record OutsideRepertoire(Repertoire repertoire) implements Check {
    public OutsideRepertoire {
      requireNonNull(repertoire, "repertoire is null");
    }
  }

  /** The characters a character set holds. */
  public enum Repertoire {
    /** The Basic Multilingual Plane: U+0000 to U+FFFF (utf8mb3, ucs2). */
    BMP,
    /** MySQL's latin1: Windows-1252, with its five unassigned bytes as U+0081, U+008D, ... */
    LATIN1,
    /** U+0000 to U+007F. */
    ASCII
  }

  /** A date or timestamp before {@code min} or after {@code max}, or infinite (DATE, TIMESTAMP). */
  public record OutsideTimes(LocalDateTime min, LocalDateTime max) implements Check {
    public OutsideTimes {
      requireNonNull(min, "min is null");
      requireNonNull(max, "max is null");
    }
  }

  /** The time {@code 24:00:00} (TIME). */
  public record EndOfDay() implements Check {}
}
