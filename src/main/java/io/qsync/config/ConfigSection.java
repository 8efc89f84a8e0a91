package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Stream;

/**
 * The keys one block of the config file may hold, in the order a problem lists them. Immutable.
 *
 * @param prefix where the block sits, as the config reference writes it: {@code syncs.NAME.}
 * @param qualifier which kind of block, when blocks at one place differ by type ({@code mysql});
 *     empty otherwise
 * @param keys the block's keys
 */
record ConfigSection(String prefix, String qualifier, List<ConfigKey<?>> keys) {
  ConfigSection {
    requireNonNull(prefix, "prefix is null");
    requireNonNull(qualifier, "qualifier is null");
    keys = List.copyOf(requireNonNull(keys, "keys is null"));
  }

  /** A section of the keys of {@code parts}, in their order. */
  static ConfigSection of(String prefix, String qualifier, List<?>... parts) {
    return new ConfigSection(
        prefix,
        qualifier,
        Stream.of(parts)
            .flatMap(List::stream)
            .<ConfigKey<?>>map(key -> (ConfigKey<?>) key)
            .toList());
  }

  List<String> names() {
    return keys.stream().map(ConfigKey::name).toList();
  }
}
