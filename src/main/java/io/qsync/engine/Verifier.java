package io.qsync.engine;

import static java.util.Objects.requireNonNull;

import io.qsync.Caller;
import io.qsync.ErrorKind;
import io.qsync.Plural;
import io.qsync.QsyncException;
import io.qsync.Sleeper;
import io.qsync.config.Mode;
import io.qsync.config.SyncConfig;
import io.qsync.destination.Destination;
import io.qsync.diff.ChangeCounts;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.source.Source;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import io.qsync.verify.BucketSearch;
import io.qsync.verify.BucketSum;
import io.qsync.verify.BucketValue;
import io.qsync.verify.HashedRow;
import io.qsync.verify.KeyRange;
import io.qsync.verify.RowChecksums;
import io.qsync.verify.RowComparison;
import io.qsync.verify.RowShape;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code qsync verify} of one sync, step by step: refuse while a run holds the sync's lock; shape
 * the comparison (the query's columns and types, the key, what the buckets go by); search the
 * buckets pass by pass (each side one query per pass, the sync's throttle consulted before each of
 * the table's) until the differing buckets are small; compare their rows; and check that no run
 * changed the table meanwhile. Reads only: it takes no lock, so it never delays a run. Each pass
 * runs the warehouse's query on a thread of its own ({@code qsync-verify-warehouse}, stopped within
 * {@link #SHUTDOWN_WAIT} at the end) while MySQL runs the table's. Not thread-safe.
 */
final class Verifier {
  /** A differing bucket of at most this many rows (on the larger side) is compared row by row. */
  static final int LEAF_ROWS = 1000;

  /** How long a verify waits for the warehouse's thread to stop once it is done or failed. */
  static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);

  /** At most this many ranges in one statement's WHERE of the table's side. */
  static final int RANGES_PER_STATEMENT = 500;

  private static final Set<SqlType.Kind> WHOLE_NUMBERS =
      EnumSet.of(
          SqlType.Kind.TINYINT,
          SqlType.Kind.SMALLINT,
          SqlType.Kind.INTEGER,
          SqlType.Kind.BIGINT,
          SqlType.Kind.UTINYINT,
          SqlType.Kind.USMALLINT,
          SqlType.Kind.UINTEGER,
          SqlType.Kind.UBIGINT,
          SqlType.Kind.HUGEINT);

  private final SyncConfig sync;
  private final Source source;
  private final Destination target;
  private final Map<String, Destination> replicas;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Progress progress;
  private final int samples;
  private final Caller caller;

  /** The differing rows found, kept for {@code --heal}. */
  private final List<RowComparison> found = new ArrayList<>();

  Verifier(
      SyncConfig sync,
      Source source,
      Destination target,
      Map<String, Destination> replicas,
      Clock clock,
      Sleeper sleeper,
      Progress progress,
      int samples,
      Caller caller) {
    this.sync = requireNonNull(sync, "sync is null");
    this.source = requireNonNull(source, "source is null");
    this.target = requireNonNull(target, "target is null");
    this.replicas = requireNonNull(replicas, "replicas is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.progress = requireNonNull(progress, "progress is null");
    this.samples = samples;
    this.caller = requireNonNull(caller, "caller is null");
  }

  /**
   * @param heal after finding differences, write exactly the differing keys (see {@link Healer})
   */
  VerifyReport verify(boolean heal) {
    Instant started = clock.instant();
    if (sync.key().isEmpty()) {
      throw new QsyncException(
          ErrorKind.USAGE,
          "sync '"
              + sync.name()
              + "' has no key (mode "
              + sync.mode().name().toLowerCase(java.util.Locale.ROOT)
              + "): verify matches rows by key, so it cannot verify this sync\nGive the sync a key,"
              + " or compare the table by a run.");
    }
    refuseWhileRunning();
    target.runs().prepare();
    Optional<String> newestBefore = newestRun();
    List<Column> columns = source.describe(sync.query());
    Column first = shapeKeyColumn(columns);
    BucketValue by =
        WHOLE_NUMBERS.contains(first.type().kind())
            ? BucketValue.FIRST_KEY_COLUMN
            : BucketValue.KEY_HASH;
    RowShape shape = new RowShape(columns, sync.key(), by, target.checksumDoubles());
    RowChecksums warehouse =
        source
            .checksums(sync.query(), shape)
            .orElseThrow(
                () ->
                    new QsyncException(
                        ErrorKind.USAGE,
                        "sync '"
                            + sync.name()
                            + "': verify cannot compute checksums in this warehouse\nCheck the"
                            + " table by a run instead: qsync run "
                            + sync.name()));
    RowChecksums table =
        target
            .checksums(sync.table(), shape)
            .orElseThrow(
                () ->
                    new QsyncException(
                        ErrorKind.NEEDS_ACTION,
                        "sync '"
                            + sync.name()
                            + "': table "
                            + sync.table()
                            + " does not exist in "
                            + target.describeLocation()
                            + "; nothing to verify\nRun the sync first: qsync run "
                            + sync.name()));

    Optional<KeyRange> span =
        by == BucketValue.FIRST_KEY_COLUMN
            ? BucketSearch.union(warehouse.span(), table.span())
            : Optional.empty();
    // The table's size sets the first pass's buckets (about 16 rows each), so that differences
    // scattered over it are found in one aggregate pass and one fetch, not two passes and a fetch.
    BucketSearch search = BucketSearch.over(by, span, LEAF_ROWS, target.countRows(sync.table()));
    Throttle throttle = Throttle.of(sync, target, replicas, clock, sleeper, progress, caller);
    int passes = 0;
    long warehouseRows = 0;
    long tableRows = 0;
    long fetched = 0;
    progress.begin("verify", -1);
    // The warehouse computes its side on a thread of its own while MySQL computes the table's.
    ExecutorService warehouseThread =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "qsync-verify-warehouse");
              thread.setDaemon(true);
              return thread;
            });
    try {
      Optional<BucketSearch.Pass> next;
      Optional<BucketSearch.Pass> previous = Optional.empty();
      while ((next = search.next()).isPresent()) {
        BucketSearch.Pass pass = next.get();
        if (previous.isPresent()
            && previous.get().grouping().equals(pass.grouping())
            && previous.get().ranges().equals(pass.ranges())) {
          // Each pass splits the last's buckets more finely; one that asks for the same buckets
          // again would do so forever.
          throw new QsyncException(
              ErrorKind.INTERNAL,
              "internal error: verify of sync '"
                  + sync.name()
                  + "' would repeat pass "
                  + passes
                  + "'s buckets (width "
                  + pass.grouping().width()
                  + " over "
                  + Plural.of(pass.ranges().size(), "range")
                  + "), a bug in qsync's bucket search; please report it");
        }
        previous = next;
        passes++;
        throttle.awaitClearance(0, passes);
        Future<Map<BigInteger, BucketSum>> ourSums =
            warehouseThread.submit(() -> warehouse.sums(pass));
        Map<BigInteger, BucketSum> theirs = alongside(ourSums, () -> table.sums(pass));
        Map<BigInteger, BucketSum> ours = joined(ourSums);
        if (passes == 1) {
          warehouseRows = ours.values().stream().mapToLong(BucketSum::rows).sum();
          tableRows = theirs.values().stream().mapToLong(BucketSum::rows).sum();
        }
        BucketSearch.Found differing = search.compare(pass, ours, theirs);
        if (!differing.fetch().isEmpty()) {
          List<HashedRow> wanted = new ArrayList<>();
          List<HashedRow> held = new ArrayList<>();
          for (List<KeyRange> chunk : chunks(differing.fetch())) {
            throttle.awaitClearance(0, passes);
            Future<List<HashedRow>> ourRows = warehouseThread.submit(() -> warehouse.rows(chunk));
            held.addAll(alongside(ourRows, () -> table.rows(chunk)));
            wanted.addAll(joined(ourRows));
          }
          fetched += wanted.size() + held.size();
          found.add(RowComparison.of(wanted, held));
        }
        progress.advance(passes);
      }
    } finally {
      progress.end();
      warehouseThread.shutdownNow();
      awaitShutdown(warehouseThread);
    }
    if (!newestRun().equals(newestBefore) || target.lockHeld(sync.name())) {
      throw new QsyncException(
          ErrorKind.FAILED,
          "sync '"
              + sync.name()
              + "': a run of the sync changed table "
              + sync.table()
              + " while it was being verified, so what verify found may be the run's doing\n"
              + caller.orNextRun(
                  "Run the verify again: qsync " + caller.command() + " " + sync.name()));
    }
    VerifyReport report =
        report(shape, by, warehouseRows, tableRows, passes, fetched, started, warehouse);
    RunRecord recorded = record(report, started);
    if (heal) {
      Healer.Healed healed =
          new Healer(sync, target, replicas, clock, sleeper, progress, caller)
              .heal(report, found, shape, warehouse, table, this::newestRun, newestBefore);
      report = report.withHealed(healed.keys(), warehouse.bytesBilled());
      if (healed.runId().isPresent()) {
        // The verify ends with its heal, whose write is recorded as a run of its own: a run that
        // verify_every counts starts after the verify's end (VerifySchedule), so not this one.
        // The verify's record says what it found and which run healed it.
        String healedBy =
            "; healed: "
                + Plural.of(healed.keys(), "key")
                + " written by run "
                + healed.runId().get();
        target
            .runs()
            .update(
                recorded.finished(
                    recorded.status(),
                    clock.instant(),
                    recorded.error().map(error -> error + healedBy)));
      }
    }
    return report;
  }

  /**
   * Records the verify in the run history ({@code qsync history} shows it), as a record of mode
   * {@link RunRecord#VERIFY}: succeeded when equal, failed when not; missing rows counted as
   * inserts, different ones as updates, extra ones as deletes.
   */
  private RunRecord record(VerifyReport report, Instant started) {
    long unchanged = Math.max(0, report.warehouseRows() - report.missing() - report.different());
    RunRecord run =
        RunRecord.started(
                RunIds.next(clock),
                sync.name(),
                sync.table(),
                RunRecord.VERIFY,
                started,
                RunIds.host(),
                RunIds.pid(),
                0)
            .withChangeSet(
                new ChangeCounts(
                    report.warehouseRows(),
                    report.missing(),
                    report.different(),
                    report.extra(),
                    unchanged),
                0)
            .withPhase(RunPhase.DONE)
            .finished(
                report.equal() ? RunStatus.SUCCEEDED : RunStatus.FAILED,
                clock.instant(),
                report.equal()
                    ? Optional.empty()
                    : Optional.of(
                        String.format(
                            java.util.Locale.ROOT,
                            "table differs: %,d missing, %,d extra, %,d different",
                            report.missing(),
                            report.extra(),
                            report.different())));
    target.runs().insert(run);
    return run;
  }

  /** The differing rows the last {@link #verify} found. */
  List<RowComparison> found() {
    return List.copyOf(found);
  }

  private VerifyReport report(
      RowShape shape,
      BucketValue by,
      long warehouseRows,
      long tableRows,
      int passes,
      long fetched,
      Instant started,
      RowChecksums warehouse) {
    long missing = 0;
    long extra = 0;
    long different = 0;
    List<VerifyReport.KeyDifference> missingSamples = new ArrayList<>();
    List<VerifyReport.KeyDifference> extraSamples = new ArrayList<>();
    List<VerifyReport.KeyDifference> differentSamples = new ArrayList<>();
    for (RowComparison comparison : found) {
      missing += comparison.missing().size();
      extra += comparison.extra().size();
      different += comparison.different().size();
      for (HashedRow row : comparison.missing()) {
        sample(missingSamples, VerifyReport.Kind.MISSING, row.shownKey(), List.of());
      }
      for (HashedRow row : comparison.extra()) {
        sample(extraSamples, VerifyReport.Kind.EXTRA, row.shownKey(), List.of());
      }
      for (RowComparison.Different row : comparison.different()) {
        sample(
            differentSamples,
            VerifyReport.Kind.DIFFERENT,
            row.warehouse().shownKey(),
            row.columns().stream().map(i -> shape.columns().get(i).name()).toList());
      }
    }
    List<VerifyReport.KeyDifference> all = new ArrayList<>(missingSamples);
    all.addAll(extraSamples);
    all.addAll(differentSamples);
    return new VerifyReport(
        sync.name(),
        sync.table(),
        by,
        warehouseRows,
        tableRows,
        missing,
        extra,
        different,
        all,
        sync.mode() == Mode.UPSERT,
        passes,
        fetched,
        0,
        Duration.between(started, clock.instant()),
        warehouse.bytesBilled());
  }

  private void sample(
      List<VerifyReport.KeyDifference> list,
      VerifyReport.Kind kind,
      List<String> key,
      List<String> columns) {
    if (list.size() < samples) {
      list.add(new VerifyReport.KeyDifference(kind, key, columns));
    }
  }

  private Column shapeKeyColumn(List<Column> columns) {
    String name = sync.key().get(0);
    return columns.stream()
        .filter(column -> column.name().equalsIgnoreCase(name))
        .findFirst()
        .orElseThrow(
            () ->
                new QsyncException(
                    ErrorKind.NEEDS_ACTION,
                    "sync '"
                        + sync.name()
                        + "': the query returns no key column "
                        + name
                        + "\nReturn it from the query, or fix the sync's key."));
  }

  private void refuseWhileRunning() {
    if (target.lockHeld(sync.name())) {
      throw new QsyncException(
          ErrorKind.LOCK_HELD,
          "sync '"
              + sync.name()
              + "': a run holds the sync's lock; the table is changing, so a verify now would"
              + " find the run's own work\nVerify once the run has finished.");
    }
  }

  /** The newest run's id and status, to see whether a run came and went during the verify. */
  private Optional<String> newestRun() {
    return target.runs().history(sync.name(), sync.table(), 1).stream()
        .findFirst()
        .map(run -> run.runId() + " " + run.status() + " " + run.appliedThrough());
  }

  /** Runs the table's side while {@code warehouseSide} runs; stops waiting for it on a failure. */
  private static <T> T alongside(Future<?> warehouseSide, Supplier<T> tableSide) {
    try {
      return tableSide.get();
    } catch (RuntimeException e) {
      warehouseSide.cancel(true);
      throw e;
    }
  }

  /** The warehouse side's result, or its failure as it was thrown. */
  private static <T> T joined(Future<T> warehouseSide) {
    try {
      return warehouseSide.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("the warehouse's side of the verify failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      warehouseSide.cancel(true);
      throw new QsyncException(
          ErrorKind.INTERRUPTED, "interrupted while verifying; nothing was written", e);
    }
  }

  /** Waits a bounded time for the warehouse's thread, which a DuckDB query may keep busy. */
  private static void awaitShutdown(ExecutorService executor) {
    try {
      executor.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<List<KeyRange>> chunks(List<KeyRange> ranges) {
    return chunks(ranges, RANGES_PER_STATEMENT);
  }

  private static List<List<KeyRange>> chunks(List<KeyRange> ranges, int perChunk) {
    List<List<KeyRange>> chunks = new ArrayList<>();
    for (int i = 0; i < ranges.size(); i += perChunk) {
      chunks.add(ranges.subList(i, (int) Math.min(ranges.size(), (long) i + perChunk)));
    }
    return chunks;
  }
}
