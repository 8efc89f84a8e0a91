package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * One key of a config block, declared once: its name, the type of its value (with the words a
 * problem uses for it), its default and a line of doc. The readers read through it, unknown keys
 * are told from the declarations, and a test holds the config reference to them. Immutable.
 *
 * @param name the key as the file spells it
 * @param type reads the key's value
 * @param expected what a valid value is, as a problem says it ("a positive whole number")
 * @param defaultValue the value when the key is absent; empty when it is required, has no value
 *     then, or its default depends on other keys
 * @param shownDefault how the config reference states the default when there is no {@code
 *     defaultValue} ("required", "none", ...); empty when it has one
 * @param doc one line: what the key does
 * @param block whether the key holds a block of keys declared elsewhere (a section of its own)
 */
record ConfigKey<T>(
    String name,
    ValueType<T> type,
    String expected,
    Optional<T> defaultValue,
    String shownDefault,
    String doc,
    boolean block) {
  private static final String REQUIRED = "required";

  /** Reads one YAML node as a value; on failure records a problem and returns empty. */
  @FunctionalInterface
  interface ValueType<T> {
    Optional<T> read(YamlReader reader, Node node, String path, String expected);
  }

  ConfigKey {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    requireNonNull(expected, "expected is null");
    requireNonNull(defaultValue, "defaultValue is null");
    requireNonNull(shownDefault, "shownDefault is null");
    requireNonNull(doc, "doc is null");
    if (defaultValue.isPresent() == !shownDefault.isEmpty()) {
      throw new IllegalArgumentException(
          name + ": a key has a default value or shows one, not both");
    }
  }

  boolean isRequired() {
    return shownDefault.equals(REQUIRED);
  }

  /** A key that must be present. */
  static <T> ConfigKey<T> required(String name, ValueType<T> type, String expected, String doc) {
    return new ConfigKey<>(name, type, expected, Optional.empty(), REQUIRED, doc, false);
  }

  /** A key that takes {@code value} when absent. */
  static <T> ConfigKey<T> withDefault(
      String name, ValueType<T> type, String expected, T value, String doc) {
    return new ConfigKey<>(name, type, expected, Optional.of(value), "", doc, false);
  }

  /**
   * A duration ({@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}) that takes {@code value} when
   * absent.
   */
  static ConfigKey<Duration> duration(String name, Duration value, String doc) {
    return withDefault(name, YamlReader::duration, YamlReader.DURATION_EXPECTED, value, doc);
  }

  /**
   * A duration that takes {@code value} when absent, its expected form followed by {@code note}
   * (what 0 means, as " (0: no retries)").
   */
  static ConfigKey<Duration> duration(String name, String note, Duration value, String doc) {
    return withDefault(name, YamlReader::duration, YamlReader.DURATION_EXPECTED + note, value, doc);
  }

  /**
   * A key without a default value of its own: absent, it means what {@code shown} says (none,
   * in-memory, a value derived from other keys).
   */
  static <T> ConfigKey<T> optional(
      String name, ValueType<T> type, String expected, String shown, String doc) {
    return new ConfigKey<>(name, type, expected, Optional.empty(), shown, doc, false);
  }

  /**
   * A key holding a block of keys (a map), declared by the block's own section or read as named
   * entries; {@code shown} is "required" when the block must be present.
   */
  static ConfigKey<YamlReader.Fields> block(
      String name, String expected, String shown, String doc) {
    return new ConfigKey<>(name, YamlReader::fields, expected, Optional.empty(), shown, doc, true);
  }
}
