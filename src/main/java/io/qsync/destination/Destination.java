package io.qsync.destination;

/**
 * The database that holds synced tables, their run history and their locks: each role an interface
 * of its own ({@link DestinationCatalog}, {@link TableReader}, {@link ChangeWriters}, {@link
 * RunHistory}, {@link SyncLocks}, {@link LoadProbe}), so that a part of a run can ask for the one
 * it uses and a test can fake it. Lifecycle: construct (no I/O), use, {@link #close()} (closes
 * every connection it opened). Not thread-safe.
 */
public interface Destination
    extends DestinationCatalog,
        TableReader,
        ChangeWriters,
        RunHistory,
        SyncLocks,
        LoadProbe,
        AutoCloseable {
  /** Where the target is, for messages: host, port and database, never a password. */
  String describeLocation();

  @Override
  void close();
}
