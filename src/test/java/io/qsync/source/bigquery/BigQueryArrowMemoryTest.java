package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qsync.source.ArrowStreamSink;
import io.qsync.source.bigquery.BigQueryArrowHandOverTest.Batches;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The end of a read waits for the Arrow memory DuckDB lets go of late: DuckDB's query ends once its
 * worker threads are done with its pipeline, and the worker that drops the pipeline last releases
 * the stream (closing the batches' reader, which still holds the last batch) as it does, so the
 * insert can return a moment before the memory is back. That ordering is rare in DuckDB (about one
 * read in several hundred); {@link LateRelease} takes the stream as DuckDB does and releases it on
 * a thread of its own only once the read's end is waiting, every time.
 */
class BigQueryArrowMemoryTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final BufferAllocator duckDb = new RootAllocator();
  private LateRelease sink;

  @AfterEach
  void close() throws InterruptedException {
    if (sink != null) {
      sink.releaser.join(WAIT.toMillis() * 2);
    }
    duckDb.close();
  }

  @Test
  void theEndOfAReadWaitsForAStreamDuckDbReleasesAfterItsInsertReturned()
      throws InterruptedException {
    BigQueryArrowMemory memory = new BigQueryArrowMemory(WAIT, true);
    Batches batches = new Batches(memory.allocator(), 1, 2, 3);
    sink = new LateRelease(duckDb, Thread.currentThread());

    long inserted =
        BigQueryStorageReader.insertArrow(memory.allocator(), batches, sink, List.of("\"id\""));
    sink.inserted.countDown();
    memory.close(); // closed the allocator at once, while the stream still held the last batch
    // the memory comes back inside the batches' close, a moment before it marks them closed
    sink.releaser.join(WAIT.toMillis());

    assertThat(inserted).as("rows inserted").isEqualTo(3);
    assertThat(batches.closed).as("the batches are closed").isTrue();
    assertThat(memory.leaked()).as("what the read's notes say").isEmpty();
  }

  @Test
  void memoryNeverGivenBackFailsTheCloseWhereAssertionsAreOn() {
    BigQueryArrowMemory memory = new BigQueryArrowMemory(Duration.ofMillis(50), true);
    ArrowBuf held = memory.allocator().buffer(512);

    assertThatThrownBy(memory::close)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Memory was leaked by query. Memory leaked: (512)")
        .hasMessageContaining("still held 50 ms after the read");
    assertThat(held.refCnt()).as("left to its holder, the allocator closed").isEqualTo(1);
  }

  @Test
  void memoryNeverGivenBackIsANoteOfTheRunWhereAssertionsAreOff() {
    BigQueryArrowMemory memory = new BigQueryArrowMemory(Duration.ofMillis(50), false);
    ArrowBuf held = memory.allocator().buffer(512);

    memory.close();

    assertThat(memory.leaked())
        .hasValue(
            "the Storage Read API's Arrow batches still held 512 bytes 50 ms after the read; they"
                + " are freed when DuckDB lets go of them, and the rows are not affected (report"
                + " this if it repeats)");
    held.close();
    assertThat(memory.allocator().getAllocatedMemory()).as("given back later").isZero();
  }

  /**
   * Takes the stream as DuckDB's JDBC driver does (its struct moved, the caller's marked released),
   * reads every batch, and returns; releases the stream on a thread of its own once the insert has
   * returned and {@code reading} waits (in the read's end), as DuckDB's last worker may.
   */
  private static final class LateRelease implements ArrowStreamSink {
    private final BufferAllocator allocator;
    private final Thread reading;
    final CountDownLatch inserted = new CountDownLatch(1);
    Thread releaser;

    LateRelease(BufferAllocator allocator, Thread reading) {
      this.allocator = allocator;
      this.reading = reading;
    }

    @Override
    public long insertArrow(ArrowArrayStream stream, List<String> select) {
      // DuckDB copies the struct and clears the caller's release; it does not free the struct.
      ArrowArrayStream owned = ArrowArrayStream.allocateNew(allocator);
      owned.save(stream.snapshot());
      stream.markReleased();
      ArrowReader taken = Data.importArrayStream(allocator, owned);
      long rows = 0;
      try {
        while (taken.loadNextBatch()) {
          rows += taken.getVectorSchemaRoot().getRowCount();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      releaser =
          new Thread(
              () -> {
                try {
                  inserted.await();
                  long deadline = System.nanoTime() + WAIT.toNanos();
                  while (reading.getState() != Thread.State.TIMED_WAITING
                      && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                  }
                  taken.close();
                } catch (InterruptedException | IOException e) {
                  throw new IllegalStateException(e);
                }
              },
              "duckdb-worker-fake");
      releaser.start();
      return rows;
    }

    @Override
    public void accept(Object[] row) {
      throw new UnsupportedOperationException("takes Arrow only");
    }
  }
}
