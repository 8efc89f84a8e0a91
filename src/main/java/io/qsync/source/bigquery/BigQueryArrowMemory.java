package io.qsync.source.bigquery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import org.apache.arrow.memory.AllocationListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The Arrow memory of one Storage Read API read. DuckDB gives back what it was handed (the stream,
 * and with it the batch its reader still holds; each exported batch) from threads of its own, and
 * one of them may do so a moment after the insert returned: DuckDB's query ends once its worker
 * threads are done with its pipeline, and the worker that lets go of the pipeline last releases the
 * stream as it does. So {@link #close} first waits, at most {@code wait}, until every byte is back,
 * and only then closes the allocator. Memory still held after that is a leak: with Java's
 * assertions on (the tests), closing throws, naming each buffer still held; without (a user's run,
 * whose rows are already in the stage), closing leaves the memory to whoever holds it and {@link
 * #leaked} says how much, for the run report. Thread-safe.
 */
final class BigQueryArrowMemory implements AutoCloseable {
  private final Duration wait;
  private final boolean strict;
  private final Object released = new Object();
  private final BufferAllocator allocator;
  private String leaked;

  /**
   * @param wait how long closing waits for DuckDB to give back what it holds
   * @param strict whether memory still held then fails the close (tests) or only {@link #leaked}
   *     says so
   */
  BigQueryArrowMemory(Duration wait, boolean strict) {
    this.wait = requireNonNull(wait, "wait is null");
    this.strict = strict;
    this.allocator =
        new RootAllocator(
            new AllocationListener() {
              @Override
              public void onRelease(long size) {
                synchronized (released) {
                  released.notifyAll();
                }
              }
            },
            Long.MAX_VALUE);
  }

  /** Strict where Java's assertions are on, as Arrow's own allocator checks are. */
  static BigQueryArrowMemory forRead(Duration wait) {
    return new BigQueryArrowMemory(wait, BigQueryArrowMemory.class.desiredAssertionStatus());
  }

  BufferAllocator allocator() {
    return allocator;
  }

  /** What a lenient close left held, in the run report's words; empty when all came back. */
  synchronized Optional<String> leaked() {
    return Optional.ofNullable(leaked);
  }

  /**
   * Waits, at most {@code wait}, for every byte to come back, then closes the allocator.
   *
   * @throws IllegalStateException when strict and memory is still held then (Arrow's own message,
   *     with the allocator's verbose account of what is held)
   */
  @Override
  public void close() {
    long deadline = System.nanoTime() + wait.toNanos();
    boolean interrupted = false;
    synchronized (released) {
      long left;
      while (allocator.getAllocatedMemory() != 0 && (left = deadline - System.nanoTime()) > 0) {
        try {
          released.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          interrupted = true; // the run is being given up: close at once, and say so after
          break;
        }
      }
    }
    try {
      long held = allocator.getAllocatedMemory();
      if (held == 0) {
        allocator.close();
        return;
      }
      if (strict) {
        String holders = allocator.toVerboseString();
        try {
          allocator.close();
        } catch (IllegalStateException e) {
          throw new IllegalStateException(
              e.getMessage()
                  + "\nstill held "
                  + wait.toMillis()
                  + " ms after the read:\n"
                  + holders,
              e);
        }
        return; // all came back between the two looks
      }
      // The allocator stays open: whoever holds the bytes gives them back to it when it lets go.
      synchronized (this) {
        leaked =
            "the Storage Read API's Arrow batches still held "
                + held
                + " bytes "
                + wait.toMillis()
                + " ms after the read; they are freed when DuckDB lets go of them, and the rows are"
                + " not affected (report this if it repeats)";
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
