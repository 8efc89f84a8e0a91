package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qsync.QsyncException;
import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import io.qsync.source.ArrowStreamSink;
import io.qsync.stage.Stage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Storage Read API's batches handed to the stage as an Arrow C stream: they are closed whether
 * DuckDB read them or failed before it took the stream, so their memory goes back to the allocator
 * (which would report it leaked when closed). The sink is a real stage (DuckDB).
 */
class BigQueryArrowHandOverTest {
  private static final List<Column> COLUMNS = List.of(new Column("id", SqlType.of(Kind.BIGINT)));

  @TempDir Path dir;

  private Stage stage;
  private BufferAllocator allocator;

  @BeforeEach
  void open() {
    stage = Stage.open(dir.resolve("s.duckdb"));
    stage.begin("run-1", "fingerprint", COLUMNS);
    allocator = new RootAllocator();
  }

  @AfterEach
  void close() {
    stage.close();
    allocator.close();
  }

  @Test
  void batchesDuckDbReadAreInsertedAndClosed() {
    Batches batches = new Batches(allocator, 1, 2, 3);

    long inserted;
    try (Stage.StageWriter writer = stage.sourceWriter(COLUMNS)) {
      inserted =
          BigQueryStorageReader.insertArrow(
              allocator, batches, (ArrowStreamSink) writer, List.of("\"id\""));
    }

    assertThat(inserted).as("rows inserted").isEqualTo(3);
    assertThat(stage.sourceRows()).as("rows in the stage").isEqualTo(3);
    assertThat(batches.closed).as("the batches are closed").isTrue();
    assertThat(allocator.getAllocatedMemory()).as("memory still held").isZero();
  }

  @Test
  void batchesDuckDbNeverTookAreClosedWhenTheInsertFails() {
    Batches batches = new Batches(allocator, 1, 2, 3);

    try (Stage.StageWriter writer = stage.sourceWriter(COLUMNS)) {
      // a column the stream lacks fails the insert as DuckDB binds it, before it reads the stream
      assertThatThrownBy(
              () ->
                  BigQueryStorageReader.insertArrow(
                      allocator, batches, (ArrowStreamSink) writer, List.of("\"missing\"")))
          .isInstanceOf(QsyncException.class);
    }

    assertThat(stage.sourceRows()).as("rows in the stage").isZero();
    assertThat(batches.closed).as("the batches are closed").isTrue();
    assertThat(allocator.getAllocatedMemory()).as("memory still held").isZero();
  }

  @Test
  void anInsertDuckDbRefusesSaysWhatDuckDbSaid() {
    Batches batches = new Batches(allocator, 1, 2, 3);

    try (Stage.StageWriter writer = stage.sourceWriter(COLUMNS)) {
      assertThatThrownBy(
              () ->
                  BigQueryStorageReader.insertArrow(
                      allocator, batches, (ArrowStreamSink) writer, List.of("\"missing\"")))
          .isInstanceOf(QsyncException.class)
          .hasMessageContaining("could not write rows")
          .hasMessageContaining("\"missing\" not found")
          .hasMessageNotContaining("Statement was closed");
    }
  }

  /**
   * One batch of BIGINT ids; holds a buffer of the allocator from the start, as the batches of a
   * read hold a batch in hand, and gives it back when closed.
   */
  static final class Batches extends ArrowReader {
    private final long[] ids;
    private final ArrowBuf held;
    private boolean loaded;
    boolean closed;

    Batches(BufferAllocator allocator, long... ids) {
      super(allocator);
      this.ids = ids;
      this.held = allocator.buffer(1024);
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      if (loaded) {
        return false;
      }
      loaded = true;
      BigIntVector id = (BigIntVector) getVectorSchemaRoot().getVector("id");
      id.allocateNew(ids.length);
      for (int i = 0; i < ids.length; i++) {
        id.set(i, ids[i]);
      }
      getVectorSchemaRoot().setRowCount(ids.length);
      return true;
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() {
      if (!closed) {
        held.close();
        closed = true;
      }
    }

    @Override
    protected Schema readSchema() {
      return new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true))));
    }
  }
}
