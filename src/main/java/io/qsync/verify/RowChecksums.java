package io.qsync.verify;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One side of a verify (the warehouse's query result, or the target's table): computes, on its own
 * server, the canonical rendering of each row of a {@link RowShape}, its 60-bit hash, and the
 * checksums of buckets of rows, so that only checksums and the few rows of differing buckets cross
 * the network. Each method is one query. Implementations are not thread-safe.
 */
public interface RowChecksums {
  /**
   * The smallest and largest value of the first key column, as a range that includes both (empty
   * when there are no rows). Asked only when the buckets go by {@link
   * BucketValue#FIRST_KEY_COLUMN}.
   */
  Optional<KeyRange> span();

  /**
   * The checksum of each non-empty bucket of {@code grouping} within {@code ranges}, with the span
   * its rows occupy where {@link RowShape#occupiedColumns} asks for it.
   */
  Map<BigInteger, BucketSum> sums(Grouping grouping, List<KeyRange> ranges);

  /**
   * The checksums of a pass's buckets: {@link #sums(Grouping, List)} over its ranges, at most
   * {@link #rangesPerQuery} in one call.
   */
  default Map<BigInteger, BucketSum> sums(BucketSearch.Pass pass) {
    Map<BigInteger, BucketSum> all = new java.util.HashMap<>();
    List<KeyRange> ranges = pass.ranges();
    for (int from = 0; from < ranges.size(); from += rangesPerQuery()) {
      all.putAll(
          sums(
              pass.grouping(),
              ranges.subList(from, (int) Math.min(ranges.size(), (long) from + rangesPerQuery()))));
    }
    return all;
  }

  /** Every row within {@code ranges}, hashed. */
  List<HashedRow> rows(List<KeyRange> ranges);

  /**
   * The rows whose key's canonical rendering ({@link HashedRow#key}) is one of {@code keys}, as
   * qsync's values of the shape's columns, in their order: for {@code verify --heal}, which writes
   * them (or deletes them) through a run's writer.
   */
  List<Object[]> values(java.util.Collection<String> keys);

  /**
   * At most this many ranges in one call of {@link #sums}; more are asked for in several calls. A
   * side whose queries cost per query (a BigQuery job) takes every range of a pass at once.
   */
  default int rangesPerQuery() {
    return 500;
  }

  /** The bytes this side's queries have billed so far; empty where queries bill no bytes. */
  default java.util.OptionalLong bytesBilled() {
    return java.util.OptionalLong.empty();
  }
}
