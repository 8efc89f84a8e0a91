package io.qsync.verify;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One row as a verify compares it once its bucket is small: its key's canonical rendering (the
 * identity both sides share), the key as a person reads it, the row's hash and each column's.
 * Immutable.
 *
 * @param key the key columns' canonical renderings, joined; equal keys, equal text
 * @param shownKey each key column's value as text, for messages
 * @param columnHashes each column's 60-bit hash, in the columns' order
 */
public record HashedRow(String key, List<String> shownKey, long rowHash, List<Long> columnHashes) {
  public HashedRow {
    requireNonNull(key, "key is null");
    shownKey = List.copyOf(requireNonNull(shownKey, "shownKey is null"));
    columnHashes = List.copyOf(requireNonNull(columnHashes, "columnHashes is null"));
  }
}
