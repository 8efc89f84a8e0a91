package io.qsync.engine;

import io.qsync.Sha256;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.row.Column;
import io.qsync.source.Source;
import io.qsync.verify.BucketSearch;
import io.qsync.verify.BucketSum;
import io.qsync.verify.BucketValue;
import io.qsync.verify.Grouping;
import io.qsync.verify.KeyRange;
import io.qsync.verify.RowChecksums;
import io.qsync.verify.RowShape;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * The fingerprints a saved plan keeps of what it was computed against, by verify's machinery: the
 * row count and the XOR of the 60-bit hashes of every row's canonical rendering ({@link
 * RowChecksums}), one aggregate query on each side, so no row crosses the network. Stateless.
 */
final class PlanFingerprints {
  /** One bucket spanning every key hash: the whole result, or the whole table. */
  private static final Grouping WHOLE =
      new Grouping(BucketValue.KEY_HASH, BigInteger.ZERO, BucketSearch.HASH_SPACE);

  private static final List<KeyRange> EVERY_KEY =
      List.of(new KeyRange(BigInteger.ZERO, BucketSearch.HASH_SPACE));

  private PlanFingerprints() {}

  /** What the fingerprints render: the query's columns as the warehouse describes them. */
  static RowShape shape(SyncConfig sync, List<Column> described, Destination target) {
    return new RowShape(described, sync.key(), BucketValue.KEY_HASH, target.checksumDoubles());
  }

  /** A hash of the columns the fingerprints render: they compare only under the same columns. */
  static String shapeHash(List<Column> described) {
    return Sha256.hex(described.toString()).substring(0, 32);
  }

  /**
   * A hash of what makes the change set: the sync's definition with the result's columns ({@link
   * ChangeSetBuilder#fingerprint}, which a resumed run checks too) and the database it writes to.
   */
  static String definition(SyncConfig sync, List<Column> columns, Destination target) {
    return Sha256.hex(
            ChangeSetBuilder.fingerprint(sync, columns)
                + "\0"
                + sync.target()
                + "\0"
                + target.describeLocation())
        .substring(0, 32);
  }

  /** The query result's fingerprint; empty when the warehouse cannot compute one. */
  static Optional<BucketSum> source(Source source, SyncConfig sync, RowShape shape) {
    return source.checksums(sync.query(), shape).map(PlanFingerprints::whole);
  }

  /** The table's fingerprint; empty when the table does not exist. */
  static Optional<BucketSum> table(Destination target, SyncConfig sync, RowShape shape) {
    return target.checksums(sync.table(), shape).map(PlanFingerprints::whole);
  }

  private static BucketSum whole(RowChecksums side) {
    long rows = 0;
    long xor = 0;
    for (BucketSum sum : side.sums(WHOLE, EVERY_KEY).values()) {
      rows += sum.rows();
      xor ^= sum.xor();
    }
    return new BucketSum(rows, xor);
  }
}
