package io.qsync.verify;

/** What a verify puts rows into buckets by. */
public enum BucketValue {
  /**
   * The first key column, when it holds whole numbers: a bucket is a range of it, so that MySQL
   * reads a bucket through the key's index and a later pass reads only the ranges that differ.
   */
  FIRST_KEY_COLUMN,
  /**
   * The key's hash, a whole number from 0 to 2^60 − 1, for any other key: every pass reads the
   * whole table, but only the checksums of the differing ranges cross the network.
   */
  KEY_HASH
}
